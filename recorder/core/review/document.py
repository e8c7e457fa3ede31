"""The transcript being reviewed: the working copy, its undo and redo stacks, and navigation
(next flag). The machine transcript it started from is kept alongside, unchanged."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from recorder.core.review.edits import (
    Edit,
    EditText,
    Merge,
    Patch,
    SetSpeaker,
    SetSpeakerToMarker,
    SetVerified,
    Split,
    VerifyAll,
)
from recorder.core.transcribe.transcript import Segment, Transcript

log = logging.getLogger(__name__)

#: The most edits kept for undo (older ones drop off).
UNDO_LIMIT = 500


@dataclass(frozen=True)
class Change:
    """What changed: ``removed`` turns from ``start`` were replaced by ``inserted`` turns."""

    start: int
    removed: int
    inserted: int


Listener = Callable[[Change], None]


@dataclass(frozen=True)
class _Done:
    label: str
    patch: Patch


class ReviewDocument:
    """An editable transcript. Every change goes through :meth:`do`, :meth:`undo` or
    :meth:`redo`, bumps :attr:`revision` and is reported to the listeners."""

    def __init__(self, machine: Transcript, working: Transcript | None = None) -> None:
        self.machine = machine
        self.transcript = working if working is not None else machine
        self.revision = 0
        self._undo: list[_Done] = []
        self._redo: list[_Done] = []
        self._listeners: list[Listener] = []

    # -- reading ------------------------------------------------------------------------------

    @property
    def segments(self) -> tuple[Segment, ...]:
        return self.transcript.segments

    def __len__(self) -> int:
        return len(self.transcript.segments)

    @property
    def session_id(self) -> str:
        return self.transcript.session_id

    @property
    def verified_count(self) -> int:
        return sum(1 for s in self.segments if s.verified)

    @property
    def all_verified(self) -> bool:
        return all(s.verified for s in self.segments)

    def needs_check(self, index: int) -> bool:
        """A turn with review flags that nobody has verified yet."""
        segment = self.segments[index]
        return bool(segment.flags) and not segment.verified

    def next_flag(self, after: int, *, backwards: bool = False) -> int | None:
        """The next (or previous) turn that needs checking, wrapping around; None if none."""
        count = len(self)
        if not count:
            return None
        step = -1 if backwards else 1
        for k in range(1, count + 1):
            index = (after + step * k) % count
            if self.needs_check(index):
                return index
        return None

    def turn_at(self, seconds: float) -> int | None:
        """The turn being spoken at ``seconds`` (the last one started by then)."""
        segments = self.segments
        lo, hi = 0, len(segments)
        while lo < hi:  # first turn starting after ``seconds``
            mid = (lo + hi) // 2
            if segments[mid].start <= seconds:
                lo = mid + 1
            else:
                hi = mid
        return lo - 1 if lo else None

    # -- listening ----------------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def _apply(self, patch: Patch) -> None:
        self.transcript = self.transcript.with_segments(patch.apply(self.transcript.segments))
        self.revision += 1
        change = Change(patch.start, len(patch.old), len(patch.new))
        for listener in list(self._listeners):
            listener(change)

    # -- editing ------------------------------------------------------------------------------

    def do(self, edit: Edit) -> Change:
        """Apply ``edit`` (raises ``UsageError`` if it makes no sense here)."""
        patch = edit.patch(self.segments, self.transcript.sample_rate)
        if patch.old == patch.new:
            return Change(patch.start, 0, 0)
        self._apply(patch)
        self._undo.append(_Done(edit.label, patch))
        del self._undo[:-UNDO_LIMIT]
        self._redo.clear()
        log.debug("review edit: %s", type(edit).__name__)
        return Change(patch.start, len(patch.old), len(patch.new))

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    @property
    def undo_label(self) -> str:
        return self._undo[-1].label if self._undo else ""

    @property
    def redo_label(self) -> str:
        return self._redo[-1].label if self._redo else ""

    def undo(self) -> Change | None:
        """Undo the last edit; returns what changed (None if there was nothing to undo)."""
        if not self._undo:
            return None
        done = self._undo.pop()
        self._apply(done.patch.inverse())
        self._redo.append(done)
        return Change(done.patch.start, len(done.patch.new), len(done.patch.old))

    def redo(self) -> Change | None:
        if not self._redo:
            return None
        done = self._redo.pop()
        self._apply(done.patch)
        self._undo.append(done)
        return Change(done.patch.start, len(done.patch.old), len(done.patch.new))

    # -- the edits by name --------------------------------------------------------------------

    def edit_text(self, index: int, text: str) -> Change:
        return self.do(EditText(index, text))

    def split(self, index: int, offset: int) -> Change:
        return self.do(Split(index, offset))

    def merge(self, index: int) -> Change:
        return self.do(Merge(index))

    def set_speaker(self, index: int, speaker: str) -> Change:
        return self.do(SetSpeaker(index, speaker))

    def set_speaker_to_marker(self, index: int, speaker: str) -> Change:
        return self.do(SetSpeakerToMarker(index, speaker))

    def set_verified(self, index: int, verified: bool = True) -> Change:
        return self.do(SetVerified(index, verified, "Mark verified" if verified else "Unverify"))

    def verify_all(self) -> Change:
        return self.do(VerifyAll())
