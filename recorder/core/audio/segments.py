"""Encrypted audio segment files: streaming writer, reader, and the per-session segment list.

A segment is written as ``audio-NNN.irf.partial`` (opened for exclusive create, sealed for
the final name) and renamed to ``audio-NNN.irf`` once finalised. Every write goes straight to
the operating system (no user-space buffer) and is fsynced about once a second, so a crash
loses at most the unfinished 16 KiB chunk plus what the queue held.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from dataclasses import dataclass
from typing import Any, BinaryIO

from recorder.core.atomic import fsync_dir, os_error
from recorder.core.audio.pcm import HEADER_BYTES, Int16Array, PcmFormat, parse_header, to_frames
from recorder.core.container import SealedWriter
from recorder.core.errors import Truncated
from recorder.core.vault import Vault

log = logging.getLogger(__name__)

PARTIAL = ".partial"
SYNC_INTERVAL_S = 1.0


def segment_name(index: int) -> str:
    return f"audio-{index:03d}.irf"


@dataclass(frozen=True)
class SegmentInfo:
    """One audio file of a session and where it sits in the session's timeline."""

    file: str
    sample_rate: int
    channels: int
    #: Where the segment starts in the session timeline (in timeline samples).
    start_sample: int
    frames: int
    recovered: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "sample_rate": self.sample_rate,
            "channels": self.channels,
            "start_sample": self.start_sample,
            "frames": self.frames,
            "recovered": self.recovered,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SegmentInfo:
        return cls(
            file=str(data["file"]),
            sample_rate=int(data["sample_rate"]),
            channels=int(data["channels"]),
            start_sample=int(data["start_sample"]),
            frames=int(data["frames"]),
            recovered=bool(data.get("recovered", False)),
        )


class SegmentWriter:
    """Streams int16 PCM into a new sealed segment file."""

    def __init__(self, vault: Vault, relpath: str, fmt: PcmFormat) -> None:
        self.relpath = relpath
        self.format = fmt
        self.frames = 0
        self._path = vault.path(relpath)
        self._partial = self._path.with_name(self._path.name + PARTIAL)
        try:
            self._partial.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            self._file: BinaryIO = open(self._partial, "xb", buffering=0)  # noqa: SIM115
        except OSError as exc:
            raise os_error(exc, self._partial) from exc
        self._sealed: SealedWriter = vault.open_stream_writer(relpath, self._file)
        self._last_sync = time.monotonic()
        self._pending = b""
        self.closed = False
        self._write(fmt.header())
        fsync_dir(self._partial.parent)

    def _write(self, data: bytes) -> None:
        try:
            self._sealed.write(data)
        except OSError as exc:
            raise os_error(exc, self._partial) from exc

    def write(self, pcm: bytes) -> None:
        """Append interleaved int16 frames; fsyncs when a second has passed since the last."""
        data = self._pending + pcm
        usable = len(data) - len(data) % self.format.frame_bytes
        self._pending = data[usable:]
        self._write(data[:usable])
        self.frames += usable // self.format.frame_bytes
        if time.monotonic() - self._last_sync >= SYNC_INTERVAL_S:
            self.sync()

    def sync(self) -> None:
        try:
            os.fsync(self._file.fileno())
        except OSError as exc:
            raise os_error(exc, self._partial) from exc
        self._last_sync = time.monotonic()

    def close(self) -> int:
        """Finalise: last chunk, end marker, fsync, rename into place. Returns frames."""
        if self.closed:
            return self.frames
        try:
            self._sealed.close()
            os.fsync(self._file.fileno())
            self._file.close()
            os.replace(self._partial, self._path)
            fsync_dir(self._path.parent)
        except OSError as exc:
            self.abandon()
            raise os_error(exc, self._partial) from exc
        self.closed = True
        log.info("finalised an audio segment")
        return self.frames

    def abandon(self) -> None:
        """Close the file without finalising; the ``.partial`` stays for ``recover``."""
        if not self._file.closed:
            with contextlib.suppress(OSError):
                self._file.close()
        self.closed = True


def read_segment(
    vault: Vault, relpath: str, *, allow_unfinished: bool = False
) -> tuple[PcmFormat, Int16Array]:
    """Decrypt a whole segment into memory (never onto disk)."""
    sealed_for = relpath[: -len(PARTIAL)] if relpath.endswith(PARTIAL) else None
    data = bytearray()
    try:
        for chunk in vault.iter_chunks(
            relpath, allow_unfinished=allow_unfinished, sealed_for=sealed_for
        ):
            data += chunk
    except Truncated:
        if not allow_unfinished:
            raise
    fmt = parse_header(bytes(data[:HEADER_BYTES]), path=relpath)
    return fmt, to_frames(bytes(data[HEADER_BYTES:]), fmt.channels).copy()
