"""Recording through the real PortAudio stream from the virtual PulseAudio microphone."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from recorder.core import enrolment
from recorder.core.audio.devices import choose_sample_rate, resolve_device
from recorder.core.audio.pcm import to_float
from recorder.core.audio.recorder import CaptureSettings, CaptureState, Recorder
from recorder.core.audio.segments import read_segment
from recorder.core.audio.timeline import load_timeline
from recorder.core.errors import DeviceError
from recorder.core.model import Identity
from recorder.core.protocol import SessionKind, load_default_protocol
from recorder.core.recording import RecordingSession
from recorder.core.session import MarkerKind
from recorder.core.sessions import consent_on_file, create_session, load_session
from recorder.core.study import Study
from recorder.core.vault import Vault, VaultKind
from tests.conftest import StudyPair, wait_until
from tests.virtual_audio import RATE, VirtualPulse, best_alignment, speech

pytestmark = pytest.mark.audio


def settings(channels: int = 1) -> CaptureSettings:
    device = resolve_device(None)
    return CaptureSettings(device, choose_sample_rate(device, channels), channels)


def test_speech_is_recorded_faithfully(pulse: VirtualPulse, tmp_path: Path) -> None:
    source = speech(
        "The officer arrives at eleven forty and speaks to the neighbour.", tmp_path / "speech.wav"
    )
    vault = Vault.create(tmp_path / "v", VaultKind.STUDY, "a passphrase here")
    rec = Recorder(vault, "sessions/S-AAAA0", settings())
    assert rec.timeline_rate == RATE
    wanted = len(source) + RATE * 2
    rec.limit(wanted)
    rec.start()
    wait_until(lambda: rec.clock() > RATE // 5)
    pulse.play(tmp_path / "speech.wav")
    wait_until(lambda: rec.limit_reached)
    (segment,) = rec.stop()
    fmt, frames = read_segment(vault, f"sessions/S-AAAA0/{segment.file}")
    assert (fmt.sample_rate, fmt.channels) == (RATE, 1)
    assert abs(len(frames) - wanted) <= RATE * 0.05  # duration within 50 ms
    assert segment.frames == len(frames)
    score, _lag = best_alignment(to_float(frames)[:, 0], source)
    assert score >= 0.95
    assert rec.status().overflows == 0


def test_two_channels_keep_each_voice_apart(pulse: VirtualPulse, tmp_path: Path) -> None:
    import soundfile as sf

    left = speech("I would call the crisis team first.", tmp_path / "a.wav", voice="en-us")
    right = speech(
        "We need to know whether the children are safe.", tmp_path / "b.wav", voice="en-gb"
    )
    n = max(len(left), len(right))
    stereo = np.zeros((n, 2), dtype=np.float32)
    stereo[: len(left), 0] = left
    stereo[: len(right), 1] = right
    sf.write(str(tmp_path / "stereo.wav"), stereo, RATE, subtype="PCM_16")
    vault = Vault.create(tmp_path / "v", VaultKind.STUDY, "a passphrase here")
    pulse.use_source("vsink2.monitor")
    try:
        rec = Recorder(vault, "sessions/S-AAAA0", settings(channels=2))
        rec.limit(n + RATE * 2)
        rec.start()
        wait_until(lambda: rec.clock() > RATE // 5)
        pulse.play(tmp_path / "stereo.wav", sink="vsink2")
        wait_until(lambda: rec.limit_reached)
        (segment,) = rec.stop()
    finally:
        pulse.use_source("vsink.monitor")
    _, frames = read_segment(vault, f"sessions/S-AAAA0/{segment.file}")
    audio = to_float(frames)
    assert audio.shape[1] == 2
    own_left, _ = best_alignment(audio[:, 0], left)
    own_right, _ = best_alignment(audio[:, 1], right)
    cross, _ = best_alignment(audio[:, 0], right)
    assert own_left >= 0.95 and own_right >= 0.95
    assert cross < 0.5


def test_a_whole_session_with_pause_and_markers(pulse: VirtualPulse, study_pair: StudyPair) -> None:
    study: Study = study_pair.study  # type: ignore[assignment]
    codemap = study_pair.codemap
    pid = enrolment.enrol(study, codemap, Identity("Ana Lima"), "police").participant_id  # type: ignore[arg-type]
    protocol = load_default_protocol()
    enrolment.record_consent(codemap, pid, protocol.consent.form_version, ("participate",))  # type: ignore[arg-type]
    record = create_session(study, protocol, SessionKind.INDIVIDUAL, [pid])
    live = RecordingSession(study, record.session_id, settings())
    live.start(consent_on_file(codemap, protocol, [pid]))  # type: ignore[arg-type]
    wait_until(lambda: live.recorder.clock() >= RATE)
    live.controller.next_prompt()
    live.pause()
    paused_at = live.recorder.clock()
    live.controller.next_prompt()  # while paused
    live.resume()
    wait_until(lambda: live.recorder.clock() >= paused_at + RATE)
    live.controller.add_note("long pause before answering")
    live.stop()

    stored = load_session(study, record.session_id)
    kinds = [m.kind for m in stored.markers]
    assert kinds == [
        MarkerKind.START,
        MarkerKind.PROMPT,
        MarkerKind.PROMPT,
        MarkerKind.PAUSE,
        MarkerKind.PROMPT,
        MarkerKind.RESUME,
        MarkerKind.NOTE,
        MarkerKind.STOP,
    ]
    samples = [m.sample for m in stored.markers]
    assert samples == sorted(samples)
    assert samples[3] == samples[4] == samples[5] == paused_at  # the pause is not in the audio
    audio = load_timeline(study, stored)
    assert len(audio) == stored.audio_frames
    assert abs(len(audio) - samples[-1]) <= RATE * 0.05
    assert stored.audio.device and stored.audio.sample_rate == RATE


def test_consent_is_required_before_the_device_opens(
    pulse: VirtualPulse, study_pair: StudyPair
) -> None:
    from recorder.core.errors import ConsentMissing

    study: Study = study_pair.study  # type: ignore[assignment]
    pid = enrolment.enrol(study, study_pair.codemap, Identity("No Consent"), "police")  # type: ignore[arg-type]
    record = create_session(
        study, load_default_protocol(), SessionKind.INDIVIDUAL, [pid.participant_id]
    )
    live = RecordingSession(study, record.session_id, settings())
    with pytest.raises(ConsentMissing):
        live.start({pid.participant_id: False})
    assert live.recorder.state is CaptureState.IDLE
    assert load_session(study, record.session_id).segments == ()


def test_a_vanishing_device_keeps_the_audio_and_can_continue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pulse: VirtualPulse
) -> None:
    """A second daemon is killed mid-recording: the microphone disappears."""
    own = VirtualPulse()
    for key, value in own.env.items():
        monkeypatch.setenv(key, value)
    own.start()
    try:
        vault = Vault.create(tmp_path / "v", VaultKind.STUDY, "a passphrase here")
        rec = Recorder(vault, "sessions/S-AAAA0", settings())
        rec.start()
        wait_until(lambda: rec.clock() >= RATE)
        own.stop()  # the device is gone
        wait_until(lambda: rec.state is CaptureState.FAULTED, timeout=10)
        fault = rec.status().fault
        assert isinstance(fault, DeviceError) and "saved" in str(fault)
        (first,) = rec.segments
        _, frames = read_segment(vault, f"sessions/S-AAAA0/{first.file}")  # intact
        assert len(frames) == first.frames >= RATE
        own.start()  # reconnected
        rec.continue_with(settings())
        wait_until(lambda: rec.clock() >= first.frames + RATE)
        segments = rec.stop()
        assert [s.file for s in segments] == ["audio-000.irf", "audio-001.irf"]
        assert segments[1].start_sample == first.frames
    finally:
        own.stop()


def test_the_last_device_is_remembered(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from recorder.core import appconfig

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    assert appconfig.last_input_device() is None
    appconfig.remember_input_device("USB Audio CODEC")
    assert appconfig.last_input_device() == "USB Audio CODEC"
    assert "USB Audio" in (tmp_path / "cfg/interview-recorder/settings.json").read_text()


def test_levels_refresh_at_least_twenty_times_a_second(pulse: VirtualPulse, tmp_path: Path) -> None:
    """Count the distinct meter snapshots a console polling at 100 Hz sees in one second."""
    import threading

    tone = (0.3 * np.sin(2 * np.pi * 300 * np.arange(RATE * 3) / RATE)).astype(np.float32)
    noise = tone * np.random.default_rng(0).uniform(0.2, 1.0, len(tone)).astype(np.float32)
    import soundfile as sf

    sf.write(str(tmp_path / "n.wav"), noise, RATE, subtype="PCM_16")
    vault = Vault.create(tmp_path / "v", VaultKind.STUDY, "a passphrase here")
    rec = Recorder(vault, "sessions/S-AAAA0", settings())
    rec.start()
    player = threading.Thread(target=pulse.play, args=(tmp_path / "n.wav",))
    player.start()
    try:
        wait_until(lambda: rec.status().levels.peak_dbfs[0] > -40)
        seen = set()
        start = rec.clock()
        tick = threading.Event()
        while rec.clock() < start + RATE:  # one second of captured audio
            seen.add(rec.status().levels.peak_dbfs)
            tick.wait(0.01)
        assert len(seen) >= 20
    finally:
        player.join()
        rec.stop()
