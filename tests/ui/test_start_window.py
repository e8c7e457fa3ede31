"""The app's first window opens (offscreen) with its title."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from recorder.ui.start_window import StartWindow

pytestmark = pytest.mark.gui


def test_start_window_shows(qtbot: QtBot) -> None:
    window = StartWindow()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.windowTitle() == "Interview Recorder"
    assert not window.grab().isNull()
