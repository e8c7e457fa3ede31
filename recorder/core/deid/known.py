"""What the detectors know in advance: people from the code map, the study's redaction list,
and the words that must stay (the protocol's fictional vignette names, a keep list).

``KnownTerms`` is a plain hashable value built by pure functions, so detectors can cache
what they compile from it. It holds identifying text: never log it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from recorder.core.deid.placeholders import participant_placeholder
from recorder.core.deid.review import Category
from recorder.core.deid.text import fold, sentence_initial, tokens
from recorder.core.deid.vocabulary import common_words
from recorder.core.model import CodeMapEntry
from recorder.core.protocol import Protocol
from recorder.core.protocol_model import ItemType

#: Placeholder of the interviewer's own name.
INTERVIEWER_PLACEHOLDER = "[INTERVIEWER]"

_PREFIX_RE = re.compile(r"^\s*(person|place|agency|org|organisation|organization)\s*:\s*", re.I)
_PREFIXES = {
    "person": Category.PERSON,
    "place": Category.PLACE,
    "agency": Category.AGENCY,
    "org": Category.AGENCY,
    "organisation": Category.AGENCY,
    "organization": Category.AGENCY,
}
AGENCY_WORDS = frozenset(
    {
        "agency",
        "authority",
        "board",
        "bureau",
        "center",
        "centre",
        "clinic",
        "council",
        "court",
        "department",
        "dept",
        "division",
        "foundation",
        "hospital",
        "office",
        "patrol",
        "pd",
        "police",
        "precinct",
        "services",
        "sheriff",
        "sheriff's",
        "shelter",
        "school",
        "trust",
        "unit",
        "university",
    }
)
PLACE_WORDS = frozenset(
    {
        "avenue",
        "bay",
        "beach",
        "city",
        "county",
        "creek",
        "falls",
        "fort",
        "grove",
        "heights",
        "hills",
        "lake",
        "mount",
        "park",
        "ridge",
        "springs",
        "street",
        "town",
        "township",
        "valley",
        "village",
    }
)


@dataclass(frozen=True)
class KnownPerson:
    """A person whose name forms are known: the full name first, then nicknames."""

    names: tuple[str, ...]
    #: ``PARTICIPANT`` for the session's participants, ``PERSON`` for anyone else.
    category: Category = Category.PERSON
    #: A fixed replacement ("[P-7KQ2M, police]"); empty means a numbered [PERSON-n].
    placeholder: str = ""
    #: Keeps numbered placeholders consistent for this person across name forms.
    key: str = ""


@dataclass(frozen=True)
class KnownTerm:
    """A study-wide term to redact (agency, place, third party)."""

    text: str
    category: Category


@dataclass(frozen=True)
class KnownTerms:
    """Everything the detectors are told in advance."""

    people: tuple[KnownPerson, ...] = ()
    terms: tuple[KnownTerm, ...] = ()
    #: Words or phrases that must stay, everywhere (an explicit keep list).
    keep: tuple[str, ...] = ()
    #: Fictional names per vignette item ID (from the protocol). They stay; where one is
    #: also a known person's name it stays only within its vignette, flagged for review.
    vignette_names: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def all_vignette_names(self) -> frozenset[str]:
        return frozenset(fold(n) for _, names in self.vignette_names for n in names)


def term_category(term: str) -> tuple[str, Category]:
    """Split an optional ``place:``/``agency:``/``person:`` prefix off a redaction-list term,
    or guess the category: agency words -> AGENCY, place words -> PLACE, two or three
    capitalised words starting with a non-vocabulary word -> PERSON, else PLACE."""
    m = _PREFIX_RE.match(term)
    if m:
        return term[m.end() :].strip(), _PREFIXES[m.group(1).lower()]
    words = [t.key for t in tokens(term)]
    if any(w in AGENCY_WORDS for w in words):
        return term.strip(), Category.AGENCY
    if any(w in PLACE_WORDS for w in words):
        return term.strip(), Category.PLACE
    raw = term.split()
    if (
        2 <= len(raw) <= 3
        and all(w[:1].isupper() for w in raw)
        and words
        and words[0] not in common_words()
    ):
        return term.strip(), Category.PERSON
    return term.strip(), Category.PLACE


def known_from_codemap(
    entries: Sequence[CodeMapEntry],
    redaction_terms: Sequence[str],
    participants: Sequence[tuple[str, str]] = (),
    *,
    interviewer: str = "",
    protocol: Protocol | None = None,
    keep: Iterable[str] = (),
) -> KnownTerms:
    """Known terms for one session.

    ``participants`` are the session's (participant ID, role) pairs: they become
    "[ID, role]"; everyone else in the code map becomes a numbered [PERSON-n] (never their
    study ID, which would link sessions). Agencies, e-mail addresses and phone numbers in
    the identities join the redaction list.
    """
    roles = dict(participants)
    people: list[KnownPerson] = []
    terms: list[KnownTerm] = []
    for entry in entries:
        identity = entry.identity
        names = tuple(n for n in (identity.name, *identity.nicknames) if n.strip())
        if names:
            pid = entry.participant_id
            if pid in roles:
                people.append(
                    KnownPerson(
                        names,
                        Category.PARTICIPANT,
                        participant_placeholder(pid, roles[pid]),
                        key=f"codemap:{pid}",
                    )
                )
            else:
                people.append(KnownPerson(names, Category.PERSON, key=f"codemap:{pid}"))
        if identity.agency.strip():
            terms.append(KnownTerm(identity.agency.strip(), Category.AGENCY))
        if identity.email.strip():
            terms.append(KnownTerm(identity.email.strip(), Category.EMAIL))
        if identity.phone.strip():
            terms.append(KnownTerm(identity.phone.strip(), Category.PHONE))
    if interviewer.strip() and any(ch.isalpha() for ch in interviewer):
        people.append(
            KnownPerson(
                (interviewer.strip(),), Category.PERSON, INTERVIEWER_PLACEHOLDER, "interviewer"
            )
        )
    for raw in redaction_terms:
        text, category = term_category(raw)
        if text:
            terms.append(KnownTerm(text, category))
    return KnownTerms(
        people=tuple(people),
        terms=tuple(terms),
        keep=tuple(k.strip() for k in keep if k.strip()),
        vignette_names=vignette_names(protocol) if protocol else (),
    )


def known_from_names(names_lines: Iterable[str], keep_lines: Iterable[str] = ()) -> KnownTerms:
    """Known terms from a names file (one person per line, aliases split by ``|``) and a keep
    file (one term per line). Blank lines and lines starting with ``#`` are skipped."""
    people = []
    for n, line in enumerate(names_lines):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        aliases = tuple(a.strip() for a in line.split("|") if a.strip())
        if aliases:
            people.append(KnownPerson(aliases, Category.PERSON, key=f"line:{n}"))
    keep = tuple(k.strip() for k in keep_lines if k.strip() and not k.lstrip().startswith("#"))
    return KnownTerms(people=tuple(people), keep=keep)


def vignette_names(protocol: Protocol) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Per vignette: the capitalised words of its texts that are not common vocabulary.

    The protocol's people are fictional; these names must survive de-identification.
    """
    out = []
    for item in protocol.items:
        if item.type is not ItemType.VIGNETTE:
            continue
        found: dict[str, str] = {}
        for text in (item.title, item.text, item.escalation, *item.probes, item.notes):
            for token in tokens(text):
                if (
                    len(token.key) >= 2
                    and token.capitalised
                    and not token.raw.isupper()
                    and token.key not in common_words()
                    and token.key not in NOT_NAMES
                    and not (sentence_initial(text, token.start) and token.key in common_words())
                ):
                    found.setdefault(token.key, text[token.start : token.core_end])
        out.append((item.id, tuple(found.values())))
    return tuple(out)


#: Capitalised words that are not names of people (kept out of the vignette name list).
NOT_NAMES = frozenset(
    {
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "january",
        "february",
        "march",
        "april",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    }
)
