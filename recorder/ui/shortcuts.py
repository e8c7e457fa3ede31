"""Every keyboard shortcut in one table: the console binds them and the sheet lists them."""

from __future__ import annotations

from dataclasses import dataclass

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

from recorder.ui.widgets import label


@dataclass(frozen=True)
class Shortcut:
    key: str
    keys: tuple[str, ...]
    text: str
    group: str


SHORTCUTS = (
    Shortcut("start", ("Ctrl+R",), "Start recording", "Recording"),
    Shortcut("pause", ("Ctrl+P",), "Pause or resume", "Recording"),
    Shortcut("stop", ("Ctrl+Shift+S",), "Stop and finish the session", "Recording"),
    Shortcut("next", ("PgDown", "Ctrl+Right"), "Next prompt", "Prompts"),
    Shortcut("previous", ("PgUp", "Ctrl+Left"), "Previous prompt", "Prompts"),
    Shortcut("jump", ("Ctrl+J",), "Jump: go to the running order (Enter jumps)", "Prompts"),
    Shortcut("note", ("Ctrl+T",), "Write a timestamped note (Enter saves it)", "Notes"),
    Shortcut("notes", ("Ctrl+Shift+N",), "Go to the free-text notes", "Notes"),
    Shortcut("participant", ("Ctrl+Shift+P",), "Show or hide the participant window", "Screen"),
    Shortcut("larger", ("Ctrl+=",), "Larger text on the participant window", "Screen"),
    Shortcut("smaller", ("Ctrl+-",), "Smaller text on the participant window", "Screen"),
    Shortcut("continue", ("Ctrl+Shift+C",), "Continue recording after a device loss", "Recording"),
    Shortcut("back", ("Ctrl+Shift+B",), "Back to the study after a session", "Recording"),
    Shortcut("help", ("F1",), "This list of shortcuts", "Help"),
    Shortcut("new-participant", ("Ctrl+E",), "Enrol a participant (study home)", "Study"),
    Shortcut("consent", ("Ctrl+K",), "Record consent (study home)", "Study"),
    Shortcut("new-session", ("Ctrl+Shift+R",), "New session (study home)", "Study"),
    Shortcut("transcribe", ("Ctrl+T",), "Transcribe the selected sessions (study home)", "Study"),
    Shortcut("review", ("Ctrl+Shift+V",), "Review the selected transcript (study home)", "Study"),
    Shortcut("export", ("Ctrl+Shift+E",), "Export the selected sessions (study home)", "Study"),
    Shortcut("lock", ("Ctrl+L",), "Lock the study now", "Study"),
)
BY_KEY = {s.key: s for s in SHORTCUTS}


def keys(name: str, table: dict[str, Shortcut] = BY_KEY) -> list[QKeySequence]:
    """The key sequences bound to the named action (of ``table``: the app's by default)."""
    return [QKeySequence(k) for k in table[name].keys]


def describe(name: str, table: dict[str, Shortcut] = BY_KEY) -> str:
    """Tooltip text: what it does, and its keys as the platform writes them."""
    shortcut = table[name]
    native = " or ".join(
        QKeySequence(k).toString(QKeySequence.SequenceFormat.NativeText) for k in shortcut.keys
    )
    return f"{shortcut.text} ({native})"


class ShortcutsSheet(QDialog):
    """A read-only table of every shortcut."""

    def __init__(
        self,
        parent: QWidget | None = None,
        shortcuts: tuple[Shortcut, ...] = SHORTCUTS,
        title: str = "Keyboard shortcuts",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(620, 560)
        table = QTableWidget(len(shortcuts), 3, self)
        table.setHorizontalHeaderLabels(["Where", "Keys", "Does"])
        table.verticalHeader().hide()
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        for row, s in enumerate(shortcuts):
            native = ", ".join(
                QKeySequence(k).toString(QKeySequence.SequenceFormat.NativeText) for k in s.keys
            )
            for col, text in enumerate((s.group, native, s.text)):
                cell = QTableWidgetItem(text)
                cell.setFlags(Qt.ItemFlag.ItemIsEnabled)
                table.setItem(row, col, cell)
        table.resizeColumnsToContents()
        table.horizontalHeader().setStretchLastSection(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        column = QVBoxLayout(self)
        column.addWidget(label(title, "heading"))
        column.addWidget(table)
        column.addWidget(buttons)
