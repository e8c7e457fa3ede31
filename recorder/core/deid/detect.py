"""One pass over a segment's text: patterns, known names and terms, then candidates."""

from __future__ import annotations

from recorder.core.deid.candidates import find_candidates
from recorder.core.deid.hits import Hit, resolve
from recorder.core.deid.known import KnownTerms
from recorder.core.deid.names import compile_known, find_known
from recorder.core.deid.patterns import find_patterns
from recorder.core.deid.review import Source
from recorder.core.deid.text import tokens


def detect_segment(text: str, known: KnownTerms, item_id: str = "") -> list[Hit]:
    """Every hit in ``text``, non-overlapping, in order; ``item_id`` is the protocol item
    the segment belongs to (vignette names are allowed inside their vignette)."""
    if not text.strip():
        return []
    toks = tokens(text)
    found = resolve(find_known(text, toks, known, item_id) + find_patterns(text))
    flagged = [h for h in found if h.source is Source.CANDIDATE]
    sure = [h for h in found if h.source is not Source.CANDIDATE]
    taken = [(h.start, h.end) for h in found]
    candidates = find_candidates(text, toks, taken, compile_known(known))
    return sorted([*sure, *flagged, *candidates], key=lambda h: h.start)
