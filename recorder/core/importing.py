"""A session from existing recordings (a handheld recorder's files): encrypted on import.

Used by ``python main.py session import`` and the new-session dialog. The session must already
exist with consent on file; if the import fails or is cancelled the session is deleted, so a
half-imported interview never lingers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from pathlib import Path

from recorder.core.audio.files import import_files
from recorder.core.jobs import CancelToken, Progress
from recorder.core.session import AudioSettings, SessionRecord
from recorder.core.sessions import open_controller
from recorder.core.study import Study

log = logging.getLogger(__name__)


def import_session(
    study: Study,
    session_id: str,
    consent: Mapping[str, bool],
    paths: list[Path],
    *,
    progress: Callable[[Progress], None] | None = None,
    cancel: CancelToken | None = None,
) -> SessionRecord:
    """Seal ``paths`` into the session's timeline and close it as recorded."""
    try:
        segments = import_files(
            study.vault, study.session_dir(session_id), paths, progress=progress, cancel=cancel
        )
    except BaseException:
        study.delete_session(session_id)
        raise
    first = segments[0]
    ctl = open_controller(study, session_id)
    ctl.set_audio(
        AudioSettings(device="imported", sample_rate=first.sample_rate, channels=first.channels)
    )
    for seg in segments:
        ctl.record_segment(seg)
    ctl.confirm_consent(consent)
    ctl.start_recording()
    ctl.set_clock(lambda: ctl.record.audio_frames)
    ctl.stop()
    log.info("imported %d file(s) into a session", len(paths))
    return ctl.record
