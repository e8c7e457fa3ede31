"""Where a review lives: the machine transcript is read and never written; the working copy is
sealed as the session's REVIEWED transcript. Finishing a review moves the session on."""

from __future__ import annotations

import logging

from recorder.core.errors import UsageError
from recorder.core.review.document import ReviewDocument
from recorder.core.session import SessionState
from recorder.core.sessions import load_session, open_controller
from recorder.core.study import Study
from recorder.core.transcribe.transcript import (
    Transcript,
    TranscriptKind,
    has_transcript,
    load_transcript,
    save_transcript,
)

log = logging.getLogger(__name__)


def open_review(study: Study, session_id: str) -> ReviewDocument:
    """The session's transcript for review: the reviewed copy if one was saved, else a fresh
    copy of the machine transcript (``NotFound`` if the session has not been transcribed)."""
    machine = load_transcript(study, session_id, TranscriptKind.MACHINE)
    working = None
    if has_transcript(study, session_id, TranscriptKind.REVIEWED):
        working = load_transcript(study, session_id, TranscriptKind.REVIEWED)
    log.info("opened a transcript for review (%d turns)", len(machine.segments))
    return ReviewDocument(machine, working)


def save_review(study: Study, transcript: Transcript) -> None:
    """Seal the working copy as the REVIEWED transcript (atomic; safe off the GUI thread)."""
    save_transcript(study, transcript, TranscriptKind.REVIEWED)


def finish_review(study: Study, document: ReviewDocument) -> SessionState:
    """Save the review and mark the session reviewed; every turn must be verified first.

    Returns the session's state afterwards (a reviewed or de-identified session stays so).
    """
    if not document.all_verified:
        left = len(document) - document.verified_count
        raise UsageError(
            f"{left} turn(s) are not verified yet.",
            hint="Check each turn against the audio and mark it verified (Ctrl+Enter).",
        )
    save_review(study, document.transcript)
    record = load_session(study, document.session_id)
    if record.state is SessionState.TRANSCRIBED:
        open_controller(study, document.session_id).mark_reviewed()
        log.info("a session was marked reviewed")
        return SessionState.REVIEWED
    return record.state
