"""Stretches of speech joined into one compact signal, and every time mapped back.

Voice-activity detection hands the engine the stretches worth transcribing; they are joined
with short silent joints and transcribed in one call (so whisper's 30-s windows stay full),
and each time whisper reports on the joined signal is mapped back to the session timeline.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from recorder.core.audio.pcm import FloatArray

RATE = 16_000  # whisper's sample rate
#: Silence put between two joined stretches, so whisper hears a pause there.
JOINT_S = 0.2

Region = tuple[int, int]


@dataclass(frozen=True)
class Joined:
    """Stretches of a signal joined into one, with the map back to the original."""

    audio: FloatArray
    #: (start in ``audio``, start in the original, length), in samples.
    pieces: tuple[tuple[int, int, int], ...]

    def original_seconds(self, seconds: float, *, is_end: bool = False) -> float:
        """Map a time in the joined signal to the original timeline."""
        sample = seconds * RATE
        starts = [piece[0] for piece in self.pieces]
        # the last piece starting at or before ``sample`` (strictly before, for an end time)
        found = (bisect.bisect_left if is_end else bisect.bisect_right)(starts, sample)
        joined_start, original_start, length = self.pieces[max(0, found - 1)]
        offset = min(max(sample - joined_start, 0.0), float(length))
        return (original_start + offset) / RATE


def join(audio: FloatArray, regions: Sequence[Region]) -> Joined:
    """Join ``regions`` of ``audio`` with a short silence between them."""
    if not regions:
        return Joined(np.zeros(0, dtype=np.float32), ((0, 0, 0),))
    gap = np.zeros(round(JOINT_S * RATE), dtype=np.float32)
    parts: list[FloatArray] = []
    pieces: list[tuple[int, int, int]] = []
    at = 0
    for start, end in regions:
        if parts:
            parts.append(gap)
            at += len(gap)
        parts.append(audio[start:end])
        pieces.append((at, start, end - start))
        at += end - start
    return Joined(np.concatenate(parts).astype(np.float32, copy=False), tuple(pieces))


def mapped_segment(segment: dict[str, Any], joined: Joined) -> dict[str, Any]:
    """A whisper segment (and its words) with times on the original timeline."""
    words: list[dict[str, Any]] = [
        {
            "start": joined.original_seconds(float(w["start"])),
            "end": joined.original_seconds(float(w["end"]), is_end=True),
            "word": str(w["word"]),
            "probability": float(w["probability"]),
        }
        for w in segment.get("words") or []
    ]
    start = joined.original_seconds(float(segment["start"]))
    end = joined.original_seconds(float(segment["end"]), is_end=True)
    if words:  # a segment spans its words (a joint may sit inside a segment)
        start = min(start, float(words[0]["start"]))
        end = max(end, float(words[-1]["end"]))
    return {
        "start": start,
        "end": max(end, start),
        "text": str(segment["text"]),
        "words": words,
        "avg_logprob": float(segment["avg_logprob"]),
        "no_speech_prob": float(segment["no_speech_prob"]),
        "compression_ratio": float(segment["compression_ratio"]),
    }
