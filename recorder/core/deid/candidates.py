"""Candidate names the code map and redaction list did not know, flagged for a reviewer.

A capitalised word that is not common vocabulary ("Okafor", "Millbrook"), a capitalised
word after a title ("Sergeant Young"), a given name that is also a word written with a
capital mid-sentence ("I told Grace"), and capitalised place phrases ("Cedar Falls",
"Riverside Hospital") are candidates. Neighbouring candidate words form one candidate.
Candidates are only ever proposed: nothing applies them without a person's decision.
"""

from __future__ import annotations

from collections.abc import Sequence

from recorder.core.deid.hits import Hit
from recorder.core.deid.known import AGENCY_WORDS, NOT_NAMES, PLACE_WORDS
from recorder.core.deid.names import TITLES, NameIndex
from recorder.core.deid.review import Category, Source
from recorder.core.deid.text import Token, only_space_between, sentence_initial
from recorder.core.deid.vocabulary import common_words

#: Given names that are also ordinary words: candidates when capitalised mid-sentence.
WORD_NAMES = frozenset(
    [
        "will",
        "grace",
        "hope",
        "mark",
        "bill",
        "rose",
        "may",
        "june",
        "april",
        "dawn",
        "faith",
        "joy",
        "ray",
        "pat",
        "sue",
        "rob",
        "jack",
        "frank",
        "amber",
        "ruby",
        "pearl",
        "iris",
        "ivy",
        "lily",
        "daisy",
        "holly",
        "heather",
        "violet",
        "jasmine",
        "olive",
        "hazel",
        "crystal",
        "destiny",
        "patience",
        "charity",
        "victor",
        "rich",
        "chase",
        "hunter",
        "cash",
        "gene",
        "sandy",
        "rusty",
        "buck",
        "dean",
        "earl",
        "guy",
        "jean",
        "penny",
        "summer",
        "autumn",
        "sky",
        "rain",
        "river",
        "storm",
        "king",
        "prince",
        "major",
        "chance",
        "price",
        "star",
        "art",
        "sterling",
        "miles",
        "wade",
        "drew",
        "bud",
        "carol",
        "robin",
        "jay",
        "wren",
        "lane",
        "brook",
        "reed",
        "ward",
        "bishop",
        "baker",
        "cook",
        "carter",
        "mason",
        "parker",
        "porter",
        "taylor",
        "young",
        "white",
        "brown",
        "green",
        "black",
        "gray",
        "grey",
    ]
)

#: Capitalised words that are fine to keep: calendar, faith, languages, common acronyms.
ALLOWED_PROPER = NOT_NAMES | frozenset(
    [
        "i",
        "i'm",
        "i'd",
        "i've",
        "i'll",
        "ok",
        "okay",
        "mom",
        "mum",
        "dad",
        "ma",
        "pa",
        "christmas",
        "easter",
        "thanksgiving",
        "halloween",
        "ramadan",
        "eid",
        "hanukkah",
        "passover",
        "god",
        "jesus",
        "christ",
        "lord",
        "allah",
        "bible",
        "koran",
        "quran",
        "english",
        "spanish",
        "french",
        "german",
        "polish",
        "arabic",
        "somali",
        "american",
        "americans",
        "african",
        "asian",
        "hispanic",
        "latino",
        "latina",
        "latinx",
        "black",
        "white",
        "native",
        "european",
        "british",
        "irish",
        "mexican",
        "canadian",
        "muslim",
        "christian",
        "catholic",
        "jewish",
        "covid",
        "coronavirus",
        "facebook",
        "instagram",
        "tiktok",
        "snapchat",
        "twitter",
        "whatsapp",
        "google",
        "youtube",
        "zoom",
        "uber",
        "lyft",
        "amazon",
        "walmart",
        "narcan",
        "tylenol",
        "advil",
        "xanax",
        "suboxone",
        "methadone",
        "fentanyl",
        "cps",
        "dcfs",
        "dss",
        "dhs",
        "cit",
        "ems",
        "emt",
        "er",
        "icu",
        "dv",
        "da",
        "ada",
        "adhd",
        "ptsd",
        "ocd",
        "tv",
        "pd",
        "hr",
        "it",
        "us",
        "usa",
        "uk",
        "nhs",
        "lgbt",
        "lgbtq",
        "ssi",
        "snap",
        "tanf",
        "wic",
        "fbi",
        "dea",
        "atf",
        "dui",
        "dwi",
        "gps",
        "cpr",
        "aed",
        "id",
        "sro",
        "iep",
        "aa",
        "na",
        "rn",
        "lcsw",
        "msw",
        "bsw",
        "phd",
        "md",
        "ma",
        "ba",
        "asap",
        "fyi",
        "ceo",
        "ngo",
        "un",
        "ssn",
        "voicemail",
        "wifi",
        "bluetooth",
        "netflix",
        "kleenex",
    ]
)
_MONTH_NAMES = frozenset({"may", "june", "april", "august"})
_BEFORE_MONTH = frozenset(
    {"in", "since", "until", "till", "of", "last", "next", "early", "late", "mid", "this", "by"}
)
#: Words that never start or join a candidate.
_FUNCTION = frozenset({"the", "a", "an", "and", "or", "of", "but", "so", "then"})


def find_candidates(
    text: str,
    toks: Sequence[Token],
    taken: list[tuple[int, int]],
    index: NameIndex,
) -> list[Hit]:
    """Candidate hits among the tokens not covered by ``taken`` spans."""
    flags = [_is_candidate(text, toks, i, index, taken) for i in range(len(toks))]
    hits: list[Hit] = []
    i = 0
    while i < len(toks):
        if not flags[i]:
            i += 1
            continue
        j = i
        while (
            j + 1 < len(toks)
            and only_space_between(text, toks[j].end, toks[j + 1].start)
            and toks[j].core_end == toks[j].end
            and (flags[j + 1] or _joins(toks[j + 1], index, taken))
        ):
            j += 1
        start, end = toks[i].start, toks[j].core_end
        words = " ".join(t.key for t in toks[i : j + 1])
        hits.append(Hit(start, end, Category.CANDIDATE, Source.CANDIDATE, key=words))
        i = j + 1
    return hits


def _free(tok: Token, taken: list[tuple[int, int]]) -> bool:
    return not any(s < tok.end and tok.start < e for s, e in taken)


def _joins(tok: Token, index: NameIndex, taken: list[tuple[int, int]]) -> bool:
    """A capitalised word that extends a candidate: "Cedar Falls", "Riverside Hospital"."""
    return (
        _free(tok, taken)
        and tok.capitalised
        and tok.key not in _FUNCTION
        and tok.key not in index.keep
        and (tok.key in PLACE_WORDS or tok.key in AGENCY_WORDS or tok.key not in ALLOWED_PROPER)
    )


def _is_candidate(
    text: str, toks: Sequence[Token], i: int, index: NameIndex, taken: list[tuple[int, int]]
) -> bool:
    tok = toks[i]
    key = tok.key
    if (
        not tok.capitalised
        or len(key) < 2
        or not key.isalpha()
        or not _free(tok, taken)
        or key in index.keep
        or key in index.vignette_global
        or key in ALLOWED_PROPER
        or key in TITLES
        or (tok.raw.isupper() and len(key) <= 5)  # acronyms: CPS, DCFS
    ):
        return False
    if key in _MONTH_NAMES and i > 0 and toks[i - 1].key in _BEFORE_MONTH:
        return False  # "in May", "since April": a month
    if key not in common_words():
        return True
    after_title = i > 0 and toks[i - 1].key in TITLES and toks[i - 1].capitalised
    if after_title:
        return True
    mid_sentence = not sentence_initial(text, tok.start)
    if mid_sentence and key in WORD_NAMES:
        return True
    # a capitalised word before a place or agency word: "Cedar Falls", "Harlow County"
    nxt = toks[i + 1] if i + 1 < len(toks) else None
    return (
        mid_sentence
        and nxt is not None
        and nxt.capitalised
        and nxt.key in PLACE_WORDS
        and key not in _FUNCTION
    )
