"""Importing a handheld recorder's file from the new-session dialog: consent first, the work
off the GUI thread with a progress bar, and the session closed as recorded."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from pytestqt.qtbot import QtBot

from recorder.core.audio.timeline import load_timeline
from recorder.core.session import SessionState
from recorder.core.sessions import load_session
from recorder.ui.main_window import MainWindow
from recorder.ui.new_session_dialog import NewSessionDialog
from tests.ui.helpers import choose, create_study, enrol, record_consent

pytestmark = pytest.mark.gui


def test_import_needs_consent_then_encrypts_the_file(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    wav = tmp_path / "handheld.wav"
    tone = 0.2 * np.sin(2 * np.pi * 220 * np.arange(16_000 * 30) / 16_000)
    sf.write(str(wav), tone.astype(np.float32), 16_000, subtype="PCM_16")
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    create_study(qtbot, window, tmp_path)
    pid = enrol(qtbot, window, "Dana Ramirez", "police")

    window.new_session()
    assert window.home is not None
    dialog = window.home.dialog
    assert isinstance(dialog, NewSessionDialog)
    choose(dialog.people[0], pid)
    assert not dialog.import_button.isEnabled()  # no consent yet
    assert dialog.import_files([wav]) is None
    assert "No consent on file" in dialog.reason.text()
    dialog.reject()

    record_consent(qtbot, window, pid)
    window.new_session()
    dialog = window.home.dialog
    assert isinstance(dialog, NewSessionDialog)
    choose(dialog.people[0], pid)
    assert dialog.import_button.isEnabled()
    with qtbot.waitSignal(dialog.imported, timeout=20000) as done:
        task = dialog.import_files([wav])
        assert task is not None and dialog.import_progress.isVisible()
    record = done.args[0]
    assert record.state is SessionState.STOPPED
    assert window.model is not None
    stored = load_session(window.model.study, record.session_id)
    audio = load_timeline(window.model.study, stored)
    assert len(audio) == stored.audio_frames == 16_000 * 30
    assert "Imported 0.5 min" in window.statusBar().currentMessage()
    assert window.model.session_rows()[0].state == "Recorded"
