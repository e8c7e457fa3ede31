"""Proposing, deciding and adding redactions: the review API the editor builds on.

``propose`` runs every detector over a transcript and returns a ``Review`` whose proposals all
start ``PROPOSED``; ``decide`` and ``add_manual`` return updated reviews; ``apply`` (re-exported
from :mod:`recorder.core.deid.apply`) turns the accepted ones into a de-identified transcript.
Nothing here logs or raises with transcript text.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace

from recorder.core.deid.apply import RedactionLog, apply
from recorder.core.deid.detect import detect_segment
from recorder.core.deid.hits import Hit
from recorder.core.deid.known import KnownTerms
from recorder.core.deid.placeholders import Placeholders, fixed_placeholder
from recorder.core.deid.review import (
    AUTO_SOURCES,
    Category,
    Decision,
    Proposal,
    Review,
    Source,
    StaleReview,
)
from recorder.core.deid.text import normalise
from recorder.core.errors import UsageError
from recorder.core.transcribe.transcript import Transcript, text_fingerprint

__all__ = [
    "AUTO_SOURCES",
    "Category",
    "Decision",
    "KnownTerms",
    "Proposal",
    "RedactionLog",
    "Review",
    "Source",
    "StaleReview",
    "accept_all",
    "add_manual",
    "apply",
    "decide",
    "propose",
    "text_fingerprint",
]

log = logging.getLogger(__name__)


def proposal_id(segment: int, start: int, end: int) -> str:
    return f"s{segment}-{start}-{end}"


def propose(transcript: Transcript, known: KnownTerms) -> Review:
    """Every redaction the detectors suggest, all ``PROPOSED``, in transcript order."""
    numbers = Placeholders()
    proposals: list[Proposal] = []
    for index, segment in enumerate(transcript.segments):
        section = transcript.section_of(segment)
        item_id = section.item_id if section is not None else ""
        for hit in detect_segment(segment.text, known, item_id):
            proposals.append(_proposal(index, segment.text, hit, numbers))
    log.info("proposed %d redactions in %d segments", len(proposals), len(transcript.segments))
    return Review(transcript.session_id, tuple(proposals), text_fingerprint(transcript))


def _proposal(index: int, text: str, hit: Hit, numbers: Placeholders) -> Proposal:
    replacement = hit.replacement or numbers.placeholder(hit.category, hit.key)
    return Proposal(
        id=proposal_id(index, hit.start, hit.end),
        segment=index,
        start=hit.start,
        end=hit.end,
        text=text[hit.start : hit.end],
        category=hit.category,
        replacement=replacement,
        source=hit.source.value,
    )


def decide(
    review: Review,
    proposal_id: str,
    decision: Decision,
    *,
    all_occurrences: bool = False,
    category: Category | None = None,
) -> Review:
    """Set the decision on one proposal, or on every proposal with the same normalised text.

    ``category`` re-files the proposal(s) (a candidate that is a place, say) and gives them
    the placeholder of that category.
    """
    try:
        target = review.proposal(proposal_id)
    except KeyError:
        raise UsageError(f"No proposal {proposal_id} in this review.") from None
    key = normalise(target.text)
    hits = {
        p.id
        for p in review.proposals
        if p.id == target.id or (all_occurrences and normalise(p.text) == key)
    }
    replacement = ""
    if category is not None:
        replacement = _placeholder_for(review, target.text, category)
    out = []
    for p in review.proposals:
        changed = p
        if p.id in hits:
            changed = p.decided(decision)
            if category is not None:
                changed = replace(changed, category=category, replacement=replacement)
        out.append(changed)
    return replace(review, proposals=tuple(out))


def accept_all(review: Review) -> Review:
    """Accept every pending proposal from the code map, the redaction list and the patterns.

    Candidates stay ``PROPOSED``: they are flagged for a person to check, never applied blind.
    """
    out = tuple(
        p.decided(Decision.ACCEPTED)
        if p.decision is Decision.PROPOSED and p.source in AUTO_SOURCES
        else p
        for p in review.proposals
    )
    return replace(review, proposals=out)


def add_manual(
    review: Review,
    transcript: Transcript,
    segment: int,
    start: int,
    end: int,
    category: Category,
    *,
    all_occurrences: bool = False,
    replacement: str | None = None,
) -> Review:
    """Add a reviewer's own selection as an ``ACCEPTED`` manual proposal.

    Surrounding white space is trimmed; proposals that overlap the selection are superseded
    (removed). With ``all_occurrences`` the same text is added wherever else it occurs as a
    whole word. ``replacement`` overrides the placeholder (needed for a ``PARTICIPANT`` the
    review has no placeholder for yet).
    """
    _check_fresh(review, transcript)
    if not 0 <= segment < len(transcript.segments):
        raise UsageError(f"No segment {segment} in this transcript.")
    text = transcript.segments[segment].text
    if not 0 <= start < end <= len(text):
        raise UsageError("The selection lies outside the segment's text.")
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start == end:
        raise UsageError("The selection holds only white space.")
    selected = text[start:end]
    if replacement is None:
        replacement = _placeholder_for(review, selected, category)
    places = [(segment, start, end)]
    if all_occurrences:
        places += [
            spot for spot in _occurrences(transcript, selected) if spot != (segment, start, end)
        ]
    proposals = list(review.proposals)
    for seg, s, e in places:
        if seg != segment or s != start:
            clash = [p for p in proposals if p.segment == seg and p.start < e and s < p.end]
            if any(p.decision is Decision.ACCEPTED for p in clash):
                continue  # already redacted there; leave the reviewer's earlier choice alone
        proposals = [p for p in proposals if not (p.segment == seg and p.start < e and s < p.end)]
        proposals.append(
            Proposal(
                id=proposal_id(seg, s, e),
                segment=seg,
                start=s,
                end=e,
                text=transcript.segments[seg].text[s:e],
                category=category,
                replacement=replacement,
                source=Source.MANUAL.value,
                decision=Decision.ACCEPTED,
            )
        )
    return review.with_proposals(tuple(proposals))


def _occurrences(transcript: Transcript, selected: str) -> list[tuple[int, int, int]]:
    pattern = re.compile(
        r"(?<![\w])" + r"\s+".join(re.escape(w) for w in selected.split()) + r"(?![\w])",
        re.IGNORECASE,
    )
    return [
        (i, m.start(), m.end())
        for i, seg in enumerate(transcript.segments)
        for m in pattern.finditer(seg.text)
    ]


def _placeholder_for(review: Review, text: str, category: Category) -> str:
    """Reuse the placeholder of the same text in this category, else the next free one."""
    key = normalise(text)
    for p in review.proposals:
        if p.category is category and normalise(p.text) == key:
            return p.replacement
    fixed = fixed_placeholder(category)
    if fixed:
        return fixed
    if category is Category.PARTICIPANT:
        found = {p.replacement for p in review.proposals if p.category is Category.PARTICIPANT}
        if len(found) == 1:
            return found.pop()
        raise UsageError(
            "Which participant is this?",
            hint="Pass the participant's placeholder, such as [P-7KQ2M, police].",
        )
    numbers = Placeholders()
    numbers.reserve(p.replacement for p in review.proposals)
    return numbers.fresh(category)


def _check_fresh(review: Review, transcript: Transcript) -> None:
    if review.fingerprint and review.fingerprint != text_fingerprint(transcript):
        raise StaleReview(f"The review of {review.session_id} was made for other text.")
