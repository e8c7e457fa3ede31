"""Stretches of speech joined into one compact signal, and every time mapped back.

Voice-activity detection hands the engine the stretches worth transcribing; they are joined
with silent joints and transcribed in one call (so whisper's 30-s windows stay full), and each
time whisper reports on the joined signal is mapped back to the session timeline.

Two things here were measured on real speech (``bench/bench_real_speech.py``):

- The joint is long enough (``JOINT_S``) for whisper to hear a turn change. With 0.2 s a quiet
  answer right after a loud question was often heard as part of it and dropped.
- Each stretch is brought to one speech level (``level_gain``) before joining: whisper drops a
  soft voice that follows a loud one in the same window (a participant 20 dB quieter than the
  interviewer lost whole answers), and levelling costs the loud voices nothing.

Whisper's times are then fitted to the detector's speech (``fit_to_speech``): no word or
segment starts inside a pause longer than ``LONG_PAUSE_S``, and a word that lies wholly in such
a pause (whisper "hearing" a word in silence) is dropped.
"""

from __future__ import annotations

import bisect
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from recorder.core.audio.pcm import FloatArray

log = logging.getLogger(__name__)

RATE = 16_000  # whisper's sample rate
#: Silence put between two joined stretches, so whisper hears a pause (and a turn change) there.
JOINT_S = 1.0

#: Every stretch's speech is brought to this level (dBFS of ``LEVEL_PERCENTILE`` of its 20-ms
#: frame levels: its louder syllables) before it is joined to the others.
TARGET_LEVEL_DBFS = -20.0
LEVEL_FRAME_S = 0.02
LEVEL_PERCENTILE = 90.0
#: Gains are kept within these bounds: a stretch of mostly noise is not raised without limit.
MAX_GAIN_DB = 30.0
MIN_GAIN_DB = -20.0

#: A pause in the detector's speech longer than this holds no word start (the rule is 1 s; at
#: 0.6 s a first word whisper put in the 0.4-s pad before the speech is caught too).
LONG_PAUSE_S = 0.6
#: The first word after such a pause starting up to this much after the speech is moved to it.
SNAP_S = 1.0
#: Detected speech shorter than this (hangover included: under ~0.15 s heard) is a blip, a
#: breath or a click, not the speech a word is fitted to.
BLIP_S = 0.35

Region = tuple[int, int]


@dataclass(frozen=True)
class Joined:
    """Stretches of a signal joined into one, with the map back to the original."""

    audio: FloatArray
    #: (start in ``audio``, start in the original, length), in samples.
    pieces: tuple[tuple[int, int, int], ...]

    def original_seconds(self, seconds: float, *, is_end: bool = False) -> float:
        """Map a time in the joined signal to the original timeline.

        A time in a joint (between two stretches) is a start of the next stretch, or an end
        of the previous one: never a time in the silence the joint stands for.
        """
        sample = seconds * RATE
        starts = [piece[0] for piece in self.pieces]
        # the last piece starting at or before ``sample`` (strictly before, for an end time)
        found = max(0, (bisect.bisect_left if is_end else bisect.bisect_right)(starts, sample) - 1)
        joined_start, original_start, length = self.pieces[found]
        if not is_end and sample >= joined_start + length and found + 1 < len(self.pieces):
            return self.pieces[found + 1][1] / RATE  # in the joint: the next stretch's start
        offset = min(max(sample - joined_start, 0.0), float(length))
        return (original_start + offset) / RATE

    def original_span(self, start: float, end: float) -> tuple[float, float]:
        """Map a word's start and end; a word wholly inside one joint goes, zero-length, to
        the stretch edge nearer its middle (whisper put it in the silence between them)."""
        joint = self._joint_of(start)
        if joint is not None and joint == self._joint_of(end):
            joined_start, original_start, length = self.pieces[joint]
            gap_start, gap_end = joined_start + length, self.pieces[joint + 1][0]
            if (start + end) / 2 * RATE - gap_start < (gap_end - gap_start) / 2:
                at = (original_start + length) / RATE
            else:
                at = self.pieces[joint + 1][1] / RATE
            return at, at
        first = self.original_seconds(start)
        return first, max(first, self.original_seconds(end, is_end=True))

    def _joint_of(self, seconds: float) -> int | None:
        """The piece whose following joint holds ``seconds`` (None: inside a piece)."""
        sample = seconds * RATE
        found = bisect.bisect_right([piece[0] for piece in self.pieces], sample) - 1
        if found < 0 or found + 1 >= len(self.pieces):
            return None
        joined_start, _original, length = self.pieces[found]
        return found if sample > joined_start + length else None


def level_gain(audio: FloatArray, rate: int = RATE) -> float:
    """The gain (a factor) that brings ``audio``'s speech to ``TARGET_LEVEL_DBFS``."""
    frame = max(1, round(LEVEL_FRAME_S * rate))
    count = len(audio) // frame
    if count == 0:
        return 1.0
    frames = audio[: count * frame].astype(np.float64).reshape(count, frame)
    power = np.mean(np.square(frames), axis=1)
    level = 10 * np.log10(max(float(np.percentile(power, LEVEL_PERCENTILE)), 1e-12))
    gain_db = min(MAX_GAIN_DB, max(MIN_GAIN_DB, TARGET_LEVEL_DBFS - level))
    return float(10 ** (gain_db / 20))


def join(audio: FloatArray, regions: Sequence[Region]) -> Joined:
    """Join ``regions`` of ``audio``, each levelled (``level_gain``), with silent joints."""
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
        stretch = audio[start:end]
        parts.append(np.clip(stretch * level_gain(stretch), -1.0, 1.0).astype(np.float32))
        pieces.append((at, start, end - start))
        at += end - start
    return Joined(np.concatenate(parts).astype(np.float32, copy=False), tuple(pieces))


def mapped_segment(segment: dict[str, Any], joined: Joined) -> dict[str, Any]:
    """A whisper segment (and its words) with times on the original timeline."""
    words: list[dict[str, Any]] = []
    for w in segment.get("words") or []:
        start, end = joined.original_span(float(w["start"]), float(w["end"]))
        words.append(
            {
                "start": start,
                "end": end,
                "word": str(w["word"]),
                "probability": float(w["probability"]),
            }
        )
    start = joined.original_seconds(float(segment["start"]))
    end = joined.original_seconds(float(segment["end"]), is_end=True)
    if words:  # a segment spans its words (a joint may sit inside a segment)
        start, end = float(words[0]["start"]), max(float(w["end"]) for w in words)
    return {
        "start": start,
        "end": max(end, start),
        "text": str(segment["text"]),
        "words": words,
        "avg_logprob": float(segment["avg_logprob"]),
        "no_speech_prob": float(segment["no_speech_prob"]),
        "compression_ratio": float(segment["compression_ratio"]),
    }


def long_pauses(
    speech: Sequence[Sequence[int]], *, min_pause_s: float = LONG_PAUSE_S
) -> list[tuple[float, float]]:
    """The pauses (seconds) longer than ``min_pause_s`` before, between and after ``speech``
    regions (sample ranges at ``RATE``): the one before the first speech (as long as the time
    since 0) starts at -inf, the one after the last ends at +inf."""
    edges: list[float] = [-np.inf]
    for first, last in sorted((int(a), int(b)) for a, b in speech):
        if first / RATE > edges[-1]:
            edges += [first / RATE, last / RATE]
        else:  # overlapping or touching regions: one region
            edges[-1] = max(edges[-1], last / RATE)
    edges.append(np.inf)
    pauses = zip(edges[0::2], edges[1::2], strict=True)
    return [(a, b) for a, b in pauses if b - max(a, 0.0) > min_pause_s]


def fit_to_speech(
    segments: Sequence[dict[str, Any]],
    speech: Sequence[Sequence[int]],
    *,
    min_pause_s: float = LONG_PAUSE_S,
    snap_s: float = SNAP_S,
) -> list[dict[str, Any]]:
    """Whisper segments (times in seconds) fitted to the detector's ``speech`` (samples).

    In a pause longer than ``min_pause_s`` nothing starts: a word that starts inside one and
    runs into the speech after it starts where that speech does; one that runs from speech into
    one ends where the speech did; and one wholly inside one (whisper's word times can be
    ~0.7 s late) is put, zero-length, at the pause's nearer edge, its segment marked with
    ``"words_in_silence"`` (a count) for review. The first word after such a pause is moved to
    the start of the speech region it starts in, if that is at most ``snap_s`` earlier:
    whisper's first word after a silence is often ~0.5 s late, the detector's onset is not.
    A segment spans its words; one without word times only has its start moved out of a
    pause. Blips (regions shorter than ``BLIP_S``) do not count as speech here. ``speech``
    empty (no detector ran): the segments are returned as they are.
    """
    if not speech:
        return [dict(s) for s in segments]
    # a blip (a breath, a click) before an answer is no onset for its first word
    speech = [r for r in speech if int(r[1]) - int(r[0]) >= BLIP_S * RATE] or speech
    pauses = long_pauses(speech, min_pause_s=min_pause_s)
    pause_starts = [a for a, _b in pauses]

    def pause_at(t: float) -> tuple[float, float] | None:
        i = bisect.bisect_right(pause_starts, t) - 1
        if i >= 0 and pauses[i][0] < t < pauses[i][1]:
            return pauses[i]
        return None

    out: list[dict[str, Any]] = []
    for segment in segments:
        if not segment.get("words"):
            start, end = float(segment["start"]), float(segment["end"])
            pause = pause_at(start)
            if pause is not None and end > pause[1]:
                start = pause[1]
            out.append({**segment, "start": start, "end": max(start, end)})
            continue
        words: list[dict[str, Any]] = []
        silent = 0
        spans = [(float(w["start"]), float(w["end"])) for w in segment["words"]]
        for i, word in enumerate(segment["words"]):
            start, end = spans[i]
            before, after = pause_at(start), pause_at(end)
            if before is not None and before == after:  # wholly in the pause
                silent += 1
                start = end = _edge(before, spans, i)
            else:
                start = before[1] if before is not None else start
                end = after[0] if after is not None else end
            words.append({**word, "start": start, "end": max(start, end)})
        fitted = {**segment, "words": words}
        if silent:
            fitted["words_in_silence"] = silent
        out.append(fitted)
    _snap_onsets([w for s in out for w in s.get("words", [])], pauses, speech, snap_s)
    for segment in out:
        if segment.get("words"):
            segment["start"] = float(segment["words"][0]["start"])
            segment["end"] = max(float(w["end"]) for w in segment["words"])
    return out


def _edge(pause: tuple[float, float], spans: Sequence[tuple[float, float]], i: int) -> float:
    """Where word ``i`` of a segment, whisper-timed wholly inside ``pause``, goes: next to the
    segment's words on either side of the pause (after it first), else to the nearer edge."""
    a, b = pause
    if any(start >= b for start, _end in spans[i + 1 :]):
        return b
    if any(end <= a for _start, end in spans[:i]):
        return a
    middle = sum(spans[i]) / 2
    return a if middle - a < b - middle else b


def _snap_onsets(
    words: list[dict[str, Any]],
    pauses: Sequence[tuple[float, float]],
    speech: Sequence[Sequence[int]],
    snap_s: float,
) -> None:
    """Move the first word after each pause to the start of the speech region it starts in,
    if that is at most ``snap_s`` earlier (and no word is already there)."""
    if snap_s <= 0 or not words:
        return
    ordered = sorted(words, key=lambda w: (float(w["start"]), float(w["end"])))
    starts = [float(w["start"]) for w in ordered]
    regions = sorted((int(a) / RATE, int(b) / RATE) for a, b in speech)
    region_starts = [a for a, _b in regions]
    for _a, onset in pauses:
        i = bisect.bisect_left(starts, onset)
        if i == len(ordered) or (i > 0 and float(ordered[i - 1]["end"]) > onset):
            continue
        word = ordered[i]
        start = float(word["start"])
        k = bisect.bisect_right(region_starts, start) - 1
        if k < 0 or not regions[k][0] < start < regions[k][1] or regions[k][0] < onset:
            continue  # not inside speech (or inside speech begun before the pause ended)
        if start - regions[k][0] <= snap_s:
            word["start"] = regions[k][0]
