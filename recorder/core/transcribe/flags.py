"""Review flags: where a person should check the transcript against the audio.

- ``low-confidence``: words whisper was unsure of (``low_confidence_words``): probability
  below ``LOW_WORD_PROB``, or below ``NEIGHBOUR_PROB`` next to such a word (tiny.en's errors
  come in runs: on the 32 dev clips this finds 36% of the wrong words at 28% precision where
  the probability alone found 23% at 24%; in interview mixes 47% at 35%, was 37% at 36%). A
  turn has the flag exactly when one of its words is below ``LOW_WORD_PROB``.
- ``repetition``: a likely repetition loop (gzip compression ratio above whisper's own 2.4).
- ``no-speech``: text over audio the voice-activity detector found silent (or a word whisper
  placed wholly in a pause), or that whisper itself thought was not speech: a likely
  hallucination.
- ``long-word``: a word said to last over ``LONG_WORD_S``: its timing (and often the words
  around it) is wrong.
- ``untranscribed-speech``: speech the detector heard where whisper wrote nothing: a turn of
  its own with the text ``[inaudible]`` and no words (see ``unheard_speech``), so a lost answer
  is found in review instead of silently missing.

The thresholds were set on the real-speech dev clips (``bench/bench_real_speech.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from recorder.core.transcribe.transcript import Segment, Word

LOW_CONFIDENCE = "low-confidence"
REPETITION = "repetition"
NO_SPEECH = "no-speech"
LONG_WORD = "long-word"
UNTRANSCRIBED = "untranscribed-speech"
#: Every flag this module sets, in the order they are listed on a turn.
FLAGS = (LOW_CONFIDENCE, REPETITION, NO_SPEECH, LONG_WORD, UNTRANSCRIBED)

LOW_WORD_PROB = 0.5
#: A word next to one below ``LOW_WORD_PROB`` is checked too when it is below this.
NEIGHBOUR_PROB = 0.8
REPETITION_RATIO = 2.4  # whisper's compression_ratio_threshold
NO_SPEECH_PROB = 0.6
LOW_LOGPROB = -1.0  # whisper's logprob_threshold
#: No word takes this long to say; whisper stretches a word over a pause it misheard.
LONG_WORD_S = 2.0

#: The text of a turn holding speech that nothing was transcribed from.
INAUDIBLE = "[inaudible]"
#: Detected speech with no word for at least this long becomes an ``[inaudible]`` turn.
MIN_UNHEARD_S = 1.0
#: Detected speech regions closer than this count as one stretch of speech.
SPEECH_BRIDGE_S = 0.5
#: A word's time is widened by this much on each side when it claims the speech around it
#: (whisper's word times are that far off at worst, the detector's hangover included).
WORD_REACH_S = 0.5


def is_unsure(word: Word) -> bool:
    """Whether whisper's probability for ``word`` is low (what flags a turn)."""
    return word.probability < LOW_WORD_PROB


def flag_segment(segment: Segment, speech_overlap: float = 1.0) -> Segment:
    """``segment`` with its flags; ``speech_overlap`` is the fraction of it the VAD heard.

    Flags already on the segment (an ``[inaudible]`` turn's ``untranscribed-speech``, or
    ``no-speech`` for a word whisper placed in a pause) are kept after the computed ones.
    """
    flags: list[str] = []
    if any(is_unsure(w) for w in segment.words):
        flags.append(LOW_CONFIDENCE)
    if segment.compression_ratio > REPETITION_RATIO:
        flags.append(REPETITION)
    unsure = segment.no_speech_prob > NO_SPEECH_PROB and segment.avg_logprob < LOW_LOGPROB
    if unsure or speech_overlap < 0.1:
        flags.append(NO_SPEECH)
    if any(w.end - w.start > LONG_WORD_S for w in segment.words):
        flags.append(LONG_WORD)
    kept = tuple(f for f in segment.flags if f not in flags)
    return replace(segment, flags=tuple(flags) + kept)


def low_confidence_words(segment: Segment) -> list[int]:
    """Indices of the words to check in ``segment``: unsure ones, and the not quite sure
    ones next to them."""
    words = segment.words
    unsure = [is_unsure(w) for w in words]
    return [
        i
        for i, w in enumerate(words)
        if unsure[i] or (w.probability < NEIGHBOUR_PROB and any(unsure[max(0, i - 1) : i + 2]))
    ]


def unheard_speech(
    speech_s: Sequence[tuple[float, float]],
    segments: Sequence[Segment],
    *,
    min_s: float = MIN_UNHEARD_S,
) -> list[tuple[float, float]]:
    """Stretches (seconds) of detected speech ``speech_s`` that no word accounts for, each at
    least ``min_s`` long: where whisper wrote nothing although someone spoke."""
    runs: list[list[float]] = []
    for start, end in sorted(speech_s):
        if runs and start - runs[-1][1] < SPEECH_BRIDGE_S:
            runs[-1][1] = max(runs[-1][1], end)
        elif end > start:
            runs.append([start, end])
    heard = sorted(
        (w.start - WORD_REACH_S, w.end + WORD_REACH_S)
        for s in segments
        for w in (s.words or (Word(s.start, s.end, s.text, 1.0),))
    )
    out: list[tuple[float, float]] = []
    for start, end in runs:
        at = start
        for first, last in heard:
            if last <= at or first >= end:
                continue
            if first - at >= min_s:
                out.append((at, first))
            at = max(at, last)
        if end - at >= min_s:
            out.append((at, end))
    return out


def placeholder(start: float, end: float, sample_rate: int) -> Segment:
    """An ``[inaudible]`` turn over unheard speech, flagged ``untranscribed-speech``."""
    start, end = round(start, 3), round(end, 3)
    return Segment(
        start=start,
        end=end,
        start_sample=round(start * sample_rate),
        end_sample=round(end * sample_rate),
        text=INAUDIBLE,
        flags=(UNTRANSCRIBED,),
    )
