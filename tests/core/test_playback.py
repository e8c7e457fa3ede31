"""Playback: WSOLA speed changes keep the pitch; the real player plays into the virtual sink."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from recorder.core.audio.devices import choose_sample_rate, resolve_device
from recorder.core.audio.pcm import to_float
from recorder.core.audio.playback import Player
from recorder.core.audio.recorder import CaptureSettings, Recorder
from recorder.core.audio.segments import read_segment
from recorder.core.audio.stretch import TimeStretcher
from recorder.core.vault import Vault, VaultKind
from tests.conftest import wait_until
from tests.virtual_audio import RATE, VirtualPulse, best_alignment, speech

TONE = (0.5 * np.sin(2 * np.pi * 440 * np.arange(RATE * 3) / RATE)).astype(np.float32)[:, None]


def stretched(audio: np.ndarray, speed: float) -> np.ndarray:
    s = TimeStretcher(audio, RATE)
    s.set_speed(speed)
    out = []
    while not s.finished:
        out.append(s.read(320))
    return np.concatenate(out)[:, 0]


@pytest.mark.parametrize("speed", [0.75, 1.0, 1.25, 1.5, 2.0])
def test_speed_changes_length_not_pitch(speed: float) -> None:
    out = stretched(TONE, speed)
    assert abs(len(out) / len(TONE) - 1 / speed) < 0.02
    spectrum = np.abs(np.fft.rfft(out[:RATE]))
    assert abs(np.argmax(spectrum) - 440) <= 2  # 1 Hz bins


def long_term_spectrum(x: np.ndarray) -> np.ndarray:
    frames = np.lib.stride_tricks.sliding_window_view(x, 512)[::256] * np.hanning(512)
    return np.log(np.abs(np.fft.rfft(frames, axis=1)).mean(axis=0) + 1e-6)


@pytest.mark.parametrize("speed", [0.75, 1.5, 2.0])
def test_speech_keeps_its_voice_at_other_speeds(tmp_path: Path, speed: float) -> None:
    """The long-term spectrum (pitch and timbre) of stretched speech matches the original."""
    voice = speech("Tell me about the first thing you would do.", tmp_path / "s.wav")
    out = stretched(voice[:, None], speed)
    similarity = np.corrcoef(long_term_spectrum(voice), long_term_spectrum(out))[0, 1]
    resampled_pitch = np.interp(np.arange(0, len(voice), speed), np.arange(len(voice)), voice)
    naive = np.corrcoef(long_term_spectrum(voice), long_term_spectrum(resampled_pitch))[0, 1]
    assert similarity > 0.97
    assert similarity > naive  # better than just playing the samples faster (chipmunk voice)


def test_seek_lands_on_the_sample() -> None:
    ramp = np.arange(RATE, dtype=np.float32)[:, None] / RATE
    s = TimeStretcher(ramp, RATE)
    s.seek(8000)
    assert s.position == 8000
    assert s.read(10)[0, 0] == pytest.approx(0.5)


@pytest.mark.audio
def test_the_player_plays_into_the_sink_and_reports_positions(
    pulse: VirtualPulse, tmp_path: Path
) -> None:
    voice = speech("The reviewer listens to every turn of the interview.", tmp_path / "v.wav")
    positions: list[int] = []
    finished: list[bool] = []
    vault = Vault.create(tmp_path / "v", VaultKind.STUDY, "a passphrase here")
    device = resolve_device(None)
    rec = Recorder(
        vault, "sessions/S-AAAA0", CaptureSettings(device, choose_sample_rate(device, 1), 1)
    )
    rec.start()
    player = Player(
        voice, RATE, on_position=positions.append, on_finished=lambda: finished.append(True)
    )
    try:
        wait_until(lambda: rec.clock() > RATE // 5)
        player.play()
        wait_until(lambda: bool(finished), timeout=15)
        wait_until(lambda: bool(positions) and positions[-1] == len(voice))
        mark = rec.clock()
        wait_until(lambda: rec.clock() > mark + RATE // 2)
        (segment,) = rec.stop()
        assert positions == sorted(positions) and positions[-1] == len(voice)
        _, frames = read_segment(vault, f"sessions/S-AAAA0/{segment.file}")
        score, _ = best_alignment(to_float(frames)[:, 0], voice)
        assert score >= 0.9
        player.seek(RATE)
        assert player.position == RATE
        player.skip(-5)
        assert player.position == 0
        player.set_speed(3.0)
        assert player.speed == 2.0
    finally:
        player.close()
