"""The human corrections: each reviewed turn against the machine words spoken in its time,
word by word, as data and as plain text.

Turns may have been split or merged, so machine words are matched to reviewed turns by time
(each machine word goes to the reviewed turn that had started when the word began), then the
words of each turn are compared.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from difflib import SequenceMatcher

from recorder.core.durations import clock
from recorder.core.transcribe.transcript import Segment, Transcript


@dataclass(frozen=True)
class WordChange:
    """One difference: ``replace`` (before -> after), ``insert`` (after) or ``delete`` (before)."""

    kind: str
    before: str
    after: str


@dataclass(frozen=True)
class TurnCorrection:
    """A reviewed turn that differs from what the machine heard in its time."""

    index: int
    start: float
    speaker_before: str
    speaker_after: str
    before: str
    after: str
    changes: tuple[WordChange, ...]

    @property
    def speaker_changed(self) -> bool:
        return self.speaker_before != self.speaker_after


@dataclass(frozen=True)
class Corrections:
    """Every corrected turn, and how many machine words were changed."""

    turns: tuple[TurnCorrection, ...]
    machine_words: int
    words_changed: int
    turns_total: int

    @property
    def change_rate(self) -> float:
        """Changed words per machine word (a rough word error rate of the machine)."""
        return self.words_changed / self.machine_words if self.machine_words else 0.0


def _machine_words(segment: Segment) -> list[tuple[float, str]]:
    if segment.words:
        return [(w.start, w.text.strip()) for w in segment.words if w.text.strip()]
    middle = (segment.start + segment.end) / 2
    return [(middle, t) for t in segment.text.split()]


def corrections(machine: Transcript, reviewed: Transcript) -> Corrections:
    """Compare ``reviewed`` with the ``machine`` transcript it was made from."""
    turns = reviewed.segments
    starts = [s.start for s in turns]
    heard: list[list[str]] = [[] for _ in turns]
    speakers: list[dict[str, int]] = [{} for _ in turns]
    total = 0
    for segment in machine.segments:
        for at, text in _machine_words(segment):
            total += 1
            if not turns:
                continue
            index = max(0, bisect.bisect_right(starts, at + 1e-6) - 1)
            heard[index].append(text)
            votes = speakers[index]
            votes[segment.speaker] = votes.get(segment.speaker, 0) + 1
    out: list[TurnCorrection] = []
    changed = 0
    for index, turn in enumerate(turns):
        before, after = heard[index], turn.text.split()
        changes = _compare(before, after)
        votes = speakers[index]
        speaker_before = max(votes, key=lambda k: votes[k]) if votes else turn.speaker
        if changes or speaker_before != turn.speaker:
            changed += sum(max(len(c.before.split()), len(c.after.split())) for c in changes)
            out.append(
                TurnCorrection(
                    index,
                    turn.start,
                    speaker_before,
                    turn.speaker,
                    " ".join(before),
                    turn.text,
                    changes,
                )
            )
    return Corrections(tuple(out), total, changed, len(turns))


def _compare(before: list[str], after: list[str]) -> tuple[WordChange, ...]:
    matcher = SequenceMatcher(None, before, after, autojunk=False)
    changes = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op != "equal":
            changes.append(WordChange(op, " ".join(before[i1:i2]), " ".join(after[j1:j2])))
    return tuple(changes)


def render_corrections(result: Corrections, speakers: dict[str, str]) -> str:
    """Plain text: a summary, then per corrected turn the machine and the reviewed text."""

    def who(key: str) -> str:
        return speakers.get(key, "Unassigned speaker")

    lines = [
        "Human corrections of the machine transcript",
        f"{len(result.turns)} of {result.turns_total} turns corrected; "
        f"{result.words_changed} of {result.machine_words} machine words changed "
        f"({result.change_rate:.1%}).",
    ]
    for turn in result.turns:
        lines += ["", f"[{clock(turn.start)}] turn {turn.index + 1}"]
        if turn.speaker_changed:
            lines.append(f"  speaker: {who(turn.speaker_before)} -> {who(turn.speaker_after)}")
        if turn.changes:
            lines.append(f"  - {turn.before}")
            lines.append(f"  + {turn.after}")
            for change in turn.changes:
                if change.kind == "replace":
                    lines.append(f"    '{change.before}' -> '{change.after}'")
                elif change.kind == "insert":
                    lines.append(f"    added '{change.after}'")
                else:
                    lines.append(f"    removed '{change.before}'")
    return "\n".join(lines) + "\n"
