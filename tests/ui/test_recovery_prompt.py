"""Opening a study that holds an interrupted recording offers to recover it; "Recover now"
re-seals the audio off the GUI thread and the session shows as recovered."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtWidgets import QProgressDialog
from pytestqt.qtbot import QtBot

from recorder.core import enrolment
from recorder.core.audio.pcm import PcmFormat
from recorder.core.audio.recovery import find_unfinished
from recorder.core.audio.segments import PARTIAL, SegmentInfo, SegmentWriter, segment_name
from recorder.core.audio.timeline import load_timeline
from recorder.core.codemap import CodeMap
from recorder.core.model import Identity
from recorder.core.protocol import SessionKind
from recorder.core.session import AudioSettings, MarkerKind, SessionState
from recorder.core.sessions import (
    consent_on_file,
    create_session,
    load_session,
    open_controller,
    study_protocol,
)
from recorder.core.study import Study
from recorder.ui.home_page import HomePage
from recorder.ui.main_window import MainWindow
from tests.conftest import STUDY_PASS, StudyPair
from tests.ui.helpers import (
    answer,
    open_box,
    open_study_unlocked,
    show_main_window,
    type_passphrase_and_unlock,
)

pytestmark = [pytest.mark.gui]

RATE = 16_000
SECONDS = 2.0


@pytest.fixture
def window(qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MainWindow]:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    yield show_main_window(qtbot)


def interrupted_recording(study: Study, codemap: CodeMap) -> str:
    """A session that was recording when the app died: its segment is still ``.partial``.

    Goes the way the recorder does (consent confirmed, segment noted in the record before
    audio flows, START marker), writes two seconds of a tone, then stops without finalising.
    """
    protocol = study_protocol(study)
    entry = enrolment.enrol(study, codemap, Identity("Dana Ramirez"), "police")
    pid = entry.participant_id
    items = tuple(i.key for i in protocol.consent.items)
    enrolment.record_consent(codemap, pid, protocol.consent.form_version, items, on=date.today())
    record = create_session(study, protocol, SessionKind.INDIVIDUAL, [pid])
    controller = open_controller(study, record.session_id)
    relpath = f"{study.session_dir(record.session_id)}/{segment_name(0)}"
    writer = SegmentWriter(study.vault, relpath, PcmFormat(RATE, 1))
    controller.set_clock(lambda: writer.frames)
    controller.confirm_consent(consent_on_file(codemap, protocol, [pid]))
    controller.set_audio(AudioSettings(device="test", sample_rate=RATE, channels=1))
    controller.record_segment(SegmentInfo(segment_name(0), RATE, 1, 0, 0))
    controller.start_recording()
    t = np.arange(round(RATE * SECONDS)) / RATE
    tone = (np.sin(2 * np.pi * 440 * t) * 8000).astype("<i2")
    for block in np.array_split(tone, 100):  # 20 ms blocks, as the audio callback delivers
        writer.write(block.tobytes())
    writer.sync()
    writer.abandon()  # the crash: no final chunk, no rename
    return record.session_id


def session_cell(home: HomePage, session_id: str, column: int) -> str:
    table = home.sessions
    for row in range(table.rowCount()):
        first = table.item(row, 0)
        if first is not None and first.text() == session_id:
            cell = table.item(row, column)
            return cell.text() if cell is not None else ""
    raise AssertionError(f"{session_id} is not in the sessions table")


def test_unfinished_recording_is_offered_and_recovered(
    qtbot: QtBot, window: MainWindow, study_pair: StudyPair
) -> None:
    study: Study = study_pair.study  # type: ignore[assignment]
    session_id = interrupted_recording(study, study_pair.codemap)  # type: ignore[arg-type]
    assert [u.session_id for u in find_unfinished(study)] == [session_id]

    open_study_unlocked(qtbot, window, study_pair.study_dir)
    box = open_box(qtbot)
    assert box.windowTitle() == "Unfinished recording found"
    assert session_id in box.text()
    home = window.home
    assert home is not None
    assert session_cell(home, session_id, 2) == "Recording"  # before: shown as it was left
    answer(qtbot, "Recover now")
    qtbot.waitUntil(lambda: window.recovery is None, timeout=10000)

    assert session_cell(home, session_id, 2) == "Recorded (recovered)"
    progress = window.findChildren(QProgressDialog)
    assert not [p for p in progress if p.isVisible()]
    status = window.statusBar().currentMessage()
    assert status.startswith("Recovered"), status
    assert "1 recording" in status
    seconds = float(status.split()[1])
    # everything up to the last whole 16 KiB chunk survives: at most ~0.5 s is lost
    assert SECONDS - 0.6 <= seconds <= SECONDS

    reopened = Study.open(study_pair.study_dir, STUDY_PASS)
    assert find_unfinished(reopened) == []
    folder = reopened.vault.path(reopened.session_dir(session_id))
    assert not [p for p in folder.iterdir() if p.name.endswith(PARTIAL)]
    record = load_session(reopened, session_id)
    assert record.recovered and record.state is SessionState.STOPPED
    assert record.markers[-1].kind is MarkerKind.STOP
    assert len(load_timeline(reopened, record)) == record.audio_frames > 0


def test_later_leaves_the_recording_as_it_was_and_asks_again(
    qtbot: QtBot, window: MainWindow, study_pair: StudyPair
) -> None:
    study: Study = study_pair.study  # type: ignore[assignment]
    session_id = interrupted_recording(study, study_pair.codemap)  # type: ignore[arg-type]
    open_study_unlocked(qtbot, window, study_pair.study_dir)
    answer(qtbot, "Later")
    assert window.recovery is None
    assert window.home is not None
    assert session_cell(window.home, session_id, 2) == "Recording"
    assert [u.session_id for u in find_unfinished(study)] == [session_id]

    window.lock()  # unlocking the study again asks again
    assert window.dialog is not None
    type_passphrase_and_unlock(qtbot, window.dialog, STUDY_PASS)
    box = open_box(qtbot)
    assert box.windowTitle() == "Unfinished recording found"
    answer(qtbot, "Later")
