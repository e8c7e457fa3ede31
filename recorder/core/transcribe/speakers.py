"""Who spoke: per-channel energy for multi-channel recordings, labels by role and study ID.

With a channel map (one microphone per speaker), each word goes to the speaker whose channel
carries the most energy while it is spoken, and a segment spoken by two people is split into
runs. Single-channel recordings start unassigned; the review editor assigns them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import numpy as np

from recorder.core.audio.pcm import FloatArray
from recorder.core.protocol import Protocol
from recorder.core.session import INTERVIEWER, SessionRecord
from recorder.core.transcribe.transcript import UNASSIGNED, Segment, Word


def speaker_labels(record: SessionRecord, protocol: Protocol) -> dict[str, str]:
    """Speaker key -> label: "Interviewer", "Police officer P-7KX2" (never a name)."""
    labels = {INTERVIEWER: "Interviewer"}
    for person in record.participants:
        role = protocol.role(person.role).label if person.role else "Participant"
        labels[person.participant_id] = f"{role} {person.participant_id}"
    return labels


def _loudest(audio: FloatArray, start: int, end: int, channel_map: Mapping[int, str]) -> str:
    end = max(end, start + 1)
    span = audio[max(0, start) : min(len(audio), end)]
    if not len(span):
        return UNASSIGNED
    energy = np.einsum("ij,ij->j", span, span)  # per-channel sum of squares, no copy
    channels = [c for c in channel_map if c < audio.shape[1]]
    if not channels:
        return UNASSIGNED
    best = max(channels, key=lambda c: float(energy[c]))
    return channel_map[best]


def attribute_speakers(
    segments: tuple[Segment, ...],
    audio: FloatArray,
    rate: int,
    channel_map: Mapping[int, str],
    session_rate: int,
) -> tuple[Segment, ...]:
    """Assign speakers from ``audio`` (frames, channels) at ``rate``; splits mixed segments.

    ``session_rate`` is the rate the segments' sample indices count in.
    """
    if audio.ndim != 2 or audio.shape[1] < 2 or len(channel_map) < 2:
        return segments
    out: list[Segment] = []
    for segment in segments:
        if not segment.words:
            span = round(segment.start * rate), round(segment.end * rate)
            who = _loudest(audio, *span, channel_map)
            out.append(replace(segment, speaker=who))
            continue
        runs: list[tuple[str, list[Word]]] = []
        for word in segment.words:
            who = _loudest(audio, round(word.start * rate), round(word.end * rate), channel_map)
            if runs and runs[-1][0] == who:
                runs[-1][1].append(word)
            else:
                runs.append((who, [word]))
        if len(runs) == 1:
            out.append(replace(segment, speaker=runs[0][0]))
            continue
        for who, words in runs:
            start, end = words[0].start, words[-1].end
            out.append(
                replace(
                    segment,
                    start=start,
                    end=end,
                    start_sample=round(start * session_rate),
                    end_sample=round(end * session_rate),
                    text="".join(w.text for w in words),
                    words=tuple(words),
                    speaker=who,
                )
            )
    return tuple(out)
