"""The microphone vanishes mid-interview: the console says so, keeps the audio, and carries on
in a new segment when the interviewer presses Continue (a second PulseAudio daemon is killed
and restarted, so the real PortAudio stream really loses its device)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from recorder.core.session import MarkerKind, SessionState
from recorder.core.sessions import load_session
from recorder.ui.main_window import MainWindow
from recorder.ui.new_session_dialog import NewSessionDialog
from tests.ui.helpers import choose, click, create_study, enrol, open_box, record_consent
from tests.virtual_audio import VirtualPulse

pytestmark = [pytest.mark.gui, pytest.mark.audio]


def test_device_loss_is_reported_and_recording_continues(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pulse: VirtualPulse
) -> None:
    own = VirtualPulse()
    for key, value in own.env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    own.start()
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    try:
        create_study(qtbot, window, tmp_path)
        pid = enrol(qtbot, window, "Dana Ramirez", "police")
        record_consent(qtbot, window, pid)
        window.new_session()
        assert window.home is not None
        dialog = window.home.dialog
        assert isinstance(dialog, NewSessionDialog)
        choose(dialog.people[0], pid)
        click(qtbot, dialog.start_button)
        console = window.console
        assert console is not None
        click(qtbot, console.start_button)
        recorder = console.model.session.recorder
        qtbot.waitUntil(lambda: recorder.clock() >= 8000, timeout=10000)

        own.stop()  # the microphone is gone
        box = open_box(qtbot)
        assert "saved" in box.text()  # a sentence saying the audio so far is safe
        assert console.reconnect_button.isVisible()
        assert console.model.state is SessionState.PAUSED
        box.button(QMessageBox.StandardButton.Ok).click()

        own.start()  # plugged back in
        click(qtbot, console.reconnect_button)
        assert console.model.state is SessionState.RECORDING
        assert not console.reconnect_button.isVisible()
        first = console.model.record.segments[0].frames
        qtbot.waitUntil(lambda: recorder.clock() >= first + 8000, timeout=10000)
        console.stop()
        qtbot.waitUntil(console.back_button.isVisible, timeout=10000)
        record = load_session(window.model.study, console.model.record.session_id)  # type: ignore[union-attr]
        assert [s.file for s in record.segments] == ["audio-000.irf", "audio-001.irf"]
        kinds = [m.kind for m in record.markers]
        assert kinds.count(MarkerKind.PAUSE) == 1 and kinds.count(MarkerKind.RESUME) == 1
        console.close_participant_window()
    finally:
        own.stop()
