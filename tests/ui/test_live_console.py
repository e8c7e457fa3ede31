"""Live transcription in the interviewer console: the session is transcribed while it is
recorded, and the transcript is sealed moments after Stop, through the real windows, the real
PortAudio stream from the virtual microphone and the app's default model (the built-in real
tiny.en on faster-whisper) hearing real human speech."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from recorder.core import appconfig
from recorder.core.session import SessionState
from recorder.core.sessions import load_session
from recorder.core.study import Study
from recorder.core.transcribe import models
from recorder.core.transcribe.transcript import load_transcript
from recorder.ui.main_window import MainWindow
from tests.real_model import text_of
from tests.real_speech import interview_mix, wer
from tests.sessions_with_audio import write_wav
from tests.ui.helpers import answer, click, ready_study, start_console
from tests.virtual_audio import VirtualPulse

#: slow: ~15 s recorded in real time through the windows, a niced worker, then the tail
pytestmark = [pytest.mark.gui, pytest.mark.audio, pytest.mark.slow, pytest.mark.live]


@pytest.fixture
def window(
    qtbot: QtBot,
    tmp_path: Path,
    pulse: VirtualPulse,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[MainWindow]:
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(name, str(tmp_path / name.lower()))
    assert appconfig.transcription_model() == models.BUILTIN  # a fresh install's model
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
    mix = interview_mix(["vctk_p228_005", "librispeech_367-130732-0004"], [2.0], lead_s=0.5)
    played = write_wav(tmp_path / "talk.wav", mix.audio)  # two speakers, ~15 s
    click(qtbot, console.start_button)
    player = threading.Thread(target=pulse.play, args=(played,))
    player.start()
    live = console.model.live
    # the worker is niced: on a busy machine its first stretch can take a while
    qtbot.waitUntil(lambda: live.progress().transcribed_s > 0, timeout=120_000)
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
    transcript = load_transcript(study, session_id)
    p = transcript.provenance
    assert (p.mode, p.model_name, p.engine, p.compute_type) == (
        "live", "tiny.en", "faster-whisper", "int8"
    )  # fmt: skip
    assert p.model_package == f"{models.BUILTIN_PACKAGE} {models.BUILTIN_VERSION}"
    heard = text_of(transcript.segments)
    assert wer(mix.text, heard) <= 0.12, heard
    assert window.home is not None and not window.home.runner.jobs()  # nothing left to queue
