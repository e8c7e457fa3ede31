"""Drive the real windows the way an interviewer does: fill fields, click buttons, answer boxes."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QMessageBox,
    QWidget,
)
from pytestqt.qtbot import QtBot

from recorder.ui.main_window import MainWindow
from tests.conftest import CODEMAP_PASS, STUDY_PASS

if TYPE_CHECKING:
    from recorder.ui.console_page import ConsolePage


def click(qtbot: QtBot, widget: QAbstractButton) -> None:
    assert widget.isEnabled(), f"{widget.text()!r} is disabled: {widget.toolTip()}"
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def choose(combo: QComboBox, data: object) -> None:
    index = combo.findData(data)
    assert index >= 0, f"{data!r} is not offered"
    combo.setCurrentIndex(index)


def open_box(qtbot: QtBot) -> QMessageBox:
    """The message box on screen now (waits for it)."""
    boxes: list[QMessageBox] = []

    def visible() -> bool:
        windows = QApplication.topLevelWidgets()
        boxes[:] = [w for w in windows if isinstance(w, QMessageBox) and w.isVisible()]
        return bool(boxes)

    qtbot.waitUntil(visible, timeout=5000)
    return boxes[-1]


def answer(qtbot: QtBot, button_text: str) -> str:
    """Click ``button_text`` on the open message box; returns the box's text."""
    box = open_box(qtbot)
    text = box.text()
    for b in box.buttons():
        if b.text() == button_text:
            click(qtbot, b)
            qtbot.waitUntil(lambda: not box.isVisible(), timeout=5000)
            return text
    raise AssertionError(f"no {button_text!r} button in {[b.text() for b in box.buttons()]}")


def create_study(qtbot: QtBot, window: MainWindow, tmp: Path) -> None:
    """Create a study through the dialog and wait for the study home."""
    window.create_study()
    dialog = window.dialog
    from recorder.ui.create_study_dialog import CreateStudyDialog

    assert isinstance(dialog, CreateStudyDialog)
    dialog.title.setText("Crisis response teams")
    dialog.study_folder.set_path(tmp / "study")
    dialog.codemap_folder.set_path(tmp / "codemap")
    for field, text in (
        (dialog.study_pass, STUDY_PASS),
        (dialog.study_pass2, STUDY_PASS),
        (dialog.codemap_pass, CODEMAP_PASS),
        (dialog.codemap_pass2, CODEMAP_PASS),
    ):
        qtbot.keyClicks(field.edit, text)
    assert not dialog.ok.isEnabled()  # the loss warning must be acknowledged first
    dialog.understood.setChecked(True)
    click(qtbot, dialog.ok)
    qtbot.waitUntil(lambda: window.home is not None, timeout=20000)


def enrol(qtbot: QtBot, window: MainWindow, name: str, role: str) -> str:
    """Enrol through the participant dialog; returns the new study ID."""
    from recorder.ui.participant_dialog import ParticipantDialog

    assert window.home is not None
    window.home.enrol()
    dialog = window.home.dialog
    assert isinstance(dialog, ParticipantDialog)
    qtbot.keyClicks(dialog.name, name)
    qtbot.keyClicks(dialog.agency, "Riverside")
    choose(dialog.role, role)
    dialog.demographics["years_in_role"].setText("7")  # type: ignore[union-attr]
    click(qtbot, dialog.ok)
    assert dialog.participant_id, dialog.problem.text()
    return dialog.participant_id


def record_consent(qtbot: QtBot, window: MainWindow, participant_id: str) -> None:
    from recorder.ui.consent_dialog import ConsentDialog

    assert window.home is not None
    window.home.select_participant(participant_id)
    window.home.record_consent()
    dialog = window.home.dialog
    assert isinstance(dialog, ConsentDialog)
    rows = list(dialog.items.values())
    for row in rows[:-1]:
        row.setCheckState(Qt.CheckState.Checked)
    assert not dialog.ok.isEnabled()  # every item must be agreed
    rows[-1].setCheckState(Qt.CheckState.Checked)
    qtbot.keyClicks(dialog.interviewer, "JD")
    click(qtbot, dialog.ok)
    assert window.home.dialog is None


# -- added for the window-level tests (quit, lock, recovery, console keys) -------------------


def show_main_window(qtbot: QtBot) -> MainWindow:
    """A shown, exposed, active main window that pytest-qt closes at teardown."""
    main = MainWindow()
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    main.activateWindow()
    qtbot.waitUntil(main.isActiveWindow, timeout=5000)
    return main


def gone(widget: QWidget) -> bool:
    """Closed: hidden, or already deleted (dialogs delete themselves on close)."""
    return not shiboken6.isValid(widget) or not widget.isVisible()


def type_passphrase_and_unlock(qtbot: QtBot, dialog: QWidget, passphrase: str) -> None:
    """Type into an :class:`UnlockDialog`'s passphrase field and press Unlock."""
    from recorder.ui.unlock_dialog import UnlockDialog

    assert isinstance(dialog, UnlockDialog)
    dialog.passphrase.edit.clear()
    qtbot.keyClicks(dialog.passphrase.edit, passphrase)
    click(qtbot, dialog.ok)


def open_study_unlocked(qtbot: QtBot, window: MainWindow, folder: Path) -> None:
    """Open ``folder`` through the unlock dialog with the right passphrase; waits for the home."""
    window.open_study(folder)
    dialog = window.dialog
    assert dialog is not None
    type_passphrase_and_unlock(qtbot, dialog, STUDY_PASS)
    qtbot.waitUntil(lambda: window.home is not None and gone(dialog), timeout=10000)


def ready_study(qtbot: QtBot, window: MainWindow, tmp: Path) -> str:
    """Create a study through the dialogs, enrol one police officer, record consent.

    Returns the officer's study ID; the code map stays unlocked."""
    create_study(qtbot, window, tmp)
    officer = enrol(qtbot, window, "Dana Ramirez", "police")
    record_consent(qtbot, window, officer)
    return officer


def start_console(qtbot: QtBot, window: MainWindow, people: list[str]) -> ConsolePage:
    """New session (individual for one ID, paired for two) through the dialog; the console."""
    from recorder.ui.new_session_dialog import NewSessionDialog

    window.new_session()
    assert window.home is not None
    dialog = window.home.dialog
    assert isinstance(dialog, NewSessionDialog)
    if len(people) == 2:
        click(qtbot, dialog.paired)
    for combo, pid in zip(dialog.people, people, strict=False):
        choose(combo, pid)
    assert dialog.blocker() == "", dialog.blocker()
    monitor = dialog.monitor
    if monitor is not None:  # the level test hears the device: it is open and delivering
        qtbot.waitUntil(lambda: monitor.levels().silent_seconds > 0, timeout=10000)
    click(qtbot, dialog.start_button)
    assert window.console is not None
    return window.console


def wait_for_audio(qtbot: QtBot, console: ConsolePage, seconds: float) -> None:
    """Wait until the recorder's sample clock has moved on by ``seconds`` of audio."""
    recorder = console.model.session.recorder
    target = recorder.clock() + round(seconds * recorder.settings.sample_rate)
    qtbot.waitUntil(lambda: recorder.clock() >= target, timeout=round(seconds * 1000) + 5000)


def visible_text(widget: QWidget) -> str:
    """Every piece of text a person can see in ``widget``'s window: title, labels, buttons."""
    parts = [widget.windowTitle()]
    for child in widget.findChildren(QWidget):
        if not child.isVisibleTo(widget):
            continue
        text = getattr(child, "text", None)
        if callable(text):
            value = text()
            if isinstance(value, str):
                parts.append(value)
        plain = getattr(child, "toPlainText", None)
        if callable(plain):
            parts.append(plain())
    return "\n".join(parts)
