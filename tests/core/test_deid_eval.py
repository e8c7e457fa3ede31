"""The de-identification targets on the annotated evaluation set (tests/data/deid)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from recorder.core.deid.evalset import load_eval_set
from recorder.core.deid.proposals import propose
from recorder.core.deid.scoring import PATTERN_TARGETS, Score, format_report, score_cases
from recorder.core.protocol import load_default_protocol
from recorder.core.transcribe.transcript import Segment

DATA = Path(__file__).resolve().parent.parent / "data" / "deid"


@pytest.fixture(scope="module")
def score() -> Score:
    cases = load_eval_set(DATA, load_default_protocol())
    assert len(cases) >= 10
    return score_cases(cases)


def test_codemap_names_and_variants_are_all_redacted(score: Score) -> None:
    names = score.codemap_names
    assert names.total >= 50
    assert names.rate == 1.0, format_report(score)


@pytest.mark.parametrize("category", PATTERN_TARGETS)
def test_phones_emails_dates_addresses(score: Score, category: str) -> None:
    tally = score.recall[category]
    assert tally.total >= 5
    assert tally.rate >= 0.98, format_report(score)


def test_precision_and_decoys(score: Score) -> None:
    assert score.precision >= 0.95, format_report(score)
    assert score.decoys.total >= 40
    assert score.decoys.rate >= 0.95, format_report(score)


def test_unknown_names_are_flagged_not_applied(score: Score) -> None:
    person = score.flagged["PERSON"]
    assert person.total >= 5
    assert person.rate >= 0.9, format_report(score)


def test_propose_on_20000_words_is_fast() -> None:
    cases = load_eval_set(DATA, load_default_protocol())
    segments: list[Segment] = []
    known = cases[0].known
    while sum(len(s.text.split()) for s in segments) < 20_000:
        for case in cases:
            segments += case.transcript.segments
    transcript = cases[0].transcript.with_segments(tuple(segments))
    started = time.perf_counter()
    review = propose(transcript, known)
    elapsed = time.perf_counter() - started
    assert review.proposals
    assert elapsed < 2.0, f"propose took {elapsed:.2f} s on 20,000 words"
