"""Playback of a session's decrypted timeline (in memory only) through sounddevice.

Play, pause, seek to a sample, skip back/forward, speed 0.75x-2x at the original pitch.
Positions are reported in timeline samples (the unit of markers and transcript segments) to
an ``on_position`` callback from a small ticker thread, never from the audio callback.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

import numpy as np

from recorder.core.audio.devices import sounddevice_module
from recorder.core.audio.pcm import FloatArray
from recorder.core.audio.stretch import TimeStretcher
from recorder.core.errors import DeviceError

log = logging.getLogger(__name__)

SPEEDS = (0.75, 1.0, 1.25, 1.5, 1.75, 2.0)
TICK_S = 0.05


class Player:
    def __init__(
        self,
        audio: FloatArray,
        rate: int,
        *,
        on_position: Callable[[int], None] | None = None,
        on_finished: Callable[[], None] | None = None,
        device: int | None = None,
        stream_factory: Callable[..., Any] | None = None,
    ) -> None:
        if audio.ndim == 1:
            audio = audio[:, None]
        self.rate = rate
        self.duration = len(audio)
        self._stretch = TimeStretcher(audio, rate)
        self._lock = threading.Lock()
        self._playing = False
        self._on_position = on_position
        self._on_finished = on_finished
        self._stop_ticker = threading.Event()
        factory = stream_factory or sounddevice_module().OutputStream
        try:
            self._stream = factory(
                samplerate=rate,
                channels=audio.shape[1],
                dtype="float32",
                device=device,
                blocksize=round(rate * 0.02),
                callback=self._callback,
            )
            self._stream.start()
        except Exception as exc:
            raise DeviceError(
                f"Could not open the audio output: {exc}",
                hint="Check the speakers or headphones, or pick another output device.",
            ) from exc
        self._ticker = threading.Thread(target=self._tick, name="playback-ticker", daemon=True)
        self._ticker.start()

    # -- audio thread -----------------------------------------------------------------------

    def _callback(self, outdata: Any, frames: int, _time: Any, _status: Any) -> None:
        if not self._playing or not self._lock.acquire(blocking=False):
            outdata.fill(0)
            return
        try:
            outdata[:] = self._stretch.read(frames)
            if self._stretch.finished:
                self._playing = False
        finally:
            self._lock.release()

    def _tick(self) -> None:
        last = -1
        was_playing = False
        while not self._stop_ticker.wait(TICK_S):
            position = self.position
            if self._on_position is not None and position != last:
                self._on_position(position)
                last = position
            ended = was_playing and not self._playing and self._stretch.finished
            if ended and self._on_finished is not None:
                self._on_finished()
            was_playing = self._playing

    # -- control ----------------------------------------------------------------------------

    @property
    def position(self) -> int:
        return int(self._stretch.position)

    @property
    def playing(self) -> bool:
        return self._playing

    @property
    def speed(self) -> float:
        return self._stretch.speed

    def play(self) -> None:
        if self._stretch.finished:
            self.seek(0)
        self._playing = True

    def pause(self) -> None:
        self._playing = False

    def toggle(self) -> None:
        self.pause() if self._playing else self.play()

    def seek(self, sample: int) -> None:
        with self._lock:
            self._stretch.seek(float(np.clip(sample, 0, self.duration)))

    def skip(self, seconds: float) -> None:
        self.seek(self.position + round(seconds * self.rate))

    def set_speed(self, speed: float) -> None:
        with self._lock:
            self._stretch.set_speed(min(2.0, max(0.75, speed)))

    def close(self) -> None:
        self._playing = False
        self._stop_ticker.set()
        self._ticker.join()
        try:
            self._stream.stop()
            self._stream.close()
        except Exception:  # closing a vanished device
            log.warning("closing the output stream failed")
