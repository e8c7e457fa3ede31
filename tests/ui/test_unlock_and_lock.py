"""Unlocking a study through the real dialog (Argon2id off the GUI thread), and the idle lock:
it fires on an open study after the set time without input, and never during a recording."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from recorder.core.session import SessionState
from recorder.ui.main_window import MainWindow
from recorder.ui.unlock_dialog import UnlockDialog
from tests.conftest import STUDY_PASS, StudyPair
from tests.ui.helpers import (
    answer,
    click,
    gone,
    open_study_unlocked,
    ready_study,
    show_main_window,
    start_console,
    type_passphrase_and_unlock,
    wait_for_audio,
)

pytestmark = [pytest.mark.gui]

IDLE_MS = 200


@pytest.fixture
def window(qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MainWindow]:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    main = show_main_window(qtbot)
    yield main
    main.idle.set_timeout_ms(0)
    if main.console is not None:
        main.console.close_participant_window()


def locked_again(window: MainWindow) -> bool:
    """Back on the start page, keys forgotten, the study's unlock dialog open."""
    return (
        window.model is None
        and window.home is None
        and isinstance(window.dialog, UnlockDialog)
        and window.dialog.isVisible()
        and window.stack.currentWidget() is window.start_page
    )


def test_wrong_passphrase_keeps_the_dialog_then_the_right_one_unlocks(
    qtbot: QtBot, window: MainWindow, study_pair: StudyPair
) -> None:
    window.open_study(study_pair.study_dir)
    dialog = window.dialog
    assert isinstance(dialog, UnlockDialog)
    qtbot.waitUntil(dialog.isVisible, timeout=5000)

    type_passphrase_and_unlock(qtbot, dialog, "not the study passphrase")
    qtbot.waitUntil(lambda: dialog.task is None and dialog.problem.text() != "", timeout=10000)
    problem = dialog.problem.text()
    assert "passphrase" in problem.lower()
    assert problem.rstrip().endswith(".")
    for leak in ("Traceback", "Error(", "Exception", 'File "', "WrongPassphrase"):
        assert leak not in problem, problem
    assert dialog.passphrase.text() == ""
    assert dialog.isVisible() and dialog.ok.isEnabled()
    assert window.model is None and window.dialog is dialog

    with qtbot.waitSignal(dialog.unlocked, timeout=10000) as unlocked:
        type_passphrase_and_unlock(qtbot, dialog, STUDY_PASS)
    assert unlocked.args is not None
    assert unlocked.args[0].folder.resolve() == study_pair.study_dir.resolve()
    qtbot.waitUntil(lambda: gone(dialog), timeout=5000)
    assert window.model is not None and window.home is not None
    assert window.stack.currentWidget() is window.home
    assert window.model.study.study_id == study_pair.study.study_id


def test_idle_lock_returns_to_the_unlock_dialog(
    qtbot: QtBot, window: MainWindow, study_pair: StudyPair
) -> None:
    open_study_unlocked(qtbot, window, study_pair.study_dir)
    assert window.model is not None
    window.idle.set_timeout_ms(IDLE_MS)
    qtbot.waitUntil(lambda: locked_again(window), timeout=5000)
    dialog = window.dialog
    assert isinstance(dialog, UnlockDialog)
    assert window.statusBar().currentMessage().startswith("Locked")
    # the lock asks for the same study again, and unlocking brings its home back
    type_passphrase_and_unlock(qtbot, dialog, STUDY_PASS)
    qtbot.waitUntil(lambda: window.home is not None, timeout=10000)
    assert window.model is not None
    assert window.model.study.study_id == study_pair.study.study_id  # type: ignore[attr-defined]


@pytest.mark.audio
def test_idle_lock_never_fires_while_recording(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, pulse: object
) -> None:
    officer = ready_study(qtbot, window, tmp_path)
    console = start_console(qtbot, window, [officer])
    click(qtbot, console.start_button)
    assert console.model.state is SessionState.RECORDING
    window.idle.set_timeout_ms(IDLE_MS)
    wait_for_audio(qtbot, console, 0.6)  # three idle periods without input
    assert window.console is console and window.model is not None
    assert not isinstance(window.dialog, UnlockDialog)
    assert console.model.state is SessionState.RECORDING

    assert not window.idle.timer.isActive()

    click(qtbot, console.pause_button)  # paused is still a live recording
    assert console.model.state is SessionState.PAUSED
    polls: list[object] = []
    console.model.status_updated.connect(polls.append)
    # the console polls every 50 ms while paused: 9 polls span two idle periods
    qtbot.waitUntil(lambda: len(polls) >= 9, timeout=5000)
    assert window.console is console and window.model is not None
    assert not isinstance(window.dialog, UnlockDialog)
    assert not window.idle.timer.isActive()
    click(qtbot, console.pause_button)
    assert console.model.state is SessionState.RECORDING

    click(qtbot, console.stop_button)
    answer(qtbot, "Stop and finish")
    qtbot.waitUntil(console.back_button.isVisible, timeout=10000)
    assert console.model.state is SessionState.STOPPED


@pytest.mark.audio
def test_idle_lock_fires_after_the_recording_stops(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, pulse: object
) -> None:
    officer = ready_study(qtbot, window, tmp_path)
    console = start_console(qtbot, window, [officer])
    click(qtbot, console.start_button)
    window.idle.set_timeout_ms(IDLE_MS)
    wait_for_audio(qtbot, console, 0.1)
    assert window.model is not None
    click(qtbot, console.stop_button)
    answer(qtbot, "Stop and finish")
    qtbot.waitUntil(console.back_button.isVisible, timeout=10000)
    qtbot.waitUntil(lambda: locked_again(window), timeout=5 * IDLE_MS + 500)
    assert window.console is None
    assert not console.participant_window.isVisible()


def test_input_restarts_the_idle_countdown(qtbot: QtBot, window: MainWindow) -> None:
    from recorder.ui.idle_lock import WATCH_DELAY_MS

    window.idle.set_timeout_ms(60_000)
    qtbot.waitUntil(lambda: window.idle.watching, timeout=WATCH_DELAY_MS + 5000)
    qtbot.waitUntil(lambda: window.idle.timer.remainingTime() < 59_000, timeout=5000)
    before = window.idle.timer.remainingTime()
    qtbot.keyClick(window.start_page.recent, "a")
    assert window.idle.timer.remainingTime() > before + 500  # the countdown started again
