"""Where de-identification is stored: transcript in the study, review and log in the code map."""

from __future__ import annotations

import pytest

from recorder.core.deid import Decision, accept_all, decide
from recorder.core.deid.store import (
    deidentify_session,
    has_review,
    load_redaction_log,
    load_review,
    propose_for_session,
    save_review,
)
from recorder.core.errors import NotFound
from recorder.core.session import SessionState
from recorder.core.sessions import load_session
from recorder.core.transcribe.transcript import TranscriptKind, load_transcript
from tests.conftest import StudyPair
from tests.deid_sessions import transcribed_session


def test_pending_review_survives_in_the_codemap_only(study_pair: StudyPair) -> None:
    sid = transcribed_session(study_pair, reviewed=True)
    study, codemap = study_pair.study, study_pair.codemap
    review = propose_for_session(study, codemap, sid)  # type: ignore[arg-type]
    first = review.proposals[0]
    review = decide(review, first.id, Decision.REJECTED)
    save_review(codemap, review)  # type: ignore[arg-type]
    assert has_review(codemap, sid)  # type: ignore[arg-type]
    assert load_review(codemap, sid) == review  # type: ignore[arg-type]
    assert not any("redactions" in f for f in study.vault.sealed_files())  # type: ignore[attr-defined]
    assert any(f.startswith("redactions/") for f in codemap.vault.sealed_files())  # type: ignore[attr-defined]


def test_deidentify_session_writes_both_vaults_and_moves_state(study_pair: StudyPair) -> None:
    sid = transcribed_session(study_pair, reviewed=True)
    study, codemap = study_pair.study, study_pair.codemap
    review = accept_all(propose_for_session(study, codemap, sid))  # type: ignore[arg-type]
    out, log = deidentify_session(study, codemap, sid, review)  # type: ignore[arg-type]
    stored = load_transcript(study, sid, TranscriptKind.DEIDENTIFIED)  # type: ignore[arg-type]
    assert stored == out
    text = str(stored.to_json())
    assert "Dana" not in text and "Ramirez" not in text and "five five" not in text
    assert "Delaney" in text  # a candidate: flagged, not applied without a decision
    assert load_redaction_log(codemap, sid) == log  # type: ignore[arg-type]
    assert load_session(study, sid).state is SessionState.DEIDENTIFIED  # type: ignore[arg-type]


def test_machine_transcript_is_used_without_moving_state(study_pair: StudyPair) -> None:
    sid = transcribed_session(study_pair, reviewed=False)
    study, codemap = study_pair.study, study_pair.codemap
    review = accept_all(propose_for_session(study, codemap, sid))  # type: ignore[arg-type]
    deidentify_session(study, codemap, sid, review)  # type: ignore[arg-type]
    assert load_session(study, sid).state is SessionState.TRANSCRIBED  # type: ignore[arg-type]


def test_missing_review_is_not_found(study_pair: StudyPair) -> None:
    with pytest.raises(NotFound):
        load_review(study_pair.codemap, "S-XXXXX")  # type: ignore[arg-type]
