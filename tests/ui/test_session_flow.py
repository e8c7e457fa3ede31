"""A whole individual and a whole paired session through the real windows, recorded from the
virtual microphone with a real PortAudio stream: create, enrol, consent, record, step through
every prompt (checking the participant window each time), pause, resume, stop; then read the
stored, encrypted session back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from recorder.core.audio.timeline import load_timeline
from recorder.core.protocol import SessionKind
from recorder.core.session import MarkerKind, SessionState
from recorder.core.sessions import load_session
from recorder.core.study import Study
from recorder.ui.main_window import MainWindow
from recorder.ui.new_session_dialog import NewSessionDialog
from recorder.ui.participant_window import LISTEN
from tests.conftest import STUDY_PASS
from tests.ui.helpers import answer, choose, click, create_study, enrol, record_consent

pytestmark = [pytest.mark.gui, pytest.mark.audio]


@pytest.fixture
def window(
    qtbot: QtBot, tmp_path: Path, pulse: object, monkeypatch: pytest.MonkeyPatch
) -> Iterator[MainWindow]:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    main = MainWindow()
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    yield main
    if main.console is not None:
        main.console.close_participant_window()


def open_new_session(window: MainWindow) -> NewSessionDialog:
    window.new_session()
    assert window.home is not None
    dialog = window.home.dialog
    assert isinstance(dialog, NewSessionDialog)
    return dialog


def advance_clock(qtbot: QtBot, window: MainWindow, seconds: float = 0.06) -> None:
    """Let some audio arrive so the next marker lands later than the last one."""
    assert window.console is not None
    session = window.console.model.session
    target = session.recorder.clock() + round(seconds * session.recorder.settings.sample_rate)
    qtbot.waitUntil(lambda: session.recorder.clock() >= target, timeout=5000)


def run_session(qtbot: QtBot, window: MainWindow, kind: SessionKind, people: list[str]) -> str:
    dialog = open_new_session(window)
    if kind is SessionKind.PAIRED:
        click(qtbot, dialog.paired)
    for combo, pid in zip(dialog.people, people, strict=False):
        choose(combo, pid)
    assert dialog.blocker() == "", dialog.blocker()
    click(qtbot, dialog.start_button)
    assert window.console is not None
    console = window.console
    participant = console.participant_window
    assert participant.isVisible()
    click(qtbot, console.start_button)
    assert console.model.state is SessionState.RECORDING
    prompts = console.model.prompts
    pause_at = len(prompts) // 2
    for prompt in prompts:
        assert console.model.prompt.index == prompt.index
        expected = prompt.text.strip() if prompt.shown_to_participants else LISTEN
        assert participant.shown_text() == expected
        assert console.prompt_panel.text.text() == prompt.text.strip()
        if prompt.index == pause_at:
            click(qtbot, console.pause_button)
            assert console.model.state is SessionState.PAUSED
            click(qtbot, console.pause_button)
            assert console.model.state is SessionState.RECORDING
        advance_clock(qtbot, window)
        if prompt.index < len(prompts) - 1:
            click(qtbot, console.next_button)
    console.note.setText("Participant asked for a break")
    qtbot.keyClick(console.note, "\r")
    assert console.note_list.count() == 1
    advance_clock(qtbot, window)
    click(qtbot, console.stop_button)
    answer(qtbot, "Stop and finish")
    qtbot.waitUntil(console.back_button.isVisible, timeout=10000)
    session_id = console.model.record.session_id
    click(qtbot, console.back_button)
    assert window.console is None and not participant.isVisible()
    return session_id


def check_stored(folder: Path, session_id: str, steps: int) -> None:
    study = Study.open(folder, STUDY_PASS)
    record = load_session(study, session_id)
    assert record.state is SessionState.STOPPED
    kinds = [m.kind for m in record.markers]
    assert kinds[0] is MarkerKind.START and kinds[-1] is MarkerKind.STOP
    assert kinds.count(MarkerKind.PAUSE) == 1 and kinds.count(MarkerKind.RESUME) == 1
    assert kinds.count(MarkerKind.NOTE) == 1
    prompt_order = [m.prompt_index for m in record.markers if m.kind is MarkerKind.PROMPT]
    assert prompt_order == list(range(steps))
    samples = [m.sample for m in record.markers]
    assert samples == sorted(samples)
    audio = load_timeline(study, record)
    assert len(audio) == record.audio_frames == record.markers[-1].sample
    assert record.audio_frames >= steps * 0.06 * record.audio.sample_rate


def test_individual_session_end_to_end(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    create_study(qtbot, window, tmp_path)
    officer = enrol(qtbot, window, "Dana Ramirez", "police")
    worker = enrol(qtbot, window, "Sam Okafor", "social-work")
    assert window.model is not None
    assert {r.participant_id for r in window.model.participant_rows()} == {officer, worker}

    # Start is refused, with the reason shown, until consent is on file.
    dialog = open_new_session(window)
    choose(dialog.people[0], officer)
    assert not dialog.start_button.isEnabled()
    assert "No consent on file for " + officer in dialog.reason.text()
    dialog.reject()

    record_consent(qtbot, window, officer)
    session_id = run_session(qtbot, window, SessionKind.INDIVIDUAL, [officer])
    steps = len(window.model.protocol.prompts(SessionKind.INDIVIDUAL))
    check_stored(tmp_path / "study", session_id, steps)
    assert window.model.session_rows()[0].state == "Recorded"


def test_paired_session_end_to_end(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    create_study(qtbot, window, tmp_path)
    officer = enrol(qtbot, window, "Dana Ramirez", "police")
    worker = enrol(qtbot, window, "Sam Okafor", "social-work")
    record_consent(qtbot, window, officer)
    dialog = open_new_session(window)
    click(qtbot, dialog.paired)
    choose(dialog.people[0], officer)
    choose(dialog.people[1], worker)
    assert f"No consent on file for {worker}" in dialog.reason.text()
    dialog.reject()
    record_consent(qtbot, window, worker)
    session_id = run_session(qtbot, window, SessionKind.PAIRED, [officer, worker])
    assert window.model is not None
    steps = len(window.model.protocol.prompts(SessionKind.PAIRED))
    check_stored(tmp_path / "study", session_id, steps)


def test_two_channels_are_mapped_to_speakers(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    create_study(qtbot, window, tmp_path)
    officer = enrol(qtbot, window, "Dana Ramirez", "police")
    worker = enrol(qtbot, window, "Sam Okafor", "social-work")
    for pid in (officer, worker):
        record_consent(qtbot, window, pid)
    dialog = open_new_session(window)
    click(qtbot, dialog.paired)
    choose(dialog.people[0], officer)
    choose(dialog.people[1], worker)
    assert not dialog.map_box.isVisible()
    dialog.channels.setValue(2)
    assert dialog.map_box.isVisible() and len(dialog.map_combos) == 2
    speakers = [dialog.map_combos[0].itemData(i) for i in range(dialog.map_combos[0].count())]
    assert speakers == ["", "interviewer", officer, worker]
    choose(dialog.map_combos[0], officer)
    choose(dialog.map_combos[1], worker)
    click(qtbot, dialog.start_button)
    assert window.console is not None
    console = window.console
    assert console.meter.labels == [officer, worker]
    click(qtbot, console.start_button)
    advance_clock(qtbot, window)
    console.stop()
    qtbot.waitUntil(console.back_button.isVisible, timeout=10000)
    record = load_session(
        Study.open(tmp_path / "study", STUDY_PASS), console.model.record.session_id
    )
    assert record.audio.channels == 2
    assert dict(record.audio.channel_map) == {0: officer, 1: worker}
    assert load_timeline(Study.open(tmp_path / "study", STUDY_PASS), record).shape[1] == 2
    console.close_participant_window()
