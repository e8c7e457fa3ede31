"""Where de-identification lives: the de-identified transcript in the study vault, the review
and the redaction log (both identifying) only in the code-map vault."""

from __future__ import annotations

import logging
from dataclasses import replace

from recorder.core import ids
from recorder.core.codemap import CodeMap
from recorder.core.deid.apply import RedactionLog, apply
from recorder.core.deid.known import KnownTerms, known_from_codemap
from recorder.core.deid.proposals import propose
from recorder.core.deid.review import Review
from recorder.core.errors import NotFound, RecorderError
from recorder.core.session import TRANSITIONS, SessionState
from recorder.core.sessions import load_protocol_of, load_session, open_controller
from recorder.core.study import Study
from recorder.core.transcribe.transcript import (
    Transcript,
    TranscriptKind,
    has_transcript,
    load_transcript,
    save_transcript,
    text_fingerprint,
)

log = logging.getLogger(__name__)

REVIEW_NAME = "review"
LOG_NAME = "log"


def source_transcript(study: Study, session_id: str) -> tuple[Transcript, TranscriptKind]:
    """The transcript to de-identify: the REVIEWED one if there is one, else the MACHINE one."""
    sid = ids.parse_id(session_id, ids.SESSION)
    kind = (
        TranscriptKind.REVIEWED
        if has_transcript(study, sid, TranscriptKind.REVIEWED)
        else TranscriptKind.MACHINE
    )
    return load_transcript(study, sid, kind), kind


def known_for_session(study: Study, codemap: CodeMap, session_id: str) -> KnownTerms:
    """What the code map and the session's frozen protocol tell the detectors."""
    record = load_session(study, session_id)
    try:
        protocol = load_protocol_of(study, record)
    except RecorderError:
        log.warning("the session's protocol copy could not be read; no vignette allow-list")
        protocol = None
    return known_from_codemap(
        codemap.entries(),
        codemap.redaction_terms(),
        [(p.participant_id, p.role) for p in record.participants],
        interviewer=record.interviewer,
        protocol=protocol,
    )


def propose_for_session(study: Study, codemap: CodeMap, session_id: str) -> Review:
    """A fresh review of the session's source transcript."""
    transcript, _ = source_transcript(study, session_id)
    return propose(transcript, known_for_session(study, codemap, session_id))


def save_review(codemap: CodeMap, review: Review) -> None:
    """Seal a (pending or finished) review in the code-map vault."""
    codemap.write_redaction(review.session_id, REVIEW_NAME, review.to_json())


def has_review(codemap: CodeMap, session_id: str) -> bool:
    return codemap.has_redaction(session_id, REVIEW_NAME)


def load_review(codemap: CodeMap, session_id: str) -> Review:
    """The stored review of a session; ``NotFound`` if none was saved."""
    data = codemap.read_redaction(session_id, REVIEW_NAME)
    if not isinstance(data, dict):
        raise NotFound(f"The code map holds no readable review for {session_id}.")
    return Review.from_json(data)


def load_redaction_log(codemap: CodeMap, session_id: str) -> RedactionLog:
    data = codemap.read_redaction(session_id, LOG_NAME)
    if not isinstance(data, dict):
        raise NotFound(f"The code map holds no readable redaction log for {session_id}.")
    return RedactionLog.from_json(data)


def deidentify_session(
    study: Study, codemap: CodeMap, session_id: str, review: Review
) -> tuple[Transcript, RedactionLog]:
    """Apply ``review`` to the session's source transcript and store the results.

    The de-identified transcript goes into the study vault; the review and the redaction log
    go into the code-map vault. A REVIEWED session then becomes DE-IDENTIFIED; other states
    are left alone (a transcript that no person reviewed is de-identified but the session
    does not claim to be).
    """
    transcript, _ = source_transcript(study, session_id)
    deidentified, redaction_log = apply(transcript, review)
    deidentified = replace(deidentified, derived_from=text_fingerprint(transcript))
    save_review(codemap, review)
    codemap.write_redaction(transcript.session_id, LOG_NAME, redaction_log.to_json())
    save_transcript(study, deidentified, TranscriptKind.DEIDENTIFIED)
    record = load_session(study, transcript.session_id)
    if SessionState.DEIDENTIFIED in TRANSITIONS[record.state]:
        open_controller(study, transcript.session_id).mark_deidentified()
        log.info("a session was marked de-identified")
    return deidentified, redaction_log
