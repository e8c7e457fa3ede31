"""The real model on real speech, as the app runs it, and what it heard when: for the timing,
lost-answer and review-flag tests (tests/core/test_real_speech_timing.py) and
bench/bench_real_speech.py.

Two paths, both fitted to the detector's speech as ``build_transcript`` fits them:

- after the session: ``Engine.transcribe`` on the whole audio (what the worker runs);
- live: the audio cut as live transcription cuts it (``live_cuts``: the worker's ``_stretch``
  cuts in the middle of the last pause), each stretch transcribed, ``live.combine`` joining them.

"Plain whisper" is the yardstick: faster-whisper on the whole audio with no detector.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

import numpy as np

from recorder.core.transcribe import live, models, vad
from recorder.core.transcribe.engine import FASTER, RATE, Engine, EngineSpec, Options
from recorder.core.transcribe.joined import fit_to_speech
from tests.real_speech import (
    Mix,
    Turn,
    clip_names,
    interview_mix,
    load_clip,
    normalise,
    speech_onset,
)

Raw = dict[str, Any]
TimedWord = tuple[float, float, str, float]  # start, end, text, probability

#: A turn counts as transcribed when this share of its reference words is heard.
HEARD = 0.5


def builtin_engine() -> Engine | None:
    """The built-in model as the worker loads it (None if its package is missing). Its SHA256
    is checked by the model tests; here the pinned hash is taken as it is."""
    folder = models.builtin_folder()
    if folder is None:
        return None
    source = models.ModelSource(
        models.BUILTIN_BASE, folder, models.BUILTIN_SHA256, True, models.CT2_FORMAT
    )
    return Engine(EngineSpec(FASTER, str(folder), "cpu", "int8", source.alignment_heads))


def fitted(raw: Raw) -> Raw:
    """``raw`` with its times fitted to its speech, as ``build_transcript`` fits them."""
    return {**raw, "segments": fit_to_speech(raw["segments"], raw["speech"])}


def _transcribe(engine: Engine, audio: np.ndarray) -> Raw:
    options = Options(language="en")
    return engine.transcribe(audio, vad.DEFAULT_DETECTOR, options, lambda _f: None)


def after_session(engine: Engine, audio: np.ndarray, *, fit: bool = True) -> Raw:
    raw = _transcribe(engine, audio)
    return fitted(raw) if fit else raw


def live_cuts(audio: np.ndarray, step_s: float = 1.0) -> list[tuple[int, int]]:
    """The stretches live transcription cuts ``audio`` into: audio gathers ``step_s`` at a
    time; from ``live.STRETCH_S`` on, the buffer is cut in the middle of its last pause
    (``vad.cut_point``, as the worker's ``_stretch``), else tried again 2 s later."""
    step = round(step_s * RATE)
    stretches: list[tuple[int, int]] = []
    consumed, end, next_try = 0, 0, live.STRETCH_S
    while end + step < len(audio):
        end += step
        if (end - consumed) / RATE < next_try:
            continue
        cut = vad.cut_point(audio[consumed:end], RATE, min_pause_s=0.6)
        if cut is None or cut < RATE:  # the worker's min_s
            next_try = (end - consumed) / RATE + 2.0
            continue
        stretches.append((consumed, consumed + cut))
        consumed += cut
        next_try = live.STRETCH_S
    return [*stretches, (consumed, len(audio))]


def live_path(engine: Engine, audio: np.ndarray, *, fit: bool = True) -> Raw:
    results = [
        (start / RATE, _transcribe(engine, audio[start:end])) for start, end in live_cuts(audio)
    ]
    raw = live.combine(results)
    return fitted(raw) if fit else raw


def plain_whisper(engine: Engine, audio: np.ndarray) -> Raw:
    """faster-whisper on the whole audio, no detector, beam 5 (whisper's command line)."""
    model: Any = engine.backend.model  # type: ignore[attr-defined]
    pieces, _info = model.transcribe(audio, language="en", beam_size=5, word_timestamps=True)
    return {
        "segments": [
            {
                "start": p.start,
                "end": p.end,
                "text": p.text,
                "words": [
                    {"start": w.start, "end": w.end, "word": w.word, "probability": w.probability}
                    for w in p.words or []
                ],
            }
            for p in pieces
        ]
    }


PATHS: dict[str, Callable[[Engine, np.ndarray], Raw]] = {
    "after": after_session,
    "live": live_path,
}


# -- what was heard, per turn ----------------------------------------------------------------


def words_of(raw: Raw) -> list[TimedWord]:
    return sorted(
        (float(w["start"]), float(w["end"]), str(w["word"]), float(w.get("probability", 1.0)))
        for s in raw["segments"]
        for w in s.get("words", [])
    )


def words_by_turn(raw: Raw, turns: Sequence[Turn]) -> list[list[TimedWord]]:
    """Each word goes to the turn nearest its middle."""
    out: list[list[TimedWord]] = [[] for _ in turns]
    for word in words_of(raw):
        middle = (word[0] + word[1]) / 2
        distance = [max(t.start_s - middle, middle - t.end_s, 0.0) for t in turns]
        out[distance.index(min(distance))].append(word)
    return out


def heard_share(turn: Turn, words: Sequence[TimedWord]) -> float:
    """The share of the turn's reference words among the words heard in it."""
    left = normalise(" ".join(w[2] for w in words))
    said = normalise(turn.text)
    hits = 0
    for word in said:
        if word in left:
            left.remove(word)
            hits += 1
    return hits / max(1, len(said))


def heard_shares(raw: Raw, turns: Sequence[Turn]) -> list[float]:
    return [heard_share(t, w) for t, w in zip(turns, words_by_turn(raw, turns), strict=True)]


def onset_errors(raw: Raw, turns: Sequence[Turn]) -> list[float | None]:
    """For each turn, its first word's start minus its known speech onset (None: not heard)."""
    return [
        words[0][0] - turn.start_s if words and heard_share(turn, words) >= HEARD else None
        for turn, words in zip(turns, words_by_turn(raw, turns), strict=True)
    ]


def starts_in_long_pauses(raw: Raw, long_pause_s: float = 1.0) -> list[tuple[float, str]]:
    """Segment and word starts inside a pause longer than ``long_pause_s`` between (or before)
    the detector's speech regions."""
    edges = [0, *(int(x) for region in raw["speech"] for x in region), 10**12]
    pauses = [
        (a / RATE, b / RATE)
        for a, b in zip(edges[0::2], edges[1::2], strict=True)
        if b - a > long_pause_s * RATE
    ]
    starts = [(float(s["start"]), str(s["text"])) for s in raw["segments"]]
    starts += [(w[0], w[2]) for w in words_of(raw)]
    return [(t, text) for t, text in starts if any(a < t < b for a, b in pauses)]


def timing_report(raw: Raw, mix: Mix) -> str:
    errors = onset_errors(raw, mix.turns)
    return ", ".join(
        f"{t.clip} at {t.start_s:.2f}: " + ("lost" if e is None else f"{e:+.2f}")
        for t, e in zip(mix.turns, errors, strict=True)
    )


# -- the clips and mixes ---------------------------------------------------------------------


@cache
def clean_onset_clips() -> tuple[str, ...]:
    """Clips whose speech onset is known to a few milliseconds: a quiet lead-in, where the
    -35 dB onset (``speech_onset``) and one 15 dB above the clip's own noise floor agree.

    In nine noisier LibriSpeech clips the floor is within 35 dB of the peak, so
    ``speech_onset`` says 0.0 although the first word comes 0.3-0.6 s later, and
    1688-142285-* start with a click: their onsets are no yardstick for ±0.3 s.
    """
    names = []
    for name in clip_names():
        audio = load_clip(name).audio
        floor_onset = onset_above_floor(audio)
        onset = speech_onset(audio)
        if onset >= 0.03 and abs(floor_onset - onset) <= 0.05:
            names.append(name)
    return tuple(names)


def onset_above_floor(audio: np.ndarray) -> float:
    """The first 10-ms frame within 35 dB of the loudest and 15 dB above the noise floor."""
    frame = RATE // 100
    n = len(audio) // frame
    power = np.mean(np.square(audio[: n * frame].reshape(n, frame).astype(np.float64)), axis=1)
    level = 10 * np.log10(power + 1e-12)
    threshold = max(level.max() - 35, float(np.percentile(level, 10)) + 15)
    return float(np.flatnonzero(level >= threshold)[0] * frame / RATE)


def quiet_answer_mix(seed: int, names: Sequence[str] | None = None) -> tuple[Mix, int]:
    """Five clips (from ``names``, else all), one of the middle three 20 dB below the others,
    with pauses of 2.5-8 s, over faint noise: an interview with a soft-spoken participant.
    Returns the mix and the index of the quiet turn."""
    rng = np.random.default_rng(1000 + seed)
    pool = list(names or clip_names())
    pick = [pool[i] for i in rng.choice(len(pool), 5, replace=False)]
    quiet = int(rng.integers(1, 4))
    gains = [-20.0 if i == quiet else 0.0 for i in range(5)]
    pauses = [float(rng.uniform(2.5, 8.0)) for _ in range(4)]
    return interview_mix(pick, pauses, gains_db=gains, seed=seed), quiet


# -- which words are wrong -------------------------------------------------------------------


def wrong_words(words: Sequence[str], reference: str) -> list[bool]:
    """For each hypothesis word, whether it is wrong: aligned to the reference by word edit
    distance (after ``normalise``), any of its tokens substituted or inserted."""
    ref = normalise(reference)
    tokens: list[str] = []
    owner: list[int] = []
    for i, word in enumerate(words):
        for token in normalise(word):
            tokens.append(token)
            owner.append(i)
    n, m = len(ref), len(tokens)
    cost = np.zeros((n + 1, m + 1), dtype=np.int64)
    cost[:, 0] = np.arange(n + 1)
    cost[0, :] = np.arange(m + 1)
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            cost[i, j] = min(
                cost[i - 1, j] + 1,
                cost[i, j - 1] + 1,
                cost[i - 1, j - 1] + (ref[i - 1] != tokens[j - 1]),
            )
    wrong = [False] * len(words)
    i, j = n, m
    while j > 0:
        if i > 0 and cost[i, j] == cost[i - 1, j - 1] + (ref[i - 1] != tokens[j - 1]):
            wrong[owner[j - 1]] |= ref[i - 1] != tokens[j - 1]
            i, j = i - 1, j - 1
        elif cost[i, j] == cost[i, j - 1] + 1:
            wrong[owner[j - 1]] = True  # inserted
            j -= 1
        else:
            i -= 1  # a reference word left out
    return wrong
