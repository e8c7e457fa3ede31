"""Capture: the PortAudio callback queues raw blocks; a writer thread encrypts them to disk.

The callback copies the block, updates the level meter, counts overflows and advances the
timeline clock. Nothing else: no I/O, no logging, no locks held. The writer thread turns the
queue into a sealed segment file, fsyncing about once a second. The queue is unbounded:
research audio is never dropped; a growing queue becomes a warning instead.

Faults (the device stops delivering audio, the disk fills up, a write fails) end the current
segment cleanly, keep everything captured so far readable, and are reported through
``status().fault``; ``continue_with`` then carries on into a new segment, on the same timeline.
"""

from __future__ import annotations

import logging
import queue
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np

from recorder.core.audio.devices import InputDevice, sounddevice_module
from recorder.core.audio.levels import LevelMeter, Levels
from recorder.core.audio.pcm import PcmFormat
from recorder.core.audio.segments import SegmentInfo, SegmentWriter, segment_name
from recorder.core.errors import DeviceError, RecorderError
from recorder.core.vault import Vault

log = logging.getLogger(__name__)

#: No audio for this long from a running stream means the device is gone.
WATCHDOG_S = 2.0
#: Queue backlog that makes the session show a warning.
BACKLOG_WARNING_S = 2.0
SILENCE_WARNING_S = 30.0
#: Level-meter blocks: 20 ms, so the meter can refresh 50 times a second.
BLOCK_S = 0.02


@dataclass(frozen=True)
class CaptureSettings:
    device: InputDevice
    sample_rate: int
    channels: int


class CaptureState(StrEnum):
    IDLE = "idle"
    RECORDING = "recording"
    PAUSED = "paused"
    FAULTED = "faulted"
    STOPPED = "stopped"


@dataclass(frozen=True)
class LiveStatus:
    """Everything the console shows, refreshed by polling ``Recorder.status()``."""

    state: CaptureState
    levels: Levels
    elapsed_s: float
    backlog_s: float
    overflows: int
    disk_free_bytes: int
    time_left_s: float
    warnings: tuple[str, ...]
    fault: RecorderError | None


_STOP = object()
StreamFactory = Callable[..., Any]
#: Receives every block once it is safely written: (int16 interleaved PCM, channels, rate).
AudioTap = Callable[[bytes, int, int], None]


class Recorder:
    """Records one session's audio into segment files under ``session_dir`` of ``vault``."""

    def __init__(
        self,
        vault: Vault,
        session_dir: str,
        settings: CaptureSettings,
        *,
        first_segment: int = 0,
        timeline_start: int = 0,
        on_segment: Callable[[SegmentInfo], None] | None = None,
        on_audio: AudioTap | None = None,
        stream_factory: StreamFactory | None = None,
    ) -> None:
        self._vault = vault
        self._on_audio = on_audio
        self._session_dir = session_dir
        self._settings = settings
        #: The session timeline runs at the first device's rate.
        self.timeline_rate = settings.sample_rate
        self._next_segment = first_segment
        self._timeline = float(timeline_start)
        self._on_segment = on_segment
        self._stream_factory = stream_factory
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        # Backlog = captured - written; each counter has one writer thread, so no lost updates.
        self._captured_frames = 0
        self._written_frames = 0
        self._paused = False
        self._overflows = 0
        self._last_block = time.monotonic()
        self._state = CaptureState.IDLE
        self._fault: RecorderError | None = None
        self._segments: list[SegmentInfo] = []
        self._writer: SegmentWriter | None = None
        self._segment_start = 0
        self._stream: Any = None
        self._thread: threading.Thread | None = None
        self._meter = LevelMeter(settings.channels, settings.sample_rate)
        self._limit: float | None = None

    def limit(self, timeline_frames: int) -> None:
        """Record exactly this many timeline frames, then let further audio pass unrecorded."""
        self._limit = float(timeline_frames)

    @property
    def limit_reached(self) -> bool:
        return self._limit is not None and self._timeline >= self._limit

    # -- the audio callback ----------------------------------------------------------------

    def _callback(self, indata: Any, frames: int, _time: Any, status: Any) -> None:
        if status.input_overflow:
            self._overflows += 1
        data = bytes(indata)
        recording = not self._paused
        rest = data
        if recording and self._limit is not None:
            ratio = self.timeline_rate / self._settings.sample_rate
            room = max(0, round((self._limit - self._timeline) / ratio))
            if room < frames:  # the limit falls inside this block: record only up to it
                cut = room * 2 * self._settings.channels
                self._queue.put((data[:cut], True))
                self._timeline += room * ratio
                recording, rest = False, data[cut:]
        self._queue.put((rest, recording))
        self._captured_frames += frames
        self._last_block = time.monotonic()
        if recording:
            self._timeline += frames * self.timeline_rate / self._settings.sample_rate
        self._meter.update(np.frombuffer(data, dtype="<i2").reshape(-1, self._settings.channels))

    # -- control -----------------------------------------------------------------------------

    @property
    def settings(self) -> CaptureSettings:
        """The device, rate and channels being recorded now."""
        return self._settings

    def clock(self) -> int:
        """Samples of the session timeline captured so far (paused time excluded)."""
        return round(self._timeline)

    @property
    def state(self) -> CaptureState:
        return self._state

    @property
    def segments(self) -> list[SegmentInfo]:
        """Finished segments, in order."""
        return list(self._segments)

    def start(self) -> None:
        """Open the device and a new segment; audio flows until ``stop``."""
        if self._state not in (CaptureState.IDLE, CaptureState.FAULTED):
            raise RecorderError(f"The recorder is already {self._state.value}.")
        fmt = PcmFormat(self._settings.sample_rate, self._settings.channels)
        relpath = f"{self._session_dir}/{segment_name(self._next_segment)}"
        self._writer = SegmentWriter(self._vault, relpath, fmt)
        self._segment_start = self.clock()
        if self._on_segment is not None:
            self._on_segment(self._segment_info(self._writer, 0))
        self._fault = None
        self._paused = False
        self._meter = LevelMeter(self._settings.channels, self._settings.sample_rate)
        self._queue = queue.SimpleQueue()
        self._captured_frames = 0
        self._written_frames = 0
        self._thread = threading.Thread(target=self._write_loop, name="audio-writer", daemon=True)
        try:
            self._stream = self._open_stream()
            self._last_block = time.monotonic()
            self._stream.start()
        except Exception as exc:
            self._writer.abandon()
            self._vault.path(relpath + ".partial").unlink(missing_ok=True)
            self._writer = None
            raise DeviceError(
                f"Could not start recording from {self._settings.device.name}: {exc}",
                hint="Check that the microphone is connected and not used by another program.",
            ) from exc
        self._next_segment += 1
        self._state = CaptureState.RECORDING
        self._thread.start()
        log.info("recording started (%d Hz, %d ch)", fmt.sample_rate, fmt.channels)

    def _open_stream(self) -> Any:
        factory = self._stream_factory or sounddevice_module().RawInputStream
        return factory(
            device=self._settings.device.index,
            samplerate=self._settings.sample_rate,
            channels=self._settings.channels,
            dtype="int16",
            blocksize=max(1, round(self._settings.sample_rate * BLOCK_S)),
            callback=self._callback,
        )

    def pause(self) -> None:
        if self._state is CaptureState.RECORDING:
            self._paused = True
            self._state = CaptureState.PAUSED

    def resume(self) -> None:
        if self._state is CaptureState.PAUSED:
            self._paused = False
            self._state = CaptureState.RECORDING

    def continue_with(self, settings: CaptureSettings) -> None:
        """After a fault: carry on in a new segment, possibly on another device."""
        if self._state is not CaptureState.FAULTED:
            raise RecorderError("Only a recording that stopped on a fault can continue.")
        if settings.channels != self._settings.channels:
            raise DeviceError(
                f"The session records {self._settings.channels} channel(s); "
                f"{settings.device.name} was asked for {settings.channels}."
            )
        self._settings = settings
        self.start()

    def stop(self) -> list[SegmentInfo]:
        """Stop capturing, write out the queue, finalise the segment. Returns all segments."""
        if self._state in (CaptureState.RECORDING, CaptureState.PAUSED):
            self._close_stream()
            self._queue.put(_STOP)
            if self._thread is not None:
                self._thread.join()
            self._finish_segment()
        self._state = CaptureState.STOPPED
        return self.segments

    @property
    def fault(self) -> RecorderError | None:
        """What stopped the recording early, if anything (also in ``status()``)."""
        return self._fault

    def _close_stream(self) -> None:
        stream, self._stream = self._stream, None
        if stream is None:
            return
        try:
            stream.stop()
            stream.close()
        except Exception as exc:  # a vanished device can fail to close; the data is safe
            log.warning("closing the input stream failed: %s", type(exc).__name__)

    def _finish_segment(self) -> None:
        writer, self._writer = self._writer, None
        if writer is None:
            return
        try:
            frames = writer.close()
        except RecorderError as exc:  # e.g. no room for the last chunk: .partial remains
            self._fault = self._fault or exc
            return
        info = self._segment_info(writer, frames)
        self._segments.append(info)
        if self._on_segment is not None:
            self._on_segment(info)

    def _segment_info(self, writer: SegmentWriter, frames: int) -> SegmentInfo:
        return SegmentInfo(
            file=writer.relpath.rsplit("/", 1)[-1],
            sample_rate=writer.format.sample_rate,
            channels=writer.format.channels,
            start_sample=self._segment_start,
            frames=frames,
        )

    # -- the writer thread --------------------------------------------------------------------

    def _write_loop(self) -> None:
        writer = self._writer
        assert writer is not None
        while True:
            try:
                item = self._queue.get(timeout=0.25)
            except queue.Empty:
                if self._stream is not None and time.monotonic() - self._last_block > WATCHDOG_S:
                    self._on_fault(
                        DeviceError(
                            f"{self._settings.device.name} stopped delivering audio "
                            "(unplugged or switched off?). Everything recorded so far is "
                            "saved.",
                            hint="Reconnect it or pick another device to continue, or stop.",
                        )
                    )
                    return
                continue
            if item is _STOP:
                return
            data, recording = item
            self._written_frames += len(data) // (2 * self._settings.channels)
            if not recording:
                continue
            try:
                writer.write(data)
            except RecorderError as exc:  # disk full, drive gone, write error
                self._on_fault(exc)
                return
            if self._on_audio is not None:
                self._tap(self._on_audio, data)

    def _tap(self, tap: AudioTap, data: bytes) -> None:
        """Hand a written block on (live transcription); a failing tap never stops recording."""
        try:
            tap(data, self._settings.channels, self._settings.sample_rate)
        except Exception as exc:
            log.warning("the audio tap failed and is switched off: %s", type(exc).__name__)
            self._on_audio = None

    def _on_fault(self, fault: RecorderError) -> None:
        """In the writer thread: stop the device, seal what we have, report."""
        log.warning("recording fault: %s", type(fault).__name__)
        self._fault = fault
        self._close_stream()
        self._finish_segment()
        self._state = CaptureState.FAULTED

    # -- live figures -------------------------------------------------------------------------

    def status(self) -> LiveStatus:
        rate = self._settings.sample_rate
        bytes_per_s = rate * self._settings.channels * 2 * 1.002  # + chunk tags
        try:
            free = shutil.disk_usage(self._vault.folder).free
        except OSError:
            free = 0
        levels = self._meter.snapshot()
        backlog = max(0, self._captured_frames - self._written_frames) / rate
        warnings = []
        if backlog > BACKLOG_WARNING_S:
            warnings.append(
                f"The disk is slow: {backlog:.0f} s of audio are waiting to be written "
                "(nothing is lost)."
            )
        if levels.silent_seconds > SILENCE_WARNING_S and self._state is CaptureState.RECORDING:
            warnings.append(f"No sound for {levels.silent_seconds:.0f} s: is the microphone muted?")
        if levels.clipping:
            warnings.append("The input is clipping: move the microphone back or lower the gain.")
        if self._overflows:
            warnings.append(f"The audio device reported {self._overflows} overflow(s).")
        time_left = free / bytes_per_s
        if time_left < 30 * 60:
            warnings.append(f"Disk space for {time_left / 60:.0f} more minutes of recording.")
        return LiveStatus(
            state=self._state,
            levels=levels,
            elapsed_s=self.clock() / self.timeline_rate,
            backlog_s=backlog,
            overflows=self._overflows,
            disk_free_bytes=free,
            time_left_s=time_left,
            warnings=tuple(warnings),
            fault=self._fault,
        )
