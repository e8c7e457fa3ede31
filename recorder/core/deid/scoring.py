"""Scoring de-identification against annotated transcripts.

A gold identifier counts as redacted when every distinctive word in it lies inside an
applied redaction (generic words such as "Police", "County" or "Street" may survive: "[PLACE-1]
County" identifies nobody). Applied redactions are what ``--accept-all`` applies: code map,
redaction list and patterns; candidates are scored separately as *flagged*.

- recall per category: redacted gold spans / gold spans (leaks are the rest);
- precision: applied redactions that touch a gold identifier / all applied redactions
  (over-redactions are the rest);
- decoys kept: KEEP spans no applied redaction touches;
- flagged: identifiers unknown to the code map that a candidate proposal touches.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from recorder.core.deid.evalset import KEEP, EvalCase, GoldSpan
from recorder.core.deid.proposals import accept_all, propose
from recorder.core.deid.review import Proposal
from recorder.core.deid.text import tokens

#: Words of a gold span that may survive without identifying anyone.
GENERIC = frozenset(
    [
        "the",
        "of",
        "and",
        "a",
        "police",
        "pd",
        "department",
        "dept",
        "sheriff",
        "sheriff's",
        "office",
        "services",
        "service",
        "children's",
        "children",
        "county",
        "city",
        "center",
        "centre",
        "hospital",
        "shelter",
        "school",
        "elementary",
        "mental",
        "health",
        "protective",
        "adult",
        "street",
        "st",
        "avenue",
        "ave",
        "road",
        "rd",
        "lane",
        "drive",
        "boulevard",
        "court",
        "officer",
        "sergeant",
        "detective",
        "lieutenant",
        "corporal",
        "deputy",
        "mr",
        "mrs",
        "ms",
        "miss",
        "dr",
        "lot",
    ]
)
#: Categories whose recall target is 0.98.
PATTERN_TARGETS = ("PHONE", "EMAIL", "DATE", "ADDRESS")


@dataclass
class Tally:
    """Counts for one row of the report."""

    total: int = 0
    hit: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.hit / self.total if self.total else 1.0


@dataclass
class Score:
    """The evaluation result over a set of cases."""

    recall: dict[str, Tally] = field(default_factory=dict)
    flagged: dict[str, Tally] = field(default_factory=dict)
    decoys: Tally = field(default_factory=Tally)
    applied: int = 0
    over: list[str] = field(default_factory=list)
    candidates: int = 0
    candidates_on_gold: int = 0
    far: Tally = field(default_factory=Tally)

    @property
    def precision(self) -> float:
        return (self.applied - len(self.over)) / self.applied if self.applied else 1.0

    @property
    def leaks(self) -> int:
        return sum(t.total - t.hit for t in self.recall.values())

    def group(self, categories: Iterable[str]) -> Tally:
        out = Tally()
        for c in categories:
            t = self.recall.get(c, Tally())
            out.total += t.total
            out.hit += t.hit
            out.misses += t.misses
        return out

    @property
    def codemap_names(self) -> Tally:
        """Participants and other code-map people, every variant within one letter."""
        return self.group(("PARTICIPANT", "PERSON"))


def _covered(case: EvalCase, span: GoldSpan, applied: dict[int, list[tuple[int, int]]]) -> bool:
    text = case.transcript.segments[span.segment].text
    ranges = applied.get(span.segment, [])
    words = [t for t in tokens(text[: span.end]) if t.start >= span.start and t.key not in GENERIC]
    if not words:
        words = [t for t in tokens(text[: span.end]) if t.start >= span.start]
    return all(any(s <= w.start and w.core_end <= e for s, e in ranges) for w in words)


def _touches(span: GoldSpan, proposals: list[Proposal]) -> bool:
    return any(
        p.segment == span.segment and p.start < span.end and span.start < p.end for p in proposals
    )


def score_case(case: EvalCase, score: Score) -> None:
    """Add one case's figures to ``score``."""
    review = accept_all(propose(case.transcript, case.known))
    applied = list(review.accepted())
    flagged = list(review.candidates())
    ranges: dict[int, list[tuple[int, int]]] = {}
    for p in applied:
        ranges.setdefault(p.segment, []).append((p.start, p.end))
    identifiers = [g for g in case.gold if g.category != KEEP]
    for g in case.gold:
        label = f"{case.name}: {g.text!r}"
        if g.category == KEEP:
            score.decoys.total += 1
            if _touches(g, applied):
                score.decoys.misses.append(label)
            else:
                score.decoys.hit += 1
            continue
        caught = _covered(case, g, ranges)
        if g.flag == "far":
            tally = score.far
        elif g.flag == "unknown":
            tally = score.flagged.setdefault(g.category, Tally())
            caught = caught or _touches(g, flagged)
        else:
            tally = score.recall.setdefault(g.category, Tally())
        tally.total += 1
        tally.hit += caught
        if not caught:
            tally.misses.append(label)
    score.applied += len(applied)
    for p in applied:
        if not _touches_any(p, identifiers):
            score.over.append(f"{case.name}: {p.text!r} as {p.category.value}")
    score.candidates += len(flagged)
    score.candidates_on_gold += sum(_touches_any(p, identifiers) for p in flagged)


def _touches_any(p: Proposal, spans: list[GoldSpan]) -> bool:
    return any(g.segment == p.segment and g.start < p.end and p.start < g.end for g in spans)


def score_cases(cases: Iterable[EvalCase]) -> Score:
    score = Score()
    for case in cases:
        score_case(case, score)
    return score


def format_report(score: Score, *, details: bool = True) -> str:
    """A plain-text table of every figure, then the leaks and over-redactions."""
    rows = [("category", "gold", "redacted", "recall", "leaks")]
    for name in sorted(score.recall):
        t = score.recall[name]
        rows.append((name, str(t.total), str(t.hit), f"{t.rate:.3f}", str(t.total - t.hit)))
    names = score.codemap_names
    patt = score.group(PATTERN_TARGETS)
    rows += [
        ("code-map names", str(names.total), str(names.hit), f"{names.rate:.3f}", ""),
        ("phone+email+date+addr", str(patt.total), str(patt.hit), f"{patt.rate:.3f}", ""),
        ("far misspellings", str(score.far.total), str(score.far.hit), f"{score.far.rate:.3f}", ""),
    ]
    for name in sorted(score.flagged):
        t = score.flagged[name]
        rows.append((f"{name} unknown: flagged", str(t.total), str(t.hit), f"{t.rate:.3f}", ""))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    lines += [
        "",
        f"applied redactions: {score.applied}, over-redactions: {len(score.over)}, "
        f"precision: {score.precision:.3f}",
        f"leaks of known identifiers: {score.leaks}",
        f"decoys kept: {score.decoys.hit}/{score.decoys.total} ({score.decoys.rate:.3f})",
        f"candidates flagged: {score.candidates}, of which on an identifier: "
        f"{score.candidates_on_gold}",
    ]
    if details:
        for title, items in (
            ("leaks", [m for t in score.recall.values() for m in t.misses]),
            ("far misspellings missed", score.far.misses),
            (
                "unknown identifiers not flagged",
                [m for t in score.flagged.values() for m in t.misses],
            ),
            ("over-redactions", score.over),
            ("decoys redacted", score.decoys.misses),
        ):
            if items:
                lines += ["", f"{title}:"] + [f"  {m}" for m in items]
    return "\n".join(lines)
