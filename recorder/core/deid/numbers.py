"""Spoken and written numbers: runs of digits or number words and how many digits they say.

"five five five, one two three four" is seven digits; "double two" is two; "fifty-five" is
two; "ten years" is a two-digit number and never a phone number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

UNITS = {
    "zero": 0,
    "oh": 0,
    "o": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
}
TEENS = {
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
REPEAT = {"double": 2, "triple": 3}

_WORDS = "|".join(sorted([*UNITS, *TEENS, *TENS, *REPEAT, "hundred"], key=len, reverse=True))
#: One atom: a group of digits (not "3rd", not "9mm") or a number word ("fifty-five" is two).
ATOM_RE = re.compile(rf"(?<![\w.,])\d+(?![\w])|\b(?:{_WORDS})\b", re.IGNORECASE)
#: What may stand between two atoms of one spoken number.
GAP_RE = re.compile(r"^(?:[\s,.\-\u2013]|\bdash\b|\bhyphen\b)*$", re.IGNORECASE)
#: Spoken number words, for use inside other patterns.
NUMBER_WORD = rf"(?i:{_WORDS})"


@dataclass(frozen=True, slots=True)
class NumberRun:
    """Consecutive number atoms: where they are and how many digits they say."""

    start: int
    end: int
    digits: int
    spoken: bool
    values: tuple[str, ...]


def _atom_digits(word: str) -> int:
    w = word.lower()
    if w.isdigit():
        return len(w)
    if w in UNITS:
        return 1
    if w in TEENS or w in TENS:
        return 2
    return 0  # double, triple, hundred: counted with their neighbours


def runs(text: str, taken: list[tuple[int, int]]) -> list[NumberRun]:
    """Every run of number atoms outside ``taken`` spans."""
    atoms = [
        m
        for m in ATOM_RE.finditer(text)
        if not any(s < m.end() and m.start() < e for s, e in taken)
    ]
    out: list[NumberRun] = []
    group: list[re.Match[str]] = []

    def flush() -> None:
        while group and group[0].group().lower() in ("oh", "o"):
            group.pop(0)  # "oh, five five five ..." starts with an interjection
        while group and group[-1].group().lower() in (*REPEAT, "hundred"):
            group.pop()
        if group:
            out.append(_run(group))
        group.clear()

    for m in atoms:
        if group and not GAP_RE.match(text[group[-1].end() : m.start()]):
            flush()
        if (
            group
            and text[group[-1].end() : m.start()].count(".")
            and _sentence_break(text, group[-1].end(), m.start())
        ):
            flush()
        group.append(m)
    flush()
    return out


def _sentence_break(text: str, end: int, start: int) -> bool:
    gap = text[end:start]
    return ". " in gap or gap.endswith(".")


def _run(group: list[re.Match[str]]) -> NumberRun:
    digits = 0
    tens_pending = False
    multiplier = 1
    spoken = False
    for m in group:
        word = m.group().lower()
        if not word.isdigit():
            spoken = True
        if word in REPEAT:
            multiplier = REPEAT[word]
            continue
        if word == "hundred":
            digits += 2  # "five hundred" = 3 digits, the five is counted already
            continue
        if tens_pending and word in UNITS and word not in ("oh", "o"):
            tens_pending = False  # "fifty-five": the five completes the fifty
            multiplier = 1
            continue
        digits += _atom_digits(word) * multiplier
        multiplier = 1
        tens_pending = word in TENS
    values = tuple(m.group() for m in group)
    return NumberRun(group[0].start(), group[-1].end(), digits, spoken, values)


def is_counting(values: tuple[str, ...]) -> bool:
    """ "one, two, three, four ..." is counting, not a number."""
    nums = [UNITS.get(v.lower()) for v in values]
    if len(nums) < 4 or any(n is None for n in nums):
        return False
    clean = [n for n in nums if n is not None]
    return all(b - a == 1 for a, b in pairwise(clean))


def id_digits(atoms: list[str]) -> tuple[int, int]:
    """How many digits and letters the pieces of a spoken ID say: ("T", "14") -> (2, 1);
    ("two", "zero", "double", "four") -> (4, 0); ("twenty", "one") -> (2, 0)."""
    digits = letters = 0
    tens_pending = False
    multiplier = 1
    for atom in atoms:
        word = atom.lower()
        if word in REPEAT:
            multiplier = REPEAT[word]
            continue
        if word == "hundred":
            digits += 2
        elif tens_pending and word in UNITS and word not in ("oh", "o"):
            pass  # "twenty-one": the one completes the twenty
        elif word in UNITS or word in TEENS or word in TENS:
            digits += _atom_digits(word) * multiplier
        else:  # written: "14", "T", "7KQ"
            digits += sum(ch.isdigit() for ch in atom) * multiplier
            letters += sum(ch.isalpha() for ch in atom) * multiplier
        tens_pending = word in TENS
        multiplier = 1
    return digits, letters
