"""The study vocabulary: words whisper should spell the way the study spells them.

Interviews about crisis response are full of words a speech recogniser gets wrong: agency
names, local places, jargon and abbreviations ("co-responder", "CIT", "5150 hold"). The study
keeps a glossary of them, sealed in the study vault in a file of its own (``vocabulary.irf``;
a study without one, new or older, gets the default glossary of its protocol from
``resources/vocabulary/<protocol id>.txt``). Whisper hears the glossary, the protocol's
vignette titles and the fictional names in its vignettes before it listens:

- as its initial prompt (openai-whisper and faster-whisper ``initial_prompt``), phrased as
  natural text ("Glossary: co-responder, CIT, CPS. Vignettes: Frozen peas, ..."), since whisper
  treats the prompt as the transcript that came before;
- as hotwords (faster-whisper ``hotwords``, repeated before every 30-s window).

Whisper keeps at most 223 prompt tokens (half its 448-token text context); the prompt here is
capped at :data:`PROMPT_MAX_CHARS` characters (about 150 tokens: English text with
abbreviations measures about 3.4 characters a token), so the glossary always fits with room to
spare, and the glossary itself is limited so that it never crowds out the vignettes entirely.

Nothing here identifies a participant, but the glossary may name local agencies: the logger
gives counts only, never terms.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

from recorder.core.errors import RecorderError, UsageError
from recorder.core.protocol import DEFAULT_PROTOCOL_PATH, Protocol
from recorder.core.protocol_model import ItemType
from recorder.core.study import Study
from recorder.core.transcribe.engine import Options

log = logging.getLogger(__name__)

#: The glossary's sealed file in the study vault.
VOCABULARY_FILE = "vocabulary.irf"
#: Default glossaries, one file per protocol id (one term a line, ``#`` comments).
DEFAULTS_DIR = DEFAULT_PROTOCOL_PATH.parent.parent / "vocabulary"

#: At most this many terms in a glossary.
MAX_TERMS = 40
#: At most this many characters in one term (a long agency name fits).
MAX_TERM_CHARS = 50
#: The glossary, joined with ", ", fits in this many characters (leaves room for vignettes).
GLOSSARY_MAX_CHARS = 350
#: The initial prompt's cap, about 150 of whisper's 223 prompt tokens.
PROMPT_MAX_CHARS = 500

_SPACE = re.compile(r"\s+")
_FORBIDDEN = (",", ";")


@dataclass(frozen=True)
class VocabularyOptions:
    """What whisper is given: ``Options.initial_prompt`` and ``Options.hotwords``.

    ``left_out`` holds the protocol's titles and names that did not fit in the prompt.
    """

    initial_prompt: str | None
    hotwords: str | None
    terms: tuple[str, ...] = ()
    left_out: tuple[str, ...] = field(default=())


# -- terms ------------------------------------------------------------------------------------


def clean_term(text: str) -> str:
    """One term, trimmed with inner spaces collapsed; ``UsageError`` if it cannot be a term."""
    term = _SPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()
    if not term:
        raise UsageError("A vocabulary term cannot be empty.")
    if any(unicodedata.category(ch).startswith("C") for ch in term):
        raise UsageError("A vocabulary term cannot contain control characters.")
    if any(mark in term for mark in _FORBIDDEN):
        raise UsageError(
            f"{_short(term)!r} contains a comma or semicolon.",
            hint="Give each term separately (commas separate terms in whisper's prompt).",
        )
    if len(term) > MAX_TERM_CHARS:
        raise UsageError(
            f"{_short(term)!r} is {len(term)} characters long; a term may have at most "
            f"{MAX_TERM_CHARS}.",
            hint="Use the shortest form people say, e.g. an abbreviation.",
        )
    return term


def clean_terms(terms: Iterable[str]) -> tuple[str, ...]:
    """Cleaned terms without case-insensitive duplicates (the first spelling wins), in order;
    ``UsageError`` beyond :data:`MAX_TERMS` or :data:`GLOSSARY_MAX_CHARS`."""
    out: dict[str, str] = {}
    for text in terms:
        term = clean_term(text)
        out.setdefault(term.casefold(), term)
    cleaned = tuple(out.values())
    _check_size(cleaned)
    return cleaned


def _check_size(terms: Sequence[str]) -> None:
    if len(terms) > MAX_TERMS:
        raise UsageError(
            f"The glossary would have {len(terms)} terms; it holds at most {MAX_TERMS}.",
            hint="Keep the words the transcripts actually get wrong; remove the others.",
        )
    size = len(", ".join(terms))
    if size > GLOSSARY_MAX_CHARS:
        raise UsageError(
            f"The glossary would be {size} characters long; whisper's prompt leaves room for "
            f"{GLOSSARY_MAX_CHARS}.",
            hint="Remove terms whisper already spells right, or use shorter forms.",
        )


def _short(term: str, limit: int = 40) -> str:
    return term if len(term) <= limit else term[: limit - 1] + "…"


def _read_lines(text: str) -> list[str]:
    return [s.strip() for s in text.splitlines() if s.strip() and not s.lstrip().startswith("#")]


def read_terms_file(path: Path) -> tuple[str, ...]:
    """Terms from a text file: one a line, blank lines and ``#`` comments ignored."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UsageError(f"{path} does not exist.") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path} is not a UTF-8 text file.") from None
    except OSError as exc:
        raise RecorderError(f"Could not read {path}: {exc.strerror}.") from exc
    return clean_terms(_read_lines(text))


@cache
def _default_terms(protocol_id: str) -> tuple[str, ...]:
    path = DEFAULTS_DIR / f"{protocol_id}.txt"
    if not path.is_file():
        return ()
    return clean_terms(_read_lines(path.read_text(encoding="utf-8")))


def default_terms(protocol: Protocol) -> tuple[str, ...]:
    """The default glossary of this protocol (empty when it ships none)."""
    return _default_terms(protocol.id)


# -- the study's glossary -----------------------------------------------------------------------


def is_stored(study: Study) -> bool:
    """Has this study a glossary of its own (else it uses its protocol's default)?"""
    return study.vault.exists(VOCABULARY_FILE)


def glossary(study: Study, protocol: Protocol | None = None) -> tuple[str, ...]:
    """The study's glossary; the default of ``protocol`` (the study's own protocol when
    ``None``) if the study has none stored."""
    if is_stored(study):
        data = study.vault.read_json(VOCABULARY_FILE)
        rows = data.get("terms", []) if isinstance(data, dict) else []
        return tuple(str(t) for t in rows if isinstance(t, str) and t.strip())
    return default_terms(protocol or _study_protocol(study))


def _study_protocol(study: Study) -> Protocol:
    from recorder.core.sessions import study_protocol

    return study_protocol(study)


def set_glossary(study: Study, terms: Iterable[str]) -> tuple[str, ...]:
    """Replace the glossary (cleaned and de-duplicated); returns what was stored."""
    cleaned = clean_terms(terms)
    study.vault.write_json(VOCABULARY_FILE, {"version": 1, "terms": list(cleaned)})
    log.info("study vocabulary saved (%d terms)", len(cleaned))
    return cleaned


def add_terms(
    study: Study, terms: Iterable[str], protocol: Protocol | None = None
) -> tuple[str, ...]:
    """Add terms at the end; one already there (ignoring case) keeps its spelling."""
    return set_glossary(study, [*glossary(study, protocol), *terms])


def remove_terms(
    study: Study, terms: Iterable[str], protocol: Protocol | None = None
) -> tuple[str, ...]:
    """Remove terms (matched ignoring case); ``UsageError`` for one that is not there."""
    current = list(glossary(study, protocol))
    for text in terms:
        term = clean_term(text)
        folded = [t.casefold() for t in current]
        if term.casefold() not in folded:
            raise UsageError(
                f"{_short(term)!r} is not in the study vocabulary; nothing was changed.",
                hint="See the terms with 'study vocabulary show'.",
            )
        del current[folded.index(term.casefold())]
    return set_glossary(study, current)


def reset_glossary(study: Study, protocol: Protocol | None = None) -> tuple[str, ...]:
    """Store the protocol's default glossary in place of the study's."""
    return set_glossary(study, default_terms(protocol or _study_protocol(study)))


# -- what whisper hears -------------------------------------------------------------------------


def vignette_titles(protocol: Protocol) -> tuple[str, ...]:
    """The titles of the protocol's vignettes, in file order."""
    return tuple(i.title for i in protocol.items if i.type is ItemType.VIGNETTE and i.title)


def vignette_names(protocol: Protocol) -> tuple[str, ...]:
    """The fictional people's names in the vignettes ("Tomasz", "Ines"), found as
    de-identification finds them (capitalised words that are not common vocabulary)."""
    from recorder.core.deid.known import vignette_names as per_vignette
    from recorder.core.deid.vocabulary import common_words

    if not common_words():  # without whisper's word list every capital would be a "name"
        return ()
    seen: dict[str, str] = {}
    for _item, names in per_vignette(protocol):
        for name in names:
            seen.setdefault(name.casefold(), name)
    return tuple(seen.values())


def build_options(terms: Sequence[str], protocol: Protocol | None) -> VocabularyOptions:
    """The initial prompt and hotwords for ``terms`` plus the protocol's vignette titles and
    names; both ``None`` when there is nothing to say."""
    taken = {t.casefold() for t in terms}
    names = [n for n in (vignette_names(protocol) if protocol else ()) if n.casefold() not in taken]
    titles = [
        t for t in (vignette_titles(protocol) if protocol else ()) if t.casefold() not in taken
    ]
    parts: list[tuple[str, list[str]]] = [
        ("Glossary", list(terms)),
        ("Names", []),
        ("Vignettes", []),
    ]
    left_out: list[str] = []
    # Names are spelled wrong more often than titles: they go in first, titles after.
    for index, extra in ((1, names), (2, titles)):
        for word in extra:
            parts[index][1].append(word)
            if len(_prompt(parts)) > PROMPT_MAX_CHARS:
                parts[index][1].pop()
                left_out.append(word)
    prompt = _prompt(parts)
    heard = [w for _, words in parts[:2] for w in words]
    if left_out:
        log.info("%d vignette title(s) or name(s) left out of whisper's prompt", len(left_out))
    return VocabularyOptions(
        initial_prompt=prompt or None,
        hotwords=", ".join(heard) or None,
        terms=tuple(terms),
        left_out=tuple(left_out),
    )


def _prompt(parts: Sequence[tuple[str, Sequence[str]]]) -> str:
    """``Glossary: a, b. Names: c. Vignettes: d, e.`` (empty parts left out)."""
    return " ".join(f"{head}: {', '.join(words)}." for head, words in parts if words)


def vocabulary_options(study: Study, protocol: Protocol) -> VocabularyOptions:
    """What whisper hears for a session of ``study`` run on ``protocol`` (the session's own)."""
    return build_options(glossary(study, protocol), protocol)


def with_vocabulary(options: Options, study: Study, protocol: Protocol) -> Options:
    """``options`` with the study vocabulary, when ``options.use_vocabulary`` asks for it and
    they do not already say what whisper should hear.

    The vocabulary goes in as hotwords, heard before every 30-s window, with previous-text
    conditioning off: measured with tiny.en, that raised glossary recall from ~45 % to ~75 %;
    a one-off initial prompt helped only the first minute and once made the pipeline skip a
    whole first answer, and hotwords with previous-text conditioning derailed on long
    recordings (docs/PERFORMANCE.md)."""
    if not options.use_vocabulary or options.hotwords or options.initial_prompt:
        return options
    hotwords = vocabulary_options(study, protocol).hotwords
    if not hotwords:
        return options
    return replace(options, hotwords=hotwords, condition_on_previous_text=False)
