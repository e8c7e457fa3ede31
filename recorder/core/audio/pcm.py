"""The PCM layout inside a sealed audio segment, and sample conversions.

A segment's plaintext starts with a 16-byte header (magic, sample rate, channel count,
sample format) followed by interleaved little-endian int16 frames, so every segment can be
read, recovered or played on its own.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from recorder.core.errors import Tampered

MAGIC = b"IRPCM1"
_HEADER = struct.Struct("<6sIHH2x")
HEADER_BYTES = _HEADER.size  # 16
INT16 = 1
BYTES_PER_SAMPLE = 2

Int16Array = npt.NDArray[np.int16]
FloatArray = npt.NDArray[np.float32]


@dataclass(frozen=True)
class PcmFormat:
    sample_rate: int
    channels: int

    @property
    def frame_bytes(self) -> int:
        return self.channels * BYTES_PER_SAMPLE

    def header(self) -> bytes:
        return _HEADER.pack(MAGIC, self.sample_rate, self.channels, INT16)

    def seconds(self, frames: int) -> float:
        return frames / self.sample_rate


def parse_header(data: bytes, *, path: str = "") -> PcmFormat:
    """Read a segment header; a wrong one means the plaintext is not ours (tampered)."""
    if len(data) < HEADER_BYTES:
        raise Tampered(f"{path}: the audio header is incomplete.", path=path)
    magic, rate, channels, fmt = _HEADER.unpack_from(data)
    if magic != MAGIC or fmt != INT16 or not 1000 <= rate <= 384_000 or not 1 <= channels <= 64:
        raise Tampered(f"{path}: the audio header is not valid.", path=path)
    return PcmFormat(rate, channels)


def to_frames(pcm: bytes, channels: int) -> Int16Array:
    """Interleaved int16 bytes -> array of shape (frames, channels); a partial frame is dropped."""
    usable = len(pcm) - len(pcm) % (channels * BYTES_PER_SAMPLE)
    frames: Int16Array = np.frombuffer(pcm[:usable], dtype="<i2").reshape(-1, channels)
    return frames


def to_float(frames: Int16Array) -> FloatArray:
    """int16 -> float32 in [-1, 1)."""
    return (frames.astype(np.float32) / 32768.0).astype(np.float32)


def from_float(samples: npt.NDArray[np.floating[Any]]) -> Int16Array:
    """float in [-1, 1] -> int16 with clipping."""
    scaled = np.clip(np.asarray(samples, dtype=np.float32) * 32768.0, -32768, 32767)
    out: Int16Array = np.round(scaled).astype(np.int16)
    return out


def resample(samples: FloatArray, source_rate: int, target_rate: int) -> FloatArray:
    """Band-limited polyphase resampling along axis 0."""
    if source_rate == target_rate:
        return samples
    from math import gcd

    from scipy.signal import resample_poly

    g = gcd(source_rate, target_rate)
    out = resample_poly(samples, target_rate // g, source_rate // g, axis=0)
    return np.asarray(out, dtype=np.float32)
