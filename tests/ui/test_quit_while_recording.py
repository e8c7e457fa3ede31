"""Quitting while a recording is live asks first; Cancel keeps recording, "Stop and quit"
finalises the session before the window closes, leaving a complete recording on disk."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from recorder.core.audio.segments import PARTIAL
from recorder.core.audio.timeline import load_timeline
from recorder.core.session import MarkerKind, SessionState
from recorder.core.sessions import load_session
from recorder.core.study import Study
from recorder.ui.main_window import MainWindow
from tests.conftest import STUDY_PASS
from tests.ui.helpers import (
    answer,
    click,
    open_box,
    ready_study,
    show_main_window,
    start_console,
    wait_for_audio,
)

pytestmark = [pytest.mark.gui, pytest.mark.audio]


def question_boxes() -> list[QMessageBox]:
    return [
        w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()
    ]


@pytest.fixture
def window(
    qtbot: QtBot, tmp_path: Path, pulse: object, monkeypatch: pytest.MonkeyPatch
) -> Iterator[MainWindow]:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    main = show_main_window(qtbot)
    yield main
    if main.console is not None:
        main.console.close_participant_window()


def test_quit_asks_then_finalises_before_closing(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    officer = ready_study(qtbot, window, tmp_path)
    console = start_console(qtbot, window, [officer])
    click(qtbot, console.start_button)
    assert console.model.state is SessionState.RECORDING
    wait_for_audio(qtbot, console, 0.2)
    session_id = console.model.record.session_id

    # First attempt: the window stays, a question appears; Cancel keeps the recording going.
    window.close()
    box = open_box(qtbot)
    assert window.isVisible()
    assert box.windowTitle() == "A recording is in progress"
    assert [b.text() for b in box.buttons()] == ["Stop and quit", "Cancel"]
    answer(qtbot, "Cancel")
    assert window.isVisible() and window.console is console
    assert console.model.state is SessionState.RECORDING
    wait_for_audio(qtbot, console, 0.1)  # audio still arrives after Cancel

    # Second attempt: "Stop and quit" finalises, then the window goes.
    window.close()
    assert window.isVisible()
    answer(qtbot, "Stop and quit")
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=10000)
    assert window.console is None
    assert not console.participant_window.isVisible()
    assert question_boxes() == []

    study = Study.open(tmp_path / "study", STUDY_PASS)
    record = load_session(study, session_id)
    assert record.state is SessionState.STOPPED
    kinds = [m.kind for m in record.markers]
    assert kinds[0] is MarkerKind.START and kinds[-1] is MarkerKind.STOP
    assert kinds.count(MarkerKind.STOP) == 1
    folder = study.vault.path(study.session_dir(session_id))
    assert [p.name for p in folder.iterdir() if p.name.endswith(PARTIAL)] == []
    assert [s.file for s in record.segments] == ["audio-000.irf"]
    assert (folder / "audio-000.irf").is_file()
    audio = load_timeline(study, record)
    assert record.audio_frames > 0
    assert len(audio) == record.audio_frames == record.markers[-1].sample
    # at least the 0.3 s waited for above reached the disk
    assert record.audio_frames >= 0.3 * record.audio.sample_rate


def test_closing_twice_while_recording_asks_once(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    officer = ready_study(qtbot, window, tmp_path)
    console = start_console(qtbot, window, [officer])
    click(qtbot, console.start_button)
    wait_for_audio(qtbot, console, 0.05)
    window.close()
    open_box(qtbot)
    window.close()  # the close button again, or a second Ctrl+Q, before answering
    try:
        assert len(question_boxes()) == 1
    finally:
        answer(qtbot, "Stop and quit")
        qtbot.waitUntil(lambda: not window.isVisible(), timeout=10000)
        for box in question_boxes():  # a stacked box is left behind by the bug
            box.reject()
