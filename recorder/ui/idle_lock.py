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

#: When the input filter goes in, after the first window has painted.
WATCH_DELAY_MS = 500


class IdleLock(QObject):
    """Emits ``idle`` once the app has had no input for the set time (0 minutes = never)."""

    idle = Signal()

    def __init__(self, minutes: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self._expired)
        self._inhibited = False
        #: The input filter is in (WATCH_DELAY_MS after the lock was made).
        self.watching = False
        self.set_timeout_ms(minutes * 60_000)
        # An app-wide filter sees every event. Installed a moment after the event loop starts,
        # it stays out of the burst of events that polishes and paints the first window (it
        # cost 15 ms of startup); the countdown already runs, so nothing is missed but input
        # in the window's first half second, which only brings a lock that moment sooner.
        QTimer.singleShot(WATCH_DELAY_MS, self._watch_input)

    def _watch_input(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
            self.watching = True

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
