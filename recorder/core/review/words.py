"""Words inside a turn's text: where each timed word sits in the text, and new timings for the
words of an edited text (unchanged words keep whisper's timing)."""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from recorder.core.transcribe.transcript import Segment, Word

_TOKEN = re.compile(r"\S+")

#: Probability given to words a person typed: they are no longer "low confidence".
HUMAN = 1.0


def tokens(text: str) -> list[tuple[int, int]]:
    """Character spans of the whitespace-separated tokens of ``text``."""
    return [(m.start(), m.end()) for m in _TOKEN.finditer(text)]


def _norm(token: str) -> str:
    return token.strip().lower()


def word_spans(segment: Segment) -> list[tuple[int, int]]:
    """For each of ``segment.words``, its character span in ``segment.text``.

    Found in order from a moving cursor; a word that cannot be found gets an empty span at the
    cursor, so spans are always ordered and inside the text.
    """
    text = segment.text
    lowered = text.lower()
    spans: list[tuple[int, int]] = []
    cursor = 0
    for word in segment.words:
        needle = word.text.strip().lower()
        at = lowered.find(needle, cursor) if needle else -1
        if at < 0:
            spans.append((cursor, cursor))
            continue
        spans.append((at, at + len(needle)))
        cursor = at + len(needle)
    return spans


def word_at(segment: Segment, offset: int) -> int | None:
    """The index of the word at character ``offset`` (or the nearest one before it)."""
    best: int | None = None
    for index, (start, end) in enumerate(word_spans(segment)):
        if start <= offset < max(end, start + 1):
            return index
        if start <= offset:
            best = index
    return best


def time_at(segment: Segment, offset: int) -> float:
    """The time of the word at character ``offset``, else a proportional guess."""
    index = word_at(segment, offset)
    if index is not None:
        return segment.words[index].start
    if not segment.text:
        return segment.start
    fraction = min(1.0, max(0.0, offset / len(segment.text)))
    return segment.start + fraction * (segment.end - segment.start)


def realign(segment: Segment, text: str) -> tuple[Word, ...]:
    """Timed words for ``text``, edited from ``segment.text``.

    Words that are unchanged keep their timing and probability; replaced words share the time
    of the words they replace; inserted words sit at the end of the word before them. Every
    typed word counts as certain (``HUMAN``).
    """
    old = list(segment.words)
    if not old:  # transcribed without word timings: nothing to keep in step
        return ()
    new_spans = tokens(text)
    new_tokens = [text[a:b] for a, b in new_spans]
    matcher = SequenceMatcher(
        None, [_norm(w.text) for w in old], [_norm(t) for t in new_tokens], autojunk=False
    )
    out: list[Word] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            for k in range(j2 - j1):
                word = old[i1 + k]
                out.append(Word(word.start, word.end, " " + new_tokens[j1 + k], word.probability))
        elif op in ("replace", "insert"):
            if i2 > i1:
                start, end = old[i1].start, old[i2 - 1].end
            else:
                start = out[-1].end if out else (old[i1].start if i1 < len(old) else segment.start)
                start = min(max(start, segment.start), segment.end)
                end = start
            count = j2 - j1
            step = (end - start) / count
            for k in range(count):
                a = start + k * step
                out.append(Word(a, a + step, " " + new_tokens[j1 + k], HUMAN))
    return tuple(out)
