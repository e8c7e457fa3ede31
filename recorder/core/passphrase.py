"""How strong is a new passphrase? A small, dependency-free estimate for the strength meter.

The estimate is deliberately conservative about human-chosen strings. The passphrase is split
into words at spaces, hyphens, underscores and dots; each word is scored on its own and the
bits add up, so every extra unrelated word makes a passphrase stronger. A repeated word costs
one bit and a one-character word two. Inside a word:

- well-known passwords and words (also with l33t spellings, capitals and digits appended)
  cost about as much as picking one entry from the built-in list;
- repeated characters and runs of three or more (``abcd``, ``4321``, ``qwerty``) cost one bit
  per character;
- other characters cost less the longer the word gets, scaled by the variety of character
  classes in the word, so a word of one class (all digits, all lowercase) counts for less.

Nothing here logs or stores the passphrase.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass

#: The shortest passphrase a vault accepts (enforced by ``enrolment.check_new_passphrase``).
MIN_PASSPHRASE = 8

log = logging.getLogger(__name__)

#: Score thresholds in estimated bits: below the first is Weak, then Fair, Good, Strong.
WEAK_BELOW = 28.0
FAIR_BELOW = 40.0
GOOD_BELOW = 60.0

LABELS = ("Too short", "Weak", "Fair", "Good", "Strong")

#: The most common passwords and words people reach for first (lowercase).
COMMON = (
    "password",
    "passphrase",
    "letmein",
    "welcome",
    "qwerty",
    "iloveyou",
    "admin",
    "login",
    "monkey",
    "dragon",
    "master",
    "shadow",
    "sunshine",
    "princess",
    "football",
    "baseball",
    "superman",
    "batman",
    "trustno1",
    "starwars",
    "whatever",
    "freedom",
    "hello",
    "secret",
    "charlie",
    "computer",
    "access",
    "flower",
    "hunter",
    "mustang",
    "michael",
    "abc123",
    "interview",
    "recorder",
    "research",
)
COMMON_BITS = math.log2(len(COMMON))

#: Look-alike characters people substitute for letters.
LEET = {
    "a": "4@",
    "b": "8",
    "e": "3",
    "g": "9",
    "i": "1!|",
    "l": "1|",
    "o": "0",
    "s": "5$",
    "t": "7+",
    "z": "2",
}

KEYBOARD_ROWS = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm")
SEPARATORS = re.compile(r"[\s\-_.]+")

#: Character pools by class, for scaling per-character bits.
LOWER, UPPER, DIGIT, SYMBOL, OTHER = "lower", "upper", "digit", "symbol", "other"
POOL = {LOWER: 26, UPPER: 26, DIGIT: 10, SYMBOL: 33, OTHER: 100}
LOG_ALPHABET = math.log2(26)
#: Bits for a repeated character or the next character of a run.
PATTERN_BITS = 1.0
#: Bits for a one-character word.
SINGLE_BITS = 2.0


@dataclass(frozen=True)
class Strength:
    """The verdict shown under a new-passphrase field."""

    #: 0 (too short) to 4 (strong).
    score: int
    #: "Too short", "Weak", "Fair", "Good" or "Strong".
    label: str
    #: One sentence telling the user what to do next; empty when the passphrase is strong.
    advice: str
    #: Estimated entropy in bits.
    bits: float


def assess(passphrase: str) -> Strength:
    """Score ``passphrase`` from 0 (too short) to 4 (strong), with advice on what to do next."""
    words = [w for w in SEPARATORS.split(passphrase) if w]
    seen: set[str] = set()
    bits = 0.0
    common = patterned = False
    for word in words:
        key = word.casefold()
        if key in seen:  # the same word again adds almost nothing
            bits += PATTERN_BITS
            patterned = True
            continue
        seen.add(key)
        if len(word) == 1:  # "a b c d" is a run spread over words
            bits += SINGLE_BITS
            continue
        estimate = _word_bits(word)
        bits += estimate.bits
        common = common or estimate.common
        patterned = patterned or estimate.patterned
    if len(passphrase) < MIN_PASSPHRASE:
        score = 0
    elif bits < WEAK_BELOW:
        score = 1
    elif bits < FAIR_BELOW:
        score = 2
    elif bits < GOOD_BELOW:
        score = 3
    else:
        score = 4
    advice = _advice(score, common=common, patterned=patterned, words=len(words))
    return Strength(score=score, label=LABELS[score], advice=advice, bits=round(bits, 1))


def _advice(score: int, *, common: bool, patterned: bool, words: int) -> str:
    if score == 0:
        return f"Use at least {MIN_PASSPHRASE} characters; a few unrelated words work well."
    if score == 4:
        return ""
    if common:
        return "Avoid well-known passwords and words; use a few unrelated words instead."
    if patterned and score == 1:
        return "Avoid repeating characters or words, and runs like abcd or 1234."
    if words >= 2:
        return "Add another unrelated word or two."
    return "Add a few more unrelated words, separated by spaces."


@dataclass(frozen=True)
class _WordEstimate:
    bits: float
    common: bool
    patterned: bool


def _char_class(char: str) -> str:
    if "a" <= char <= "z":
        return LOWER
    if "A" <= char <= "Z":
        return UPPER
    if "0" <= char <= "9":
        return DIGIT
    return SYMBOL if char.isascii() else OTHER


def _fresh_bits(position: int) -> float:
    """Bits of the ``position``-th (1-based) unpredictable character of a word, in letters."""
    if position == 1:
        return LOG_ALPHABET
    if position <= 8:
        return 2.5
    if position <= 20:
        return 1.5
    return 1.0


def _word_bits(word: str) -> _WordEstimate:
    pool = sum(POOL[c] for c in {_char_class(ch) for ch in word})
    scale = math.log2(pool) / LOG_ALPHABET
    spans = _common_spans(word)
    bits = 0.0
    fresh = 0
    patterned = False
    i = 0
    while i < len(word):
        if i in spans:
            end = spans[i]
            bits += COMMON_BITS + (1.0 if any(c.isupper() for c in word[i:end]) else 0.0)
            i = end
            continue
        if _continues_pattern(word, i):
            bits += PATTERN_BITS
            patterned = True
        else:
            fresh += 1
            bits += _fresh_bits(fresh) * scale
        i += 1
    return _WordEstimate(bits=bits, common=bool(spans), patterned=patterned)


def _continues_pattern(word: str, i: int) -> bool:
    """Is ``word[i]`` a repeat of the character before, or the third-or-later of a run?"""
    if i >= 1 and word[i] == word[i - 1]:
        return True
    if i < 2:
        return False
    a, b, c = word[i - 2].lower(), word[i - 1].lower(), word[i].lower()
    step = ord(b) - ord(a)
    if step in (-1, 1) and ord(c) - ord(b) == step:
        return True
    for row in KEYBOARD_ROWS:
        if a in row and b in row and c in row:
            ia, ib, ic = row.index(a), row.index(b), row.index(c)
            if ib - ia in (-1, 1) and ic - ib == ib - ia:
                return True
    return False


def _common_spans(word: str) -> dict[int, int]:
    """Start -> end of well-known words inside ``word`` (longest first, no overlaps)."""
    spans: dict[int, int] = {}
    taken = [False] * len(word)
    for entry in sorted(COMMON, key=len, reverse=True):
        for start in range(len(word) - len(entry) + 1):
            end = start + len(entry)
            if any(taken[start:end]) or not _matches(word[start:end], entry):
                continue
            spans[start] = end
            taken[start:end] = [True] * len(entry)
    return spans


def _matches(text: str, entry: str) -> bool:
    return all(c.lower() == e or c in LEET.get(e, "") for c, e in zip(text, entry, strict=True))
