"""Stored, stopped sessions made from WAV files, with prompt markers where the test wants them.

The same path as an imported recording (real sealing, real session controller), so the
transcription tests start from exactly what the app stores after a real interview.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from recorder.core.audio.files import import_files
from recorder.core.enrolment import enrol
from recorder.core.model import Identity
from recorder.core.protocol import SessionKind
from recorder.core.session import INTERVIEWER, AudioSettings, SessionRecord
from recorder.core.sessions import create_session, open_controller, study_protocol
from tests.conftest import StudyPair

RATE = 16_000


def write_wav(path: Path, audio: np.ndarray, rate: int = RATE) -> Path:
    import soundfile as sf

    sf.write(str(path), audio, rate, subtype="PCM_16")
    return path


def stopped_session(
    pair: StudyPair,
    wav: Path,
    *,
    roles: Sequence[str] = ("police",),
    prompts_at: Sequence[float] = (),
    channel_map: dict[int, str] | None = None,
) -> SessionRecord:
    """Enrol participants, record ``wav`` as a session and stop it. Step 1 of the running order
    shows at the start, step ``i + 2`` at ``prompts_at[i]`` seconds. ``channel_map`` values may use
    "p0", "p1" for the enrolled participants and "interviewer"."""
    study, codemap = pair.study, pair.codemap
    people = [
        enrol(study, codemap, Identity(name=f"Person {i}"), role).participant_id  # type: ignore[arg-type]
        for i, role in enumerate(roles)
    ]
    protocol = study_protocol(study)  # type: ignore[arg-type]
    kind = SessionKind.PAIRED if len(people) == 2 else SessionKind.INDIVIDUAL
    record = create_session(study, protocol, kind, people)  # type: ignore[arg-type]
    session_dir = study.session_dir(record.session_id)  # type: ignore[attr-defined]
    segments = import_files(study.vault, session_dir, [wav])  # type: ignore[attr-defined]
    first = segments[0]
    mapping = {
        channel: people[int(who[1:])] if who.startswith("p") else INTERVIEWER
        for channel, who in (channel_map or {}).items()
    }
    ctl = open_controller(study, record.session_id)  # type: ignore[arg-type]
    ctl.set_audio(AudioSettings("test", first.sample_rate, first.channels, channel_map=mapping))
    for segment in segments:
        ctl.record_segment(segment)
    ctl.confirm_consent(dict.fromkeys(people, True))
    now = [0]
    ctl.set_clock(lambda: now[0])
    ctl.start_recording()
    for step, seconds in enumerate(prompts_at, start=1):
        now[0] = round(seconds * first.sample_rate)
        ctl.jump_to(step)
    now[0] = ctl.record.audio_frames
    ctl.stop()
    return ctl.record
