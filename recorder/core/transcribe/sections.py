"""Tie transcript segments to the protocol prompt that was on screen (from the PROMPT markers)."""

from __future__ import annotations

import bisect

from recorder.core.protocol import ItemType, Prompt, Protocol
from recorder.core.session import MarkerKind, SessionRecord
from recorder.core.transcribe.transcript import Section


def prompt_title(prompt: Prompt, prompts: tuple[Prompt, ...], protocol: Protocol) -> str:
    """ "Vignette 3 — Domestic violence" for vignettes; "Section: first words…" otherwise."""
    item = prompt.item
    if item.type is ItemType.VIGNETTE:
        vignettes: list[str] = []
        for p in prompts:
            if p.item.type is ItemType.VIGNETTE and p.item_id not in vignettes:
                vignettes.append(p.item_id)
        number = vignettes.index(prompt.item_id) + 1
        title = f"Vignette {number} — {item.title}"
        return f"{title} (update)" if prompt.is_escalation else title
    words = item.text.split()
    short = " ".join(words[:8]) + ("…" if len(words) > 8 else "")
    return f"{protocol.section(prompt.section_id).title}: {short}"


def sections_of(record: SessionRecord, protocol: Protocol) -> tuple[Section, ...]:
    """One section per prompt shown, in timeline order (a prompt shown twice appears twice)."""
    prompts = protocol.prompts(record.kind)
    sections: list[Section] = []
    for marker in record.markers:
        if marker.kind is not MarkerKind.PROMPT or marker.prompt_index is None:
            continue
        if not 0 <= marker.prompt_index < len(prompts):
            continue
        prompt = prompts[marker.prompt_index]
        title = prompt_title(prompt, prompts, protocol)
        sections.append(Section(prompt.index, prompt.item_id, title, marker.sample))
    sections.sort(key=lambda s: s.start_sample)
    return tuple(sections)


def prompt_at(sections: tuple[Section, ...], sample: int) -> int | None:
    """The prompt index on screen at ``sample`` (None before the first prompt)."""
    starts = [s.start_sample for s in sections]
    position = bisect.bisect_right(starts, sample) - 1
    return sections[position].prompt_index if position >= 0 else None
