"""The startup benchmark's probe: report when a window first paints, then quit.

Set ``RECORDER_FIRST_PAINT_PROBE=1`` and the app prints one line when its first window has
painted (with whether whisper or torch were imported) and exits. ``bench/bench_startup.py``
uses the same probe on a bare PySide6 window, so both are timed the same way.
"""

from __future__ import annotations

import sys

from PySide6 import QtCore
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget


class _FirstPaint(QObject):
    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.seen = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self.seen:
            self.seen = True
            heavy = sorted(m for m in ("whisper", "torch") if m in sys.modules)
            qt_namespace = "Qt" in vars(QtCore)  # PySide builds it on first use: 12 ms
            print(
                f"first-paint heavy={','.join(heavy) or 'none'} qt-namespace={qt_namespace}",
                flush=True,
            )
            QTimer.singleShot(0, QApplication.quit)
        return False


def report_first_paint(window: QWidget) -> None:
    """Print a line at the window's first paint and quit the app."""
    window.installEventFilter(_FirstPaint(window))
