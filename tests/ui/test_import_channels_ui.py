"""Importing a two-channel recording from the new-session dialog asks who speaks into each
channel, as the recording set-up does, and stores the answer in the session."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from pytestqt.qtbot import QtBot

from recorder.core.session import INTERVIEWER
from recorder.core.sessions import load_session
from recorder.ui.main_window import MainWindow
from recorder.ui.new_session_dialog import ChannelMapDialog, NewSessionDialog
from tests.ui.helpers import choose, click, create_study, enrol, record_consent

pytestmark = pytest.mark.gui


def test_two_channel_import_asks_for_the_map(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    wav = tmp_path / "lapel-mics.wav"
    t = np.arange(16_000 * 2) / 16_000
    stereo = np.stack([0.2 * np.sin(2 * np.pi * 220 * t), 0.2 * np.sin(2 * np.pi * 330 * t)], 1)
    sf.write(str(wav), stereo.astype(np.float32), 16_000, subtype="PCM_16")
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    create_study(qtbot, window, tmp_path)
    pid = enrol(qtbot, window, "Dana Ramirez", "police")
    record_consent(qtbot, window, pid)
    window.new_session()
    assert window.home is not None
    dialog = window.home.dialog
    assert isinstance(dialog, NewSessionDialog)
    choose(dialog.people[0], pid)

    assert dialog.import_files([wav]) is None  # first: who speaks into which channel
    channels = dialog.channel_dialog
    assert isinstance(channels, ChannelMapDialog) and channels.isVisible()
    assert len(channels.combos) == 2
    offered = [channels.combos[0].itemData(i) for i in range(channels.combos[0].count())]
    assert offered == ["", INTERVIEWER, pid]
    choose(channels.combos[0], INTERVIEWER)
    choose(channels.combos[1], pid)
    with qtbot.waitSignal(dialog.imported, timeout=20000) as done:
        click(qtbot, channels.ok)
    record = done.args[0]
    assert window.model is not None
    stored = load_session(window.model.study, record.session_id)
    assert stored.audio.channels == 2
    assert dict(stored.audio.channel_map) == {0: INTERVIEWER, 1: pid}


def test_cancelling_the_map_imports_nothing(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    wav = tmp_path / "lapel-mics.wav"
    sf.write(str(wav), np.zeros((1600, 2), dtype=np.float32), 16_000, subtype="PCM_16")
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    create_study(qtbot, window, tmp_path)
    pid = enrol(qtbot, window, "Dana Ramirez", "police")
    record_consent(qtbot, window, pid)
    window.new_session()
    assert window.home is not None
    dialog = window.home.dialog
    assert isinstance(dialog, NewSessionDialog)
    choose(dialog.people[0], pid)
    assert dialog.import_files([wav]) is None
    assert dialog.channel_dialog is not None
    dialog.channel_dialog.reject()
    assert dialog.channel_dialog is None and dialog.import_task is None
    assert window.model is not None and window.model.sessions() == []
