"""Live transcription in the interviewer console: the session is transcribed while it is
recorded, and the transcript is sealed moments after Stop, through the real windows, the real
PortAudio stream from the virtual microphone and the real whisper code (random weights)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from recorder.core import appconfig
from recorder.core.session import SessionState
from recorder.core.sessions import load_session
from recorder.core.study import Study
from recorder.core.transcribe import models
from recorder.core.transcribe.transcript import load_transcript
from recorder.ui.main_window import MainWindow
from tests.sessions_with_audio import RATE, write_wav
from tests.ui.helpers import answer, click, ready_study, start_console
from tests.virtual_audio import VirtualPulse, speech

pytestmark = [pytest.mark.gui, pytest.mark.audio]


@pytest.fixture
def window(
    qtbot: QtBot,
    tmp_path: Path,
    pulse: VirtualPulse,
    micro_checkpoint: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[MainWindow]:
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(name, str(tmp_path / name.lower()))
    models.use_model_file(micro_checkpoint, allow_unofficial=True)
    appconfig.set_transcription_model(str(micro_checkpoint))
    main = MainWindow()
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    yield main
    if main.console is not None:
        main.console.close_participant_window()


def test_the_console_transcribes_while_recording_and_seals_after_stop(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, pulse: VirtualPulse
) -> None:
    officer = ready_study(qtbot, window, tmp_path)
    console = start_console(qtbot, window, [officer])
    assert console.model.live is not None and console.live_line.isVisible()
    voice = speech("We would send the crisis team with a social worker.", tmp_path / "v.wav")
    pause = np.zeros(RATE * 2, dtype=np.float32)
    played = write_wav(tmp_path / "talk.wav", np.concatenate([voice, pause, voice, pause]))
    click(qtbot, console.start_button)
    player = threading.Thread(target=pulse.play, args=(played,))
    player.start()
    live = console.model.live
    qtbot.waitUntil(lambda: live.progress().transcribed_s > 0, timeout=60_000)
    assert "Live transcript" in console.live_line.text()
    player.join()

    with qtbot.waitSignal(console.model.live_finished, timeout=60_000) as finished:
        click(qtbot, console.stop_button)
        answer(qtbot, "Stop and finish")

    assert finished.args is not None and finished.args[0] is not None
    assert "ready to review" in console.live_line.text()
    model = window.model
    assert model is not None
    study: Study = model.study
    session_id = console.model.record.session_id
    assert load_session(study, session_id).state is SessionState.TRANSCRIBED
    assert load_transcript(study, session_id).provenance.mode == "live"
    assert window.home is not None and not window.home.runner.jobs()  # nothing left to queue
