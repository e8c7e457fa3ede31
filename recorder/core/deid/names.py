"""Known names and terms in text: full names, parts, nicknames, possessives, near misses.

From each known person's names we index every usable form: the full name, first-only,
last-only, middle names, nicknames (one word or several), hyphenated parts, and for parts of
five letters or more their one-letter variants (what a speech recogniser produces for
"Ramirez": "Ramires", "Ramírez", "Ramiraz"). Redaction-list terms are matched as whole-word
sequences. A name part that is also a common word ("Will", "Grace", "Hope") only counts when
it is written with a capital in the middle of a sentence, follows a title, or stands next to
another part of the same name. A nickname written in lower case ("a teddy bear", "a homemade
shiv") needs the same support: only the capitalised nickname counts on its own. Known e-mail
addresses are also found spoken ("t dot okafor at county mail dot org").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from recorder.core.deid.hits import Hit
from recorder.core.deid.known import AGENCY_WORDS, PLACE_WORDS, KnownTerms
from recorder.core.deid.placeholders import fixed_placeholder
from recorder.core.deid.review import Category, Source
from recorder.core.deid.text import (
    Token,
    deletions,
    edit_distance_one,
    fold,
    only_space_between,
    sentence_initial,
    tokens,
)
from recorder.core.deid.vocabulary import common_words

#: Words put before a name ("Officer Ramirez", "Ms. Patel"): folded, without full stop.
TITLES = frozenset(
    {
        "officer",
        "sergeant",
        "sgt",
        "detective",
        "det",
        "deputy",
        "lieutenant",
        "lt",
        "captain",
        "capt",
        "chief",
        "corporal",
        "cpl",
        "trooper",
        "constable",
        "inspector",
        "agent",
        "commander",
        "mr",
        "mrs",
        "ms",
        "miss",
        "mx",
        "dr",
        "doctor",
        "professor",
        "prof",
        "judge",
        "nurse",
        "pastor",
        "father",
        "reverend",
        "rev",
        "auntie",
        "aunt",
        "uncle",
        "grandma",
        "grandpa",
        "granny",
        "sister",
        "brother",
    }
)
#: Particles that are part of a surname but never a name on their own.
PARTICLES = frozenset({"de", "da", "del", "della", "di", "du", "la", "le", "van", "von", "der"})
#: Shortest name part for which one-letter variants are matched.
NEAR_MISS_MIN = 5
#: Longest multi-word form matched.
MAX_WORDS = 6


@dataclass(frozen=True, slots=True)
class Entity:
    """Something a name form points to, with how to replace it."""

    category: Category
    source: Source
    key: str
    replacement: str = ""


@dataclass
class NameIndex:
    """The compiled forms of a ``KnownTerms``."""

    single: dict[str, Entity] = field(default_factory=dict)
    multi: dict[tuple[str, ...], Entity] = field(default_factory=dict)
    #: One-letter-deletion index for near misses: variant -> name parts (people only).
    near: dict[str, set[str]] = field(default_factory=dict)
    keep: frozenset[str] = frozenset()
    keep_multi: frozenset[tuple[str, ...]] = frozenset()
    vignette_global: frozenset[str] = frozenset()
    vignette_scoped: dict[str, frozenset[str]] = field(default_factory=dict)
    max_words: int = 1
    #: Nickname words that are no part of anyone's full name: lower case, they need context.
    nicknames: frozenset[str] = frozenset()
    #: Known e-mail addresses by their letters and digits only ("dana.r@x.org" -> "danarxorg").
    emails: dict[str, Entity] = field(default_factory=dict)


def _words(text: str) -> tuple[str, ...]:
    return tuple(t.key for t in tokens(text) if t.key not in TITLES)


@lru_cache(maxsize=16)
def compile_known(known: KnownTerms) -> NameIndex:
    """Index every form of every known name and term (cached per ``KnownTerms``)."""
    index = NameIndex()
    # Terms first, people last: a person's forms win a clash with a term.
    for term in known.terms:
        words = tuple(t.key for t in tokens(term.text))
        if not words:
            continue
        key = f"term:{' '.join(words)}"
        if term.category in (Category.EMAIL, Category.PHONE):
            _add(index, words, Entity(term.category, Source.CODEMAP, key))
            if term.category is Category.EMAIL and len(compact := "".join(words)) >= 6:
                index.emails[compact.replace("'", "")] = Entity(
                    Category.EMAIL, Source.CODEMAP, key, fixed_placeholder(Category.EMAIL)
                )
            continue
        entity = Entity(term.category, Source.REDACTION_LIST, key)
        if term.category in (Category.PERSON, Category.PARTICIPANT):
            _add_name(index, term.text, entity)  # a third party: every form of the name
            continue
        for form in _saint_forms(words):
            _add(index, form, entity)
            for head in _heads(form):  # "Riverside" for "Riverside Mental Health Center"
                if head not in index.multi and (len(head) > 1 or head[0] not in index.single):
                    _add(index, head, entity)
    full_parts: set[str] = set()
    nick_parts: set[str] = set()
    for person in known.people:
        entity = Entity(
            person.category, Source.CODEMAP, person.key or person.names[0], person.placeholder
        )
        for n, name in enumerate(person.names):
            _add_name(index, name, entity)
            (nick_parts if n else full_parts).update(_words(name))
    index.nicknames = frozenset(nick_parts - full_parts)
    kept = [_kw(k) for k in known.keep]
    index.keep = frozenset(w[0] for w in kept if len(w) == 1)
    index.keep_multi = frozenset(w for w in kept if len(w) > 1)
    index.vignette_global = known.all_vignette_names()
    index.vignette_scoped = {
        item: frozenset(fold(n) for n in names) for item, names in known.vignette_names
    }
    index.max_words = max([1, *(len(k) for k in index.multi), *(len(k) for k in index.keep_multi)])
    index.max_words = min(index.max_words, MAX_WORDS)
    return index


def _add_name(index: NameIndex, name: str, entity: Entity) -> None:
    """Full name, each part, first + last, a joined surname and one-letter variants."""
    words = _words(name)
    if not words:
        return
    _add(index, words, entity)
    parts = [w for w in words if len(w) >= 2 and w not in PARTICLES]
    for part in parts:
        _add(index, (part,), entity)
        bare = _bare(part)
        if len(bare) >= NEAR_MISS_MIN:
            for variant in {bare} | deletions(bare):
                index.near.setdefault(variant, set()).add(part)
    if len(words) > 2:  # "Dana Maria Ramirez" -> "Dana Ramirez"
        _add(index, (words[0], words[-1]), entity)
    if len(parts) >= 2:  # hyphenated or spaced surnames as one word: "Mc Allister"
        _add(index, ("".join(parts[-2:]),), entity)


#: Words that end the distinctive head of an agency or place name ("Harbor Light" of
#: "Harbor Light Crisis Services", "St. Ambrose" of "St. Ambrose Medical Center").
_GENERIC_TAIL = frozenset(
    {
        "mental",
        "health",
        "children",
        "children's",
        "protective",
        "adult",
        "elementary",
        "high",
        "middle",
        "medical",
        "center",
        "centre",
        "crisis",
        "community",
        "family",
        "families",
        "behavioral",
        "behavioural",
        "counseling",
        "counselling",
        "recovery",
        "treatment",
        "regional",
        "memorial",
        "general",
        "emergency",
        "housing",
        "support",
        "youth",
        "women's",
        "victim",
        "victims",
        "legal",
        "service",
        "house",
        "home",
        "homes",
        "church",
        "academy",
        "college",
        "institute",
        "program",
        "programme",
        "project",
        "network",
        "coalition",
        "association",
        "society",
        "alliance",
        "ministries",
        "mission",
        "outreach",
        "response",
        "team",
        "sheriff's",
    }
)
#: Words that are no distinctive head on their own ("County" of "County Medical Center").
_NOT_HEAD = AGENCY_WORDS | PLACE_WORDS | _GENERIC_TAIL | {"st", "saint", "the", "of", "and"}


def _heads(words: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The distinctive starts of an agency or place name: every run of leading words that
    stops before a generic word ("Lantern" and "Lantern Bay" of "Lantern Bay Crisis
    Services"), never one of generic words only ("County", "Medical Center")."""
    heads = []
    for n, word in enumerate(words):
        if not n or not (word in AGENCY_WORDS or word in PLACE_WORDS or word in _GENERIC_TAIL):
            continue
        head = words[:n]
        if head[-1] in _GENERIC_TAIL or head[-1] in AGENCY_WORDS or head[-1] in TITLES:
            continue
        if sum(len(w) for w in head) >= 4 and not all(w in _NOT_HEAD for w in head):
            heads.append(head)
    return heads


def _saint_forms(words: tuple[str, ...]) -> list[tuple[str, ...]]:
    """A term as listed, and with "St." and "Saint" swapped ("St. Ambrose", "Saint Ambrose")."""
    other = {"st": "saint", "saint": "st"}
    forms = [words]
    if len(words) > 1 and words[0] in other:
        forms.append((other[words[0]], *words[1:]))
    return forms


def _bare(word: str) -> str:
    return word.replace("'", "").replace("-", "")


def _kw(text: str) -> tuple[str, ...]:
    return tuple(t.key for t in tokens(text))


def _add(index: NameIndex, words: tuple[str, ...], entity: Entity) -> None:
    if len(words) == 1:
        index.single[words[0]] = entity
    elif len(words) <= MAX_WORDS:
        index.multi[words] = entity


@dataclass(slots=True)
class _Found:
    first: int  # token indexes, inclusive
    last: int
    entity: Entity
    weak: bool  # needs confirmation by context
    clash: bool = False  # also a vignette character's name in this vignette


def find_known(text: str, toks: Sequence[Token], known: KnownTerms, item_id: str = "") -> list[Hit]:
    """Hits for known names and redaction-list terms in one segment's text.

    Occurrences of a vignette name that is also a known person's name, inside that vignette,
    come back as ``CANDIDATE`` hits (flagged, not applied) unless attached to more of the name.
    """
    index = compile_known(known)
    scoped = index.vignette_scoped.get(item_id, frozenset())
    found: list[_Found] = []
    i, n = 0, len(toks)
    while i < n:
        match = _match_multi(text, toks, i, index)
        if match is not None:
            last, entity = match
            if entity is not None:
                found.append(_Found(i, last, entity, weak=False))
            i = last + 1
            continue
        tok = toks[i]
        key = tok.key
        entity = index.single.get(key)
        if entity is not None:
            common = key in common_words()
            clash = key in scoped
            kept = key in index.keep
            # a nickname in lower case may be the word it also is: "a teddy bear", "a shiv"
            lower_nick = key in index.nicknames and not tok.capitalised
            weak = common or clash or kept or lower_nick
            found.append(_Found(i, i, entity, weak=weak, clash=clash))
        elif (joined := _joined(text, toks, i, index)) is not None:
            found.append(_Found(i, i + 1, joined, weak=False))
            i += 2
            continue
        elif (near := _near(tok, index)) is not None:
            weak = near[1] or key in index.vignette_global or (not tok.capitalised and near[2])
            found.append(_Found(i, i, near[0], weak=weak))
        i += 1
    return _confirm(text, toks, found) + _known_emails(text, toks, index)


#: Words said between the parts of an e-mail address.
_EMAIL_WORDS = frozenset({"dot", "at", "underscore", "dash", "hyphen", "sign"})


def _known_emails(text: str, toks: Sequence[Token], index: NameIndex) -> list[Hit]:
    """Known e-mail addresses written or spoken: "dana dot ramirez at millbrook pd dot org"
    for dana.ramirez@millbrookpd.org (the words' letters, separator words left out)."""
    if not index.emails:
        return []
    hits: list[Hit] = []
    i, n = 0, len(toks)
    while i < n:
        key = toks[i].key.replace("'", "")
        end = -1
        for compact, entity in index.emails.items():
            if not compact.startswith(key):
                continue
            last = _email_end(text, toks, i, compact)
            if last is not None:
                hits.append(
                    Hit(
                        toks[i].start,
                        toks[last].end,
                        entity.category,
                        entity.source,
                        entity.key,
                        entity.replacement,
                    )
                )
                end = max(end, last)
        i = end + 1 if end >= 0 else i + 1
    return hits


def _email_end(text: str, toks: Sequence[Token], i: int, compact: str) -> int | None:
    """The last token of ``compact`` said from token ``i`` on, or ``None``."""
    done = 0
    for j in range(i, len(toks)):
        if j > i:
            gap = text[toks[j - 1].end : toks[j].start]
            if len(gap) > 3 or gap.strip(" .@_-") != "":
                return None
        key = toks[j].key.replace("'", "")
        if compact.startswith(key, done):
            done += len(key)
            if done == len(compact):
                return j
        elif key not in _EMAIL_WORDS or j == i:
            return None
    return None


def _match_multi(
    text: str, toks: Sequence[Token], i: int, index: NameIndex
) -> tuple[int, Entity | None] | None:
    """The longest multi-word form (or kept phrase) starting at token ``i``."""
    top = min(index.max_words, len(toks) - i)
    for size in range(top, 1, -1):
        words = tuple(t.key for t in toks[i : i + size])
        if not all(
            only_space_between(text, toks[j].end, toks[j + 1].start, dots=True)
            for j in range(i, i + size - 1)
        ):
            continue
        if words in index.keep_multi:
            return i + size - 1, None
        entity = index.multi.get(words)
        if entity is not None and not _ambiguous(toks[i : i + size]):
            return i + size - 1, entity
    return None


def _ambiguous(run: Sequence[Token]) -> bool:
    """A form made only of common words ("Will Hope") needs capitals to count."""
    return all(t.key in common_words() for t in run) and not all(t.capitalised for t in run)


def _joined(text: str, toks: Sequence[Token], i: int, index: NameIndex) -> Entity | None:
    """A name the recogniser split in two: "Mc Allister", "Ramirez Lopez" for a joined form."""
    if i + 1 >= len(toks) or not only_space_between(text, toks[i].end, toks[i + 1].start):
        return None
    joined = toks[i].key + toks[i + 1].key
    if len(joined) < NEAR_MISS_MIN or (
        toks[i].key in common_words() and toks[i + 1].key in common_words()
    ):
        return None
    return index.single.get(joined)


def _near(tok: Token, index: NameIndex) -> tuple[Entity, bool, bool] | None:
    """A one-letter variant of a name part of five letters or more that is not itself a
    common word; weak (needs context) when the name part is a common word ("Gracie"). The
    third value says whether the name part is a nickname."""
    key = _bare(tok.key)
    if len(key) < NEAR_MISS_MIN - 1 or tok.key in common_words() or not key.isalpha():
        return None
    parts: set[str] = set()
    for variant in {key} | deletions(key):
        parts |= index.near.get(variant, set())
    for part in sorted(parts):
        if edit_distance_one(key, _bare(part)):
            entity = index.single.get(part)
            if entity is not None:
                return entity, part in common_words(), part in index.nicknames
    return None


def _confirm(text: str, toks: Sequence[Token], found: list[_Found]) -> list[Hit]:
    """Keep weak forms only with support; merge neighbouring forms of one entity."""
    merged: list[_Found] = []
    for f in found:
        prev = merged[-1] if merged else None
        if (
            prev is not None
            and prev.entity == f.entity
            and (toks[f.first].capitalised or toks[f.first].key not in common_words())
            and prev.last + 1 == f.first
            and only_space_between(text, toks[prev.last].core_end, toks[f.first].start)
            and toks[prev.last].core_end == toks[prev.last].end
        ):
            prev.last = f.last
            prev.weak = prev.weak and f.weak
            prev.clash = prev.clash and f.clash
            continue
        merged.append(_Found(f.first, f.last, f.entity, f.weak, f.clash))
    hits = []
    for f in merged:
        first = toks[f.first]
        span_start, span_end = first.start, toks[f.last].core_end
        if f.weak and f.clash:
            hits.append(
                Hit(
                    span_start,
                    span_end,
                    Category.CANDIDATE,
                    Source.CANDIDATE,
                    f.entity.key,
                    f.entity.replacement,
                )
            )
            continue
        if f.weak and not _context_says_name(text, toks, f.first):
            continue
        hits.append(
            Hit(
                span_start,
                span_end,
                f.entity.category,
                f.entity.source,
                f.entity.key,
                f.entity.replacement,
            )
        )
    return hits


def _context_says_name(text: str, toks: Sequence[Token], i: int) -> bool:
    """A common word used as a name: capitalised mid-sentence, after a title, or at the start
    of a sentence when addressed ("Will, can you ...") or possessive ("Grace's car")."""
    tok = toks[i]
    if not tok.capitalised or tok.raw.isupper():
        return i > 0 and toks[i - 1].key.rstrip(".") in TITLES and tok.capitalised
    if i > 0 and toks[i - 1].key.rstrip(".") in TITLES:
        return True
    if not sentence_initial(text, tok.start):
        return True
    addressed = text[tok.end : tok.end + 1] == "," and i + 1 < len(toks)
    return addressed or tok.core_end < tok.end
