"""WSOLA time-stretching: play speech faster or slower without changing its pitch.

Waveform-similarity overlap-add: output is built from Hann-windowed frames at a fixed
synthesis hop; each frame is taken from near its nominal place in the source, shifted by up
to ``tolerance`` samples to best continue the previous frame, so voices stay natural.
"""

from __future__ import annotations

import numpy as np

from recorder.core.audio.pcm import FloatArray

MIN_SPEED, MAX_SPEED = 0.5, 2.5


class TimeStretcher:
    """Streams ``audio`` (frames, channels) at ``speed``; ``position`` is in source frames."""

    def __init__(self, audio: FloatArray, rate: int, *, frame_ms: float = 40.0) -> None:
        self.audio = audio
        self.n = max(64, int(rate * frame_ms / 1000) // 2 * 2)
        self.hop = self.n // 2
        self.tolerance = self.n // 4
        self.window = np.hanning(self.n + 1)[:-1].astype(np.float32)[:, None]
        self.speed = 1.0
        self._position = 0.0
        self._pending = np.zeros((0, audio.shape[1]), dtype=np.float32)
        self._tail = np.zeros((self.hop, audio.shape[1]), dtype=np.float32)
        self._prev: int | None = None

    @property
    def position(self) -> float:
        """Source frame that the next output frame corresponds to."""
        return self._position

    def seek(self, frame: float) -> None:
        self._position = float(min(max(0.0, frame), len(self.audio)))
        self._pending = self._pending[:0]
        self._tail[:] = 0
        self._prev = None

    def set_speed(self, speed: float) -> None:
        self.speed = float(min(MAX_SPEED, max(MIN_SPEED, speed)))

    @property
    def finished(self) -> bool:
        return self._position >= len(self.audio) and not len(self._pending)

    def read(self, frames: int) -> FloatArray:
        """The next ``frames`` output frames (zeros past the end)."""
        if self.speed == 1.0 and not len(self._pending) and self._prev is None:
            start = int(self._position)
            out = self.audio[start : start + frames]
            self._position = min(float(len(self.audio)), self._position + frames)
            if len(out) < frames:
                out = np.concatenate(
                    [out, np.zeros((frames - len(out), self.audio.shape[1]), dtype=np.float32)]
                )
            return out
        while len(self._pending) < frames and self._position < len(self.audio):
            self._pending = np.concatenate([self._pending, self._synthesise_hop()])
        out = self._pending[:frames]
        self._pending = self._pending[frames:]
        if len(out) < frames:
            pad = np.zeros((frames - len(out), self.audio.shape[1]), dtype=np.float32)
            out = np.concatenate([out, pad])
        return out

    def _segment(self, start: int) -> FloatArray:
        seg = self.audio[max(0, start) : max(0, start) + self.n]
        if len(seg) < self.n:
            seg = np.concatenate(
                [seg, np.zeros((self.n - len(seg), self.audio.shape[1]), dtype=np.float32)]
            )
        return seg

    def _synthesise_hop(self) -> FloatArray:
        nominal = int(self._position)
        start = nominal
        if self._prev is not None:
            natural = self._segment(self._prev + self.hop).mean(axis=1)
            lo = max(0, nominal - self.tolerance)
            hi = min(len(self.audio) - 1, nominal + self.tolerance)
            region = self.audio[lo : hi + self.n].mean(axis=1)
            if len(region) >= self.n and hi > lo:
                scores = np.correlate(region, natural, mode="valid")
                start = lo + int(np.argmax(scores))
        frame = self._segment(start) * self.window
        out = self._tail + frame[: self.hop]
        self._tail = frame[self.hop :].copy()
        self._prev = start
        self._position = min(float(len(self.audio)), self._position + self.hop * self.speed)
        return np.asarray(out, dtype=np.float32)
