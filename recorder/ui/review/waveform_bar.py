"""The whole session at a glance: a waveform with the turns' sections marked, the playhead,
and click or drag to seek."""

from __future__ import annotations

from PySide6.QtCore import QLineF, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from recorder.core.durations import clock
from recorder.ui.theme import colours


class WaveformBar(QWidget):
    """Emits ``seek(seconds)`` when clicked or dragged."""

    seek = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.peaks: list[float] = []
        self.duration_s = 0.0
        self.position_s = 0.0
        self.marks: list[float] = []  # section starts, seconds
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumHeight(44)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setAccessibleName("Audio position")
        self.setMouseTracking(True)

    def sizeHint(self) -> QSize:
        return QSize(600, 44)

    def set_audio(self, peaks: list[float], duration_s: float) -> None:
        self.peaks, self.duration_s = peaks, duration_s
        self.update()

    def set_marks(self, seconds: list[float]) -> None:
        self.marks = seconds
        self.update()

    def set_position(self, seconds: float) -> None:
        self.position_s = seconds
        self.update()

    def _seconds_at(self, x: float) -> float:
        width = max(1, self.width())
        return max(0.0, min(1.0, x / width)) * self.duration_s

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self.duration_s and event.button() == Qt.MouseButton.LeftButton:
            self.seek.emit(self._seconds_at(event.position().x()))

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if not self.duration_s:
            return
        at = self._seconds_at(event.position().x())
        self.setToolTip(clock(at))
        if event.buttons() & Qt.MouseButton.LeftButton:
            self.seek.emit(at)

    def paintEvent(self, _event: QPaintEvent) -> None:
        c = colours()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        painter.setPen(QColor(c.border))
        painter.setBrush(QColor(c.surface))
        painter.drawRoundedRect(rect, 6, 6)
        if not self.duration_s:
            painter.setPen(QColor(c.muted))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, "Loading the audio…")
            return
        middle = rect.center().y()
        half = rect.height() / 2 - 6
        head = rect.left() + rect.width() * min(1.0, self.position_s / self.duration_s)
        count = len(self.peaks)
        if count:
            step = rect.width() / count
            played: list[QLineF] = []
            ahead: list[QLineF] = []
            for i, peak in enumerate(self.peaks):
                x = rect.left() + i * step
                h = max(1.0, peak * half)
                (played if x <= head else ahead).append(QLineF(x, middle - h, x, middle + h))
            painter.setPen(QPen(QColor(c.accent)))
            painter.drawLines(played)
            painter.setPen(QPen(QColor(c.border).darker(115)))
            painter.drawLines(ahead)
        painter.setPen(QColor(c.muted))
        for mark in self.marks:
            x = rect.left() + rect.width() * mark / self.duration_s
            painter.drawLine(QPointF(x, rect.top() + 2), QPointF(x, rect.top() + 8))
        painter.setPen(QColor(c.record))
        painter.drawLine(QPointF(head, rect.top() + 1), QPointF(head, rect.bottom() - 1))
