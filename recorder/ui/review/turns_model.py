"""The turns of a :class:`ReviewDocument` as a list model: one row per turn, kept in step
with every edit (rows are inserted and removed for splits and merges, not reset)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from recorder.core.durations import clock
from recorder.core.errors import RecorderError
from recorder.core.review.document import Change, ReviewDocument
from recorder.core.transcribe.transcript import Segment

Index = QModelIndex | QPersistentModelIndex

SEGMENT_ROLE = Qt.ItemDataRole.UserRole + 1
HEADING_ROLE = Qt.ItemDataRole.UserRole + 2  # the section title when the row starts one
SPEAKER_ROLE = Qt.ItemDataRole.UserRole + 3  # the speaker's label
PLAYING_ROLE = Qt.ItemDataRole.UserRole + 4  # index of the word playing now, -1, or None
MARKS_ROLE = Qt.ItemDataRole.UserRole + 5  # extra highlights: [(start, end, kind)]


class TurnsModel(QAbstractListModel):
    """Rows are turns; ``edit_failed`` carries an edit the document refused."""

    edit_failed = Signal(object)

    def __init__(self, document: ReviewDocument) -> None:
        super().__init__()
        self.document = document
        self.playing_row = -1
        self.playing_word = -1
        self._marks: dict[int, list[tuple[int, int, str]]] = {}
        document.subscribe(self._changed)

    # -- reading ------------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.document)

    def segment(self, row: int) -> Segment:
        return self.document.segments[row]

    def heading(self, row: int) -> str:
        """The section title if ``row`` is the first turn of its section, else ''."""
        segments = self.document.segments
        segment = segments[row]
        if row and segments[row - 1].prompt_index == segment.prompt_index:
            return ""
        section = self.document.transcript.section_of(segment)
        return section.title if section is not None else ("" if row else "Before the first prompt")

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.document):
            return None
        row = index.row()
        segment = self.segment(row)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return segment.text
        if role == SEGMENT_ROLE:
            return segment
        if role == HEADING_ROLE:
            return self.heading(row)
        if role == SPEAKER_ROLE:
            return self.document.transcript.speaker_label(segment)
        if role == PLAYING_ROLE:
            return self.playing_word if row == self.playing_row else None
        if role == MARKS_ROLE:
            return self._marks.get(row, [])
        if role == Qt.ItemDataRole.AccessibleTextRole:
            speaker = self.document.transcript.speaker_label(segment)
            state = "verified" if segment.verified else "not verified"
            return f"{clock(segment.start)} {speaker}: {segment.text} ({state})"
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = super().flags(index)
        return base | Qt.ItemFlag.ItemIsEditable if index.isValid() else base

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        if " ".join(str(value).split()) == self.segment(index.row()).text:
            return False
        try:
            self.document.edit_text(index.row(), str(value))
        except RecorderError as exc:
            self.edit_failed.emit(exc)
            return False
        return True

    # -- highlights ---------------------------------------------------------------------------

    def set_playing(self, row: int, word: int) -> None:
        """Highlight ``row`` (and its ``word``) as the one being played; -1 for none."""
        if (row, word) == (self.playing_row, self.playing_word):
            return
        old, self.playing_row, self.playing_word = self.playing_row, row, word
        for changed in {old, row}:
            if 0 <= changed < len(self.document):
                at = self.index(changed)
                self.dataChanged.emit(at, at, [PLAYING_ROLE])

    def set_marks(self, marks: dict[int, list[tuple[int, int, str]]]) -> None:
        """Extra character ranges to highlight per row (redaction proposals)."""
        rows = set(self._marks) | set(marks)
        self._marks = marks
        for row in rows:
            if 0 <= row < len(self.document):
                at = self.index(row)
                self.dataChanged.emit(at, at, [MARKS_ROLE])

    # -- keeping in step with the document ----------------------------------------------------

    def _changed(self, change: Change) -> None:
        common = min(change.removed, change.inserted)
        if change.removed > common:
            first = change.start + common
            self.beginRemoveRows(QModelIndex(), first, change.start + change.removed - 1)
            self.endRemoveRows()
        elif change.inserted > common:
            first = change.start + common
            self.beginInsertRows(QModelIndex(), first, change.start + change.inserted - 1)
            self.endInsertRows()
        last = change.start + max(common, 1)  # the next row's heading may change too
        last = min(last, len(self.document) - 1)
        if change.start <= last:
            self.dataChanged.emit(self.index(change.start), self.index(last))
