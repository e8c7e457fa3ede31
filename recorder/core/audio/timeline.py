"""A session's audio as one timeline, decrypted into memory only.

Segments (after device changes or a recovery) are placed at their ``start_sample`` in the
session's timeline and resampled to one rate, so playback and transcription see one signal
whose sample indices match the markers.
"""

from __future__ import annotations

import numpy as np

from recorder.core.audio.pcm import FloatArray, resample, to_float
from recorder.core.audio.segments import read_segment
from recorder.core.session import SessionRecord
from recorder.core.study import Study


def load_timeline(study: Study, record: SessionRecord, *, rate: int | None = None) -> FloatArray:
    """The whole session as float32 (frames, channels) at ``rate`` (default: the session's)."""
    session_rate = record.audio.sample_rate
    target = rate or session_rate
    channels = max((s.channels for s in record.segments), default=record.audio.channels)
    pieces: list[tuple[int, FloatArray]] = []
    for seg in record.segments:
        fmt, frames = read_segment(
            study.vault, f"{study.session_dir(record.session_id)}/{seg.file}"
        )
        audio = resample(to_float(frames), fmt.sample_rate, target)
        start = round(seg.start_sample * target / session_rate)
        pieces.append((start, audio))
    length = max((start + len(a) for start, a in pieces), default=0)
    timeline = np.zeros((length, channels), dtype=np.float32)
    for start, audio in pieces:
        timeline[start : start + len(audio), : audio.shape[1]] = audio
    return timeline
