"""Starts the desktop app."""

from __future__ import annotations

import os
import sys

FIRST_PAINT_PROBE = "RECORDER_FIRST_PAINT_PROBE"  # see recorder/ui/first_paint.py


def run_gui() -> int:
    """Create the QApplication and show the main window; returns the exit status."""
    if not _display_available():
        print(
            "error: no display found, so the desktop app cannot open a window.\n"
            "hint: run it on a desktop session, or under a virtual display: "
            "xvfb-run -a python main.py\n"
            "      every task also works headless: python main.py --help",
            file=sys.stderr,
        )
        return 1
    from recorder.ui.none_guard import keep_none_alive

    keep_none_alive()  # before any Qt call: see none_guard (PySide6 6.12 on CPython 3.11)
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from recorder.ui.main_window import MainWindow, preload
    from recorder.ui.theme import apply_theme

    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("Interview Recorder")
    app.setOrganizationName("Interview Recorder")
    apply_theme(app)  # type: ignore[arg-type]
    window = MainWindow()
    if os.environ.get(FIRST_PAINT_PROBE):
        from recorder.ui.first_paint import report_first_paint

        report_first_paint(window)
    window.show()
    QTimer.singleShot(250, preload)  # after the first paint: startup stays fast
    return int(app.exec())


def _display_available() -> bool:
    """False on a Linux machine with no X11/Wayland display and no Qt platform chosen."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
