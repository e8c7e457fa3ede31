"""Edits to a transcript's turns as small command objects.

Each command turns the current segments into a :class:`Patch` (a run of segments replaced by
another run); the document applies patches and undoes them by applying their inverse, so an
edit of one turn in a 3,000-turn transcript stores two small tuples, not a copy of the whole.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Protocol

from recorder.core.errors import UsageError
from recorder.core.review.words import realign, time_at, word_spans
from recorder.core.transcribe.flags import LOW_WORD_PROB
from recorder.core.transcribe.transcript import Segment

LOW_CONFIDENCE = "low-confidence"


@dataclass(frozen=True)
class Patch:
    """``old`` (the segments from ``start``) are replaced by ``new``."""

    start: int
    old: tuple[Segment, ...]
    new: tuple[Segment, ...]

    def inverse(self) -> Patch:
        return Patch(self.start, self.new, self.old)

    def apply(self, segments: tuple[Segment, ...]) -> tuple[Segment, ...]:
        end = self.start + len(self.old)
        return segments[: self.start] + self.new + segments[end:]


class Edit(Protocol):
    """A command: what it does (for the undo menu) and the patch it makes."""

    @property
    def label(self) -> str: ...

    def patch(self, segments: tuple[Segment, ...], sample_rate: int) -> Patch: ...


def _check(segments: tuple[Segment, ...], index: int) -> Segment:
    if not 0 <= index < len(segments):
        raise UsageError(f"There is no turn {index + 1}; the transcript has {len(segments)}.")
    return segments[index]


def refresh_flags(segment: Segment) -> Segment:
    """Recompute the low-confidence flag from the words (typed words are certain)."""
    others = tuple(f for f in segment.flags if f != LOW_CONFIDENCE)
    unsure = any(w.probability < LOW_WORD_PROB for w in segment.words)
    return replace(segment, flags=((LOW_CONFIDENCE,) if unsure else ()) + others)


@dataclass(frozen=True)
class EditText:
    """Replace a turn's text; unchanged words keep their timing."""

    index: int
    text: str
    label: str = "Edit text"

    def patch(self, segments: tuple[Segment, ...], sample_rate: int) -> Patch:
        segment = _check(segments, self.index)
        text = " ".join(self.text.split())
        words = realign(segment, text)
        changed = refresh_flags(replace(segment, text=text, words=words, verified=False))
        return Patch(self.index, (segment,), (changed,))


@dataclass(frozen=True)
class Split:
    """Split a turn at a character offset; the words go to the side they are on, and the
    second turn starts when its first word does."""

    index: int
    offset: int
    label: str = "Split turn"

    def patch(self, segments: tuple[Segment, ...], sample_rate: int) -> Patch:
        segment = _check(segments, self.index)
        head, tail = segment.text[: self.offset].strip(), segment.text[self.offset :].strip()
        if not head or not tail:
            raise UsageError("Put the cursor between two words to split a turn there.")
        spans = word_spans(segment)
        first = tuple(w for w, (a, _b) in zip(segment.words, spans, strict=True) if a < self.offset)
        second = segment.words[len(first) :]
        at = second[0].start if second else time_at(segment, self.offset)
        at = min(max(at, segment.start), segment.end)
        cut = round(at * sample_rate)
        one = replace(segment, end=at, end_sample=cut, text=head, words=first, verified=False)
        two = replace(segment, start=at, start_sample=cut, text=tail, words=second, verified=False)
        return Patch(self.index, (segment,), (refresh_flags(one), refresh_flags(two)))


@dataclass(frozen=True)
class Merge:
    """Merge a turn with the next one (the first turn's speaker and section win)."""

    index: int
    label: str = "Merge turns"

    def patch(self, segments: tuple[Segment, ...], sample_rate: int) -> Patch:
        one = _check(segments, self.index)
        if self.index + 1 >= len(segments):
            raise UsageError("The last turn has no next turn to merge with.")
        two = segments[self.index + 1]
        merged = replace(
            one,
            end=two.end,
            end_sample=two.end_sample,
            text=f"{one.text} {two.text}".strip(),
            words=one.words + two.words,
            flags=tuple(dict.fromkeys(one.flags + two.flags)),
            verified=one.verified and two.verified,
        )
        return Patch(self.index, (one, two), (refresh_flags(merged),))


@dataclass(frozen=True)
class SetSpeaker:
    """Give one turn a speaker."""

    index: int
    speaker: str
    label: str = "Change speaker"

    def patch(self, segments: tuple[Segment, ...], sample_rate: int) -> Patch:
        segment = _check(segments, self.index)
        return Patch(self.index, (segment,), (replace(segment, speaker=self.speaker),))


def section_end(segments: tuple[Segment, ...], index: int) -> int:
    """One past the last turn of the section (prompt) that turn ``index`` is in."""
    prompt = segments[index].prompt_index
    end = index + 1
    while end < len(segments) and segments[end].prompt_index == prompt:
        end += 1
    return end


@dataclass(frozen=True)
class SetSpeakerToMarker:
    """Give every turn from ``index`` up to the next prompt marker a speaker."""

    index: int
    speaker: str
    label: str = "Change speaker up to the next marker"

    def patch(self, segments: tuple[Segment, ...], sample_rate: int) -> Patch:
        _check(segments, self.index)
        old = segments[self.index : section_end(segments, self.index)]
        return Patch(self.index, old, tuple(replace(s, speaker=self.speaker) for s in old))


@dataclass(frozen=True)
class SetVerified:
    """Mark one turn as checked against the audio (or not)."""

    index: int
    verified: bool = True
    label: str = "Mark verified"

    def patch(self, segments: tuple[Segment, ...], sample_rate: int) -> Patch:
        segment = _check(segments, self.index)
        return Patch(self.index, (segment,), (replace(segment, verified=self.verified),))


@dataclass(frozen=True)
class VerifyAll:
    """Mark every turn as checked (the patch covers the first to the last unchecked turn)."""

    label: str = "Mark all turns verified"

    def patch(self, segments: tuple[Segment, ...], sample_rate: int) -> Patch:
        todo = [i for i, s in enumerate(segments) if not s.verified]
        if not todo:
            return Patch(0, (), ())
        old = segments[todo[0] : todo[-1] + 1]
        return Patch(todo[0], old, tuple(replace(s, verified=True) for s in old))
