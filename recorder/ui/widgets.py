"""Building blocks shared by the views: labels, buttons, cards, folder and passphrase fields.

The start window loads this module, so it reaches ``Qt`` enums only inside functions
(``QtCore.Qt``): importing the ``Qt`` name makes PySide build the whole namespace, 12 ms.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6 import QtCore
from PySide6.QtCore import Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from recorder.ui.theme import colours


def label(
    text: str, name: str = "", *, wrap: bool = False, parent: QWidget | None = None
) -> QLabel:
    """A label with an optional style name (``title``, ``heading``, ``muted``, ``warning``)."""
    widget = QLabel(text, parent)
    if name:
        widget.setObjectName(name)
    widget.setWordWrap(wrap)
    return widget


def button(
    text: str,
    *,
    shortcut: str = "",
    tip: str = "",
    primary: bool = False,
    big: bool = False,
    name: str = "",
) -> QPushButton:
    """A push button whose tooltip names its keyboard shortcut."""
    widget = QPushButton(text)
    if name:
        widget.setObjectName(name)
    if primary:
        widget.setProperty("primary", True)
    if big:
        widget.setProperty("big", True)
    if shortcut:
        widget.setShortcut(QKeySequence(shortcut))
        native = QKeySequence(shortcut).toString(QKeySequence.SequenceFormat.NativeText)
        tip = f"{tip} ({native})" if tip else native
    if tip:
        widget.setToolTip(tip)
    return widget


def action(parent: QWidget, text: str, shortcut: str = "", tip: str = "") -> QAction:
    """A menu action with a shortcut that works anywhere in ``parent``'s window."""
    act = QAction(text, parent)
    if shortcut:
        # setShortcuts, not setShortcut: resolving that overload builds the Qt namespace.
        # The default context is the whole window.
        act.setShortcuts([QKeySequence(shortcut)])
    if tip:
        act.setToolTip(tip)
        act.setStatusTip(tip)
    parent.addAction(act)
    return act


def ok_cancel(
    dialog: QDialog, ok_text: str, on_ok: Callable[[], None]
) -> tuple[QDialogButtonBox, QPushButton]:
    """The dialog's button row: a primary ``ok_text`` button running ``on_ok``, and Cancel."""
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, dialog
    )
    ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
    ok.setText(ok_text)
    ok.setProperty("primary", True)
    ok.style().unpolish(ok)  # the box has polished its buttons already: apply the property
    ok.style().polish(ok)
    buttons.accepted.connect(on_ok)
    buttons.rejected.connect(dialog.reject)
    return buttons, ok


def form(rows: list[tuple[str, QWidget]]) -> QGridLayout:
    """Labels beside fields; unlike QFormLayout it gives tall fields the height they need."""
    grid = QGridLayout()
    grid.setHorizontalSpacing(14)
    grid.setVerticalSpacing(10)
    grid.setColumnStretch(1, 1)
    for row, (text, field) in enumerate(rows):
        name = QLabel(text)
        name.setBuddy(field)
        name.setContentsMargins(0, 6, 0, 0)
        top_left = QtCore.Qt.AlignmentFlag.AlignTop | QtCore.Qt.AlignmentFlag.AlignLeft
        grid.addWidget(name, row, 0, top_left)
        grid.addWidget(field, row, 1)
    return grid


def card(parent: QWidget | None = None) -> tuple[QFrame, QVBoxLayout]:
    """A white rounded panel and its layout."""
    frame = QFrame(parent)
    frame.setObjectName("card")
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(16, 14, 16, 14)
    layout.setSpacing(10)
    return frame, layout


class FolderField(QWidget):
    """A folder path with a Browse button."""

    changed = Signal(str)

    def __init__(self, caption: str, placeholder: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._caption = caption
        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText(placeholder)
        self.edit.textChanged.connect(self.changed)
        browse = QPushButton("Browse…", self)
        browse.clicked.connect(self._browse)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit, 1)
        row.addWidget(browse)

    def _browse(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        folder = QFileDialog.getExistingDirectory(self, self._caption, self.edit.text())
        if folder:
            self.edit.setText(folder)

    def path(self) -> Path | None:
        text = self.edit.text().strip()
        return Path(text).expanduser() if text else None

    def set_path(self, path: Path | str | None) -> None:
        self.edit.setText(str(path) if path else "")


class PassphraseField(QWidget):
    """A hidden passphrase entry with a show toggle and, optionally, strength feedback."""

    changed = Signal(str)

    def __init__(self, *, feedback: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = QLineEdit(self)
        self.edit.setMinimumHeight(32)
        self.edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.edit.textChanged.connect(self._changed)
        show = QToolButton(self)
        show.setText("Show")
        show.setCheckable(True)
        show.setToolTip("Show or hide the passphrase")
        show.toggled.connect(
            lambda on: self.edit.setEchoMode(
                QLineEdit.EchoMode.Normal if on else QLineEdit.EchoMode.Password
            )
        )
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        row = QHBoxLayout()
        row.addWidget(self.edit, 1)
        row.addWidget(show)
        column.addLayout(row)
        self.meter: QProgressBar | None = None
        self.advice: QLabel | None = None
        if feedback:
            self.meter = QProgressBar(self)
            self.meter.setRange(0, 4)
            self.meter.setTextVisible(False)
            self.advice = label("", "muted", parent=self)  # one line: wrapping labels jump
            self.meter.setFixedHeight(10)
            column.addWidget(self.meter)
            column.addWidget(self.advice)
            self._changed("")

    def text(self) -> str:
        return self.edit.text()

    def clear(self) -> None:
        self.edit.clear()

    def _changed(self, text: str) -> None:
        if self.meter is not None and self.advice is not None:
            from recorder.core.passphrase import assess

            strength = assess(text)
            self.meter.setValue(strength.score)
            c = colours()
            colour = [c.record, c.record, c.warning, c.ok, c.ok][strength.score]
            self.meter.setStyleSheet(
                "QProgressBar { min-height: 6px; border-radius: 4px; }"
                f" QProgressBar::chunk {{ background: {colour}; border-radius: 4px; }}"
            )
            self.advice.setText(
                f"{strength.label}. {strength.advice}".strip()
                if text
                else "At least 8 characters; "
                "a few unrelated words are easy to remember and hard to guess."
            )
        self.changed.emit(text)
