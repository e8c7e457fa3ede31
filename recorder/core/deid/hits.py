"""``Hit``: a detector's finding in one segment's text, before it becomes a ``Proposal``."""

from __future__ import annotations

from dataclasses import dataclass

from recorder.core.deid.review import Category, Source


@dataclass(frozen=True, slots=True)
class Hit:
    """A span ``text[start:end]`` that looks like an identifier."""

    start: int
    end: int
    category: Category
    source: Source
    #: Entity key: hits with equal keys share one numbered placeholder.
    key: str
    #: Fixed replacement ("[P-7KQ2M, police]", "[PHONE]"); empty for numbered ones.
    replacement: str = ""

    @property
    def length(self) -> int:
        return self.end - self.start

    def overlaps(self, other: Hit) -> bool:
        return self.start < other.end and other.start < self.end


#: Which source wins when two hits of the same length overlap.
RANK = {
    Source.MANUAL: 0,
    Source.CODEMAP: 1,
    Source.REDACTION_LIST: 2,
    Source.PATTERN: 3,
    Source.CANDIDATE: 4,
}


def resolve(hits: list[Hit]) -> list[Hit]:
    """Non-overlapping hits: the longest span wins, then the more trusted source."""
    chosen: list[Hit] = []
    for hit in sorted(hits, key=lambda h: (-h.length, RANK[h.source], h.start)):
        if not any(hit.overlaps(c) for c in chosen):
            chosen.append(hit)
    return sorted(chosen, key=lambda h: h.start)
