"""Protocol files: parsing, located validation problems, prompts, running orders, freezing."""

from __future__ import annotations

import copy
import hashlib
import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recorder.core.errors import (
    NotFound,
    ProtocolError,
    ProtocolProblem,
    Tampered,
    UsageError,
)
from recorder.core.protocol import (
    DEFAULT_PROTOCOL_PATH,
    ItemType,
    Protocol,
    SessionKind,
    format_running_order,
    hash_protocol_text,
    load_default_protocol,
    load_protocol,
    parse_protocol,
    protocol_from_frozen,
)

# Line numbers matter: the tests below name lines of this text.
VALID = """\
format: interview-recorder-protocol
version: 1
id: mini
title: A minimal protocol
description: Used by the tests.
roles:
  - key: police
    label: Police officer
  - key: social-work
    label: Social worker
consent:
  form_version: "2026-01"
  statement: |
    This interview is recorded and stored encrypted.
  items:
    - key: participate
      text: I agree to take part in this interview.
sections:
  - id: opening
    title: Opening questions
    items:
      - id: role
        type: question
        text: Please tell me about your current role.
        probes:
          - How long have you been in this role?
          - What do you enjoy most?
      - id: team-brief
        type: instruction
        text: Please respond as a team.
  - id: vignettes
    title: Vignettes
    items:
      - id: mental-health
        type: vignette
        title: A night on Alder Street
        area: mental-health
        text: |
          It is 2 a.m. A neighbour calls about a man shouting in the street.

          He seems confused and frightened.
        escalation: |
          The man picks up a kitchen knife.
        probes:
          - What would you do first?
        notes: Allow silence.
      - id: closing-thoughts
        type: question
        text: Anything else you would like to add?
running_order:
  individual: [opening, vignettes]
  paired: [team-brief, role, vignettes]
paired_roles: [police, social-work]
"""

DEFAULT_EXISTS = DEFAULT_PROTOCOL_PATH.is_file()


def edit(old: str, new: str, text: str = VALID) -> str:
    """``text`` with the single occurrence of ``old`` replaced."""
    assert text.count(old) == 1, old
    return text.replace(old, new)


def problems(text: str) -> list[ProtocolProblem]:
    with pytest.raises(ProtocolError) as caught:
        parse_protocol(text, "p.yaml")
    found = caught.value.problems
    assert found, "a ProtocolError must carry problems"
    return found


def assert_problem(text: str, line: int, column: int, *fragments: str) -> ProtocolProblem:
    """There is a problem at ``line:column`` whose message contains every fragment."""
    found = problems(text)
    for problem in found:
        if (problem.line, problem.column) == (line, column) and all(
            fragment in problem.message for fragment in fragments
        ):
            assert problem.file == "p.yaml"
            assert str(problem).startswith(f"p.yaml:{line}:{column}: ")
            return problem
    listing = "\n".join(str(p) for p in found)
    raise AssertionError(f"no problem at {line}:{column} with {fragments}; got:\n{listing}")


# --- a valid protocol ------------------------------------------------------------------------


def test_valid_minimal_protocol_round_trip(tmp_path: Path) -> None:
    protocol = parse_protocol(VALID, "p.yaml")
    assert protocol.id == "mini"
    assert protocol.title == "A minimal protocol"
    assert protocol.description == "Used by the tests."
    assert [(r.key, r.label) for r in protocol.roles] == [
        ("police", "Police officer"),
        ("social-work", "Social worker"),
    ]
    assert protocol.consent.form_version == "2026-01"
    assert protocol.consent.statement == "This interview is recorded and stored encrypted."
    assert [(c.key, c.text) for c in protocol.consent.items] == [
        ("participate", "I agree to take part in this interview.")
    ]
    assert [s.id for s in protocol.sections] == ["opening", "vignettes"]
    role = protocol.item("role")
    assert role.type is ItemType.QUESTION
    assert role.probes == ("How long have you been in this role?", "What do you enjoy most?")
    assert role.section_id == "opening"
    vignette = protocol.item("mental-health")
    assert vignette.type is ItemType.VIGNETTE
    assert vignette.title == "A night on Alder Street"
    assert vignette.area == "mental-health"
    assert vignette.text == (
        "It is 2 a.m. A neighbour calls about a man shouting in the street.\n\n"
        "He seems confused and frightened."
    )
    assert vignette.escalation == "The man picks up a kitchen knife."
    assert vignette.notes == "Allow silence."
    assert protocol.running_order[SessionKind.INDIVIDUAL] == (
        "role",
        "team-brief",
        "mental-health",
        "closing-thoughts",
    )
    assert protocol.running_order[SessionKind.PAIRED] == (
        "team-brief",
        "role",
        "mental-health",
        "closing-thoughts",
    )
    assert protocol.paired_roles == ("police", "social-work")
    assert protocol.kinds == (SessionKind.INDIVIDUAL, SessionKind.PAIRED)
    assert protocol.source_text == VALID
    assert protocol.content_hash == hashlib.sha256(VALID.encode("utf-8")).hexdigest()
    assert hash(protocol) == hash(parse_protocol(VALID))

    path = tmp_path / "mini.yaml"
    path.write_bytes(VALID.encode("utf-8"))
    assert load_protocol(path) == protocol
    assert load_protocol(str(path)) == protocol


def test_crlf_file_keeps_exact_bytes(tmp_path: Path) -> None:
    data = VALID.replace("\n", "\r\n").encode("utf-8")
    path = tmp_path / "crlf.yaml"
    path.write_bytes(data)
    protocol = load_protocol(path)
    assert protocol.content_hash == hashlib.sha256(data).hexdigest()
    assert protocol.source_text.encode("utf-8") == data


def test_optional_keys_may_be_left_out_or_empty() -> None:
    text = edit("description: Used by the tests.\n", "")
    text = edit("paired_roles: [police, social-work]\n", "", text)
    text = edit("        notes: Allow silence.\n", "        notes:\n", text)
    protocol = parse_protocol(text)
    assert protocol.description == ""
    assert protocol.paired_roles is None
    assert protocol.item("mental-health").notes == ""
    assert protocol.allows_pair("police", "police")
    assert not protocol.allows_pair("police", "nobody")


def test_only_one_running_order_kind() -> None:
    text = edit("  paired: [team-brief, role, vignettes]\n", "")
    text = edit("paired_roles: [police, social-work]\n", "", text)
    protocol = parse_protocol(text)
    assert protocol.kinds == (SessionKind.INDIVIDUAL,)
    with pytest.raises(UsageError, match="no running order for paired"):
        protocol.prompts(SessionKind.PAIRED)


def test_standard_tags_and_aliases_are_accepted() -> None:
    text = edit('form_version: "2026-01"', "form_version: !!str 2026.01")
    text = edit(
        "        probes:\n          - What would you do first?\n",
        "        probes: &first\n          - What would you do first?\n",
        text,
    )
    text = edit(
        "        text: Anything else you would like to add?\n",
        "        text: Anything else you would like to add?\n        probes: *first\n",
        text,
    )
    protocol = parse_protocol(text)
    assert protocol.consent.form_version == "2026.01"
    assert protocol.item("closing-thoughts").probes == ("What would you do first?",)


def test_unicode_and_long_multi_paragraph_vignette() -> None:
    paragraphs = [
        f"Absatz {n}: Straßenecke, café, naïve 🚓 — 危机应对 {n}. " + "Ünd weiter. " * 40
        for n in range(1, 26)
    ]
    block = "\n\n".join(paragraphs)
    indented = "\n".join(("          " + line) if line else "" for line in block.split("\n"))
    text = edit(
        "        text: |\n"
        "          It is 2 a.m. A neighbour calls about a man shouting in the street.\n"
        "\n"
        "          He seems confused and frightened.\n",
        "        text: |\n" + indented + "\n",
    )
    text = edit("title: A night on Alder Street", "title: Nacht in der Erlenstraße 🌙 夜", text)
    text = edit("title: A minimal protocol", "title: Réponse de crise — 危机应对 🚑", text)
    protocol = parse_protocol(text)
    vignette = protocol.item("mental-health")
    assert vignette.text == block.strip()  # outer whitespace is trimmed
    assert vignette.text.count("\n\n") == 24
    assert vignette.title == "Nacht in der Erlenstraße 🌙 夜"
    assert protocol.title == "Réponse de crise — 危机应对 🚑"
    assert protocol.content_hash == hashlib.sha256(text.encode("utf-8")).hexdigest()
    for kind in SessionKind:
        for line in format_running_order(protocol, kind).splitlines():
            assert display_width(line) <= 80, line


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


# --- prompts and lookups ---------------------------------------------------------------------


def test_prompts_expand_sections_and_escalations() -> None:
    protocol = parse_protocol(VALID)
    prompts = protocol.prompts(SessionKind.INDIVIDUAL)
    assert [(p.index, p.item_id, p.part, p.section_id) for p in prompts] == [
        (0, "role", 1, "opening"),
        (1, "team-brief", 1, "opening"),
        (2, "mental-health", 1, "vignettes"),
        (3, "mental-health", 2, "vignettes"),
        (4, "closing-thoughts", 1, "vignettes"),
    ]
    part1, part2 = prompts[2], prompts[3]
    assert part1.text.startswith("It is 2 a.m.")
    assert not part1.is_escalation
    assert part2.is_escalation
    assert part2.text == "The man picks up a kitchen knife."
    assert part2.item is protocol.item("mental-health")
    assert part1.shown_to_participants and prompts[1].shown_to_participants
    assert not prompts[0].shown_to_participants

    paired = protocol.prompts(SessionKind.PAIRED)
    assert [(p.item_id, p.part) for p in paired] == [
        ("team-brief", 1),
        ("role", 1),
        ("mental-health", 1),
        ("mental-health", 2),
        ("closing-thoughts", 1),
    ]
    assert [p.index for p in paired] == list(range(5))


def test_vignette_without_escalation_is_one_prompt() -> None:
    text = edit(
        "        escalation: |\n          The man picks up a kitchen knife.\n",
        "",
    )
    protocol = parse_protocol(text)
    assert protocol.item("mental-health").parts == 1
    assert [p.item_id for p in protocol.prompts(SessionKind.INDIVIDUAL)] == [
        "role",
        "team-brief",
        "mental-health",
        "closing-thoughts",
    ]


def test_item_and_section_lookups() -> None:
    protocol = parse_protocol(VALID)
    assert protocol.section_of("closing-thoughts").id == "vignettes"
    assert protocol.section("opening").title == "Opening questions"
    assert protocol.role("police").label == "Police officer"
    assert [i.id for i in protocol.items][:2] == ["role", "team-brief"]
    with pytest.raises(NotFound):
        protocol.item("nope")
    with pytest.raises(NotFound):
        protocol.section_of("nope")
    assert protocol.allows_pair("social-work", "police")
    assert not protocol.allows_pair("police", "police")


def test_format_running_order() -> None:
    protocol = parse_protocol(VALID)
    shown = format_running_order(protocol, SessionKind.PAIRED)
    lines = shown.splitlines()
    assert lines[0] == "A minimal protocol"
    assert "paired session: 5 steps" in lines[1]
    assert "Pair: Police officer + Social worker" in shown
    assert "Opening questions [opening]" in shown
    assert '  3. vignette    mental-health "A night on Alder Street" (area: mental-health)' in lines
    assert "(part 2: escalation) The man picks up a kitchen knife." in shown
    assert "+ 2 probes" in shown and "+ 1 probe" in shown
    assert all(len(line) <= 80 for line in lines)
    # sections appear again when the running order goes back to them
    assert shown.count("Opening questions [opening]") == 1


# --- located problems, one test per kind -----------------------------------------------------


def test_unknown_key_suggests_the_close_one() -> None:
    text = edit("        title: A night on Alder Street", "        titel: A night on Alder Street")
    problem = assert_problem(text, 36, 9, "unknown key 'titel' in item 'mental-health'")
    assert "expected one of: id, type, text" in problem.message
    assert problem.message.endswith("did you mean 'title'?")
    assert_problem(text, 34, 9, "missing required key 'title'")


def test_missing_required_key_is_located_at_the_mapping() -> None:
    text = edit("        text: Please respond as a team.\n", "")
    assert_problem(text, 28, 9, "missing required key 'text' in item 'team-brief'")
    text = edit("title: A minimal protocol\n", "")
    assert_problem(text, 1, 1, "missing required key 'title' in the top-level mapping")


def test_duplicate_item_id() -> None:
    text = edit("      - id: closing-thoughts", "      - id: role")
    assert_problem(text, 47, 13, "duplicate id 'role' (first defined at line 22")


def test_item_id_may_not_repeat_a_section_id() -> None:
    text = edit("      - id: closing-thoughts", "      - id: opening")
    assert_problem(text, 47, 13, "duplicate id 'opening' (first defined at line 19", "section")


def test_running_order_unknown_reference() -> None:
    text = edit("  paired: [team-brief, role, vignettes]", "  paired: [team-brief, role, vignetes]")
    problem = assert_problem(
        text,
        52,
        30,
        "running_order.paired refers to 'vignetes', which is neither a section nor an item id",
    )
    assert problem.message.endswith("did you mean 'vignettes'?")


def test_item_twice_in_one_running_order() -> None:
    text = edit("  individual: [opening, vignettes]", "  individual: [opening, vignettes, role]")
    assert_problem(
        text, 51, 36, "running_order.individual includes item 'role' twice", "line 51, column 16"
    )


def test_empty_text() -> None:
    text = edit("        text: Please respond as a team.", '        text: ""')
    assert_problem(text, 30, 15, "empty text in item 'team-brief'")
    text = edit("        text: Please respond as a team.", "        text:")
    assert_problem(text, 30, 14, "empty text in item 'team-brief'")


def test_expected_a_string_found_a_number_says_to_quote_it() -> None:
    text = edit('  form_version: "2026-01"', "  form_version: 2026.01")
    problem = assert_problem(
        text, 12, 17, "expected a string for form_version in consent, found a number (2026.01)"
    )
    assert 'put it in quotes to make it text: "2026.01"' in problem.message
    text = edit('  form_version: "2026-01"', "  form_version: 2026-01-15")
    assert_problem(text, 12, 17, "found a date (2026-01-15)")
    text = edit("          - What do you enjoy most?", "          - No")
    assert_problem(text, 27, 13, "expected a string for probe", "found true/false (No)")


def test_expected_a_list_found_a_mapping() -> None:
    text = edit(
        "        probes:\n"
        "          - How long have you been in this role?\n"
        "          - What do you enjoy most?\n",
        "        probes: {first: How long}\n",
    )
    assert_problem(text, 25, 17, "expected a list for probes in item 'role', found a mapping")


def test_expected_a_mapping_found_a_string() -> None:
    text = edit("  - key: police\n    label: Police officer\n", "  - police\n")
    assert_problem(text, 7, 5, "expected a mapping", "role 1", "found a string ('police')")


def test_empty_list() -> None:
    text = edit(
        "roles:\n"
        "  - key: police\n"
        "    label: Police officer\n"
        "  - key: social-work\n"
        "    label: Social worker\n",
        "roles: []\n",
    )
    assert_problem(text, 6, 8, "empty roles")


def test_yaml_syntax_error() -> None:
    text = edit(
        "        text: Please tell me about your current role.",
        "        text: Please tell me: what is your role?",
    )
    problem = assert_problem(text, 24, 29, "YAML syntax error: mapping values are not allowed")
    assert "put it in quotes" in problem.message
    text = edit("  paired: [team-brief, role, vignettes]", "  paired: [team-brief, role")
    assert len(problems(text)) == 1


def test_tab_indentation_is_a_located_syntax_error() -> None:
    text = edit("    title: Opening questions", "\ttitle: Opening questions")
    found = problems(text)
    assert len(found) == 1
    assert found[0].line == 20
    assert "YAML syntax error" in found[0].message


def test_empty_file() -> None:
    for text in ("", "   \n\n", "# only a comment\n", "---\n...\n"):
        found = problems(text)
        assert [(p.line, p.column) for p in found] == [(1, 1)], text
        assert "empty" in found[0].message or "no protocol" in found[0].message


def test_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(edit("title: A minimal protocol", "title: Café").encode("latin-1"))
    with pytest.raises(ProtocolError) as caught:
        load_protocol(path)
    [problem] = caught.value.problems
    assert (problem.line, problem.column) == (4, 11)
    assert "not UTF-8" in problem.message and "0xE9" in problem.message
    assert problem.file == str(path)

    # the column counts characters, not bytes
    path.write_bytes(edit("title: A minimal protocol", "title: é").encode() + b"\xff\n")
    with pytest.raises(ProtocolError) as caught:
        load_protocol(path)
    problem = caught.value.problems[0]
    assert (problem.line, problem.column) == (54, 1)
    path.write_bytes("title: é ".encode() + b"\xff")
    with pytest.raises(ProtocolError) as caught:
        load_protocol(path)
    assert (caught.value.problems[0].line, caught.value.problems[0].column) == (1, 10)


def test_utf16_file(tmp_path: Path) -> None:
    path = tmp_path / "utf16.yaml"
    path.write_bytes(VALID.encode("utf-16"))
    with pytest.raises(ProtocolError, match="UTF-16"):
        load_protocol(path)


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    data = b"\xef\xbb\xbf" + VALID.encode()
    path.write_bytes(data)
    assert load_protocol(path).content_hash == hashlib.sha256(data).hexdigest()


def test_missing_and_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        load_protocol(tmp_path / "absent.yaml")
    with pytest.raises(UsageError):
        load_protocol(tmp_path)


def test_top_level_not_a_mapping() -> None:
    assert_problem("- a\n- b\n", 1, 1, "expected a mapping", "top-level", "found a list")
    assert_problem("just words\n", 1, 1, "found a string ('just words')")


def test_unsupported_version() -> None:
    assert_problem(edit("version: 1", "version: 2"), 2, 10, "unsupported version 2", "version 1")
    assert_problem(edit("version: 1", 'version: "1"'), 2, 10, "expected a whole number for version")


def test_wrong_format() -> None:
    text = edit("format: interview-recorder-protocol", "format: interview-protocol")
    assert_problem(
        text, 1, 9, "expected format: interview-recorder-protocol, found 'interview-protocol'"
    )


def test_vignette_only_keys_on_a_question() -> None:
    text = edit(
        "        type: question\n        text: Please tell me",
        "        type: question\n        title: Role\n        area: other\n"
        "        text: Please tell me",
    )
    [problem] = [p for p in problems(text) if "only belong" in p.message]
    assert (problem.line, problem.column) == (24, 9)
    assert "'title' and 'area' only belong to vignettes" in problem.message
    assert "item 'role' is a question" in problem.message


def test_escalation_on_a_non_vignette() -> None:
    text = edit(
        "        text: Please respond as a team.\n",
        "        text: Please respond as a team.\n        escalation: Then it gets worse.\n",
    )
    assert_problem(
        text, 31, 9, "'escalation' only belongs to vignettes", "'team-brief' is an instruction"
    )


def test_vignette_needs_title_and_known_area() -> None:
    text = edit("        area: mental-health\n", "")
    assert_problem(text, 34, 9, "missing required key 'area' in item 'mental-health'")
    text = edit("        area: mental-health", "        area: mental health")
    problem = assert_problem(text, 37, 15, "unknown area 'mental health'", "child-welfare")
    assert problem.message.endswith("did you mean 'mental-health'?")


def test_unknown_item_type() -> None:
    text = edit("        type: instruction", "        type: instructoin")
    problem = assert_problem(
        text, 29, 15, "unknown item type 'instructoin'", "question, vignette, instruction"
    )
    assert problem.message.endswith("did you mean 'instruction'?")


def test_invalid_id() -> None:
    text = edit("id: mini", "id: Mini Protocol")
    assert_problem(text, 3, 5, "invalid protocol id 'Mini Protocol'", "lowercase")


def test_duplicate_key_in_a_mapping() -> None:
    text = edit(
        "        text: Please tell me about your current role.\n",
        "        text: Please tell me about your current role.\n        type: question\n",
    )
    assert_problem(text, 25, 9, "duplicate key 'type' in item 'role' (first at line 23)")


def test_duplicate_role_and_consent_keys() -> None:
    text = edit("  - key: social-work", "  - key: police")
    assert_problem(text, 9, 10, "duplicate role key 'police' (first defined at line 7)")
    text = edit(
        "      text: I agree to take part in this interview.\n",
        "      text: I agree to take part in this interview.\n"
        "    - key: participate\n      text: Again.\n",
    )
    assert_problem(text, 18, 12, "duplicate consent item key 'participate'")


def test_unsupported_tags_are_rejected() -> None:
    text = edit("        text: Please respond", "        text: !shout Please respond")
    assert_problem(text, 30, 15, "unsupported tag '!shout'")
    text = edit("description: Used by the tests.", "description: !!binary aGVsbG8=")
    [problem] = problems(text)
    assert (problem.line, problem.column) == (5, 14)
    assert "unsupported tag '!!binary'" in problem.message


def test_merge_keys_are_rejected() -> None:
    text = edit("  - key: police\n", "  - <<: {key: police}\n")
    assert_problem(text, 7, 5, "merge keys ('<<') are not supported")


def test_special_characters_are_located() -> None:
    text = edit("title: A minimal protocol", "title: A \x07minimal protocol")
    assert_problem(text, 4, 10, "character that is not allowed (U+0007)")


def test_paired_roles_must_be_two_declared_roles() -> None:
    text = edit("paired_roles: [police, social-work]", "paired_roles: [police, social-wrok]")
    problem = assert_problem(text, 53, 24, "'social-wrok', which is not a declared role")
    assert problem.message.endswith("did you mean 'social-work'?")
    text = edit("paired_roles: [police, social-work]", "paired_roles: [police]")
    assert_problem(text, 53, 15, "exactly two roles, found 1")
    text = edit("  paired: [team-brief, role, vignettes]\n", "")
    assert_problem(text, 52, 1, "running_order has no paired list")


def test_running_order_needs_a_kind_and_known_kinds() -> None:
    text = edit(
        "  individual: [opening, vignettes]\n  paired: [team-brief, role, vignettes]\n",
        "  single: [opening]\n",
    )
    assert_problem(text, 51, 3, "unknown key 'single' in running_order")
    assert_problem(text, 51, 3, "running_order needs at least one of: individual, paired")


def test_multiple_documents() -> None:
    assert_problem(VALID + "---\nformat: x\n", 54, 1, "YAML syntax error", "single document")


def test_all_problems_are_collected_in_file_order() -> None:
    text = edit("version: 1", "version: 3")
    text = edit("        type: instruction", "        type: instructoin", text)
    text = edit("  paired: [team-brief, role, vignettes]", "  paired: [team-brief, rol]", text)
    found = problems(text)
    assert [(p.line, p.column) for p in found] == [(2, 10), (29, 15), (52, 24)]
    assert str(ProtocolError(found)).count("\n") == 2


def test_alias_bomb_is_refused() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 7):
        refs = ", ".join([f"*a{level - 1}"] * 10)
        lines.append(f"a{level}: &a{level} [{refs}]")
    [problem] = problems("\n".join(lines) + "\n")
    assert (problem.line, problem.column) == (1, 1)
    assert "too large" in problem.message


def test_recursive_alias_and_deep_nesting_are_problems() -> None:
    assert problems("roles: &r [*r]\n")
    found = problems("x: " + "[" * 3000 + "]" * 3000 + "\n")
    assert all(p.line >= 1 and p.column >= 1 for p in found)


def test_many_problems_are_capped() -> None:
    text = "\n".join(f"unknown{n}: 1" for n in range(150)) + "\n"
    found = problems(text)
    assert len(found) == 101
    assert "more problems" in found[-1].message


# --- freezing --------------------------------------------------------------------------------


def test_frozen_copy_round_trip_and_tampering() -> None:
    protocol = parse_protocol(VALID, "p.yaml")
    frozen = protocol_from_frozen(protocol.source_text, protocol.content_hash)
    assert frozen == protocol
    assert hash_protocol_text(VALID) == protocol.content_hash
    with pytest.raises(Tampered) as caught:
        protocol_from_frozen(VALID.replace("2 a.m.", "3 a.m."), protocol.content_hash, path="s")
    assert caught.value.path == "s"
    with pytest.raises(Tampered):
        protocol_from_frozen(VALID, "0" * 64)


# --- the default protocol --------------------------------------------------------------------


def test_default_protocol_path_is_in_resources() -> None:
    assert DEFAULT_PROTOCOL_PATH.parts[-3:] == ("resources", "protocols", "crisis-response.yaml")
    root = Path(__file__).resolve().parents[2]
    expected = root / "resources" / "protocols" / "crisis-response.yaml"
    assert expected == DEFAULT_PROTOCOL_PATH


@pytest.mark.skipif(not DEFAULT_EXISTS, reason="resources/protocols/crisis-response.yaml absent")
def test_default_protocol_loads() -> None:
    protocol = load_default_protocol()
    assert protocol.id == "crisis-response"
    for kind in protocol.kinds:
        assert protocol.prompts(kind)
        for line in format_running_order(protocol, kind).splitlines():
            assert display_width(line) <= 80, line


# --- property tests --------------------------------------------------------------------------

_BREAKS = re.compile(r"\r\n|[\r\n\x85\u2028\u2029]")
_SPECIAL = [*":-[]{}#&*!|>'\",?%@`\n\t \r\\", "\u2028", "\x00", "\ufeff", "é", "🚓", "危"]


def assert_parses_or_located(text: str) -> None:
    try:
        protocol = parse_protocol(text, "edited.yaml")
    except ProtocolError as error:
        assert error.problems
        last_line = len(_BREAKS.split(text)) + 1
        for problem in error.problems:
            assert problem.file == "edited.yaml"
            assert 1 <= problem.line <= last_line, problem
            assert problem.column >= 1, problem
            assert problem.message
        return
    assert isinstance(protocol, Protocol)
    for kind in protocol.kinds:
        protocol.prompts(kind)
        format_running_order(protocol, kind)


def _source(name: str) -> str:
    if name == "default":
        if not DEFAULT_EXISTS:
            pytest.skip("resources/protocols/crisis-response.yaml absent")
        return DEFAULT_PROTOCOL_PATH.read_text(encoding="utf-8")
    return VALID


@st.composite
def edited(draw: st.DrawFn, source: str) -> str:
    text = source
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["insert", "delete", "replace", "drop-line", "dup-line"]))
        if op in ("drop-line", "dup-line"):
            lines = text.splitlines(keepends=True)
            if not lines:
                continue
            n = draw(st.integers(0, len(lines) - 1))
            lines[n : n + 1] = [] if op == "drop-line" else [lines[n], lines[n]]
            text = "".join(lines)
            continue
        at = draw(st.integers(0, len(text)))
        char = draw(st.one_of(st.sampled_from(_SPECIAL), st.characters()))
        if op == "insert":
            text = text[:at] + char + text[at:]
        elif op == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 5)) :]
        else:
            text = text[:at] + char + text[at + 1 :]
    return text


@pytest.mark.parametrize("name", ["inline", "default"])
def test_random_text_edits_parse_or_give_located_problems(name: str) -> None:
    source = _source(name)

    @settings(
        max_examples=150,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(edited(source))
    def check(text: str) -> None:
        assert_parses_or_located(text)

    check()


@settings(max_examples=100, deadline=None)
@given(st.text())
def test_arbitrary_text_never_crashes(text: str) -> None:
    assert_parses_or_located(text)


_REPLACEMENTS: dict[type, Any] = {
    int: 7,
    float: 1.5,
    bool: True,
    str: "some text",
    list: ["x"],
    dict: {"x": "y"},
}


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path] if path else []
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _paths(child, (*path, index))
    return found


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_structured_mutations(data: st.DataObject) -> None:
    tree = yaml.safe_load(VALID)
    path = data.draw(st.sampled_from(_paths(tree)))
    parent = tree
    for step in path[:-1]:
        parent = parent[step]
    old = parent[path[-1]]
    op = data.draw(st.sampled_from(["drop", "null", "retype"]))
    if op == "drop":
        del parent[path[-1]]
    elif op == "null":
        parent[path[-1]] = None
    else:
        choices = [t for t in _REPLACEMENTS if t is not type(old)]
        parent[path[-1]] = copy.deepcopy(_REPLACEMENTS[data.draw(st.sampled_from(choices))])
    text = yaml.safe_dump(tree, allow_unicode=True, sort_keys=False)
    if op == "retype":
        # every value of the valid protocol matters: a value of another type is always wrong
        with pytest.raises(ProtocolError) as caught:
            parse_protocol(text, "edited.yaml")
        assert all(p.line >= 1 and p.column >= 1 for p in caught.value.problems)
    else:
        assert_parses_or_located(text)


def test_documented_example_is_valid() -> None:
    doc = Path(__file__).resolve().parents[2] / "docs" / "protocol-format.md"
    if not doc.is_file():
        pytest.skip("docs/protocol-format.md absent")
    example = doc.read_text(encoding="utf-8").split("```yaml\n", 1)[1].split("```", 1)[0]
    protocol = parse_protocol(example, str(doc))
    assert len(protocol.prompts(SessionKind.INDIVIDUAL)) == 4
    assert len(protocol.prompts(SessionKind.PAIRED)) == 5
