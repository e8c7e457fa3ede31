"""The review editor's keyboard shortcuts in one table (bound by the page, listed by F1)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDialog, QWidget

from recorder.ui import shortcuts
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
    return shortcuts.keys(name, BY_KEY)


def describe(name: str) -> str:
    """Tooltip text: what it does and its keys as the platform writes them."""
    return shortcuts.describe(name, BY_KEY)


def shortcuts_sheet(parent: QWidget) -> QDialog:
    """A read-only table of the review editor's keys (opened, not executed)."""
    dialog = shortcuts.ShortcutsSheet(parent, REVIEW_SHORTCUTS, "Review shortcuts")
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
