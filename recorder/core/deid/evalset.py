"""The annotated evaluation set format: transcripts with ``{{CATEGORY:text}}`` markup.

See ``tests/data/deid/README.md`` for the format. Everything in such a set is fictional.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from recorder.core.deid.known import KnownTerms, known_from_codemap
from recorder.core.model import CodeMapEntry
from recorder.core.protocol import Protocol
from recorder.core.transcribe.transcript import Provenance, Section, Segment, Transcript, Word

MARK_RE = re.compile(r"\{\{([A-Z]+)(?:/(unknown|far))?:(.*?)\}\}")
KEEP = "KEEP"


@dataclass(frozen=True)
class GoldSpan:
    """An annotated span: an identifier (``category``) or a decoy that must stay (KEEP)."""

    segment: int
    start: int
    end: int
    category: str
    #: "" (known to the code map, the redaction list or a pattern), "unknown" or "far".
    flag: str
    text: str


@dataclass(frozen=True)
class EvalCase:
    name: str
    transcript: Transcript
    known: KnownTerms
    gold: tuple[GoldSpan, ...]


def load_codemap(folder: Path) -> tuple[list[CodeMapEntry], list[str], dict[str, str]]:
    data = json.loads((folder / "codemap.json").read_text(encoding="utf-8"))
    entries = [CodeMapEntry.from_json(e) for e in data["entries"]]
    roles = {e["participant_id"]: e["role"] for e in data["entries"]}
    return entries, list(data["redaction_terms"]), roles


def parse_case(
    name: str,
    text: str,
    entries: list[CodeMapEntry],
    terms: list[str],
    protocol: Protocol | None,
) -> EvalCase:
    """One annotated file -> transcript (markup removed), known terms, gold spans."""
    participants: list[tuple[str, str]] = []
    interviewer = ""
    segments: list[Segment] = []
    sections: list[Section] = []
    gold: list[GoldSpan] = []
    clock = 0.0
    for line in text.splitlines():
        if line.startswith("# participants:"):
            for item in line.split(":", 1)[1].split(","):
                pid, role = item.split()
                participants.append((pid, role))
        elif line.startswith("# interviewer:"):
            interviewer = line.split(":", 1)[1].strip()
        elif line.startswith("## "):
            item = line[3:].strip()
            sample = round(clock * 16000)
            sections.append(Section(len(sections), item, item, sample))
        elif ":" in line and not line.startswith("#"):
            speaker, raw = line.split(":", 1)
            plain, spans = _strip_markup(" " + raw.strip())
            index = len(segments)
            gold += [GoldSpan(index, s, e, c, f, plain[s:e]) for s, e, c, f in spans]
            words = []
            for m in re.finditer(r"\S+", plain):
                words.append(Word(clock, clock + 0.3, " " + m.group(), 0.9))
                clock += 0.35
            start = words[0].start if words else clock
            segments.append(
                Segment(
                    start=start,
                    end=clock,
                    start_sample=round(start * 16000),
                    end_sample=round(clock * 16000),
                    text=plain,
                    words=tuple(words),
                    speaker="interviewer" if speaker.strip() == "INT" else speaker.strip(),
                    prompt_index=len(sections) - 1 if sections else None,
                )
            )
    transcript = Transcript(
        session_id="S-EVAL0",
        language="en",
        sample_rate=16000,
        segments=tuple(segments),
        sections=tuple(sections),
        speakers={pid: f"{role} {pid}" for pid, role in participants},
        provenance=Provenance("eval", "", True, "", "cpu"),
    )
    known = known_from_codemap(
        entries, terms, participants, interviewer=interviewer, protocol=protocol
    )
    return EvalCase(name, transcript, known, tuple(gold))


def _strip_markup(text: str) -> tuple[str, list[tuple[int, int, str, str]]]:
    out: list[str] = []
    spans: list[tuple[int, int, str, str]] = []
    cursor = 0
    length = 0
    for m in MARK_RE.finditer(text):
        before = text[cursor : m.start()]
        out.append(before)
        length += len(before)
        inner = m.group(3)
        spans.append((length, length + len(inner), m.group(1), m.group(2) or ""))
        out.append(inner)
        length += len(inner)
        cursor = m.end()
    out.append(text[cursor:])
    return "".join(out), spans


def load_eval_set(folder: Path, protocol: Protocol | None) -> list[EvalCase]:
    """Every ``*.txt`` case in ``folder``, sorted by name."""
    entries, terms, _ = load_codemap(folder)
    return [
        parse_case(p.stem, p.read_text(encoding="utf-8"), entries, terms, protocol)
        for p in sorted(folder.glob("*.txt"))
    ]
