"""The interview protocol model: roles, consent form, sections, items and running orders.

Everything here is immutable. Instances are built only by :mod:`recorder.core.protocol`,
which parses and validates protocol files; import the names from there.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from recorder.core.errors import NotFound, UsageError

#: The value of the ``format`` key every protocol file starts with.
PROTOCOL_FORMAT = "interview-recorder-protocol"

#: The protocol format versions this code reads.
SUPPORTED_VERSIONS: tuple[int, ...] = (1,)

#: The allowed values of a vignette's ``area``.
VIGNETTE_AREAS: tuple[str, ...] = (
    "mental-health",
    "substance-abuse",
    "domestic-violence",
    "child-welfare",
    "juvenile-offenders",
    "other",
)


class SessionKind(StrEnum):
    """Who takes part in a session: one participant, or a pair interviewed together."""

    INDIVIDUAL = "individual"
    PAIRED = "paired"


class ItemType(StrEnum):
    """What an item is, which decides how it is shown and which keys it may have."""

    QUESTION = "question"
    VIGNETTE = "vignette"
    INSTRUCTION = "instruction"


@dataclass(frozen=True)
class Role:
    """A participant role, e.g. ``police`` / "Police officer"."""

    key: str
    label: str


@dataclass(frozen=True)
class ConsentItem:
    """One statement a participant agrees to, e.g. ``participate``."""

    key: str
    text: str


@dataclass(frozen=True)
class ConsentForm:
    """The consent form: its version, the statement read aloud, and the items agreed to."""

    form_version: str
    statement: str
    items: tuple[ConsentItem, ...]


@dataclass(frozen=True)
class Item:
    """One question, vignette or instruction.

    ``title``, ``area`` and ``escalation`` are empty strings unless the item is a vignette
    (``escalation`` may be empty for a vignette too). ``notes`` is for the interviewer only.
    """

    id: str
    type: ItemType
    text: str
    title: str = ""
    area: str = ""
    escalation: str = ""
    probes: tuple[str, ...] = ()
    notes: str = ""
    section_id: str = ""

    @property
    def has_escalation(self) -> bool:
        """True for a vignette with a second part."""
        return self.type is ItemType.VIGNETTE and bool(self.escalation)

    @property
    def parts(self) -> int:
        """How many prompts (steps) the item becomes: 2 for a vignette with escalation."""
        return 2 if self.has_escalation else 1


@dataclass(frozen=True)
class Section:
    """A titled group of items, in file order."""

    id: str
    title: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Prompt:
    """One step of a session: an item, or one part of a vignette.

    ``index`` is the 0-based position in the session's prompt sequence; ``part`` is 1, or 2
    for a vignette's escalation.
    """

    index: int
    item_id: str
    part: int
    section_id: str
    item: Item

    @property
    def is_escalation(self) -> bool:
        """True for the second part of a vignette."""
        return self.part == 2

    @property
    def text(self) -> str:
        """The text of this step: the item text, or the escalation for part 2."""
        return self.item.escalation if self.part == 2 else self.item.text

    @property
    def shown_to_participants(self) -> bool:
        """Vignettes and instructions go on the participant screen; questions do not."""
        return self.item.type is not ItemType.QUESTION


@dataclass(frozen=True)
class Protocol:
    """A validated interview protocol, with the exact text it was parsed from.

    ``running_order`` maps each session kind the protocol supports to its item ids in order
    (section ids already expanded); it is a plain ``dict`` so that ``copy``, ``pickle`` and
    ``dataclasses.asdict`` work, and must not be modified. ``paired_roles`` is ``None`` when
    any two participants with declared roles may form a pair, else the two roles a pair must
    have.
    """

    id: str
    title: str
    description: str
    roles: tuple[Role, ...]
    consent: ConsentForm
    sections: tuple[Section, ...]
    running_order: Mapping[SessionKind, tuple[str, ...]] = field(hash=False)
    paired_roles: tuple[str, str] | None
    source_text: str = field(repr=False)
    content_hash: str

    @property
    def kinds(self) -> tuple[SessionKind, ...]:
        """The session kinds this protocol has a running order for."""
        return tuple(kind for kind in SessionKind if kind in self.running_order)

    @property
    def items(self) -> tuple[Item, ...]:
        """Every item, in file order."""
        return tuple(item for section in self.sections for item in section.items)

    def role(self, key: str) -> Role:
        """The role with this key; raises ``NotFound``."""
        for role in self.roles:
            if role.key == key:
                return role
        raise NotFound(f"protocol '{self.id}' has no role '{key}'")

    def item(self, item_id: str) -> Item:
        """The item with this id; raises ``NotFound``."""
        for section in self.sections:
            for item in section.items:
                if item.id == item_id:
                    return item
        raise NotFound(f"protocol '{self.id}' has no item '{item_id}'")

    def section(self, section_id: str) -> Section:
        """The section with this id; raises ``NotFound``."""
        for section in self.sections:
            if section.id == section_id:
                return section
        raise NotFound(f"protocol '{self.id}' has no section '{section_id}'")

    def section_of(self, item_id: str) -> Section:
        """The section that holds the item; raises ``NotFound``."""
        return self.section(self.item(item_id).section_id)

    def allows_pair(self, role_a: str, role_b: str) -> bool:
        """Whether two participants with these roles may take a paired session together."""
        declared = {role.key for role in self.roles}
        if role_a not in declared or role_b not in declared:
            return False
        if self.paired_roles is None:
            return True
        return sorted((role_a, role_b)) == sorted(self.paired_roles)

    def prompts(self, kind: SessionKind) -> tuple[Prompt, ...]:
        """The steps of a session of this kind; a vignette with escalation gives two."""
        order = self.running_order.get(kind)
        if order is None:
            raise UsageError(
                f"protocol '{self.id}' has no running order for {kind.value} sessions",
                hint="Add running_order." + kind.value + " to the protocol file.",
            )
        prompts: list[Prompt] = []
        for item_id in order:
            item = self.item(item_id)
            for part in range(1, item.parts + 1):
                prompts.append(Prompt(len(prompts), item.id, part, item.section_id, item))
        return tuple(prompts)


# --- showing a running order -----------------------------------------------------------------

_WIDTH = 80


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _fit(text: str, width: int, *, collapse: bool = True) -> str:
    """One line of at most ``width`` terminal columns, cut with an ellipsis if needed."""
    line = " ".join(text.split()) if collapse else text.replace("\n", " ")
    if _display_width(line) <= width:
        return line
    out: list[str] = []
    used = 0
    for ch in line:
        w = _display_width(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out).rstrip() + "…"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def format_running_order(protocol: Protocol, kind: SessionKind) -> str:
    """A readable, numbered running order for ``protocol show``; lines fit 80 columns."""
    prompts = protocol.prompts(kind)
    lines = [
        _fit(protocol.title, _WIDTH),
        _fit(
            f"Protocol {protocol.id}, {kind.value} session: {_plural(len(prompts), 'step')}",
            _WIDTH,
        ),
    ]
    if kind is SessionKind.PAIRED:
        pair = (
            " + ".join(protocol.role(key).label for key in protocol.paired_roles)
            if protocol.paired_roles is not None
            else "any two participants"
        )
        lines.append(_fit(f"Pair: {pair}", _WIDTH))
    current_section: str | None = None
    for prompt in prompts:
        item = prompt.item
        if prompt.section_id != current_section:
            current_section = prompt.section_id
            section = protocol.section(current_section)
            lines.append("")
            lines.append(_fit(f"{section.title} [{section.id}]", _WIDTH))
        head = f"{prompt.index + 1:>3}. {item.type.value:<11} {item.id}"
        if item.type is ItemType.VIGNETTE:
            head += f' "{" ".join(item.title.split())}" (area: {item.area})'
        lines.append(_fit(head, _WIDTH, collapse=False))
        if prompt.is_escalation:
            detail = "(part 2: escalation) " + item.escalation
        elif item.has_escalation:
            detail = "(part 1) " + item.text
        else:
            detail = item.text
        lines.append("     " + _fit(detail, _WIDTH - 5))
        if item.probes and prompt.part == item.parts:
            lines.append("     " + _fit(f"+ {_plural(len(item.probes), 'probe')}", _WIDTH - 5))
    return "\n".join(lines) + "\n"
