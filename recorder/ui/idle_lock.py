"""Lock the study after a stretch without keyboard or mouse input; never during a recording."""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)

_INPUT = {
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseMove,
    QEvent.Type.Wheel,
    QEvent.Type.TouchBegin,
}


class IdleLock(QObject):
    """Emits ``idle`` once the app has had no input for the set time (0 minutes = never)."""

    idle = Signal()

    def __init__(self, minutes: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self._expired)
        self._inhibited = False
        self.set_timeout_ms(minutes * 60_000)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def set_timeout_ms(self, milliseconds: int) -> None:
        """Change the idle time; 0 turns locking off."""
        self.timer.setInterval(max(0, milliseconds))
        self.poke()

    @property
    def enabled(self) -> bool:
        return self.timer.interval() > 0

    def inhibit(self, on: bool) -> None:
        """While on (a recording is live), the app never locks itself."""
        self._inhibited = on
        self.poke()

    def poke(self) -> None:
        """Restart the countdown."""
        if self.enabled and not self._inhibited:
            self.timer.start()
        else:
            self.timer.stop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _INPUT and self.timer.isActive():
            self.timer.start()
        return False

    def _expired(self) -> None:
        if not self._inhibited:
            log.info("locking after idle time")
            self.idle.emit()
