"""Per-channel level meters: RMS bar, peak tick, and red when the signal clips."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from recorder.core.audio.levels import Levels
from recorder.ui.theme import colours

FLOOR_DB = -60.0


def fraction(db: float) -> float:
    """Map dBFS (-60..0) onto 0..1 for drawing."""
    return min(1.0, max(0.0, (db - FLOOR_DB) / -FLOOR_DB))


class LevelMeter(QWidget):
    """Horizontal meters, one per channel, labelled with the speaker if known."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.levels: Levels | None = None
        self.labels: list[str] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName("Input level")
        self._channels = 1
        self.setMinimumHeight(self._height())

    def _height(self) -> int:
        return 8 + 26 * self._channels

    def sizeHint(self) -> QSize:
        return QSize(320, self._height())

    def set_labels(self, labels: list[str]) -> None:
        self.labels = labels
        self.update()

    def show_levels(self, levels: Levels | None) -> None:
        self.levels = levels
        channels = max(1, len(levels.peak_dbfs)) if levels else 1
        if channels != self._channels:
            self._channels = channels
            self.setMinimumHeight(self._height())
            self.updateGeometry()
        self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:
        c = colours()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        peaks = self.levels.peak_dbfs if self.levels else (FLOOR_DB,)
        rms = self.levels.rms_dbfs if self.levels else (FLOOR_DB,)
        clipping = bool(self.levels and self.levels.clipping)
        label_width = 110 if self.labels else 0
        for ch, (peak, level) in enumerate(zip(peaks, rms, strict=False)):
            top = 4 + ch * 26
            if label_width:
                name = self.labels[ch] if ch < len(self.labels) else f"Channel {ch + 1}"
                painter.setPen(QColor(c.muted))
                painter.drawText(
                    QRectF(0, top, label_width - 8, 20),
                    int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight),
                    name,
                )
            bar = QRectF(label_width, top, self.width() - label_width, 20)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(c.meter_back))
            painter.drawRoundedRect(bar, 4, 4)
            fill = QRectF(bar.left(), bar.top(), bar.width() * fraction(level), bar.height())
            hot = clipping and peak > -0.5
            painter.setBrush(QColor(c.record if hot else c.ok))
            painter.drawRoundedRect(fill, 4, 4)
            tick = bar.left() + bar.width() * fraction(peak)
            painter.setBrush(QColor(c.record if hot else c.text))
            painter.drawRect(QRectF(tick - 1.5, bar.top(), 3, bar.height()))
        painter.end()
