"""A live level test for an input device before a recording starts.

``InputMonitor`` opens the device the way ``Recorder`` does (int16, 20 ms blocks) and feeds
every block to a ``LevelMeter``; nothing is queued, kept or written anywhere. The callback
only updates the meter: no I/O, no logging, no locks.
"""

from __future__ import annotations

import logging
from types import TracebackType
from typing import Any

import numpy as np

from recorder.core.audio.devices import InputDevice, sounddevice_module
from recorder.core.audio.levels import LevelMeter, Levels
from recorder.core.audio.recorder import BLOCK_S, StreamFactory
from recorder.core.errors import DeviceError

log = logging.getLogger(__name__)


class InputMonitor:
    """Shows what ``device`` hears, without recording it. Use as a context manager or
    ``start``/``stop``; poll ``levels()`` for the meter."""

    def __init__(
        self,
        device: InputDevice,
        sample_rate: int,
        channels: int,
        *,
        stream_factory: StreamFactory | None = None,
    ) -> None:
        self.device = device
        self.sample_rate = sample_rate
        self.channels = channels
        self._stream_factory = stream_factory
        self._stream: Any = None
        self._meter = LevelMeter(channels, sample_rate)

    @property
    def running(self) -> bool:
        """Whether the device is open and delivering levels."""
        return self._stream is not None

    def start(self) -> None:
        """Open the device and start metering (does nothing if already running)."""
        if self._stream is not None:
            return
        self._meter = LevelMeter(self.channels, self.sample_rate)
        stream = None
        try:
            stream = self._open_stream()
            stream.start()
        except Exception as exc:  # PortAudio errors are untyped
            if stream is not None:
                _close(stream)
            raise DeviceError(
                f"Could not open {self.device.name} for a level test: {exc}",
                hint="Check that the microphone is connected and not used by another program.",
            ) from exc
        self._stream = stream
        log.info("input monitor started (%d Hz, %d ch)", self.sample_rate, self.channels)

    def _open_stream(self) -> Any:
        factory = self._stream_factory or sounddevice_module().InputStream
        return factory(
            device=self.device.index,
            samplerate=self.sample_rate,
            channels=self.channels,
            dtype="int16",
            blocksize=max(1, round(self.sample_rate * BLOCK_S)),
            callback=self._callback,
        )

    def _callback(self, indata: Any, _frames: int, _time: Any, _status: Any) -> None:
        # In the audio thread: the meter reads the block at once and keeps nothing of it.
        self._meter.update(np.frombuffer(indata, dtype="<i2").reshape(-1, self.channels))

    def levels(self) -> Levels:
        """The latest peak and RMS per channel (at the floor until audio arrives)."""
        return self._meter.snapshot()

    def stop(self) -> None:
        """Close the device; safe to call more than once."""
        stream, self._stream = self._stream, None
        if stream is not None:
            _close(stream)
            log.info("input monitor stopped")

    def __enter__(self) -> InputMonitor:
        self.start()
        return self

    def __exit__(
        self,
        _exc_type: type[BaseException] | None,
        _exc: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        self.stop()


def _close(stream: Any) -> None:
    try:
        stream.abort()  # no need to drain a level test: returns at once
        stream.close()
    except Exception as exc:  # a vanished device can fail to close
        log.warning("closing the monitor stream failed: %s", type(exc).__name__)
