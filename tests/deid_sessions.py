"""A stored session with a transcript, for the de-identification store and CLI tests."""

from __future__ import annotations

from recorder.core.enrolment import enrol
from recorder.core.model import Identity
from recorder.core.protocol import SessionKind
from recorder.core.sessions import create_session, open_controller, study_protocol
from recorder.core.transcribe.transcript import (
    Provenance,
    Segment,
    Transcript,
    TranscriptKind,
    Word,
    save_transcript,
)
from tests.conftest import StudyPair

LINES = (
    "Hi, I'm Dana Ramirez, I've been an officer for ten years.",
    "You can call me on five five five, one two three four.",
    "My sergeant, Tom Delaney, will tell you the same.",
)


def transcribed_session(pair: StudyPair, *, reviewed: bool) -> str:
    """Enrol Dana Ramirez, record nothing, store a transcript; returns the session ID."""
    study, codemap = pair.study, pair.codemap
    pid = enrol(study, codemap, Identity(name="Dana Ramirez", nicknames=("Dee",)), "police")  # type: ignore[arg-type]
    protocol = study_protocol(study)  # type: ignore[arg-type]
    record = create_session(study, protocol, SessionKind.INDIVIDUAL, [pid.participant_id])  # type: ignore[arg-type]
    ctl = open_controller(study, record.session_id)  # type: ignore[arg-type]
    ctl.confirm_consent({pid.participant_id: True})
    ctl.start_recording()
    ctl.stop()
    ctl.mark_transcribed()
    segments = []
    clock = 0.0
    for line in LINES:
        words = []
        for piece in line.split():
            words.append(Word(clock, clock + 0.3, " " + piece, 0.9))
            clock += 0.4
        segments.append(Segment(words[0].start, clock, 0, 0, " " + line, tuple(words)))
    transcript = Transcript(
        record.session_id,
        "en",
        16000,
        tuple(segments),
        (),
        {pid.participant_id: f"Police officer {pid.participant_id}"},
        Provenance("tiny", "", True, "", "cpu"),
    )
    save_transcript(study, transcript, TranscriptKind.MACHINE)  # type: ignore[arg-type]
    if reviewed:
        save_transcript(study, transcript, TranscriptKind.REVIEWED)  # type: ignore[arg-type]
        open_controller(study, record.session_id).mark_reviewed()  # type: ignore[arg-type]
    return record.session_id
