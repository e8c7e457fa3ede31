"""The interviewer console works from the keyboard: every shortcut in the table does what the
shortcuts sheet says, and every button's tooltip names the key that does the same."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QAbstractButton, QApplication, QDialog, QWidget
from pytestqt.qtbot import QtBot

from recorder.core import enrolment
from recorder.core.audio.devices import InputDevice
from recorder.core.audio.recorder import CaptureSettings
from recorder.core.model import Identity
from recorder.core.protocol import SessionKind
from recorder.core.session import MarkerKind, SessionState
from recorder.core.sessions import consent_on_file, create_session, study_protocol
from recorder.core.study import Study
from recorder.ui.console_model import ConsoleModel
from recorder.ui.console_page import ConsolePage
from recorder.ui.main_window import MainWindow
from recorder.ui.shortcuts import SHORTCUTS
from tests.conftest import StudyPair
from tests.ui.helpers import (
    answer,
    ready_study,
    show_main_window,
    start_console,
    visible_text,
    wait_for_audio,
)

pytestmark = [pytest.mark.gui]

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
NO_MOD = Qt.KeyboardModifier.NoModifier
ID = re.compile(r"\b[PS]-[0-9A-Z]{5}\b")


@pytest.fixture
def window(qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MainWindow]:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    main = show_main_window(qtbot)
    yield main
    if main.console is not None:
        main.console.close_participant_window()


def press(
    qtbot: QtBot,
    window: MainWindow,
    key: Qt.Key,
    modifiers: Qt.KeyboardModifier = NO_MOD,
) -> None:
    """A key press on the main window, as the interviewer's keyboard sends it."""
    if not window.isActiveWindow():
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    qtbot.keyClick(window, key, modifiers)


def shortcuts_sheets() -> list[QDialog]:
    return [
        w
        for w in QApplication.allWidgets()
        if isinstance(w, QDialog) and w.isVisible() and w.windowTitle() == "Keyboard shortcuts"
    ]


@pytest.mark.audio
def test_console_shortcuts_drive_the_session(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, pulse: object
) -> None:
    officer = ready_study(qtbot, window, tmp_path)
    console = start_console(qtbot, window, [officer])
    model = console.model
    session_id = model.record.session_id
    participant = console.participant_window

    press(qtbot, window, Qt.Key.Key_R, CTRL)  # Record
    assert model.state is SessionState.RECORDING
    wait_for_audio(qtbot, console, 0.05)

    assert model.prompt.index == 0
    press(qtbot, window, Qt.Key.Key_PageDown)
    assert model.prompt.index == 1
    press(qtbot, window, Qt.Key.Key_Right, CTRL)
    assert model.prompt.index == 2
    assert console.prompt_panel.text.text() == model.prompt.text.strip()
    press(qtbot, window, Qt.Key.Key_PageUp)
    assert model.prompt.index == 1
    press(qtbot, window, Qt.Key.Key_Left, CTRL)
    assert model.prompt.index == 0
    press(qtbot, window, Qt.Key.Key_Left, CTRL)  # stays on the first step
    assert model.prompt.index == 0
    prompt_markers = [m.prompt_index for m in model.record.markers if m.kind is MarkerKind.PROMPT]
    assert prompt_markers == [0, 1, 2, 1, 0]

    press(qtbot, window, Qt.Key.Key_P, CTRL)
    assert model.state is SessionState.PAUSED
    assert console.pause_button.text().endswith("Resume")
    press(qtbot, window, Qt.Key.Key_P, CTRL)
    assert model.state is SessionState.RECORDING
    wait_for_audio(qtbot, console, 0.05)

    press(qtbot, window, Qt.Key.Key_T, CTRL)
    assert QApplication.focusWidget() is console.note
    qtbot.keyClicks(console.note, "Asked for water")
    qtbot.keyClick(console.note, Qt.Key.Key_Return)
    assert console.note.text() == ""
    assert console.note_list.count() == 1
    assert re.fullmatch(r"\d\d:\d\d  Asked for water", console.note_list.item(0).text())
    notes = [m for m in model.record.markers if m.kind is MarkerKind.NOTE]
    assert [m.text for m in notes] == ["Asked for water"]
    assert notes[0].sample > 0

    press(qtbot, window, Qt.Key.Key_N, CTRL | SHIFT)
    assert QApplication.focusWidget() is console.free_notes
    press(qtbot, window, Qt.Key.Key_J, CTRL)
    assert QApplication.focusWidget() is console.order
    console.order.setCurrentItem(console.order.rows[4])
    qtbot.keyClick(console.order, Qt.Key.Key_Return)  # Enter jumps to the chosen step
    assert model.prompt.index == 4

    # while a note is half typed, PgDown and Ctrl+P still reach the console
    press(qtbot, window, Qt.Key.Key_T, CTRL)
    qtbot.keyClicks(console.note, "half a note")
    qtbot.keyClick(console.note, Qt.Key.Key_PageDown)
    assert model.prompt.index == 5
    assert console.note.text() == "half a note" and QApplication.focusWidget() is console.note
    qtbot.keyClick(console.note, Qt.Key.Key_P, CTRL)
    assert model.state is SessionState.PAUSED
    qtbot.keyClick(console.note, Qt.Key.Key_P, CTRL)
    assert model.state is SessionState.RECORDING
    console.note.clear()

    points = participant.points
    press(qtbot, window, Qt.Key.Key_Equal, CTRL)
    assert participant.points == points + 2
    press(qtbot, window, Qt.Key.Key_Minus, CTRL)
    assert participant.points == points

    assert participant.isVisible()
    press(qtbot, window, Qt.Key.Key_P, CTRL | SHIFT)
    assert not participant.isVisible()
    press(qtbot, window, Qt.Key.Key_P, CTRL | SHIFT)
    assert participant.isVisible()
    for prompt in model.prompts[:8]:  # the participants never see an ID, whatever the step
        model.go(prompt.index)
        seen = visible_text(participant)
        assert not ID.search(seen), seen
        assert session_id not in seen and officer not in seen

    assert shortcuts_sheets() == []
    press(qtbot, window, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: len(shortcuts_sheets()) == 1, timeout=5000)
    (sheet,) = shortcuts_sheets()
    sheet_text = visible_text(sheet)
    assert "Keyboard shortcuts" in sheet_text
    sheet.reject()
    qtbot.waitUntil(lambda: shortcuts_sheets() == [], timeout=5000)
    assert model.state is SessionState.RECORDING  # nothing else happened on F1

    press(qtbot, window, Qt.Key.Key_S, CTRL | SHIFT)
    answer(qtbot, "Stop and finish")
    qtbot.waitUntil(console.back_button.isVisible, timeout=10000)
    assert model.state is SessionState.STOPPED
    assert model.record.markers[-1].kind is MarkerKind.STOP


def bound_keys(console: ConsolePage) -> set[str]:
    """Every key sequence the console binds, as the platform writes it."""
    return {s.key().toString(QKeySequence.SequenceFormat.NativeText) for s in console.shortcuts}


def named_keys(tip: str) -> list[str]:
    """The keys a tooltip names in its trailing parentheses: "Pause (Ctrl+P)"."""
    found = re.search(r"\(([^()]+)\)$", tip.strip())
    return found.group(1).split(" or ") if found else []


@pytest.fixture
def console(qtbot: QtBot, study_pair: StudyPair) -> Iterator[ConsolePage]:
    """A console for a session that has not started: no audio device is opened."""
    study: Study = study_pair.study  # type: ignore[assignment]
    codemap = study_pair.codemap
    protocol = study_protocol(study)
    pid = enrolment.enrol(study, codemap, Identity("Dana Ramirez"), "police").participant_id  # type: ignore[arg-type]
    items = tuple(i.key for i in protocol.consent.items)
    enrolment.record_consent(codemap, pid, protocol.consent.form_version, items, on=date.today())  # type: ignore[arg-type]
    record = create_session(study, protocol, SessionKind.INDIVIDUAL, [pid])
    settings = CaptureSettings(InputDevice(0, "test", 1, 16000), 16000, 1)
    model = ConsoleModel(
        study,
        record.session_id,
        settings,
        consent_on_file(codemap, protocol, [pid]),  # type: ignore[arg-type]
    )
    page = ConsolePage(model, {r.key: r.label for r in protocol.roles})
    qtbot.addWidget(page)
    yield page
    page.close_participant_window()


def test_every_control_button_names_a_key_the_console_binds(console: ConsolePage) -> None:
    bound = bound_keys(console)
    table = {
        QKeySequence(k).toString(QKeySequence.SequenceFormat.NativeText)
        for s in SHORTCUTS
        for k in s.keys
    }
    assert bound <= table
    controls = [
        console.start_button,
        console.pause_button,
        console.stop_button,
        console.previous_button,
        console.next_button,
        console.window_button,
        console.help_button,
    ]
    for b in controls:
        keys = named_keys(b.toolTip())
        assert keys, f"{b.text()!r} has no key in its tooltip {b.toolTip()!r}"
        assert set(keys) <= bound, f"{b.text()!r} names {keys}, not bound"
    assert named_keys(console.start_button.toolTip()) == ["Ctrl+R"]
    assert named_keys(console.pause_button.toolTip()) == ["Ctrl+P"]
    assert named_keys(console.next_button.toolTip()) == ["PgDown", "Ctrl+Right"]
    for field in (console.note, console.free_notes, console.order):
        assert set(named_keys(field.toolTip())) <= bound and named_keys(field.toolTip())


def test_buttons_shown_after_a_stop_or_a_fault_name_their_key_too(
    console: ConsolePage,
) -> None:
    bound = bound_keys(console)
    buttons: list[QWidget] = list(console.findChildren(QAbstractButton))
    assert console.back_button in buttons and console.reconnect_button in buttons
    missing = [
        b.text()  # type: ignore[attr-defined]
        for b in buttons
        if not named_keys(b.toolTip()) or not set(named_keys(b.toolTip())) <= bound
    ]
    assert missing == []
