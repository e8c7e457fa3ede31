"""A waveform overview for the player: the loudest sample in each of ``buckets`` slices."""

from __future__ import annotations

import numpy as np

from recorder.core.audio.pcm import FloatArray


def peaks(audio: FloatArray, buckets: int = 2000) -> list[float]:
    """Peak absolute amplitude (0-1) per slice of mono or multi-channel ``audio``."""
    audio = np.abs(audio).max(axis=1) if audio.ndim == 2 else np.abs(audio)
    if not len(audio) or buckets <= 0:
        return []
    buckets = min(buckets, len(audio))
    usable = len(audio) - len(audio) % buckets
    rows = audio[:usable].reshape(buckets, -1).max(axis=1)
    top = float(rows.max()) or 1.0
    return [float(v) / top for v in rows]
