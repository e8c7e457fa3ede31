"""Review flags: where a person should check the transcript against the audio.

- ``low-confidence``: a word whisper was unsure of (probability below ``LOW_WORD_PROB``).
- ``repetition``: a likely repetition loop (gzip compression ratio above whisper's own 2.4).
- ``no-speech``: text over audio the voice-activity detector found silent, or that whisper
  itself thought was not speech: a likely hallucination.
"""

from __future__ import annotations

from dataclasses import replace

from recorder.core.transcribe.transcript import Segment

LOW_WORD_PROB = 0.5
REPETITION_RATIO = 2.4  # whisper's compression_ratio_threshold
NO_SPEECH_PROB = 0.6
LOW_LOGPROB = -1.0  # whisper's logprob_threshold


def flag_segment(segment: Segment, speech_overlap: float = 1.0) -> Segment:
    """``segment`` with its flags; ``speech_overlap`` is the fraction of it the VAD heard."""
    flags: list[str] = []
    if any(w.probability < LOW_WORD_PROB for w in segment.words):
        flags.append("low-confidence")
    if segment.compression_ratio > REPETITION_RATIO:
        flags.append("repetition")
    unsure = segment.no_speech_prob > NO_SPEECH_PROB and segment.avg_logprob < LOW_LOGPROB
    if unsure or speech_overlap < 0.1:
        flags.append("no-speech")
    return replace(segment, flags=tuple(flags))


def low_confidence_words(segment: Segment) -> list[int]:
    """Indices of the words to check in ``segment``."""
    return [i for i, w in enumerate(segment.words) if w.probability < LOW_WORD_PROB]
