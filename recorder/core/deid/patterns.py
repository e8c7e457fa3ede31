"""Identifiers found by their shape: phone numbers, e-mail addresses, dates, street
addresses, ages over 89 and ID-like numbers (badge, plate, case), written or spoken.

All regular expressions are compiled once. ``find_patterns`` runs them in a fixed order; a
later pattern never takes text an earlier one claimed (a date is not also a phone number).
Years on their own, months on their own, weekdays, durations ("ten years", "a 90-minute
call") and ages under 90 are not identifiers and stay.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from recorder.core.deid.hits import Hit
from recorder.core.deid.numbers import (
    NUMBER_WORD,
    NumberRun,
    id_digits,
    is_counting,
    runs,
)
from recorder.core.deid.placeholders import fixed_placeholder
from recorder.core.deid.review import Category, Source
from recorder.core.deid.vocabulary import common_words

I = re.IGNORECASE  # noqa: E741
_NUMBER_WORDS = (
    r"(?:zero|oh|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen"
    r"|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty"
    r"|seventy|eighty|ninety|hundred|double|triple)"
)

# -- e-mail ---------------------------------------------------------------------------------

_TLD = r"(?:com|org|net|edu|gov|mil|int|info|biz|io|co|us|uk|ca|au|nz|ie|de|fr|me|app)"
_SPOKEN_DOT = r"(?:\s+dot\s+|\.)"
#: Words said between the parts of an address ("j dot okoro", "maria underscore lopez").
_SEPARATOR_WORDS = frozenset({"dot", "underscore", "dash", "hyphen", "at", "sign"})
_DOMAIN_PIECE = r"(?!(?:dot|at|underscore|dash|hyphen)\b)[A-Za-z0-9][\w-]*"
_DOMAIN_SEP = r"(?:\s+(?:dot|dash|hyphen|underscore)\s+|\.|-|\s+)"
#: The anchor of an e-mail address: "@ domain.org" or "at county mail dot org" (the domain
#: up to five pieces, then a top-level domain word, optionally a second: "co dot uk").
EMAIL_DOMAIN_RE = re.compile(
    r"(?P<at>\s*@\s*|\s+at\s+(?:sign\s+)?)"
    rf"(?P<domain>{_DOMAIN_PIECE}(?:{_DOMAIN_SEP}{_DOMAIN_PIECE}){{0,4}}?)"
    rf"{_SPOKEN_DOT}{_TLD}(?:{_SPOKEN_DOT}{_TLD})?\b",
    I,
)
#: One piece of a local part as written: "okoro", "d_ramirez", "dana.ramirez".
_LOCAL_PIECE_RE = re.compile(r"[\w+]+(?:[._+-][\w+]+)*")
#: Most words a spoken domain or local part may have.
_MAX_DOMAIN_WORDS = 4
_MAX_LOCAL_WORDS = 3
#: Words that never belong to a spoken address: they end the local part or spoil a domain.
_NOT_ADDRESS = frozenset(
    {
        "a", "an", "the", "my", "your", "his", "her", "our", "their", "its", "it", "me", "us",
        "him", "them", "you", "we", "they", "he", "she", "i", "is", "was", "are", "were",
        "be", "been", "am", "to", "on", "in", "of", "for", "from", "with", "by", "and", "or",
        "but", "so", "that", "this", "there", "here", "then", "than", "not", "no", "yes",
        "email", "mail", "e", "address", "um", "uh", "er", "like", "just", "still", "also",
        "sent", "send", "write", "wrote", "reach", "contact", "call", "at", "dot",
        "underscore", "dash", "hyphen", "sign", "via", "use", "uses", "used",
    }
)  # fmt: skip
#: Words that are never part of a spoken domain ("at nine on the dot us ...").
_NOT_DOMAIN = _NOT_ADDRESS - {"mail", "e", "email", "address", "contact", "call", "use"}

# -- dates ----------------------------------------------------------------------------------

_MONTH_ANY_CASE = (
    r"(?:[Jj]anuary|[Ff]ebruary|[Aa]pril|[Jj]une|[Jj]uly|[Ss]eptember|[Oo]ctober|[Nn]ovember"
    r"|[Dd]ecember)"
)
_MONTH_CAPITAL = r"(?:March|May|August|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?)"
MONTH = rf"(?:{_MONTH_ANY_CASE}|{_MONTH_CAPITAL})"
_ORDINAL_UNITS = r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)"
_ORDINAL = (
    rf"(?:(?:twenty|thirty)[\s-]?{_ORDINAL_UNITS}|{_ORDINAL_UNITS}|tenth|eleventh|twelfth"
    r"|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth"
    r"|thirtieth)"
)
_DAY = rf"(?:(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?\b|{_ORDINAL}\b)"
_YEAR_WORDS = (
    r"(?:(?:nineteen|twenty)[\s-](?:(?:ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen"
    r"|seventeen|eighteen|nineteen)|(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
    r"(?:[\s-](?:one|two|three|four|five|six|seven|eight|nine))?|oh[\s-](?:one|two|three|four"
    r"|five|six|seven|eight|nine))|two\sthousand(?:\s(?:and\s)?(?:one|two|three|four|five|six"
    r"|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen"
    r"|nineteen|twenty(?:[\s-](?:one|two|three|four|five))?))?)"
)
_YEAR = rf"(?:(?:19|20)\d\d\b|'\d\d\b|{_YEAR_WORDS}\b)"
DATE_RES = (
    # 03/14/2021, 8/1/2021, 14.03.21, 1-5-2020, 2021-03-14 (a full stop after: sentence end)
    re.compile(
        r"(?<![\w/.-])(?P<a>[0-3]?\d)(?P<sep>[/.-])(?P<b>[0-3]?\d)(?P=sep)(?:(?:19|20)\d\d|\d\d)"
        r"(?![\w/-])(?!\.\d)"
    ),
    re.compile(r"(?<![\w/.-])(?:19|20)\d\d([/.-])\d{1,2}\1\d{1,2}(?![\w/-])(?!\.\d)"),
    # March 3rd(, 2021) / March the third / March 3, 2021
    re.compile(
        rf"\b{MONTH}\s+(?:the\s+)?{_DAY}(?:,?\s+(?:of\s+)?{_YEAR})?",
        0,
    ),
    # the 3rd of March (2021) / 3 March 2021
    re.compile(rf"\b(?:the\s+)?{_DAY}\s+(?:of\s+)?{MONTH}(?:,?\s+{_YEAR})?"),
    # March 2021, May of 2019
    re.compile(rf"\b{MONTH},?\s+(?:of\s+)?{_YEAR}"),
    # Christmas Eve 2021, Thanksgiving of '19
    re.compile(
        r"\b(?:Christmas(?:\s+(?:Eve|Day))?|New\s+Year's(?:\s+(?:Eve|Day))?|Thanksgiving"
        r"|Easter(?:\s+Sunday)?|Halloween|Labor\s+Day|Memorial\s+Day|Independence\s+Day"
        rf"|(?:the\s+)?Fourth\s+of\s+July|Valentine's\s+Day),?\s+(?:of\s+)?{_YEAR}"
    ),
)

# -- street addresses -----------------------------------------------------------------------

_SUFFIX = (
    r"(?:Street|St\.?|Avenue|Ave\.?|Road|Rd\.?|Drive|Dr\.?|Lane|Ln\.?|Boulevard|Blvd\.?|Court"
    r"|Ct\.?|Way|Place|Pl\.?|Terrace|Circle|Highway|Hwy\.?|Parkway|Pkwy\.?|Crescent|Close|Row"
    r"|Square|Trail|Alley|Loop|Pike|Plaza)"
)
_STREET_WORD = r"(?:[A-Z][a-z'\u2019]+|\d{1,3}(?:st|nd|rd|th)|[A-Z]\.?)"
_STREET_NAME = (
    rf"(?:(?:North|South|East|West|N|S|E|W)\.?\s+)?{_STREET_WORD}(?:\s+{_STREET_WORD}){{0,2}}"
)
_HOUSE_NUMBER = rf"(?:\d{{1,6}}[A-Za-z]?|{NUMBER_WORD}(?:[\s-]+{NUMBER_WORD}){{0,3}})"
_UNIT = r"(?:,?\s+(?:apartment|apt\.?|unit|suite|flat|lot|#)\s*[\dA-Z]{1,4}\b)?"
ADDRESS_RES = (
    re.compile(rf"(?<![\w-]){_HOUSE_NUMBER}\s+{_STREET_NAME}\s+{_SUFFIX}(?![\w]){_UNIT}", 0),
    re.compile(rf"\b{_STREET_NAME}\s+{_SUFFIX}(?![\w]){_UNIT}"),
    re.compile(r"\b(?:P\.?\s?O\.?\s+Box|post office box)\s+\d+\b", I),
    re.compile(
        r"(?:(?<=[Cc]orner of )|(?<=intersection of ))[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?\s+and\s+"
        r"[A-Z][a-z]+\b"
    ),
    # residential complexes: "the Pinecrest Trailer Park, lot 14", "Lakeview Apartments"
    re.compile(
        r"\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?\s+(?:Trailer\s+Park|Mobile\s+Home\s+Park"
        r"|Apartments|Estates|Manor|Towers|Projects)\b(?:,?\s+(?:lot|unit|apartment|apt\.?"
        r"|building|trailer|number)\s+[\dA-Z]{1,4}\b)?"
    ),
    re.compile(r"\b(?:zip(?:\s?code)?|postcode|postal code)\s*(?:is\s+)?\d{5}(?:-\d{4})?\b", I),
)
#: Street-name words that make the match no street ("I Drive", "The Way").
_NOT_STREET = frozenset({"I", "The", "A", "An", "It", "We", "You", "They", "He", "She", "That"})

# -- ages over 89 ---------------------------------------------------------------------------

_AGE_NUM = (
    r"(?:9\d|1[01]\d|ninety(?:[\s-](?:one|two|three|four|five|six|seven|eight|nine))?"
    r"|(?:(?:a|one)\s+)?hundred(?:\s+and)?(?:\s+(?:one|two|three|four|five|six|seven|eight|nine"
    r"|ten))?)"
)
#: What a speaker puts between "she was" and an age: "I think", "um", "about", "like".
_HEDGE = (
    r"(?:I\s+think|I\s+believe|I\s+guess|I\s+suppose|I'd\s+say|I\s+want\s+to\s+say"
    r"|you\s+know|if\s+I\s+remember(?:\s+right)?|at\s+least|well\s+over|um+|uh+|er|erm|hmm"
    r"|like|about|around|almost|nearly|maybe|probably|roughly|approximately|just|already"
    r"|over|easily|only|still|now|then|actually|oh)"
)
_UNITS_AFTER = (
    r"(?!\s*(?:%|percent|per|minutes?|mins?|hours?|seconds?|days?|weeks?|months?|miles?|km"
    r"|pounds?|lbs?|dollars?|bucks|calls?|people|times|degrees|kilos?|feet|yards|mph|of|pages"
    r"|cases|officers|kids|families|percent)\b)"
)
AGE_RES = (
    # ninety-two years old / a 93-year-old / 95 yo  (span: the number)
    re.compile(rf"\b(?P<age>{_AGE_NUM})(?=[\s-]+years?[\s-]+old\b|\s*y/?o\b|-year-old)", I),
    # aged 91 / age 94 / at the age of ninety-one / turned ninety / she is 96 / was 94
    # with a hedge or filler between: "she was, I think, ninety-four", "aged about 93"
    re.compile(
        rf"\b(?:aged|age(?:\s+of)?|turned|turning|turn|turns|(?:is|was|are|were|'s|\u2019s))"
        rf"(?:\s*,?\s+{_HEDGE}){{0,3}}\s*,?\s+(?P<age>{_AGE_NUM})\b{_UNITS_AFTER}(?![-\u2013]\w)",
        I,
    ),
    # a woman, 91, living alone
    re.compile(
        r"\b(?:woman|man|lady|gentleman|mother|father|grandmother|grandfather|wife|husband"
        r"|widow|widower|patient|client|resident|neighbou?r|person|guy|veteran)\s*,\s*"
        rf"(?P<age>{_AGE_NUM}),",
        I,
    ),
    # in her nineties / in his 90s / her late nineties
    re.compile(
        r"\b(?:in\s+)?(?:his|her|their)\s+(?:early\s+|mid\s+|late\s+)?"
        r"(?P<age>nineties|90s|90's|hundreds)\b",
        I,
    ),
)

# -- phone numbers and ID-like numbers ------------------------------------------------------

PHONE_RES = (
    re.compile(
        r"(?<![\w+])(?:\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}(?![\w])"
        r"(?:\s*(?:ext\.?|extension|x)\s*\d{1,5}\b)?"
    ),
    re.compile(r"(?<![\w+])\+\d{1,3}(?:[\s.-]?\d{2,4}){2,5}(?![\w])"),
    re.compile(r"(?<![\w.,-])\d{3}[\s.-]\d{4}(?![\w.-])"),
)
SSN_RE = re.compile(r"(?<![\w-])\d{3}-\d{2}-\d{4}(?![\w-])")
#: Words after which a number is an identifier, whatever its length.
ID_CONTEXT = (
    r"(?:badge|plate|registration|reg|licen[cs]e|case|file|incident|report|docket|warrant"
    r"|employee|staff|payroll|reference|ref|account|member|medicaid|medicare|insurance|ssn"
    r"|social\s+security|vin|tag|shield|serial|patient|client|mrn|chart|id|i\.d\.)"
)
_ID_FILLER = (
    r"(?:(?:'s|\u2019s)?\s+(?:number|no\.?|num|#|is|was|id|ID|were))*(?:'s|\u2019s)?\s*[:#]?\s*"
)
ID_CONTEXT_RE = re.compile(rf"\b{ID_CONTEXT}{_ID_FILLER}$", I)
PHONE_CONTEXT_RE = re.compile(
    r"\b(?:phone|cell|mobile|number|call|called|calling|text|texted|reach|dial|dialed|line"
    r"|extension|landline|fax)\b[^.?!]{0,40}$",
    I,
)
#: An ID written with letters and digits: "7KQR291", "ABC-1234", "24-00317".
ALNUM_ID_RE = re.compile(
    r"(?<![\w-])(?=[A-Z0-9-]*\d)(?=[A-Z0-9-]*[A-Z])[A-Z0-9]{1,4}(?:-?[A-Z0-9]{2,8}){1,3}"
    r"(?![\w-])"
)
#: An ID said piece by piece after its keyword: "badge three one seven seven",
#: "plate 8 T R W 4 4 1", "case number two zero two one dash four four", "unit T-14".
_SPOKEN_ID_KEYWORD = rf"(?:{ID_CONTEXT}|unit|claim|ticket|citation|callsign|call\s+sign)"
_ID_ATOM = (
    r"(?<![\w'\u2019])(?:\d+|(?-i:[A-Z]{1,3})|(?-i:[A-Z0-9]*\d[A-Z0-9]*)|" + _NUMBER_WORDS + r")"
    r"(?![\w'\u2019])"
)
_ID_ATOM_RE = re.compile(_ID_ATOM, I)
_ID_GAP = r"(?:\s*[-\u2013]\s*|,?\s+(?:dash|hyphen),?\s+|,?\s+)"
#: What may stand between the keyword and a spoken ID: "plate read", "badge was, like,".
_SPOKEN_ID_FILLER = (
    r"(?:(?:'s|\u2019s)?,?\s+(?:number|no\.?|num|#|is|was|were|id|read|reads|said|says"
    r"|showed|like|um+|uh+|you\s+know),?)*(?:'s|\u2019s)?\s*[:#]?\s*"
)
SPOKEN_ID_RE = re.compile(
    rf"\b{_SPOKEN_ID_KEYWORD}{_SPOKEN_ID_FILLER}(?P<id>{_ID_ATOM}(?:{_ID_GAP}{_ID_ATOM}){{0,15}})",
    I,
)
#: Words after a number that make it a quantity, not an ID: "case ten years ago".
_QUANTITY_AFTER_RE = re.compile(
    r"^\s*(?:years?|months?|weeks?|days?|hours?|minutes?|mins?|seconds?|times|or|to|and"
    r"|percent|%|people|of|pages|cases|calls|miles|dollars|bucks|more|less|other|others)\b",
    I,
)
DASHED_NUMBER_RE = re.compile(r"(?<![\w/.-])\d{2,6}(?:-\d{2,8}){1,3}(?![\w/.-])")
#: Study IDs are pseudonyms and stay: P-7KQ2M, S-XD4H9.
STUDY_ID_RE = re.compile(r"^[PS]-[0-9A-Z]{5}$")
_NOT_IDS = frozenset({"COVID19", "COVID-19", "MP3", "MP4", "4X4", "B12", "A1", "24-7", "9-1-1"})


def find_patterns(text: str) -> list[Hit]:
    """Every pattern hit in one segment's text, non-overlapping."""
    taken: list[tuple[int, int]] = []
    hits: list[Hit] = []

    def claim(start: int, end: int, category: Category) -> None:
        if start < end and not any(s < end and start < e for s, e in taken):
            taken.append((start, end))
            hits.append(
                Hit(
                    start,
                    end,
                    category,
                    Source.PATTERN,
                    key=category.value,
                    replacement=fixed_placeholder(category),
                )
            )

    for finder in _FINDERS:
        for start, end, category in finder(text, taken):
            claim(start, end, category)
    return sorted(hits, key=lambda h: h.start)


Found = Iterator[tuple[int, int, Category]]


def _emails(text: str, taken: list[tuple[int, int]]) -> Found:
    """Written and spoken addresses, anchored on "at/@ ... dot <tld>"; the local part is
    taken from the words before "at" ("j dot okoro", "maria underscore lopez", "jay okoro")."""
    for m in EMAIL_DOMAIN_RE.finditer(text):
        domain = [w.lower() for w in re.findall(r"[^\W_]+", m.group("domain"))]
        spoken = [w for w in domain if w not in _SEPARATOR_WORDS]
        if any(w in _NOT_DOMAIN for w in domain) or len(spoken) > _MAX_DOMAIN_WORDS:
            continue
        start = _local_part_start(text, m.start())
        yield (m.start("domain") if start is None else start), m.end(), Category.EMAIL


def _local_part_start(text: str, at: int) -> int | None:
    """Where the local part ending at ``at`` starts, or ``None`` when the word before "at"
    is no address ("email me at ...", "I looked at ...").

    Pieces joined by a spoken separator ("j dot okoro") always join; pieces joined by a
    plain space ("jay okoro") join while they look like names or initials, not vocabulary.
    """
    head = text[max(0, at - 120) : at]
    offset = at - len(head)
    pieces = list(_LOCAL_PIECE_RE.finditer(head))
    if not pieces or pieces[-1].end() != len(head):
        return None
    start: int | None = None
    words = 0
    link = ""  # how the piece at ``k`` joins the one taken after it: "", "said", "space"
    k = len(pieces) - 1
    while k >= 0 and words < _MAX_LOCAL_WORDS:
        piece = pieces[k]
        raw = piece.group()
        initial = link == "said" and len(raw) == 1  # "a dot delgado"
        if _contraction(head, piece.start()) or (raw.lower() in _NOT_ADDRESS and not initial):
            break
        left = _link_left(head, pieces, k)
        if link == "space" and not _name_like(raw):
            break
        if (
            not link
            and not _name_like(raw)
            and not _written_local(raw)
            and left != "said"
            and not _lead_in(head, pieces, k)
        ):
            break
        start = offset + piece.start()
        words += 1
        if not left:
            break
        link = left
        k -= 2 if left == "said" else 1
    return start


def _contraction(head: str, start: int) -> bool:
    return start > 0 and head[start - 1] in "'\u2019"


def _link_left(head: str, pieces: list[re.Match[str]], k: int) -> str:
    """How piece ``k`` is joined to the piece before it: "said" ("dot", "underscore"),
    "space", or "" (not joined)."""
    if k == 0:
        return ""
    gap = head[pieces[k - 1].end() : pieces[k].start()]
    if gap != " " and not (gap.isspace() and len(gap) <= 2):
        return ""
    if pieces[k - 1].group().lower() in _SAID_SEPARATORS:
        if k >= 2 and head[pieces[k - 2].end() : pieces[k - 1].start()].isspace():
            return "said"
        return ""
    return "space"


#: Spoken separators inside a local part.
_SAID_SEPARATORS = frozenset({"dot", "underscore", "dash", "hyphen"})
#: Words after which even a vocabulary word is a local part: "it's info at ...".
_LEAD_INS = frozenset({"is", "s", "email", "e-mail", "address", "emailed", "to"})


def _name_like(word: str) -> bool:
    """A name or an initial, not vocabulary ("jay", "okoro", "d"; not "told", "a")."""
    low = word.lower()
    if len(low) == 1:
        return low.isalpha() and low not in ("a", "i")
    return low not in common_words()


def _written_local(word: str) -> bool:
    """A local part written as one ("d_ramirez", "j.okoro", "dana2")."""
    return any(not ch.isalpha() for ch in word)


def _lead_in(head: str, pieces: list[re.Match[str]], k: int) -> bool:
    if k == 0:
        return False
    before = pieces[k - 1].group().lower()
    gap = head[pieces[k - 1].end() : pieces[k].start()]
    return before in _LEAD_INS and gap.strip(" :,") == "" and not pieces[k].group().endswith("ing")


def _dates(text: str, taken: list[tuple[int, int]]) -> Found:
    for pattern in DATE_RES:
        for m in pattern.finditer(text):
            if m.re.groupindex.get("a") and not _month_day(int(m.group("a")), int(m.group("b"))):
                continue  # 45/60/2021 is no date
            start = m.start() + (4 if m.group().lower().startswith("the ") else 0)
            yield start, m.end(), Category.DATE


def _month_day(a: int, b: int) -> bool:
    """Can ``a/b`` be a month and a day, either way round?"""
    return 1 <= a <= 31 and 1 <= b <= 31 and (a <= 12 or b <= 12)


def _addresses(text: str, taken: list[tuple[int, int]]) -> Found:
    for pattern in ADDRESS_RES:
        for m in pattern.finditer(text):
            first = m.group().split()[0]
            if first in _NOT_STREET:
                continue
            yield m.start(), m.end(), Category.ADDRESS


def _ages(text: str, taken: list[tuple[int, int]]) -> Found:
    for pattern in AGE_RES:
        for m in pattern.finditer(text):
            yield m.start("age"), m.end("age"), Category.AGE


def _written_phones(text: str, taken: list[tuple[int, int]]) -> Found:
    for m in SSN_RE.finditer(text):
        yield m.start(), m.end(), Category.ID
    for pattern in PHONE_RES:
        for m in pattern.finditer(text):
            if ID_CONTEXT_RE.search(text[max(0, m.start() - 40) : m.start()]):
                yield m.start(), m.end(), Category.ID
            else:
                yield m.start(), m.end(), Category.PHONE


def _ids(text: str, taken: list[tuple[int, int]]) -> Found:
    for pattern in (ALNUM_ID_RE, DASHED_NUMBER_RE):
        for m in pattern.finditer(text):
            word = m.group()
            if STUDY_ID_RE.match(word) or word.upper() in _NOT_IDS:
                continue
            if sum(ch.isdigit() for ch in word) < 2 or len(word.replace("-", "")) < 4:
                continue
            yield m.start(), m.end(), Category.ID


def _spoken_ids(text: str, taken: list[tuple[int, int]]) -> Found:
    """An ID said digit by digit or letter by letter after "badge", "plate", "case" ..."""
    for m in SPOKEN_ID_RE.finditer(text):
        atoms = list(_ID_ATOM_RE.finditer(m.group("id")))
        # an article, a pronoun or a lone "oh" at the end is no part of the ID
        while atoms and atoms[-1].group().lower() in ("a", "i", "oh", "double", "triple"):
            atoms.pop()
        if not atoms:
            continue
        base = m.start("id")
        start, end = base + atoms[0].start(), base + atoms[-1].end()
        if _QUANTITY_AFTER_RE.match(text[end:]):
            continue
        digits, letters = id_digits([a.group() for a in atoms])
        if digits and digits + letters >= 3:
            yield start, end, Category.ID


def _number_runs(text: str, taken: list[tuple[int, int]]) -> Found:
    for run in runs(text, taken):
        category = _classify(text, run)
        if category is not None:
            start, end = run.start, run.end
            if category is Category.ID:
                start, end = _extend_id(text, run)
            yield start, end, category


def _classify(text: str, run: NumberRun) -> Category | None:
    before = text[max(0, run.start - 60) : run.start]
    head = _ID_HEAD_RE.search(before)
    if ID_CONTEXT_RE.search(before[: head.start()] if head else before) and run.digits >= 3:
        return Category.ID
    if is_counting(run.values):
        return None
    if 7 <= run.digits <= 15:
        return Category.PHONE
    if run.digits >= 5 and not run.spoken:
        return Category.ID
    if run.spoken and run.digits >= 4 and PHONE_CONTEXT_RE.search(before):
        return Category.PHONE  # a partial number ("ending in four four seven one")
    return None


_ID_TAIL_RE = re.compile(r"^(?:[\s-]+(?:[A-Z]{1,3}|\d+)\b)+")
_ID_HEAD_RE = re.compile(r"(?:\b[A-Z]{1,3}[\s-]+)+$")


def _extend_id(text: str, run: NumberRun) -> tuple[int, int]:
    """Take in the letters of a plate or case number said around the digits: "ABC 1234"."""
    start, end = run.start, run.end
    head = _ID_HEAD_RE.search(text[max(0, start - 20) : start])
    if head and head.group().strip(" -") not in ("I", "A", "ID"):
        start -= len(head.group())
    tail = _ID_TAIL_RE.match(text[end:])
    if tail:
        end += tail.end()
    return start, end


_FINDERS: tuple[Callable[[str, list[tuple[int, int]]], Found], ...] = (
    _emails,
    _dates,
    _addresses,
    _ages,
    _written_phones,
    _ids,
    _spoken_ids,
    _number_runs,
)
