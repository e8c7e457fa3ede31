"""The review editor's keyboard shortcuts in one table (bound by the page, listed by F1)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from recorder.ui.shortcuts import Shortcut

REVIEW_SHORTCUTS = (
    Shortcut("play", ("Ctrl+Space",), "Play or pause (Space too, outside the text)", "Playback"),
    Shortcut("back", ("Ctrl+B",), "Back 5 seconds", "Playback"),
    Shortcut("faster", ("Ctrl+]",), "Play faster", "Playback"),
    Shortcut("slower", ("Ctrl+[",), "Play slower", "Playback"),
    Shortcut("play-turn", ("Ctrl+P",), "Play the selected turn from its start", "Playback"),
    Shortcut(
        "edit", ("Return", "F2"), "Edit the selected turn (Enter keeps, Esc drops)", "Editing"
    ),
    Shortcut("verify", ("Ctrl+Return",), "Mark the turn verified and go to the next", "Editing"),
    Shortcut("next-flag", ("F8",), "Next turn to check (unsure words, flags)", "Editing"),
    Shortcut("previous-flag", ("Shift+F8",), "Previous turn to check", "Editing"),
    Shortcut("split", ("Ctrl+Shift+S",), "Split the turn at the text cursor", "Editing"),
    Shortcut("merge", ("Ctrl+Shift+M",), "Merge the turn with the next one", "Editing"),
    Shortcut("speaker", ("Ctrl+1",), "Speaker 1, 2, 3… for this turn (Ctrl+number)", "Speakers"),
    Shortcut(
        "speaker-bulk",
        ("Alt+1",),
        "Speaker 1, 2, 3… up to the next marker (Alt+number)",
        "Speakers",
    ),
    Shortcut("undo", ("Ctrl+Z",), "Undo", "Editing"),
    Shortcut("redo", ("Ctrl+Shift+Z", "Ctrl+Y"), "Redo", "Editing"),
    Shortcut("help", ("F1",), "This list of shortcuts", "Help"),
)
BY_KEY = {s.key: s for s in REVIEW_SHORTCUTS}


def keys(name: str) -> list[QKeySequence]:
    return [QKeySequence(k) for k in BY_KEY[name].keys]


def describe(name: str) -> str:
    """Tooltip text: what it does and its keys as the platform writes them."""
    shortcut = BY_KEY[name]
    native = " or ".join(
        QKeySequence(k).toString(QKeySequence.SequenceFormat.NativeText) for k in shortcut.keys
    )
    return f"{shortcut.text} ({native})"


def shortcuts_sheet(parent: QWidget) -> QDialog:
    """A read-only table of the review editor's keys (opened, not executed)."""
    dialog = QDialog(parent)
    dialog.setWindowTitle("Review shortcuts")
    dialog.resize(620, 560)
    table = QTableWidget(len(REVIEW_SHORTCUTS), 3, dialog)
    table.setHorizontalHeaderLabels(["Where", "Keys", "Does"])
    table.verticalHeader().hide()
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
    for row, s in enumerate(REVIEW_SHORTCUTS):
        native = ", ".join(
            QKeySequence(k).toString(QKeySequence.SequenceFormat.NativeText) for k in s.keys
        )
        for col, text in enumerate((s.group, native, s.text)):
            cell = QTableWidgetItem(text)
            cell.setFlags(Qt.ItemFlag.ItemIsEnabled)
            table.setItem(row, col, cell)
    table.resizeColumnsToContents()
    table.horizontalHeader().setStretchLastSection(True)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
    buttons.rejected.connect(dialog.reject)
    column = QVBoxLayout(dialog)
    column.addWidget(table)
    column.addWidget(buttons)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
