"""Applying a review: the de-identified transcript and the log of what replaced what.

Only ``ACCEPTED`` proposals are applied. Numbered placeholders are renumbered in order of
first appearance among the accepted ones, so the output reads [PERSON-1], [PERSON-2] with no
gaps, and one person keeps one number throughout. Word-level texts are rewritten too: the
words a redaction touches are merged into one word that carries the placeholder and spans
their time, so no word text keeps a redacted span.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from recorder.core.deid.placeholders import numbered, parse_numbered
from recorder.core.deid.review import (
    Category,
    Decision,
    Proposal,
    Review,
    StaleReview,
)
from recorder.core.deid.text import fold
from recorder.core.transcribe.transcript import Segment, Transcript, Word

log = logging.getLogger(__name__)

LOG_FORMAT = "interview-recorder-redaction-log"
LOG_VERSION = 1


@dataclass(frozen=True)
class LogEntry:
    """One replacement: where (segment, offsets in the source text), what, by what."""

    proposal_id: str
    segment: int
    start: int
    end: int
    original: str
    replacement: str
    category: Category
    source: str

    def to_json(self) -> dict[str, Any]:
        return {
            "proposal_id": self.proposal_id,
            "segment": self.segment,
            "start": self.start,
            "end": self.end,
            "original": self.original,
            "replacement": self.replacement,
            "category": self.category.value,
            "source": self.source,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LogEntry:
        return cls(
            proposal_id=str(data["proposal_id"]),
            segment=int(data["segment"]),
            start=int(data["start"]),
            end=int(data["end"]),
            original=str(data["original"]),
            replacement=str(data["replacement"]),
            category=Category(data["category"]),
            source=str(data["source"]),
        )


@dataclass(frozen=True)
class RedactionLog:
    """What was replaced by what. Identifying: stored only in the code-map vault."""

    session_id: str
    entries: tuple[LogEntry, ...]
    created_at: str = ""
    #: Segments whose word timings could not be matched to the text; their words were
    #: rebuilt from the de-identified text without per-word timings.
    words_rebuilt: tuple[int, ...] = ()

    def counts(self) -> dict[Category, int]:
        out: dict[Category, int] = {}
        for e in self.entries:
            out[e.category] = out.get(e.category, 0) + 1
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "format": LOG_FORMAT,
            "version": LOG_VERSION,
            "session_id": self.session_id,
            "created_at": self.created_at,
            "entries": [e.to_json() for e in self.entries],
            "words_rebuilt": list(self.words_rebuilt),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RedactionLog:
        return cls(
            session_id=str(data["session_id"]),
            entries=tuple(LogEntry.from_json(e) for e in data.get("entries", [])),
            created_at=str(data.get("created_at", "")),
            words_rebuilt=tuple(int(i) for i in data.get("words_rebuilt", [])),
        )


def apply(transcript: Transcript, review: Review) -> tuple[Transcript, RedactionLog]:
    """The de-identified transcript and its redaction log (accepted proposals only)."""
    from recorder.core.deid.proposals import text_fingerprint  # one-way at run time

    if review.session_id != transcript.session_id or (
        review.fingerprint and review.fingerprint != text_fingerprint(transcript)
    ):
        raise StaleReview(f"The review of {review.session_id} was made for other text.")
    accepted = _accepted(transcript, review)
    renumber = _renumbering(accepted)
    by_segment: dict[int, list[Proposal]] = {}
    for p in accepted:
        by_segment.setdefault(p.segment, []).append(p)
    entries: list[LogEntry] = []
    segments = list(transcript.segments)
    rebuilt: list[int] = []
    for index, proposals in sorted(by_segment.items()):
        spans = [(p.start, p.end, renumber.get(p.replacement, p.replacement)) for p in proposals]
        segment = segments[index]
        words, ok = _redact_words(segment, spans)
        if not ok:
            rebuilt.append(index)
        segments[index] = replace(segment, text=_redact_text(segment.text, spans), words=words)
        entries += [
            LogEntry(
                p.id,
                p.segment,
                p.start,
                p.end,
                p.text,
                renumber.get(p.replacement, p.replacement),
                p.category,
                p.source,
            )
            for p in proposals
        ]
    originals = {e.original for e in entries}
    out = replace(
        transcript,
        segments=tuple(segments),
        speakers={k: _scrub(v, originals, entries) for k, v in transcript.speakers.items()},
        sections=tuple(
            replace(s, title=_scrub(s.title, originals, entries)) for s in transcript.sections
        ),
        provenance=replace(
            transcript.provenance,
            options=_scrub_any(transcript.provenance.options, originals, entries),
        ),
    )
    log.info("applied %d redactions", len(entries))
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    return out, RedactionLog(transcript.session_id, tuple(entries), stamp, tuple(rebuilt))


def _accepted(transcript: Transcript, review: Review) -> list[Proposal]:
    """Accepted proposals, checked against the text, overlaps merged into the first."""
    out: list[Proposal] = []
    for p in sorted(review.accepted(), key=lambda p: (p.segment, p.start, -p.end)):
        if not 0 <= p.segment < len(transcript.segments):
            raise StaleReview(f"Proposal {p.id} points past the transcript's end.")
        text = transcript.segments[p.segment].text
        if text[p.start : p.end] != p.text:
            raise StaleReview(f"Proposal {p.id} no longer matches the transcript text.")
        prev = out[-1] if out else None
        if prev is not None and prev.segment == p.segment and p.start < prev.end:
            if p.end > prev.end:
                out[-1] = replace(prev, end=p.end, text=text[prev.start : p.end])
            continue
        out.append(p)
    return out


def _renumbering(accepted: list[Proposal]) -> dict[str, str]:
    """Old numbered placeholder -> new one, numbered by first appearance per label."""
    mapping: dict[str, str] = {}
    count: dict[str, int] = {}
    for p in accepted:
        parsed = parse_numbered(p.replacement)
        if parsed is None or p.replacement in mapping:
            continue
        label = parsed[0]
        count[label] = count.get(label, 0) + 1
        mapping[p.replacement] = numbered(label, count[label])
    return mapping


def _redact_text(text: str, spans: list[tuple[int, int, str]]) -> str:
    parts: list[str] = []
    cursor = 0
    for start, end, replacement in sorted(spans):
        parts += [text[cursor:start], replacement]
        cursor = end
    parts.append(text[cursor:])
    return "".join(parts)


def _align(segment: Segment) -> list[tuple[int, int]] | None:
    """Character range of each word's text within the segment text, or ``None``."""
    ranges = []
    cursor = 0
    for word in segment.words:
        needle = word.text.strip()
        if not needle:
            ranges.append((cursor, cursor))
            continue
        at = segment.text.find(needle, cursor)
        if at < 0 or segment.text[cursor:at].strip():
            return None  # edited text, or words that skip text: no reliable alignment
        ranges.append((at, at + len(needle)))
        cursor = at + len(needle)
    return ranges


def _redact_words(
    segment: Segment, spans: list[tuple[int, int, str]]
) -> tuple[tuple[Word, ...], bool]:
    """Words with every redacted span replaced; ``False`` when the words had to be rebuilt."""
    if not segment.words:
        return (), True
    ranges = _align(segment)
    if ranges is None:
        return _rebuilt_words(segment, spans), False
    words = segment.words
    spans = sorted(spans)

    def touching(k: int) -> set[int]:
        ws, we = ranges[k]
        return {n for n, (s, e, _) in enumerate(spans) if ws < we and s < we and ws < e}

    out: list[Word] = []
    i = 0
    while i < len(words):
        hit = touching(i)
        if not hit:
            out.append(words[i])
            i += 1
            continue
        j = i
        while j + 1 < len(words) and touching(j + 1) & hit:  # a span runs on into it
            j += 1
            hit |= touching(j)
        lo = min(ranges[i][0], *(spans[n][0] for n in hit))
        hi = max(ranges[j][1], *(spans[n][1] for n in hit))
        body = _redact_text(
            segment.text[lo:hi], [(spans[n][0] - lo, spans[n][1] - lo, spans[n][2]) for n in hit]
        )
        lead = words[i].text[: len(words[i].text) - len(words[i].text.lstrip())]
        out.append(
            Word(
                start=words[i].start,
                end=words[j].end,
                text=lead + body,
                probability=min(w.probability for w in words[i : j + 1]),
            )
        )
        i = j + 1
    return tuple(out), True


_PIECE_RE = re.compile(r"\S+")


def _rebuilt_words(segment: Segment, spans: list[tuple[int, int, str]]) -> tuple[Word, ...]:
    """Words for text that no longer matches its timings: one per piece of the redacted
    text, spread evenly over the segment's time (a placeholder stays one word)."""
    text = _redact_text(segment.text, spans)
    pieces = [m.group() for m in _PIECE_RE.finditer(text)]
    merged: list[str] = []
    for piece in pieces:  # "[P-7KQ2M," + "police]" -> one word
        if merged and merged[-1].count("[") > merged[-1].count("]"):
            merged[-1] += " " + piece
        else:
            merged.append(piece)
    if not merged:
        return ()
    step = (segment.end - segment.start) / len(merged)
    return tuple(
        Word(segment.start + k * step, segment.start + (k + 1) * step, " " + piece, 0.0)
        for k, piece in enumerate(merged)
    )


def _scrub(value: str, originals: set[str], entries: list[LogEntry]) -> str:
    """Replace any redacted text that also appears in a label or title."""
    if not entries:
        return value
    for entry in sorted(entries, key=lambda e: -len(e.original)):
        if len(entry.original) < 2:
            continue
        pattern = re.compile(r"(?<!\w)" + re.escape(entry.original) + r"(?!\w)", re.IGNORECASE)
        if fold(entry.original) in fold(value):
            value = pattern.sub(entry.replacement, value)
    return value


def _scrub_any(value: Any, originals: set[str], entries: list[LogEntry]) -> Any:
    if isinstance(value, str):
        return _scrub(value, originals, entries)
    if isinstance(value, dict):
        return {k: _scrub_any(v, originals, entries) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub_any(v, originals, entries) for v in value]
    return value


__all__ = ["Decision", "LogEntry", "RedactionLog", "apply"]
