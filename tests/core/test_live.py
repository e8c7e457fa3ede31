"""Live transcription: stretches transcribed while recording, only the tail left at Stop.

Real whisper code in a real worker process with a random-weight checkpoint (structure only,
never text); the end-to-end test records through the real PortAudio stream from the virtual
PulseAudio microphone.
"""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

import numpy as np
import pytest

from recorder.core import enrolment
from recorder.core.audio.devices import choose_sample_rate, resolve_device
from recorder.core.audio.pcm import from_float
from recorder.core.audio.recorder import CaptureSettings
from recorder.core.model import Identity
from recorder.core.protocol import SessionKind, load_default_protocol
from recorder.core.recording import RecordingSession
from recorder.core.session import SessionState
from recorder.core.sessions import consent_on_file, create_session, load_session
from recorder.core.study import Study
from recorder.core.transcribe.engine import Options
from recorder.core.transcribe.live import LIVE_FILE, LivePhase, LiveTranscriber, combine
from recorder.core.transcribe.pipeline import ModelChoice
from recorder.core.transcribe.transcript import has_transcript, load_transcript
from recorder.core.transcribe.worker import TranscriptionWorker
from tests.conftest import StudyPair, wait_until
from tests.sessions_with_audio import RATE, stopped_session, write_wav
from tests.virtual_audio import VirtualPulse, speech

FAST = Options(temperature=(0.0,), sample_len=12)
BLOCK = RATE // 50


@pytest.fixture(scope="module")
def voice(tmp_path_factory: pytest.TempPathFactory) -> np.ndarray:
    out = tmp_path_factory.mktemp("voice") / "voice.wav"
    return speech("In that case we would call the crisis line first.", out)


def interview(voice: np.ndarray, turns: int = 4, gap_s: float = 1.5) -> np.ndarray:
    gap = np.zeros(round(gap_s * RATE), dtype=np.float32)
    return np.concatenate([part for _ in range(turns) for part in (voice, gap)])


def live_for(
    pair: StudyPair, session_id: str, checkpoint: Path, **kwargs: object
) -> LiveTranscriber:
    worker = LiveTranscriber.low_priority_worker(str(checkpoint), "cpu", False)
    model = ModelChoice("micro.en", str(checkpoint), "0" * 64, official=False)
    live = LiveTranscriber(
        pair.study,  # type: ignore[arg-type]
        session_id,
        lambda: (model, worker),
        options=FAST,
        **kwargs,  # type: ignore[arg-type]
    )
    live.start()
    return live


def feed_all(live: LiveTranscriber, audio: np.ndarray) -> None:
    """What the recorder's writer thread does: every written block, in order."""
    pcm = from_float(audio).tobytes()
    step = BLOCK * 2
    for at in range(0, len(pcm), step):
        live.feed(pcm[at : at + step], 1, RATE)


def test_combine_puts_each_stretch_on_the_session_timeline() -> None:
    word = {"start": 0.5, "end": 0.9, "word": " call", "probability": 0.9}
    segment = {"start": 0.4, "end": 1.0, "text": " call", "words": [word]}
    stretch = {"language": "en", "segments": [segment], "speech": [[0, 16000]], "regions": []}
    joined = combine([(0.0, stretch), (30.0, stretch)])
    assert [s["start"] for s in joined["segments"]] == [0.4, 30.4]
    assert joined["segments"][1]["words"][0]["end"] == pytest.approx(30.9)
    assert joined["speech"] == [[0, 16000], [480000, 496000]]
    assert joined["language"] == "en"


def test_stretches_are_transcribed_while_recording_and_only_the_tail_at_stop(
    study_pair: StudyPair, tmp_path: Path, voice: np.ndarray, micro_checkpoint: Path
) -> None:
    audio = interview(voice)
    record = stopped_session(study_pair, write_wav(tmp_path / "i.wav", audio))
    live = live_for(study_pair, record.session_id, micro_checkpoint, stretch_s=4.0)
    feed_all(live, audio)
    study: Study = study_pair.study  # type: ignore[assignment]
    partials = f"{study.session_dir(record.session_id)}/{LIVE_FILE}"
    wait_until(lambda: study.vault.exists(partials), timeout=60)  # sealed as it goes
    wait_until(lambda: live.progress().transcribed_s >= 4.0, timeout=60)
    before_stop = live.progress()
    assert before_stop.phase is LivePhase.RUNNING
    assert before_stop.captured_s == pytest.approx(len(audio) / RATE, abs=0.05)

    transcript = live.finish()

    assert transcript is not None and transcript.provenance.mode == "live"
    assert has_transcript(study, record.session_id)
    assert load_transcript(study, record.session_id) == transcript
    assert load_session(study, record.session_id).state is SessionState.TRANSCRIBED
    assert not study.vault.exists(partials)  # folded into the transcript
    total_s = len(audio) / RATE
    starts = [s.start for s in transcript.segments]
    assert starts == sorted(starts)
    assert all(0 <= s.start <= s.end <= total_s + 0.05 for s in transcript.segments)
    assert transcript.provenance.vad["audio_seconds"] == pytest.approx(total_s, abs=0.05)
    assert not live.worker.alive


def test_falling_behind_stops_live_transcription_and_says_so(
    study_pair: StudyPair, tmp_path: Path, voice: np.ndarray, micro_checkpoint: Path
) -> None:
    audio = interview(voice)
    record = stopped_session(study_pair, write_wav(tmp_path / "i.wav", audio))
    live = live_for(study_pair, record.session_id, micro_checkpoint, stretch_s=2.0, max_lag_s=0.0)
    feed_all(live, audio)
    wait_until(lambda: live.progress().phase is LivePhase.FELL_BEHIND, timeout=60)
    assert "after it ends" in live.progress().message
    assert not live.worker.alive  # its CPU goes back to the recording

    assert live.finish() is None  # the caller transcribes the session after the fact
    study: Study = study_pair.study  # type: ignore[assignment]
    assert not has_transcript(study, record.session_id)
    assert not study.vault.exists(f"{study.session_dir(record.session_id)}/{LIVE_FILE}")
    assert load_session(study, record.session_id).state is SessionState.STOPPED


def test_a_killed_live_worker_falls_back_and_keeps_the_session(
    study_pair: StudyPair, tmp_path: Path, voice: np.ndarray, micro_checkpoint: Path
) -> None:
    audio = interview(voice)
    record = stopped_session(study_pair, write_wav(tmp_path / "i.wav", audio))
    live = live_for(study_pair, record.session_id, micro_checkpoint, stretch_s=4.0)
    wait_until(lambda: live.progress().phase is LivePhase.RUNNING, timeout=60)
    assert live.worker.pid is not None
    os.kill(live.worker.pid, signal.SIGKILL)
    feed_all(live, audio)
    wait_until(lambda: live.progress().phase is LivePhase.FAILED, timeout=60)
    assert "stopped unexpectedly" in live.progress().message
    assert live.finish() is None
    study: Study = study_pair.study  # type: ignore[assignment]
    assert load_session(study, record.session_id).state is SessionState.STOPPED


@pytest.mark.audio
def test_live_transcription_during_a_real_recording_costs_no_audio(
    pulse: VirtualPulse,
    study_pair: StudyPair,
    tmp_path: Path,
    voice: np.ndarray,
    micro_checkpoint: Path,
) -> None:
    study: Study = study_pair.study  # type: ignore[assignment]
    codemap = study_pair.codemap
    pid = enrolment.enrol(study, codemap, Identity("Ana Lima"), "police").participant_id  # type: ignore[arg-type]
    protocol = load_default_protocol()
    enrolment.record_consent(codemap, pid, protocol.consent.form_version, ("participate",))  # type: ignore[arg-type]
    record = create_session(study, protocol, SessionKind.INDIVIDUAL, [pid])
    device = resolve_device(None)
    settings = CaptureSettings(device, choose_sample_rate(device, 1), 1)
    live = live_for(study_pair, record.session_id, micro_checkpoint, stretch_s=3.0)
    session = RecordingSession(study, record.session_id, settings, on_audio=live.feed)
    session.start(consent_on_file(codemap, protocol, [pid]))  # type: ignore[arg-type]
    wav = write_wav(tmp_path / "played.wav", interview(voice, turns=3))
    player = threading.Thread(target=pulse.play, args=(wav,))
    player.start()
    wait_until(lambda: live.progress().transcribed_s > 0, timeout=60)  # during the recording
    player.join()
    overflows = session.status().overflows
    session.stop()

    transcript = live.finish()

    assert overflows == 0
    assert transcript is not None and transcript.provenance.mode == "live"
    stored = load_session(study, record.session_id)
    assert stored.state is SessionState.TRANSCRIBED
    duration = stored.audio_frames / stored.audio.sample_rate
    assert transcript.provenance.vad["audio_seconds"] == pytest.approx(duration, abs=0.1)
    assert all(s.end <= duration + 0.05 for s in transcript.segments)


def test_abandoning_before_the_recording_started_loads_nothing(study_pair: StudyPair) -> None:
    def never() -> tuple[ModelChoice, TranscriptionWorker]:
        raise AssertionError("the model must not be loaded")

    live = LiveTranscriber(study_pair.study, "S-0000X", never)  # type: ignore[arg-type]
    live.abandon()
    assert live.progress().phase is LivePhase.STARTING
    assert live.worker is None
