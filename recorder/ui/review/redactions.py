"""The de-identification review of one session as a view-model: proposals from the core's
detectors, the reviewer's decisions, manual redactions, and the de-identified transcript.

The review quotes identifying text, so it is kept only in the code-map vault (through the
core's store); it refers to the saved reviewed text by character offsets, so the page keeps
the text read-only while this is open.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject, Signal

from recorder.core.deid import Category, Decision, Proposal, Review, add_manual, decide
from recorder.core.deid.proposals import text_fingerprint
from recorder.core.deid.store import (
    deidentify_session,
    has_review,
    load_review,
    propose_for_session,
    save_review,
    source_transcript,
)
from recorder.core.study import Study
from recorder.core.transcribe.transcript import Transcript
from recorder.ui.worker import run_call

log = logging.getLogger(__name__)


class RedactionModel(QObject):
    """``loaded`` once the proposals are ready, ``changed`` after every decision,
    ``created`` with the de-identified transcript, ``failed`` with an exception."""

    loaded = Signal()
    changed = Signal()
    created = Signal(object)
    failed = Signal(object)

    def __init__(self, study: Study, codemap: Any, session_id: str) -> None:
        super().__init__()
        self.study = study
        self.codemap = codemap
        self.session_id = session_id
        self.transcript: Transcript | None = None
        self.review: Review | None = None
        self.fresh_proposals = False

    def load(self) -> None:
        """Read the stored review if it still fits the text, else propose anew (background)."""

        def work() -> tuple[Transcript, Review, bool]:
            transcript, _kind = source_transcript(self.study, self.session_id)
            if has_review(self.codemap, self.session_id):
                stored = load_review(self.codemap, self.session_id)
                if stored.fingerprint == text_fingerprint(transcript):
                    return transcript, stored, False
            return transcript, propose_for_session(self.study, self.codemap, self.session_id), True

        run_call(work, on_done=self._loaded, on_error=self.failed.emit)

    def _loaded(self, result: tuple[Transcript, Review, bool]) -> None:
        self.transcript, self.review, self.fresh_proposals = result
        log.info("redaction review ready: %d proposals", len(self.review.proposals))
        self.loaded.emit()

    @property
    def ready(self) -> bool:
        return self.review is not None

    def proposals(self) -> tuple[Proposal, ...]:
        return self.review.proposals if self.review is not None else ()

    def marks(self, current: str = "") -> dict[int, list[tuple[int, int, str]]]:
        """Per turn: the (start, end, kind) spans to highlight; kind is the decision or
        "current" for the proposal in focus."""
        out: dict[int, list[tuple[int, int, str]]] = {}
        for p in self.proposals():
            kind = "current" if p.id == current else p.decision.value
            out.setdefault(p.segment, []).append((p.start, p.end, kind))
        return out

    def _store(self, review: Review) -> None:
        self.review = review
        save_review(self.codemap, review)  # a small sealed file in the code-map vault
        self.changed.emit()

    def decide(self, proposal_id: str, decision: Decision, *, all_occurrences: bool) -> None:
        if self.review is not None:
            self._store(decide(self.review, proposal_id, decision, all_occurrences=all_occurrences))

    def add(
        self, segment: int, start: int, end: int, category: Category, *, all_occurrences: bool
    ) -> None:
        """Redact a selection (accepted at once); raises ``UsageError`` for a bad one."""
        if self.review is not None and self.transcript is not None:
            review = add_manual(
                self.review,
                self.transcript,
                segment,
                start,
                end,
                category,
                all_occurrences=all_occurrences,
            )
            self._store(review)

    def create(self) -> None:
        """Apply the accepted redactions: the de-identified transcript (background)."""
        review = self.review
        if review is None:
            return
        run_call(
            lambda: deidentify_session(self.study, self.codemap, self.session_id, review)[0],
            on_done=self.created.emit,
            on_error=self.failed.emit,
        )
