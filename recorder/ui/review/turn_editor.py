"""The inline editor of one turn's text: Enter keeps the text, Esc throws it away; the review
page's keys (verify, split, play) work from inside it through ``command``."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QPlainTextEdit, QWidget

#: Keys the editor hands to the page instead of typing: (key, modifiers) -> command name.
COMMANDS = {
    (Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier): "verify",
    (Qt.Key.Key_Enter, Qt.KeyboardModifier.ControlModifier): "verify",
    (
        Qt.Key.Key_Enter,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.KeypadModifier,
    ): "verify",
    (
        Qt.Key.Key_S,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    ): "split",
    (Qt.Key.Key_Space, Qt.KeyboardModifier.ControlModifier): "play",
    (Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier): "back",
    (Qt.Key.Key_F8, Qt.KeyboardModifier.NoModifier): "next-flag",
}


class TurnEditor(QPlainTextEdit):
    """Plain text, no new lines; emits ``command(name, cursor_offset)`` for page keys."""

    command = Signal(str, int)
    commit = Signal()
    cancel = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("turnEditor")
        self.setTabChangesFocus(True)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setAccessibleName("Turn text")

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = Qt.Key(event.key())
        mods = event.modifiers()
        name = COMMANDS.get((key, mods))
        if name is not None:
            event.accept()
            self.command.emit(name, self.textCursor().position())
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not (
            mods & ~Qt.KeyboardModifier.KeypadModifier
        ):
            event.accept()
            self.commit.emit()
            return
        if key == Qt.Key.Key_Escape:
            event.accept()
            self.cancel.emit()
            return
        super().keyPressEvent(event)
