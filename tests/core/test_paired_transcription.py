"""A paired session recorded on two channels through the real PortAudio stream from the
virtual microphone, transcribed by the real whisper code, and each word's speaker checked
against what was played into each channel: the officer's voice on the left, then the social
worker's on the right. (Random weights put words anywhere, so only words that fall inside a
played voice are checked; the test knows from the playback who spoke there.)"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from recorder.core import enrolment
from recorder.core.audio.devices import choose_sample_rate, resolve_device
from recorder.core.audio.recorder import CaptureSettings
from recorder.core.audio.timeline import load_timeline
from recorder.core.model import Identity
from recorder.core.protocol import SessionKind, load_default_protocol
from recorder.core.recording import RecordingSession
from recorder.core.sessions import consent_on_file, create_session, load_session
from recorder.core.study import Study
from recorder.core.transcribe.engine import Options
from recorder.core.transcribe.pipeline import ModelChoice, transcribe_session
from recorder.core.transcribe.worker import TranscriptionWorker
from tests.conftest import StudyPair, wait_until
from tests.sessions_with_audio import RATE, write_wav
from tests.virtual_audio import VirtualPulse, speech

pytestmark = pytest.mark.audio


def bursts(mono: np.ndarray, rate: int) -> list[tuple[float, float]]:
    """Where there is sound (20 ms frames above -40 dBFS, gaps under 0.3 s bridged)."""
    frame = rate // 50
    n = len(mono) // frame
    loud = np.abs(mono[: n * frame].reshape(n, frame)).max(axis=1) > 0.01
    found: list[list[float]] = []
    for i in np.flatnonzero(loud):
        t = i * frame / rate
        if found and t - found[-1][1] < 0.3:
            found[-1][1] = t + frame / rate
        else:
            found.append([t, t + frame / rate])
    return [(a, b) for a, b in found]


def test_each_word_goes_to_the_speaker_whose_channel_it_was_played_into(
    pulse: VirtualPulse, study_pair: StudyPair, tmp_path: Path, micro_checkpoint: Path
) -> None:
    study: Study = study_pair.study  # type: ignore[assignment]
    codemap = study_pair.codemap
    officer = enrolment.enrol(study, codemap, Identity("Ana Lima"), "police").participant_id  # type: ignore[arg-type]
    worker_id = enrolment.enrol(study, codemap, Identity("Bo Chen"), "social-work").participant_id  # type: ignore[arg-type]
    protocol = load_default_protocol()
    for pid in (officer, worker_id):
        enrolment.record_consent(codemap, pid, protocol.consent.form_version, ("participate",))  # type: ignore[arg-type]
    record = create_session(study, protocol, SessionKind.PAIRED, [officer, worker_id])
    left = speech("I would call the crisis team first.", tmp_path / "l.wav", voice="en-us")
    right = speech("We need to know the children are safe.", tmp_path / "r.wav", voice="en-gb")
    gap = np.zeros(RATE, dtype=np.float32)
    stereo = np.zeros((len(left) + len(gap) + len(right), 2), dtype=np.float32)
    stereo[: len(left), 0] = left
    stereo[len(left) + len(gap) :, 1] = right
    played = write_wav(tmp_path / "paired.wav", stereo)

    pulse.use_source("vsink2.monitor")
    try:
        device = resolve_device(None)
        settings = CaptureSettings(device, choose_sample_rate(device, 2), 2)
        session = RecordingSession(
            study, record.session_id, settings, channel_map={0: officer, 1: worker_id}
        )
        session.start(consent_on_file(codemap, protocol, [officer, worker_id]))  # type: ignore[arg-type]
        wait_until(lambda: session.recorder.clock() > RATE // 5)
        pulse.play(played, sink="vsink2")
        session.stop()
    finally:
        pulse.use_source("vsink.monitor")

    model = ModelChoice("micro.en", str(micro_checkpoint), "0" * 64, official=False)
    with TranscriptionWorker(str(micro_checkpoint)) as whisper:
        transcript = transcribe_session(
            study,
            record.session_id,
            model,
            whisper,
            options=Options(temperature=(0.0,), sample_len=24),
        )

    stored = load_session(study, record.session_id)
    audio = load_timeline(study, stored)
    heard = bursts(audio.mean(axis=1), stored.audio.sample_rate)
    assert len(heard) == 2, heard  # the officer's voice, then the social worker's
    who_spoke = dict(zip(heard, (officer, worker_id), strict=True))
    checked = {officer: 0, worker_id: 0}
    for segment in transcript.segments:
        for word in segment.words:
            length = word.end - word.start
            for (start, end), speaker in who_spoke.items():
                inside = max(0.0, min(end, word.end) - max(start, word.start))
                if length > 0 and inside / length > 0.6:  # mostly within one played voice
                    assert segment.speaker == speaker, (word, segment.speaker, speaker)
                    checked[speaker] += 1
    assert sum(checked.values()) > 0, "no word fell mostly inside a played voice"
    spoken = [s for s in transcript.segments if s.end > s.start]
    assert {s.speaker for s in spoken} <= {officer, worker_id}
    assert "Police officer" in transcript.speakers[officer]
