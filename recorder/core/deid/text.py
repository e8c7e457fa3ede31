"""Text helpers shared by the detectors: folding, word tokens, possessives, sentence starts."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

#: A word: letters or digits, with inner apostrophes ("O'Brien", "Dana's").
TOKEN_RE = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")
_POSSESSIVE_RE = re.compile(r"['\u2019]s$", re.IGNORECASE)
_SPACES_RE = re.compile(r"\s+")
_EDGE_PUNCT = " \t\n\r.,;:!?\"'\u201c\u201d\u2018\u2019()[]{}"
_SENTENCE_END = '.?!\u2026"\u201c\u201d:;\u2014'


@lru_cache(maxsize=65536)
def fold(word: str) -> str:
    """Case- and accent-insensitive form: "Ramírez" -> "ramirez", curly quotes made straight."""
    decomposed = unicodedata.normalize("NFKD", word.replace("\u2019", "'"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def possessive_len(word: str) -> int:
    """How many trailing characters of ``word`` are a possessive ending ("'s")."""
    return 2 if len(word) > 2 and _POSSESSIVE_RE.search(word) else 0


def normalise(text: str) -> str:
    """The form under which two mentions count as the same text ("Dana's" == "dana")."""
    words = []
    for raw in _SPACES_RE.split(text.strip(_EDGE_PUNCT)):
        word = raw.strip(_EDGE_PUNCT)
        if word:
            words.append(fold(word[: len(word) - possessive_len(word)]))
    return " ".join(words)


@dataclass(frozen=True, slots=True)
class Token:
    """A word of a text: where it is, its folded form without a possessive ending."""

    start: int
    end: int
    #: End of the word without its possessive ending ("Dana's" -> end of "Dana").
    core_end: int
    raw: str
    key: str

    @property
    def capitalised(self) -> bool:
        return self.raw[:1].isupper()


def tokens(text: str) -> list[Token]:
    out = []
    for m in TOKEN_RE.finditer(text):
        raw = m.group()
        cut = possessive_len(raw)
        out.append(Token(m.start(), m.end(), m.end() - cut, raw, fold(raw[: len(raw) - cut])))
    return out


def sentence_initial(text: str, start: int) -> bool:
    """Does the word at ``start`` begin a sentence (so its capital letter says nothing)?"""
    i = start - 1
    while i >= 0 and (text[i].isspace() or text[i] in "\"\u201c\u2018'(-\u2013"):
        i -= 1
    return i < 0 or text[i] in _SENTENCE_END


def only_space_between(text: str, end: int, start: int, *, dots: bool = False) -> bool:
    """Is the gap ``text[end:start]`` white space or a hyphen only (or an abbreviation's
    full stop, with ``dots``: "St. Brigid's")?"""
    gap = text[end:start]
    return gap.strip(" -." if dots else " -") == "" and len(gap) <= 3


def edit_distance_one(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` differ by exactly one letter (substitution, insertion,
    deletion) or by two neighbouring letters swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        return (
            len(diffs) == 2
            and diffs[1] == diffs[0] + 1
            and a[diffs[0]] == b[diffs[1]]
            and a[diffs[1]] == b[diffs[0]]
        )
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    return short[i:] == long_[i + 1 :]


def deletions(word: str) -> set[str]:
    """Every string made by deleting one letter of ``word``."""
    return {word[:i] + word[i + 1 :] for i in range(len(word))}
