"""The interviewer's view of the current prompt, and the running order beside it."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QFrame,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from recorder.core.protocol import Prompt, Protocol
from recorder.core.protocol_model import ItemType
from recorder.ui.theme import colours
from recorder.ui.widgets import label


def step_title(prompt: Prompt) -> str:
    """A short name for a step: the vignette's title, or the question's first words."""
    item = prompt.item
    if item.type is ItemType.VIGNETTE:
        return f"{item.title} (update)" if prompt.is_escalation else item.title
    words = item.text.split()
    return " ".join(words[:8]) + ("…" if len(words) > 8 else "")


class PromptPanel(QScrollArea):
    """Section, step number, the prompt text, probes and interviewer-only notes."""

    def __init__(self, protocol: Protocol, total: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.protocol = protocol
        self.total = total
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        body = QFrame()
        body.setObjectName("card")
        column = QVBoxLayout(body)
        column.setContentsMargins(22, 18, 22, 18)
        column.setSpacing(10)
        self.where = label("", "muted")
        self.title = label("", "promptTitle", wrap=True)
        self.kind = label("", "muted")
        self.text = label("", "promptText", wrap=True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.probes = label("", wrap=True)
        self.notes = label("", "muted", wrap=True)
        for widget in (self.where, self.title, self.kind, self.text, self.probes, self.notes):
            column.addWidget(widget)
        column.addStretch(1)
        self.setWidget(body)

    def show_prompt(self, prompt: Prompt) -> None:
        item = prompt.item
        section = self.protocol.section(prompt.section_id).title
        self.where.setText(f"{section}  ·  step {prompt.index + 1} of {self.total}")
        self.title.setText(step_title(prompt) if item.type is ItemType.VIGNETTE else "")
        self.title.setVisible(item.type is ItemType.VIGNETTE)
        shown = "on the participant screen" if prompt.shown_to_participants else "ask aloud"
        self.kind.setText(f"{item.type.value.capitalize()} — {shown}")
        self.text.setText(prompt.text.strip())
        probes = "\n".join(f"•  {p}" for p in item.probes)
        self.probes.setText(f"Probes\n{probes}" if probes else "")
        self.probes.setVisible(bool(probes))
        self.notes.setText(f"Note for you: {item.notes.strip()}" if item.notes.strip() else "")
        self.notes.setVisible(bool(item.notes.strip()))
        self.verticalScrollBar().setValue(0)


class RunningOrder(QListWidget):
    """Every step, grouped by section; the current one highlighted. Enter jumps there."""

    jump = Signal(int)

    def __init__(
        self, protocol: Protocol, prompts: tuple[Prompt, ...], parent: QWidget | None = None
    ):
        super().__init__(parent)
        self.setAccessibleName("Running order")
        self.rows: dict[int, QListWidgetItem] = {}
        section = ""
        for prompt in prompts:
            if prompt.section_id != section:
                section = prompt.section_id
                header = QListWidgetItem(protocol.section(section).title.upper())
                header.setFlags(Qt.ItemFlag.NoItemFlags)
                font = QFont(self.font())
                font.setBold(True)
                font.setPointSizeF(font.pointSizeF() * 0.85)
                header.setFont(font)
                header.setForeground(QBrush(QColor(colours().muted)))
                self.addItem(header)
            row = QListWidgetItem(f"{prompt.index + 1:>2}.  {step_title(prompt)}")
            row.setData(Qt.ItemDataRole.UserRole, prompt.index)
            self.addItem(row)
            self.rows[prompt.index] = row
        self.itemActivated.connect(self._activated)

    def _activated(self, row: QListWidgetItem) -> None:
        index = row.data(Qt.ItemDataRole.UserRole)
        if index is not None:
            self.jump.emit(int(index))

    def set_current(self, index: int) -> None:
        for i, row in self.rows.items():
            font = row.font()
            font.setBold(i == index)
            row.setFont(font)
            row.setForeground(QBrush(QColor(colours().muted if i < index else colours().text)))
        current = self.rows.get(index)
        if current is not None:
            self.setCurrentItem(current)
            self.scrollToItem(current, QListWidget.ScrollHint.PositionAtCenter)
