"""Interview protocol files: loading, strict validation with located problems, and freezing.

A protocol is a YAML file (format described in ``docs/protocol-format.md``). It is composed
with PyYAML's safe loader into a node tree that keeps every position, and then checked here
key by key. Every problem found is collected (not just the first) and raised together as a
:class:`~recorder.core.errors.ProtocolError`; no other exception escapes for any input text.

Sessions freeze the protocol they ran: they store ``source_text`` and ``content_hash`` and
rebuild it with :func:`protocol_from_frozen`.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from recorder.core.errors import NotFound, ProtocolError, ProtocolProblem, Tampered, UsageError
from recorder.core.protocol_model import (
    PROTOCOL_FORMAT,
    SUPPORTED_VERSIONS,
    VIGNETTE_AREAS,
    ConsentForm,
    ConsentItem,
    Item,
    ItemType,
    Prompt,
    Protocol,
    Role,
    Section,
    SessionKind,
    format_running_order,
)

__all__ = [
    "DEFAULT_PROTOCOL_PATH",
    "PROTOCOL_FORMAT",
    "SUPPORTED_VERSIONS",
    "VIGNETTE_AREAS",
    "ConsentForm",
    "ConsentItem",
    "Item",
    "ItemType",
    "Prompt",
    "Protocol",
    "Role",
    "Section",
    "SessionKind",
    "format_running_order",
    "hash_protocol_text",
    "load_default_protocol",
    "load_protocol",
    "parse_protocol",
    "protocol_from_frozen",
]

#: The protocol shipped with the application (``resources/protocols/crisis-response.yaml``).
DEFAULT_PROTOCOL_PATH = (
    Path(__file__).resolve().parent.parent.parent
    / "resources"
    / "protocols"
    / "crisis-response.yaml"
)

#: More problems than this are summarised in one last line.
MAX_PROBLEMS = 100
#: A protocol may not expand (through aliases) to more YAML nodes than this.
MAX_NODES = 100_000

_SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")
_SLUG_RULE = "use lowercase letters a-z, digits and hyphens, starting with a letter or digit"
_STD = "tag:yaml.org,2002:"
_SCALAR_KINDS = {"str", "int", "float", "bool", "null", "timestamp", "value"}

_TOP_KEYS = (
    "format",
    "version",
    "id",
    "title",
    "description",
    "roles",
    "consent",
    "sections",
    "running_order",
    "paired_roles",
)
_TOP_REQUIRED = (
    "format",
    "version",
    "id",
    "title",
    "roles",
    "consent",
    "sections",
    "running_order",
)
_ITEM_KEYS = ("id", "type", "text", "title", "area", "escalation", "probes", "notes")
_VIGNETTE_ONLY = ("title", "area")
_SYNTAX_HINTS = {
    "mapping values are not allowed here": (
        "if a text contains ': ', put it in quotes or write it as a block after '|'"
    ),
    "found character '\\t' that cannot start any token": "indent with spaces, not tabs",
}


def hash_protocol_text(text: str) -> str:
    """The content hash of a protocol: SHA-256 (hex) of its UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


# --- describing nodes ------------------------------------------------------------------------


def _kind(node: Node) -> str:
    """``str``, ``int``, ... for scalars, ``seq``, ``map``; ``bad`` for a non-standard tag."""
    tag = node.tag if isinstance(node.tag, str) else ""
    name = tag[len(_STD) :] if tag.startswith(_STD) else ""
    if isinstance(node, ScalarNode):
        if name == "value":
            return "str"
        return name if name in _SCALAR_KINDS else "bad"
    if isinstance(node, SequenceNode):
        return "seq" if name == "seq" else "bad"
    if isinstance(node, MappingNode):
        return "map" if name == "map" else "bad"
    return "bad"


def _short(value: str, limit: int = 40) -> str:
    line = " ".join(value.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _found(node: Node) -> str:
    kind = _kind(node)
    value = _short(str(node.value)) if isinstance(node, ScalarNode) else ""
    return {
        "str": f"a string ('{value}')",
        "int": f"a number ({value})",
        "float": f"a number ({value})",
        "bool": f"true/false ({value})",
        "null": "nothing (an empty value)",
        "timestamp": f"a date ({value})",
        "seq": "a list",
        "map": "a mapping",
    }.get(kind, "an unsupported value")


def _suggest(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


def _a(item_type: ItemType) -> str:
    article = "an" if item_type.value[0] in "aeiou" else "a"
    return f"{article} {item_type.value}"


def _peek(node: Node, key: str) -> str:
    """The slug value of ``key`` in a mapping node, if it has a valid one, else ``""``."""
    if isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            if (
                isinstance(key_node, ScalarNode)
                and key_node.value == key
                and _kind(value_node) == "str"
            ):
                value = str(value_node.value).strip()
                return value if _SLUG.fullmatch(value) else ""
    return ""


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _line_col(text: str, position: int) -> tuple[int, int]:
    """1-based line and column of a character index, counting line breaks as YAML does."""
    line, column, previous = 1, 1, ""
    for ch in text[:position]:
        if ch in "\r\n\x85\u2028\u2029":
            if not (ch == "\n" and previous == "\r"):
                line += 1
            column = 1
        else:
            column += 1
        previous = ch
    return line, column


@dataclass
class _Fields:
    """A checked mapping: its value and key nodes by key name."""

    node: MappingNode
    values: dict[str, Node]
    keys: dict[str, Node]

    def get(self, key: str) -> Node | None:
        """The value node, or ``None`` when the key is absent or its value is empty (null)."""
        node = self.values.get(key)
        if node is None or _kind(node) == "null":
            return None
        return node


# --- checking --------------------------------------------------------------------------------


class _Checker:
    """Walks the composed node tree, collecting problems and building the model."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.problems: list[ProtocolProblem] = []
        #: section and item ids -> ("section" | "item", id node)
        self.ids: dict[str, tuple[str, Node]] = {}
        #: section id -> its item ids, in order
        self.section_items: dict[str, list[str]] = {}

    # reporting

    def add(self, node: Node, message: str) -> None:
        mark = node.start_mark
        self.problems.append(
            ProtocolProblem(self.filename, mark.line + 1, mark.column + 1, message)
        )

    def scan(self, root: Node) -> bool:
        """Check every tag once; return False if aliases expand the tree beyond ``MAX_NODES``."""
        sizes: dict[int, int] = {}
        on_path: set[int] = set()
        stack: list[tuple[Node, bool]] = [(root, False)]
        while stack:
            node, finished = stack.pop()
            key = id(node)
            if finished:
                on_path.discard(key)
                total = 1 + sum(sizes.get(id(child), 1) for child in _children(node))
                sizes[key] = min(total, MAX_NODES + 1)
                continue
            if key in sizes or key in on_path:
                continue
            on_path.add(key)
            if _kind(node) == "bad" and node.tag != _STD + "merge":
                tag = str(node.tag).replace(_STD, "!!")
                self.add(node, f"unsupported tag '{tag}' (protocol files use no tags; remove it)")
            stack.append((node, True))
            stack.extend((child, False) for child in _children(node))
        if sizes.get(id(root), 1) > MAX_NODES:
            self.add(
                root, f"the protocol is too large (more than {MAX_NODES} values after aliases)"
            )
            return False
        return True

    # generic shapes

    def mapping(
        self, node: Node, ctx: str, allowed: Sequence[str], required: Sequence[str] = ()
    ) -> _Fields | None:
        kind = _kind(node)
        if kind == "bad":
            return None
        if kind != "map" or not isinstance(node, MappingNode):
            self.add(node, f"expected a mapping (key: value lines) for {ctx}, found {_found(node)}")
            return None
        fields = _Fields(node, {}, {})
        for key_node, value_node in node.value:
            if key_node.tag == _STD + "merge":
                self.add(key_node, "merge keys ('<<') are not supported; write the keys out")
                continue
            key_kind = _kind(key_node)
            if key_kind == "bad":
                continue
            if key_kind != "str" or not isinstance(key_node, ScalarNode):
                self.add(key_node, f"expected a key name in {ctx}, found {_found(key_node)}")
                continue
            key = str(key_node.value)
            if key in fields.keys:
                first = fields.keys[key].start_mark.line + 1
                self.add(key_node, f"duplicate key '{key}' in {ctx} (first at line {first})")
                continue
            if key not in allowed:
                expected = ", ".join(allowed)
                self.add(
                    key_node,
                    f"unknown key '{key}' in {ctx} (expected one of: {expected})"
                    + _suggest(key, allowed),
                )
                continue
            fields.keys[key] = key_node
            fields.values[key] = value_node
        for key in required:
            if key not in fields.keys:
                self.add(node, f"missing required key '{key}' in {ctx}")
        return fields

    def sequence(self, node: Node, what: str, ctx: str) -> list[Node]:
        """A non-empty list; reports and returns ``[]`` otherwise."""
        kind = _kind(node)
        if kind == "bad":
            return []
        if kind == "null":
            self.add(node, f"empty {what} in {ctx} (expected a list with at least one entry)")
            return []
        if kind != "seq" or not isinstance(node, SequenceNode):
            self.add(node, f"expected a list for {what} in {ctx}, found {_found(node)}")
            return []
        if not node.value:
            self.add(node, f"empty {what} in {ctx} (expected a list with at least one entry)")
        return list(node.value)

    def string(self, node: Node, what: str, ctx: str) -> str:
        """A non-empty string, stripped; reports and returns ``""`` otherwise."""
        kind = _kind(node)
        if kind == "bad":
            return ""
        if kind == "str" and isinstance(node, ScalarNode):
            value = str(node.value).strip()
            if not value:
                self.add(node, f"empty {what} in {ctx}")
            return value
        if kind == "null":
            self.add(node, f"empty {what} in {ctx}")
            return ""
        message = f"expected a string for {what} in {ctx}, found {_found(node)}"
        if isinstance(node, ScalarNode):
            message += f'; put it in quotes to make it text: "{node.value}"'
        self.add(node, message)
        return ""

    def field(self, fields: _Fields, key: str, ctx: str) -> str:
        """A required string field (its absence is reported by ``mapping``)."""
        node = fields.values.get(key)
        return self.string(node, key, ctx) if node is not None else ""

    def optional(self, fields: _Fields, key: str, ctx: str) -> str:
        node = fields.get(key)
        return self.string(node, key, ctx) if node is not None else ""

    def slug(self, fields: _Fields, key: str, what: str, ctx: str) -> str:
        value = self.field(fields, key, ctx)
        if value and not _SLUG.fullmatch(value):
            self.add(
                fields.values[key], f"invalid {what} '{_short(value)}' in {ctx} ({_SLUG_RULE})"
            )
            return ""
        return value

    def strings(self, fields: _Fields, key: str, ctx: str) -> tuple[str, ...]:
        """An optional list of non-empty strings."""
        node = fields.get(key)
        if node is None:
            return ()
        if _kind(node) != "seq" or not isinstance(node, SequenceNode):
            if _kind(node) != "bad":
                self.add(node, f"expected a list for {key} in {ctx}, found {_found(node)}")
            return ()
        singular = key[:-1] if key.endswith("s") else key
        return tuple(self.string(entry, singular, ctx) for entry in node.value)

    def unique(self, seen: dict[str, Node], value: str, node: Node, what: str) -> None:
        if value in seen:
            first = seen[value].start_mark.line + 1
            self.add(node, f"duplicate {what} '{value}' (first defined at line {first})")
        else:
            seen[value] = node

    # the protocol

    def protocol(self, root: Node, text: str) -> Protocol | None:
        top = self.mapping(root, "the top-level mapping", _TOP_KEYS, _TOP_REQUIRED)
        if top is None:
            return None
        ctx = "the top-level mapping"
        self.header(top)
        protocol_id = self.slug(top, "id", "protocol id", ctx)
        title = self.field(top, "title", ctx)
        description = self.optional(top, "description", ctx)
        roles = self.roles(top)
        consent = self.consent(top)
        sections = self.sections(top)
        running_order = self.running_order(top)
        paired_roles = self.paired_roles(top, roles, running_order)
        if self.problems:
            return None
        return Protocol(
            id=protocol_id,
            title=title,
            description=description,
            roles=roles,
            consent=consent,
            sections=sections,
            running_order=running_order,
            paired_roles=paired_roles,
            source_text=text,
            content_hash=hash_protocol_text(text),
        )

    def header(self, top: _Fields) -> None:
        node = top.values.get("format")
        if node is not None:
            value = self.string(node, "format", "the top-level mapping")
            if value and value != PROTOCOL_FORMAT:
                self.add(node, f"expected format: {PROTOCOL_FORMAT}, found '{_short(value)}'")
        node = top.values.get("version")
        if node is None:
            return
        kind = _kind(node)
        supported = ", ".join(str(v) for v in SUPPORTED_VERSIONS)
        if kind == "int" and isinstance(node, ScalarNode):
            raw = str(node.value)
            if not raw.isdigit() or int(raw) not in SUPPORTED_VERSIONS:
                self.add(
                    node,
                    f"unsupported version {_short(raw)} "
                    f"(this Interview Recorder reads version {supported})",
                )
        elif kind != "bad":
            self.add(node, f"expected a whole number for version, found {_found(node)}")

    def roles(self, top: _Fields) -> tuple[Role, ...]:
        node = top.values.get("roles")
        if node is None:
            return ()
        entries = self.sequence(node, "roles", "the top-level mapping")
        return tuple(Role(k, v) for k, v in self.keyed_texts(entries, "role", "label"))

    def consent(self, top: _Fields) -> ConsentForm:
        empty = ConsentForm("", "", ())
        node = top.values.get("consent")
        if node is None:
            return empty
        allowed = ("form_version", "statement", "items")
        fields = self.mapping(node, "consent", allowed, allowed)
        if fields is None:
            return empty
        form_version = self.field(fields, "form_version", "consent")
        statement = self.field(fields, "statement", "consent")
        items_node = fields.values.get("items")
        entries = self.sequence(items_node, "items", "consent") if items_node is not None else []
        items = tuple(
            ConsentItem(k, v) for k, v in self.keyed_texts(entries, "consent item", "text")
        )
        return ConsentForm(form_version, statement, items)

    def keyed_texts(
        self, entries: Iterable[Node], what: str, text_key: str
    ) -> list[tuple[str, str]]:
        """Entries of the form ``{key: slug, <text_key>: text}`` with unique keys."""
        pairs: list[tuple[str, str]] = []
        seen: dict[str, Node] = {}
        for index, entry in enumerate(entries, 1):
            peeked = _peek(entry, "key")
            ctx = f"{what} '{peeked}'" if peeked else f"{what} {index}"
            fields = self.mapping(entry, ctx, ("key", text_key), ("key", text_key))
            if fields is None:
                continue
            key = self.slug(fields, "key", f"{what} key", ctx)
            if key:
                self.unique(seen, key, fields.values["key"], f"{what} key")
                ctx = f"{what} '{key}'"
            pairs.append((key, self.field(fields, text_key, ctx)))
        return pairs

    def register(self, value: str, node: Node, kind: str) -> None:
        if value in self.ids:
            first_kind, first = self.ids[value]
            line = first.start_mark.line + 1
            self.add(
                node,
                f"duplicate id '{value}' (first defined at line {line}, as {first_kind} id); "
                "ids must be unique across sections and items",
            )
        else:
            self.ids[value] = (kind, node)

    def sections(self, top: _Fields) -> tuple[Section, ...]:
        node = top.values.get("sections")
        if node is None:
            return ()
        sections: list[Section] = []
        for index, entry in enumerate(self.sequence(node, "sections", "the top-level mapping"), 1):
            ctx = f"section '{_peek(entry, 'id')}'" if _peek(entry, "id") else f"section {index}"
            keys = ("id", "title", "items")
            fields = self.mapping(entry, ctx, keys, keys)
            if fields is None:
                continue
            section_id = self.slug(fields, "id", "section id", ctx)
            if section_id:
                self.register(section_id, fields.values["id"], "a section")
                ctx = f"section '{section_id}'"
            title = self.field(fields, "title", ctx)
            items: list[Item] = []
            items_node = fields.values.get("items")
            entries = self.sequence(items_node, "items", ctx) if items_node is not None else []
            for number, item_node in enumerate(entries, 1):
                peeked = _peek(item_node, "id")
                item_ctx = f"item '{peeked}'" if peeked else f"item {number} of {ctx}"
                item = self.item(item_node, item_ctx, section_id)
                if item is not None:
                    items.append(item)
            if section_id and section_id not in self.section_items:
                self.section_items[section_id] = [item.id for item in items if item.id]
            sections.append(Section(section_id, title, tuple(items)))
        return tuple(sections)

    def item(self, node: Node, ctx: str, section_id: str) -> Item | None:
        fields = self.mapping(node, ctx, _ITEM_KEYS, ("id", "type", "text"))
        if fields is None:
            return None
        item_id = self.slug(fields, "id", "item id", ctx)
        if item_id:
            self.register(item_id, fields.values["id"], "an item")
            ctx = f"item '{item_id}'"
        item_type = self.item_type(fields, ctx)
        text = self.field(fields, "text", ctx)
        probes = self.strings(fields, "probes", ctx)
        notes = self.optional(fields, "notes", ctx)
        title = area = escalation = ""
        if item_type is ItemType.VIGNETTE:
            for key in _VIGNETTE_ONLY:
                if key not in fields.keys:
                    self.add(
                        fields.node,
                        f"missing required key '{key}' in {ctx} "
                        "(every vignette needs a title and an area)",
                    )
            title = self.field(fields, "title", ctx)
            area = self.field(fields, "area", ctx)
            if area and area not in VIGNETTE_AREAS:
                self.add(
                    fields.values["area"],
                    f"unknown area '{_short(area)}' in {ctx} "
                    f"(expected one of: {', '.join(VIGNETTE_AREAS)})"
                    + _suggest(area, VIGNETTE_AREAS),
                )
            escalation = self.optional(fields, "escalation", ctx)
        elif item_type is not None:
            misplaced = [key for key in _VIGNETTE_ONLY if key in fields.keys]
            if misplaced:
                names = " and ".join(f"'{key}'" for key in misplaced)
                verb = "belongs" if len(misplaced) == 1 else "belong"
                self.add(
                    fields.keys[misplaced[0]],
                    f"{names} only {verb} to vignettes, but {ctx} is {_a(item_type)} "
                    "(remove it, or make the item a vignette)",
                )
            if "escalation" in fields.keys:
                self.add(
                    fields.keys["escalation"],
                    f"'escalation' only belongs to vignettes, but {ctx} is {_a(item_type)}",
                )
        return Item(
            id=item_id,
            type=item_type or ItemType.QUESTION,
            text=text,
            title=title,
            area=area,
            escalation=escalation,
            probes=probes,
            notes=notes,
            section_id=section_id,
        )

    def item_type(self, fields: _Fields, ctx: str) -> ItemType | None:
        value = self.field(fields, "type", ctx)
        if not value:
            return None
        try:
            return ItemType(value)
        except ValueError:
            names = [t.value for t in ItemType]
            self.add(
                fields.values["type"],
                f"unknown item type '{_short(value)}' in {ctx} "
                f"(expected one of: {', '.join(names)})" + _suggest(value, names),
            )
            return None

    def running_order(self, top: _Fields) -> dict[SessionKind, tuple[str, ...]]:
        node = top.values.get("running_order")
        if node is None:
            return {}
        names = [kind.value for kind in SessionKind]
        fields = self.mapping(node, "running_order", names)
        if fields is None:
            return {}
        if not fields.keys:
            self.add(node, f"running_order needs at least one of: {', '.join(names)}")
        orders: dict[SessionKind, tuple[str, ...]] = {}
        for kind in SessionKind:
            entries_node = fields.values.get(kind.value)
            if entries_node is not None:
                orders[kind] = self.order(entries_node, kind)
        return orders

    def order(self, node: Node, kind: SessionKind) -> tuple[str, ...]:
        where = f"running_order.{kind.value}"
        entries = self.sequence(node, "running order", where)
        resolved: list[str] = []
        seen: dict[str, tuple[Node, str]] = {}
        for entry in entries:
            ref = self.string(entry, "entry", where)
            if not ref:
                continue
            if ref not in self.ids:
                self.add(
                    entry,
                    f"{where} refers to '{_short(ref)}', which is neither a section "
                    "nor an item id" + _suggest(ref, self.ids),
                )
                continue
            is_section = self.ids[ref][0] == "a section"
            via = f" (via section '{ref}')" if is_section else ""
            for item_id in self.section_items.get(ref, []) if is_section else [ref]:
                if item_id in seen:
                    first, first_via = seen[item_id]
                    mark = first.start_mark
                    self.add(
                        entry,
                        f"{where} includes item '{item_id}' twice{via}; first at line "
                        f"{mark.line + 1}, column {mark.column + 1}{first_via}",
                    )
                    continue
                seen[item_id] = (entry, via)
                resolved.append(item_id)
        return tuple(resolved)

    def paired_roles(
        self,
        top: _Fields,
        roles: tuple[Role, ...],
        orders: dict[SessionKind, tuple[str, ...]],
    ) -> tuple[str, str] | None:
        node = top.get("paired_roles")
        if node is None:
            return None
        ctx = "the top-level mapping"
        entries = self.sequence(node, "paired_roles", ctx)
        if entries and len(entries) != 2:
            self.add(node, f"paired_roles needs exactly two roles, found {len(entries)}")
        declared = [role.key for role in roles if role.key]
        keys: list[str] = []
        for entry in entries:
            key = self.string(entry, "paired role", ctx)
            if key and declared and key not in declared:
                self.add(
                    entry,
                    f"paired_roles refers to '{_short(key)}', which is not a declared role "
                    f"(expected one of: {', '.join(declared)})" + _suggest(key, declared),
                )
            keys.append(key)
        if SessionKind.PAIRED not in orders and "running_order" in top.keys:
            self.add(
                top.keys["paired_roles"], "paired_roles is set but running_order has no paired list"
            )
        if len(keys) != 2:
            return None
        return (keys[0], keys[1])


# --- entry points ----------------------------------------------------------------------------


def _syntax_problem(error: yaml.YAMLError, text: str, filename: str) -> ProtocolProblem:
    if isinstance(error, yaml.MarkedYAMLError):
        problem = str(error.problem or error.context or "invalid YAML")
        mark = error.problem_mark or error.context_mark
        message = f"YAML syntax error: {problem}"
        context_mark = error.context_mark
        if error.context and context_mark is not None and error.problem:
            message += (
                f" ({error.context} at line {context_mark.line + 1}, "
                f"column {context_mark.column + 1})"
            )
        hint = _SYNTAX_HINTS.get(problem)
        if hint is None and problem.startswith("expected <block end>"):
            hint = "check the indentation here, and that every quote above it is closed"
        if hint:
            message += f"; {hint}"
        if mark is None:
            return ProtocolProblem(filename, 1, 1, message)
        return ProtocolProblem(filename, mark.line + 1, mark.column + 1, message)
    position = getattr(error, "position", 0)
    character = getattr(error, "character", None)
    line, column = _line_col(text, position if isinstance(position, int) else 0)
    if isinstance(character, int):
        message = (
            f"the file contains a character that is not allowed (U+{character:04X}); remove it"
        )
    else:
        message = f"cannot read the file as YAML: {error}"
    return ProtocolProblem(filename, line, column, message)


def _raise(problems: list[ProtocolProblem]) -> NoReturn:
    problems = sorted(problems, key=lambda p: (p.line, p.column))
    if len(problems) > MAX_PROBLEMS:
        rest = problems[MAX_PROBLEMS]
        more = len(problems) - MAX_PROBLEMS
        problems = [
            *problems[:MAX_PROBLEMS],
            ProtocolProblem(rest.file, rest.line, rest.column, f"... and {more} more problems"),
        ]
    raise ProtocolError(problems)


def parse_protocol(text: str, filename: str = "<protocol>") -> Protocol:
    """Parse and validate protocol text; raises ``ProtocolError`` listing every problem."""
    if not text.strip():
        _raise(
            [
                ProtocolProblem(
                    filename,
                    1,
                    1,
                    f"the file is empty (a protocol starts with 'format: {PROTOCOL_FORMAT}')",
                )
            ]
        )
    syntax: ProtocolProblem | None = None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        syntax = _syntax_problem(error, text, filename)
    except RecursionError:
        syntax = ProtocolProblem(filename, 1, 1, "the YAML is nested too deeply")
    if syntax is not None:
        _raise([syntax])
    if root is None or (_kind(root) == "null" and not str(root.value).strip()):
        _raise(
            [
                ProtocolProblem(
                    filename,
                    1,
                    1,
                    "the file holds no protocol "
                    f"(a protocol starts with 'format: {PROTOCOL_FORMAT}')",
                )
            ]
        )
    checker = _Checker(filename)
    protocol = checker.protocol(root, text) if checker.scan(root) else None
    if protocol is None:
        _raise(checker.problems or [ProtocolProblem(filename, 1, 1, "invalid protocol")])
    return protocol


def _decode(data: bytes, filename: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        message = "the file is saved as UTF-16; save it as UTF-8 text"
        raise ProtocolError([ProtocolProblem(filename, 1, 1, message)])
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        prefix = data[: error.start]
        line = prefix.count(b"\n") + 1
        line_start = prefix.rfind(b"\n") + 1
        column = len(prefix[line_start:].decode("utf-8", "replace")) + 1
        byte = data[error.start]
        message = f"the file is not UTF-8 text (byte 0x{byte:02X} here); save it as UTF-8"
        raise ProtocolError([ProtocolProblem(filename, line, column, message)]) from None


def load_protocol(path: str | os.PathLike[str]) -> Protocol:
    """Read, parse and validate a protocol file.

    Raises ``ProtocolError`` for any problem in the file, ``NotFound`` when it does not exist
    and ``UsageError`` when it cannot be read.
    """
    filename = os.fspath(path)
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise NotFound(f"protocol file not found: {filename}") from None
    except OSError as error:
        raise UsageError(
            f"cannot read protocol file {filename}: {error.strerror or error}"
        ) from None
    return parse_protocol(_decode(data, filename), filename)


def load_default_protocol() -> Protocol:
    """The protocol shipped with the application."""
    return load_protocol(DEFAULT_PROTOCOL_PATH)


def protocol_from_frozen(
    text: str, content_hash: str, *, path: str = "", filename: str = "<stored protocol>"
) -> Protocol:
    """Rebuild a session's stored protocol copy, checking it against its stored hash.

    Raises ``Tampered`` (with ``path``, the file it was stored in) when the text does not
    match ``content_hash``, and ``ProtocolError`` if the copy does not parse.
    """
    actual = hash_protocol_text(text)
    if actual != content_hash.strip().lower():
        raise Tampered("the stored protocol copy does not match its content hash", path=path)
    return parse_protocol(text, filename)
