"""Transcription in the desktop app, with the real core: the real queue, the real engines in a
real worker process.

A queued session is transcribed with the app's default model (the built-in real tiny.en on
faster-whisper), so what is stored is checked word for word. Cancel and a job interrupted by a
lock run on a random-weight checkpoint on openai-whisper (tests/checkpoints.py): there only the
queue, the process and the session's state matter. Also: the model window.
"""

from __future__ import annotations

import os
import socket
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from recorder.core import appconfig
from recorder.core.session import SessionState
from recorder.core.sessions import load_session
from recorder.core.study import Study
from recorder.core.transcribe import models
from recorder.core.transcribe.engine import Options
from recorder.core.transcribe.service import Decoding
from recorder.core.transcribe.transcript import has_transcript, load_transcript
from recorder.ui import transcription_model
from recorder.ui.home_page import HomePage
from recorder.ui.model_dialog import ModelDialog
from recorder.ui.study_model import StudyModel
from recorder.ui.transcription_model import TranscriptionRunner
from recorder.ui.transcription_panel import TranscriptionPanel
from tests.conftest import STUDY_PASS, StudyPair
from tests.sessions_with_audio import RATE, stopped_session, write_wav
from tests.ui.helpers import answer, click, open_box, open_study_unlocked, show_main_window
from tests.virtual_audio import speech

pytestmark = [pytest.mark.gui]


@dataclass(frozen=True)
class Quick(Decoding):
    """Greedy, 12 tokens a window, no word timings (their first use compiles for seconds)."""

    def options(self, language: str | None) -> Options:
        return replace(super().options(language), word_timestamps=False)


FAST = Quick(greedy=True, max_tokens=12)


@pytest.fixture(autouse=True)
def own_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings, the models folder and whisper's cache in throwaway folders."""
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(name, str(tmp_path / name.lower()))


SAID = "How would your team respond to this call tonight?"


@pytest.fixture(scope="module")
def voice(tmp_path_factory: pytest.TempPathFactory) -> np.ndarray:
    out = tmp_path_factory.mktemp("voice") / "voice.wav"
    return speech(SAID, out)


@pytest.fixture
def checkpoint(micro_checkpoint: Path) -> str:
    """The random-weight test checkpoint, accepted as an unofficial model and chosen as the
    model in use, on openai-whisper (the engine of .pt checkpoints)."""
    models.use_model_file(micro_checkpoint, allow_unofficial=True)
    appconfig.set_transcription_model(str(micro_checkpoint))
    appconfig.set_transcription_engine("openai-whisper")
    return str(micro_checkpoint)


def recorded(pair: StudyPair, tmp_path: Path, voice: np.ndarray, repeats: int = 2) -> str:
    """A stopped session of ``repeats`` sentences with short pauses; its ID."""
    pause = np.zeros(RATE // 2, dtype=np.float32)
    audio = np.concatenate([np.concatenate([voice, pause])] * repeats)
    wav = write_wav(tmp_path / f"interview-{repeats}.wav", audio)
    return stopped_session(pair, wav).session_id


def state_of(pair: StudyPair, session_id: str) -> SessionState:
    return load_session(pair.study, session_id).state  # type: ignore[arg-type]


def process_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def state_cell(home: HomePage, session_id: str) -> str:
    for row in range(home.sessions.rowCount()):
        cell = home.sessions.item(row, 0)
        if cell is not None and cell.text() == session_id:
            return home.sessions.item(row, 2).text()
    raise AssertionError(f"{session_id} is not in the sessions table")


def test_a_queued_session_is_transcribed_with_progress_shown_in_the_home(
    qtbot: QtBot, study_pair: StudyPair, tmp_path: Path, voice: np.ndarray
) -> None:
    session_id = recorded(study_pair, tmp_path, voice)
    # the model file's hash is checked (and remembered) beforehand: a first check's progress
    # fills the bar once before the transcription's own (test_transcription.py, xfail there)
    models.builtin_model()
    runner = TranscriptionRunner(study_pair.study)  # type: ignore[arg-type]
    home = HomePage(StudyModel(study_pair.study), runner=runner)  # type: ignore[arg-type]
    qtbot.addWidget(home)
    home.resize(1280, 760)
    home.show()
    panel = home.transcription
    assert not home.transcribe_button.isEnabled()  # nothing selected yet
    assert "built" in panel.model_name.text()  # a fresh install's model: the built-in one
    home.select_sessions([session_id])
    assert home.transcribe_button.isEnabled()

    seen: list[tuple[str, float, str]] = []
    shown: list[tuple[str, str, int]] = []  # what the panel and the table showed meanwhile

    def progressed(sid: str, fraction: float, message: str) -> None:
        seen.append((sid, fraction, message))
        shown.append((panel.message.text(), state_cell(home, sid), panel.bar.value()))

    runner.progressed.connect(progressed)
    try:  # the real model: a worker with two engines' imports (120 s for a busy machine)
        with qtbot.waitSignal(runner.job_finished, timeout=120_000) as finished:
            click(qtbot, home.transcribe_button)
    except BaseException:
        runner.progressed.disconnect(progressed)  # no reports into this test's widgets later
        runner.shutdown()
        raise
    assert finished.args == [session_id]
    qtbot.waitUntil(lambda: not runner.running, timeout=10000)

    assert {sid for sid, _, _ in seen} == {session_id}
    fractions = [f for _, f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and len(fractions) >= 5
    audio_lines = [m for _, _, m in seen if "of audio" in m]
    assert audio_lines and all("elapsed" in m for m in audio_lines)
    assert any(text in audio_lines for text, _, _ in shown)  # the panel showed the message
    assert any(cell.endswith("· transcribing…") for _, cell, _ in shown)
    assert [bar for _, _, bar in shown] == sorted(bar for _, _, bar in shown)

    assert state_of(study_pair, session_id) is SessionState.TRANSCRIBED
    stored = load_transcript(study_pair.study, session_id)  # type: ignore[arg-type]
    heard = " ".join(s.text for s in stored.segments)
    words = heard.lower()  # what was said, twice (espeak's "this call" is heard as one word)
    assert words.count("respond") == 2 and words.count("tonight") == 2, heard
    assert words.count("how would your team") == 2, heard
    p = stored.provenance
    assert (p.model_name, p.engine, p.compute_type) == ("tiny.en", "faster-whisper", "int8")
    assert state_cell(home, session_id) == "Transcribed"
    assert panel.current.text().startswith(f"Session {session_id} transcribed in")
    assert panel.bar.isVisible() and panel.bar.value() == 1000
    assert panel.device.text().startswith("Runs on: ") and runner.device in panel.device.text()
    assert not panel.cancel_button.isVisible() and not panel.resume_button.isVisible()
    assert runner.jobs() == [] and panel.empty.isVisible()

    # a transcribed session is transcribed again only after a question; declining queues none
    home.select_sessions([session_id])
    click(qtbot, home.transcribe_button)
    assert "already has a transcript" in answer(qtbot, "Cancel")
    assert runner.jobs() == [] and not runner.running


def test_cancel_leaves_the_job_queued_and_no_whisper_process_behind(
    qtbot: QtBot, study_pair: StudyPair, tmp_path: Path, voice: np.ndarray, checkpoint: str
) -> None:
    session_id = recorded(study_pair, tmp_path, voice, repeats=24)  # about a minute and a half
    # no token limit: random weights then decode for seconds per window, time enough to cancel
    runner = TranscriptionRunner(study_pair.study, decoding=Decoding(greedy=True))  # type: ignore[arg-type]
    panel = TranscriptionPanel(runner)
    qtbot.addWidget(panel)
    panel.show()
    assert runner.enqueue([session_id], checkpoint) == [session_id]
    assert runner.running and panel.cancel_button.isVisible()
    qtbot.waitUntil(
        lambda: runner.worker_pid is not None and runner.fraction >= 0.03, timeout=60000
    )
    pid = runner.worker_pid
    assert pid is not None and panel.current.text() == f"Transcribing session {session_id}"

    asked = time.monotonic()
    with qtbot.waitSignal(runner.running_changed, timeout=10000) as stopped:
        click(qtbot, panel.cancel_button)
    took = time.monotonic() - asked
    assert stopped.args == [False]
    assert took < 3.0, f"cancel took {took:.1f} s"
    assert process_gone(pid)
    assert [(j.session_id, j.state) for j in runner.jobs()] == [(session_id, "queued")]
    assert state_of(study_pair, session_id) is SessionState.STOPPED
    assert not has_transcript(study_pair.study, session_id)  # type: ignore[arg-type]
    assert "stays queued" in panel.current.text()
    assert panel.resume_button.isVisible() and not panel.cancel_button.isVisible()
    assert [panel.queue.item(i).text() for i in range(panel.queue.count())] == [
        f"{session_id} · waiting"
    ]


def test_a_job_interrupted_by_a_lock_resumes_when_the_app_opens_the_study_again(
    qtbot: QtBot,
    study_pair: StudyPair,
    tmp_path: Path,
    voice: np.ndarray,
    checkpoint: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(transcription_model, "Decoding", lambda: FAST)  # the app's runners
    session_id = recorded(study_pair, tmp_path, voice)

    first = show_main_window(qtbot)
    open_study_unlocked(qtbot, first, study_pair.study_dir)
    assert first.home is not None
    runner = first.home.runner
    first.home.select_sessions([session_id])
    first.activateWindow()
    qtbot.waitUntil(first.isActiveWindow, timeout=5000)
    qtbot.keyClick(first, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    assert runner.running, first.statusBar().currentMessage()
    qtbot.waitUntil(lambda: runner.worker_pid is not None, timeout=60000)
    pid = runner.worker_pid
    assert pid is not None

    first.lock()  # forgets the keys: whisper is stopped, the session stays queued
    assert first.home is None and runner.closed
    qtbot.waitUntil(lambda: process_gone(pid), timeout=5000)
    assert first.dialog is not None
    first.dialog.close()
    first.close()

    reopened = Study.open(study_pair.study_dir, STUDY_PASS)
    assert [j.session_id for j in TranscriptionRunner(reopened).pending()] == [session_id]
    assert state_of(study_pair, session_id) is SessionState.STOPPED

    second = show_main_window(qtbot)  # the app started again
    open_study_unlocked(qtbot, second, study_pair.study_dir)
    assert second.home is not None
    resumed = second.home.runner
    assert resumed.running
    assert second.statusBar().currentMessage().startswith("Resuming transcription: 1 session")
    qtbot.waitUntil(lambda: not resumed.running, timeout=60000)
    assert state_of(study_pair, session_id) is SessionState.TRANSCRIBED
    assert state_cell(second.home, session_id) == "Transcribed"
    assert resumed.jobs() == []


def test_transcribing_without_the_model_on_this_computer_offers_the_model_window(
    qtbot: QtBot, study_pair: StudyPair, tmp_path: Path, voice: np.ndarray
) -> None:
    session_id = recorded(study_pair, tmp_path, voice, repeats=1)
    appconfig.set_transcription_model("base.en")  # chosen once, never downloaded here
    runner = TranscriptionRunner(study_pair.study)  # type: ignore[arg-type]
    home = HomePage(StudyModel(study_pair.study), runner=runner)  # type: ignore[arg-type]
    qtbot.addWidget(home)
    home.show()
    home.select_sessions([session_id])
    home.transcribe()
    assert "base.en is not on this computer" in answer(qtbot, "Choose a model…")
    assert isinstance(home.dialog, ModelDialog)
    assert runner.jobs() == []
    home.dialog.reject()


def test_the_model_window_lists_every_model_with_the_device_and_speeds(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    dialog = ModelDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    catalogue = models.catalogue()
    labels = [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())]
    assert labels == ["tiny.en (built in)", *(info.label for info in catalogue)]
    device = models.describe_device(models.pick_device("auto")[0])
    qtbot.waitUntil(lambda: device in dialog.device.text(), timeout=30000)
    if device.startswith("CPU"):  # the default engine there, and its arithmetic
        assert "with faster-whisper (int8)" in dialog.device.text()
    speeds = [dialog.table.item(r, 4).text() for r in range(dialog.table.rowCount())]
    assert all("x real time" in s for s in speeds)
    here = [dialog.table.item(r, 5).text() for r in range(len(labels))]
    # the built-in model is installed with the app and in use; nothing was downloaded
    assert here[0] == "Yes · in use" and appconfig.DEFAULT_MODEL == models.BUILTIN
    assert all(text == "—" for text in here[1:])
    row = dialog.selected()
    assert row is not None and row.key == models.BUILTIN
    assert dialog.use_button.isEnabled() and not dialog.download_button.isEnabled()

    # base.en is not here: it can be downloaded, not used
    dialog.select("base.en")
    row = dialog.selected()
    assert row is not None and row.key == "base.en"
    assert dialog.download_button.isEnabled() and not dialog.use_button.isEnabled()
    assert "not on this computer yet" in dialog.note.text()

    def offline(*_args: object, **_kwargs: object) -> socket.socket:
        raise OSError("Network is unreachable")

    monkeypatch.setattr(socket, "create_connection", offline)
    click(qtbot, dialog.download_button)
    box = open_box(qtbot)
    assert "offline" in box.text() and "model use" in box.informativeText()
    box.close()
    qtbot.waitUntil(lambda: dialog.task is None, timeout=10000)
    assert not (models.models_dir() / "base.en.pt").exists()


def test_an_unofficial_model_file_is_used_only_after_confirmation(
    qtbot: QtBot, micro_checkpoint: Path
) -> None:
    dialog = ModelDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    chosen: list[str] = []
    dialog.chosen.connect(chosen.append)

    dialog.use_file(micro_checkpoint)
    assert "not an official whisper model" in answer(qtbot, "Cancel")
    qtbot.waitUntil(lambda: dialog.task is None, timeout=10000)
    assert chosen == [] and appconfig.transcription_model() == models.BUILTIN
    assert models.unofficial_models() == []

    dialog.use_file(micro_checkpoint)
    answer(qtbot, "Use it anyway")
    qtbot.waitUntil(lambda: bool(chosen), timeout=20000)
    path = str(micro_checkpoint.resolve())
    assert chosen == [path] and appconfig.transcription_model() == path
    assert [s.path for s in models.unofficial_models()] == [micro_checkpoint.resolve()]
    row = dialog.selected()
    assert row is not None and row.key == path and not row.official
    last = dialog.table.rowCount() - 1
    assert dialog.table.item(last, 5).text() == "Yes (unofficial file) · in use"
    assert "unofficial" in dialog.note.text()


def test_a_damaged_queue_file_is_reported_not_raised(
    qtbot: QtBot, study_pair: StudyPair, tmp_path: Path, voice: np.ndarray
) -> None:
    from recorder.core.transcribe.work_queue import QUEUE_FILE

    session_id = recorded(study_pair, tmp_path, voice, repeats=1)
    runner = TranscriptionRunner(study_pair.study)  # type: ignore[arg-type]
    runner.enqueue([session_id], "no-such-model")
    qtbot.waitUntil(lambda: not runner.running, timeout=10000)  # fails at once: unknown model
    stored = study_pair.study.vault.path(QUEUE_FILE)  # type: ignore[attr-defined]
    data = bytearray(stored.read_bytes())
    data[-40] ^= 0x01  # one flipped bit
    stored.write_bytes(bytes(data))
    panel = TranscriptionPanel(runner)
    qtbot.addWidget(panel)
    assert runner.rows() == [] and runner.pending() == [] and not runner.start()
    assert "cannot be read" in runner.last_result
    assert "cannot be read" in panel.current.text()
