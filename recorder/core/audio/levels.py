"""Live input levels per channel: peak, RMS, clipping and prolonged silence.

``update`` runs inside the PortAudio callback, so it only does a few vector operations on
the block and replaces immutable tuples (no locks, no I/O, no logging).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from recorder.core.audio.pcm import Int16Array

FULL_SCALE = 32768.0
CLIP_LEVEL = 32700
SILENCE_DBFS = -55.0
FLOOR_DBFS = -96.0


def dbfs(value: float) -> float:
    return max(FLOOR_DBFS, 20 * math.log10(value / FULL_SCALE)) if value > 0 else FLOOR_DBFS


@dataclass(frozen=True)
class Levels:
    """A snapshot for the level meter."""

    peak_dbfs: tuple[float, ...]
    rms_dbfs: tuple[float, ...]
    #: Some channel reached full scale within the last half second.
    clipping: bool
    #: How long every channel has stayed below the silence threshold.
    silent_seconds: float


class LevelMeter:
    def __init__(self, channels: int, sample_rate: int) -> None:
        self.channels = channels
        self.sample_rate = sample_rate
        self._peak: tuple[float, ...] = (FLOOR_DBFS,) * channels
        self._rms: tuple[float, ...] = (FLOOR_DBFS,) * channels
        self._frames = 0
        self._last_clip = -(10**12)
        self._last_sound = 0

    def update(self, block: Int16Array) -> None:
        """Called from the audio callback with a (frames, channels) int16 block."""
        if not len(block):
            return
        absolute = np.abs(block.astype(np.int32))
        peaks = absolute.max(axis=0)
        rms = np.sqrt(np.mean(np.square(block.astype(np.float32)), axis=0))
        self._frames += len(block)
        self._peak = tuple(dbfs(float(p)) for p in peaks)
        self._rms = tuple(dbfs(float(r)) for r in rms)
        if int(peaks.max()) >= CLIP_LEVEL:
            self._last_clip = self._frames
        if max(self._rms) > SILENCE_DBFS:
            self._last_sound = self._frames

    def snapshot(self) -> Levels:
        frames = self._frames
        return Levels(
            peak_dbfs=self._peak,
            rms_dbfs=self._rms,
            clipping=frames - self._last_clip < self.sample_rate // 2,
            silent_seconds=(frames - self._last_sound) / self.sample_rate,
        )
