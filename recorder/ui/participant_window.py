"""The window turned toward the participants: the current vignette, large and calm.

No interviewer controls, no IDs, no notes. Full screen on a second screen when there is one,
otherwise an ordinary window the interviewer can turn around. Ctrl+= / Ctrl+- change the text
size (also from the console).
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QScrollArea, QVBoxLayout, QWidget

from recorder.core.protocol import Prompt
from recorder.core.protocol_model import ItemType

log = logging.getLogger(__name__)

LISTEN = "Please listen to the interviewer."
WELCOME = "Thank you for taking part.\nThe interview will begin shortly."
BACKGROUND = "#10141b"
FOREGROUND = "#f4f1e8"
MUTED = "#a9b0bc"
MIN_POINTS, MAX_POINTS, DEFAULT_POINTS = 14, 48, 24


class ParticipantWindow(QWidget):
    """Shows one prompt at a time; call :meth:`show_prompt` on every prompt change."""

    def __init__(self) -> None:
        super().__init__(None, Qt.WindowType.Window)
        self.setWindowTitle("Interview")
        self.setObjectName("participantWindow")
        self.setStyleSheet(
            f"#participantWindow, QScrollArea, #page {{ background: {BACKGROUND}; border: none; }}"
            f" QLabel {{ color: {FOREGROUND}; background: transparent; }}"
            f" QLabel#context {{ color: {MUTED}; }}"
        )
        self.points = DEFAULT_POINTS
        self.heading = QLabel(self)
        self.context = QLabel(self)
        self.context.setObjectName("context")
        self.body = QLabel(self)
        for widget in (self.heading, self.context, self.body):
            widget.setWordWrap(True)
            widget.setTextFormat(Qt.TextFormat.PlainText)
            widget.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        page = QWidget()
        page.setObjectName("page")
        column = QVBoxLayout(page)
        column.setContentsMargins(64, 48, 64, 48)
        column.setSpacing(24)
        column.addWidget(self.heading)
        column.addWidget(self.context)
        column.addWidget(self.body)
        column.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(page)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        QShortcut(QKeySequence.StandardKey.ZoomIn, self, self.larger)
        QShortcut(QKeySequence("Ctrl+="), self, self.larger)
        QShortcut(QKeySequence.StandardKey.ZoomOut, self, self.smaller)
        self.resize(960, 640)
        self._show(WELCOME, "", "")

    # -- content ------------------------------------------------------------------------------

    def show_prompt(self, prompt: Prompt) -> None:
        """Show a vignette or instruction; a calm "please listen" card for questions."""
        item = prompt.item
        if not prompt.shown_to_participants:
            self._show("", "", LISTEN)
        elif item.type is ItemType.VIGNETTE and prompt.is_escalation:
            self._show(f"{item.title} — what happens next", item.text, item.escalation)
        elif item.type is ItemType.VIGNETTE:
            self._show(item.title, "", item.text)
        else:
            self._show("", "", item.text)

    def show_message(self, text: str) -> None:
        """A plain message (welcome, thank-you)."""
        self._show(text, "", "")

    def shown_text(self) -> str:
        """The main text on screen (what the participants are reading)."""
        return self.body.text() or self.heading.text()

    def _show(self, heading: str, context: str, body: str) -> None:
        self.heading.setText(heading.strip())
        self.context.setText(context.strip())
        self.body.setText(body.strip())
        self.heading.setVisible(bool(heading))
        self.context.setVisible(bool(context))
        self._apply_font()

    # -- text size ----------------------------------------------------------------------------

    def larger(self) -> None:
        self.set_points(self.points + 2)

    def smaller(self) -> None:
        self.set_points(self.points - 2)

    def set_points(self, points: int) -> None:
        self.points = max(MIN_POINTS, min(MAX_POINTS, points))
        self._apply_font()

    def _apply_font(self) -> None:
        for widget, scale, bold in (
            (self.heading, 1.15, True),
            (self.context, 0.7, False),
            (self.body, 1.0, False),
        ):
            font = widget.font()
            font.setPointSizeF(self.points * scale)
            font.setBold(bold)
            widget.setFont(font)

    # -- placement ----------------------------------------------------------------------------

    def present(self) -> bool:
        """Show full screen on a second screen if there is one; returns whether it did."""
        main = self.screen() or QGuiApplication.primaryScreen()
        others = [s for s in QGuiApplication.screens() if s is not main]
        if others:
            screen = others[0]
            self.setScreen(screen)
            self.move(screen.geometry().topLeft())
            self.resize(screen.geometry().size())
            self.showFullScreen()
            log.info("participant window full screen on the second screen")
            return True
        self.show()
        return False
