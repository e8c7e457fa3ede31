"""The value types of a de-identification review: categories, decisions, proposals.

A ``Review`` holds every proposed redaction of one session's transcript with the reviewer's
decision on each. It quotes the identifying text, so it is stored only in the code-map vault.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from recorder.core.errors import RecorderError

REVIEW_FORMAT = "interview-recorder-deid-review"
REVIEW_VERSION = 1


class Category(StrEnum):
    """What kind of identifier a span is."""

    PARTICIPANT = "participant"
    PERSON = "person"
    PLACE = "place"
    AGENCY = "agency"
    PHONE = "phone"
    EMAIL = "email"
    DATE = "date"
    ADDRESS = "address"
    AGE = "age"
    ID = "id"
    CANDIDATE = "candidate"


class Decision(StrEnum):
    """The reviewer's verdict on a proposal."""

    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class Source(StrEnum):
    """Where a proposal came from (``Proposal.source`` holds the value)."""

    CODEMAP = "codemap"
    REDACTION_LIST = "redaction-list"
    PATTERN = "pattern"
    CANDIDATE = "candidate"
    MANUAL = "manual"


#: Sources whose proposals ``--accept-all`` accepts (candidates are only flagged).
AUTO_SOURCES = frozenset({Source.CODEMAP, Source.REDACTION_LIST, Source.PATTERN})


class StaleReview(RecorderError):
    """The review was made for other text than the transcript it is applied to."""

    hint = "Discard the pending review and propose again from the current transcript."


@dataclass(frozen=True)
class Proposal:
    """One span of one segment to replace, with what replaces it and the decision on it."""

    id: str
    segment: int
    start: int
    end: int
    text: str
    category: Category
    replacement: str
    source: str
    decision: Decision = Decision.PROPOSED

    @property
    def is_candidate(self) -> bool:
        return self.source == Source.CANDIDATE

    def decided(self, decision: Decision) -> Proposal:
        return replace(self, decision=decision)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "segment": self.segment,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "category": self.category.value,
            "replacement": self.replacement,
            "source": self.source,
            "decision": self.decision.value,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Proposal:
        return cls(
            id=str(data["id"]),
            segment=int(data["segment"]),
            start=int(data["start"]),
            end=int(data["end"]),
            text=str(data["text"]),
            category=Category(data["category"]),
            replacement=str(data["replacement"]),
            source=str(data["source"]),
            decision=Decision(data.get("decision", Decision.PROPOSED.value)),
        )


@dataclass(frozen=True)
class Review:
    """Every proposal for one session's transcript, sorted by position."""

    session_id: str
    proposals: tuple[Proposal, ...]
    #: Fingerprint of the transcript text the offsets refer to (see ``text_fingerprint``).
    fingerprint: str = ""

    def proposal(self, proposal_id: str) -> Proposal:
        for p in self.proposals:
            if p.id == proposal_id:
                return p
        raise KeyError(proposal_id)

    def pending(self) -> tuple[Proposal, ...]:
        return tuple(p for p in self.proposals if p.decision is Decision.PROPOSED)

    def candidates(self) -> tuple[Proposal, ...]:
        return tuple(p for p in self.proposals if p.is_candidate)

    def accepted(self) -> tuple[Proposal, ...]:
        return tuple(p for p in self.proposals if p.decision is Decision.ACCEPTED)

    def counts(self) -> dict[Category, int]:
        """How many proposals there are per category (no text: safe to print)."""
        out: dict[Category, int] = {}
        for p in self.proposals:
            out[p.category] = out.get(p.category, 0) + 1
        return out

    def with_proposals(self, proposals: tuple[Proposal, ...]) -> Review:
        ordered = tuple(sorted(proposals, key=lambda p: (p.segment, p.start, p.end)))
        return replace(self, proposals=ordered)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": REVIEW_FORMAT,
            "version": REVIEW_VERSION,
            "session_id": self.session_id,
            "fingerprint": self.fingerprint,
            "proposals": [p.to_json() for p in self.proposals],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Review:
        if data.get("format") != REVIEW_FORMAT or int(data.get("version", 0)) > REVIEW_VERSION:
            raise RecorderError(
                "The stored de-identification review is not readable by this version.",
                hint="Update Interview Recorder.",
            )
        return cls(
            session_id=str(data["session_id"]),
            proposals=tuple(Proposal.from_json(p) for p in data.get("proposals", [])),
            fingerprint=str(data.get("fingerprint", "")),
        )
