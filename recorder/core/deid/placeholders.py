"""Placeholders: "[P-7KQ2M, police]" for participants, "[PERSON-1]" and the like for others.

Numbered placeholders are consistent within one transcript: the same entity key always gets
the same number, and numbers are handed out in order of first mention.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from recorder.core.deid.review import Category

#: Placeholders that carry no number: every phone number reads "[PHONE]".
FIXED = {
    Category.PHONE: "[PHONE]",
    Category.EMAIL: "[EMAIL]",
    Category.DATE: "[DATE]",
    Category.ADDRESS: "[ADDRESS]",
    Category.AGE: "[AGE 90+]",
    Category.ID: "[ID]",
}

#: The label of numbered placeholders per category.
LABELS = {
    Category.PERSON: "PERSON",
    Category.PLACE: "PLACE",
    Category.AGENCY: "AGENCY",
    Category.CANDIDATE: "NAME",
    Category.PARTICIPANT: "PERSON",
}

_NUMBERED_RE = re.compile(r"^\[([A-Z]+)-(\d+)\]$")


def fixed_placeholder(category: Category) -> str:
    """The fixed placeholder of ``category``, or "" for numbered categories."""
    return FIXED.get(category, "")


def participant_placeholder(participant_id: str, role: str) -> str:
    return f"[{participant_id}, {role}]" if role else f"[{participant_id}]"


def numbered(label: str, number: int) -> str:
    return f"[{label}-{number}]"


def parse_numbered(placeholder: str) -> tuple[str, int] | None:
    """``"[PERSON-3]"`` -> ``("PERSON", 3)``; anything else -> ``None``."""
    m = _NUMBERED_RE.match(placeholder)
    return (m.group(1), int(m.group(2))) if m else None


class Placeholders:
    """Hands out numbered placeholders per category, one per entity key."""

    def __init__(self) -> None:
        self._given: dict[tuple[str, str], str] = {}
        self._count: dict[str, int] = {}

    def placeholder(self, category: Category, key: str) -> str:
        fixed = fixed_placeholder(category)
        if fixed:
            return fixed
        label = LABELS[category]
        found = self._given.get((label, key))
        if found is None:
            found = self.fresh(category)
            self._given[(label, key)] = found
        return found

    def fresh(self, category: Category) -> str:
        """A placeholder of ``category`` with a number not handed out yet."""
        label = LABELS[category]
        self._count[label] = self._count.get(label, 0) + 1
        return numbered(label, self._count[label])

    def reserve(self, placeholders: Iterable[str]) -> None:
        """Count existing numbered placeholders as taken."""
        for text in placeholders:
            parsed = parse_numbered(text)
            if parsed:
                label, number = parsed
                self._count[label] = max(self._count.get(label, 0), number)
