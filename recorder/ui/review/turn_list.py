"""The list of turns: a virtualised QListView (only visible rows are painted) that reports
clicks on a turn or a word, and keys for editing and playback."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent
from PySide6.QtWidgets import QAbstractItemView, QFrame, QListView, QWidget

from recorder.ui.review.turn_delegate import TurnDelegate
from recorder.ui.review.turns_model import TurnsModel


class TurnList(QListView):
    """Emits ``clicked_at(row, offset)`` (offset -1: not on the text) and ``play_pressed``."""

    clicked_at = Signal(int, int)
    play_pressed = Signal()

    def __init__(self, model: TurnsModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("turnList")
        self.setModel(model)
        self.turn_delegate = TurnDelegate(self)
        self.setItemDelegate(self.turn_delegate)
        self.setUniformItemSizes(False)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.verticalScrollBar().setSingleStep(24)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setMouseTracking(True)
        self.setAccessibleName("Transcript turns")
        self._pressed: tuple[int, int] | None = None

    @property
    def editing(self) -> bool:
        return self.state() == QAbstractItemView.State.EditingState

    def mousePressEvent(self, event: QMouseEvent) -> None:
        super().mousePressEvent(event)
        index = self.indexAt(event.position().toPoint())
        if event.button() != Qt.MouseButton.LeftButton or not index.isValid() or self.editing:
            return
        offset = self.turn_delegate.offset_at(
            self.visualRect(index), index, event.position().toPoint()
        )
        self.clicked_at.emit(index.row(), -1 if offset is None else offset)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        plain = event.modifiers() in (
            Qt.KeyboardModifier.NoModifier,
            Qt.KeyboardModifier.KeypadModifier,
        )
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and plain and not self.editing:
            current = self.currentIndex()
            if current.isValid():
                self.edit(current)
                event.accept()
                return
        if key == Qt.Key.Key_Space and plain and not self.editing:
            self.play_pressed.emit()
            event.accept()
            return
        super().keyPressEvent(event)

    def go_to(self, row: int, *, center: bool = False) -> None:
        """Make ``row`` current and visible."""
        if not 0 <= row < self.model().rowCount():
            return
        index = self.model().index(row, 0, QModelIndex())
        self.setCurrentIndex(index)
        hint = (
            QAbstractItemView.ScrollHint.PositionAtCenter
            if center
            else QAbstractItemView.ScrollHint.EnsureVisible
        )
        self.scrollTo(index, hint)
