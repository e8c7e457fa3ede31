"""A session from existing recordings (a handheld recorder's files): encrypted on import.

Used by ``python main.py session import`` and the new-session dialog. The session must already
exist with consent on file; if the import fails or is cancelled the session is deleted, so a
half-imported interview never lingers. A multi-channel file (one lapel microphone per person)
takes a channel map as a recording does, checked by :func:`check_channel_map` (which
``record`` uses too), so its transcript names the speakers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from recorder.core.audio.files import import_files, probe
from recorder.core.errors import UsageError
from recorder.core.jobs import CancelToken, Progress
from recorder.core.session import INTERVIEWER, AudioSettings, SessionRecord
from recorder.core.sessions import load_session, open_controller
from recorder.core.study import Study

log = logging.getLogger(__name__)


def check_channel_map(
    channel_map: Mapping[int, str], channels: int, speakers: Iterable[str] | None = None
) -> dict[int, str]:
    """``channel_map`` (0-based channel -> participant ID or ``"interviewer"``), checked.

    Every channel must exist in audio of ``channels`` channels and, when ``speakers`` (the
    session's participant IDs and ``"interviewer"``) is given, every speaker must be one of
    them; otherwise a ``UsageError`` names the channel as the person sees it (from 1).
    """
    allowed = None if speakers is None else list(dict.fromkeys(speakers))
    for channel, who in sorted(channel_map.items()):
        if not 0 <= channel < channels:
            raise UsageError(
                f"Channel {channel + 1} does not exist: the recording has {channels} channel(s)."
            )
        if allowed is not None and who not in allowed:
            raise UsageError(
                f"Channel {channel + 1} is mapped to {who}, who is not in this session.",
                hint="Map each channel to one of: " + ", ".join(allowed) + ".",
            )
    return dict(sorted(channel_map.items()))


def import_session(
    study: Study,
    session_id: str,
    consent: Mapping[str, bool],
    paths: list[Path],
    *,
    channel_map: Mapping[int, str] | None = None,
    progress: Callable[[Progress], None] | None = None,
    cancel: CancelToken | None = None,
) -> SessionRecord:
    """Seal ``paths`` into the session's timeline and close it as recorded.

    ``channel_map`` maps the files' channels (from 0) to the session's participants or the
    interviewer, as :class:`~recorder.core.recording.RecordingSession` does for a recording.
    """
    mapping: dict[int, str] = {}
    try:
        if channel_map and paths:
            channels = probe(paths[0])[1]
            people = load_session(study, session_id).participant_ids
            mapping = check_channel_map(channel_map, channels, [INTERVIEWER, *people])
        segments = import_files(
            study.vault, study.session_dir(session_id), paths, progress=progress, cancel=cancel
        )
    except BaseException:
        study.delete_session(session_id)
        raise
    first = segments[0]
    ctl = open_controller(study, session_id)
    ctl.set_audio(
        AudioSettings(
            device="imported",
            sample_rate=first.sample_rate,
            channels=first.channels,
            channel_map=mapping,
        )
    )
    for seg in segments:
        ctl.record_segment(seg)
    ctl.confirm_consent(consent)
    ctl.start_recording()
    ctl.set_clock(lambda: ctl.record.audio_frames)
    ctl.stop()
    log.info(
        "imported %d file(s) into a session (%d channel(s), %d mapped)",
        len(paths),
        first.channels,
        len(mapping),
    )
    return ctl.record
