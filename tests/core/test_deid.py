"""Unit cases of the de-identification core: names, patterns, candidates, review, apply."""

from __future__ import annotations

import pytest

from recorder.core.deid import (
    Category,
    Decision,
    KnownPerson,
    KnownTerm,
    KnownTerms,
    Review,
    StaleReview,
    accept_all,
    add_manual,
    apply,
    decide,
    known_from_names,
    propose,
)
from recorder.core.deid.known import term_category, vignette_names
from recorder.core.deid.patterns import find_patterns
from recorder.core.protocol import load_default_protocol
from recorder.core.transcribe.transcript import Provenance, Section, Segment, Transcript, Word

DANA = KnownPerson(("Dana Ramirez", "Dee"), Category.PARTICIPANT, "[P-7KQ2M, police]", "p1")
WILL = KnownPerson(("William Hope", "Will"), Category.PERSON, key="p2")
KNOWN = KnownTerms(
    people=(DANA, WILL),
    terms=(KnownTerm("Millbrook Police Department", Category.AGENCY),),
    vignette_names=vignette_names(load_default_protocol()),
)


def make(*texts: str, items: tuple[str, ...] = ()) -> Transcript:
    """A transcript with one segment per text, words timed 0.5 s apart."""
    segments = []
    clock = 0.0
    for n, text in enumerate(texts):
        words = []
        for piece in text.split():
            words.append(Word(clock, clock + 0.4, " " + piece, 0.9))
            clock += 0.5
        segments.append(
            Segment(
                words[0].start if words else clock,
                clock,
                0,
                0,
                " " + text,
                tuple(words),
                prompt_index=n if items else None,
            )
        )
    sections = tuple(Section(n, item, item, 0) for n, item in enumerate(items))
    return Transcript(
        "S-TEST0",
        "en",
        16000,
        tuple(segments),
        sections,
        {"P-7KQ2M": "Police officer P-7KQ2M"},
        Provenance("tiny", "", True, "", "cpu"),
    )


def redacted(*texts: str, known: KnownTerms = KNOWN) -> list[str]:
    transcript = make(*texts)
    out, _ = apply(transcript, accept_all(propose(transcript, known)))
    return [s.text.strip() for s in out.segments]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I'm Dana Ramirez.", "I'm [P-7KQ2M, police]."),
        ("Ask Officer Ramirez.", "Ask Officer [P-7KQ2M, police]."),
        ("That's Dana's car.", "That's [P-7KQ2M, police]'s car."),
        ("We call her Dee.", "We call her [P-7KQ2M, police]."),
        ("Officer Ramires said so.", "Officer [P-7KQ2M, police] said so."),
        ("Officer Ramírez said so.", "Officer [P-7KQ2M, police] said so."),
        ("ramirez was there", "[P-7KQ2M, police] was there"),
        ("I told Will about it.", "I told [PERSON-1] about it."),
        ("William Hope came along.", "[PERSON-1] came along."),
        ("Millbrook Police Department sent two cars.", "[AGENCY-1] sent two cars."),
    ],
)
def test_codemap_name_forms(text: str, expected: str) -> None:
    assert redacted(text) == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "Will you stop the recording?",
        "I will call them and I hope they come.",
        "By the grace of God nobody was hurt.",
        "I did the training in May.",
        "May I ask something?",
        "I have been doing this for ten years.",
        "It was a 90-minute call, ninety percent of it on hold.",
        "Then I called nine one one.",
        "The river was high, more than I'd seen.",
        "I'm P-7KQ2M in your study.",
        "In 2019 we had 10,000 calls.",
    ],
)
def test_decoys_stay(text: str) -> None:
    assert redacted(text) == [text]


def test_vignette_names_stay_but_clash_is_flagged_only_in_its_vignette() -> None:
    transcript = make(
        "Dana is not driving anywhere.",
        "Tomasz needs a doctor.",
        "Dana told me about it.",
        items=("substance-abuse", "mental-health", "role-experience"),
    )
    review = propose(transcript, KNOWN)
    by_segment = {p.segment: p for p in review.proposals}
    assert by_segment[0].category is Category.CANDIDATE  # the vignette's Dana: flagged only
    assert 1 not in by_segment  # Tomasz is fictional and nobody in the code map
    assert by_segment[2].category is Category.PARTICIPANT  # elsewhere Dana is the officer
    out, _ = apply(transcript, accept_all(review))
    assert out.segments[0].text.strip().startswith("Dana is")


@pytest.mark.parametrize(
    ("text", "category", "span"),
    [
        (
            "call five five five, one two three four tonight",
            "phone",
            "five five five, one two three four",
        ),
        ("my cell is (555) 304-7719", "phone", "(555) 304-7719"),
        (
            "double five, five oh one two three four",
            "phone",
            "double five, five oh one two three four",
        ),
        ("dana dot ramirez at gmail dot com", "email", "dana dot ramirez at gmail dot com"),
        ("write to d_ramirez@county.gov today", "email", "d_ramirez@county.gov"),
        ("on March 3rd, 2021 it started", "date", "March 3rd, 2021"),
        ("the third of May we went", "date", "third of May"),
        ("born 02/17/2011 in", "date", "02/17/2011"),
        (
            "he lives at 1240 Maple Street, apartment 4B now",
            "address",
            "1240 Maple Street, apartment 4B",
        ),
        ("twelve forty Elm Avenue", "address", "twelve forty Elm Avenue"),
        ("she was ninety-two years old", "age", "ninety-two"),
        ("a 93-year-old man", "age", "93"),
        ("in her late nineties", "age", "nineties"),
        ("my badge number is 4471", "id", "4471"),
        ("the plate was ABC 1234", "id", "ABC 1234"),
        ("case number 2023-04417", "id", "2023-04417"),
    ],
)
def test_patterns(text: str, category: str, span: str) -> None:
    hits = [(h.category.value, text[h.start : h.end]) for h in find_patterns(text)]
    assert (category, span) in hits


def test_candidates_are_flagged_not_applied() -> None:
    transcript = make("My sergeant, Tom Delaney, and Okafor from the shelter.")
    review = accept_all(propose(transcript, KnownTerms()))
    assert {p.text for p in review.candidates()} >= {"Tom Delaney", "Okafor"}
    assert all(p.decision is Decision.PROPOSED for p in review.candidates())
    out, log = apply(transcript, review)
    assert "Okafor" in out.segments[0].text
    assert not log.entries


def test_placeholders_are_consistent_and_renumbered() -> None:
    known = known_from_names(["Marcus Bell", "Jo Smith|Joanne"])
    transcript = make("Joanne met Marcus.", "Then Marcus Bell left and Jo Smith stayed.")
    review = accept_all(propose(transcript, known))
    out, log = apply(transcript, review)
    assert out.segments[0].text.strip() == "[PERSON-1] met [PERSON-2]."
    assert out.segments[1].text.strip() == "Then [PERSON-2] left and [PERSON-1] stayed."
    # rejecting the first person renumbers the rest from 1
    first = review.proposals[0]
    review = decide(review, first.id, Decision.REJECTED, all_occurrences=True)
    out, _ = apply(transcript, review)
    assert out.segments[0].text.strip() == "Joanne met [PERSON-1]."
    # the same text only: "Jo Smith" is another form and stays redacted
    assert out.segments[1].text.strip() == "Then [PERSON-1] left and [PERSON-2] stayed."
    assert len(log.entries) == 4


def test_words_never_keep_a_redacted_span() -> None:
    transcript = make("Call Dana Ramirez's cell, five five five, one two three four.")
    out, _ = apply(transcript, accept_all(propose(transcript, KNOWN)))
    segment = out.segments[0]
    texts = [w.text for w in segment.words]
    assert not any("Dana" in t or "Ramirez" in t or "five" in t for t in texts)
    assert "".join(texts) == segment.text
    assert all(a.end <= b.start for a, b in zip(segment.words, segment.words[1:], strict=False))
    merged = next(w for w in segment.words if "[P-7KQ2M" in w.text)
    assert merged.end - merged.start > 0.4  # spans both words' time


def test_words_are_rebuilt_when_text_was_edited() -> None:
    transcript = make("Dana said hello.")
    edited = transcript.segments[0]
    transcript = transcript.with_segments(
        (Segment(edited.start, edited.end, 0, 0, " Dana Ramirez said hello there.", edited.words),)
    )
    out, log = apply(transcript, accept_all(propose(transcript, KNOWN)))
    assert log.words_rebuilt == (0,)
    assert not any("Dana" in w.text for w in out.segments[0].words)


def test_decide_category_and_manual() -> None:
    transcript = make("Okafor came from Eastgate.", "Eastgate again, and the shelter.")
    review = propose(transcript, KnownTerms())
    okafor = next(p for p in review.candidates() if p.text == "Okafor")
    review = decide(review, okafor.id, Decision.ACCEPTED, category=Category.PERSON)
    assert review.proposal(okafor.id).replacement == "[PERSON-1]"
    seg = transcript.segments[1].text
    start = seg.index("shelter")
    review = add_manual(review, transcript, 1, start - 1, start + len("shelter"), Category.PLACE)
    manual = [p for p in review.proposals if p.source == "manual"]
    assert [p.text for p in manual] == ["shelter"]
    assert manual[0].decision is Decision.ACCEPTED
    east = next(p for p in review.proposals if p.text == "Eastgate")
    review = decide(review, east.id, Decision.ACCEPTED, all_occurrences=True)
    out, _ = apply(transcript, review)
    assert "Eastgate" not in out.segments[0].text + out.segments[1].text
    assert "[PLACE-" in out.segments[1].text


def test_add_manual_all_occurrences() -> None:
    transcript = make("The Bluebird diner.", "We met at the bluebird again.")
    review = propose(transcript, KnownTerms())
    text = transcript.segments[0].text
    start = text.index("Bluebird")
    review = add_manual(
        review, transcript, 0, start, start + 8, Category.PLACE, all_occurrences=True
    )
    out, _ = apply(transcript, review)
    assert "luebird" not in out.segments[0].text + out.segments[1].text


def test_review_round_trip_and_stale_review() -> None:
    transcript = make("I'm Dana Ramirez, reach me at dana dot ramirez at gmail dot com.")
    review = propose(transcript, KNOWN)
    assert Review.from_json(review.to_json()) == review
    changed = transcript.with_segments((Segment(0, 1, 0, 0, " Something else entirely."),))
    with pytest.raises(StaleReview):
        apply(changed, review)


def test_speaker_labels_and_options_are_scrubbed() -> None:
    transcript = make("Dana Ramirez here.")
    transcript = Transcript(
        transcript.session_id,
        "en",
        16000,
        transcript.segments,
        (),
        {"P-7KQ2M": "Dana Ramirez"},
        Provenance("tiny", "", True, "", "cpu", options={"initial_prompt": "Dana Ramirez"}),
    )
    out, _ = apply(transcript, accept_all(propose(transcript, KNOWN)))
    assert "Dana" not in str(out.to_json())


def test_redaction_list_categories() -> None:
    assert term_category("Harlow County Sheriff's Office")[1] is Category.AGENCY
    assert term_category("Cedar Falls")[1] is Category.PLACE
    assert term_category("person: Marcus Bell") == ("Marcus Bell", Category.PERSON)
    assert term_category("Marcus Okafor")[1] is Category.PERSON


# -- spoken e-mail addresses ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "span"),
    [
        (
            "you can write to r dot achebe at valley mail dot org anytime",
            "r dot achebe at valley mail dot org",
        ),
        ("it's t mbeki at northgate dot gov, that's my work one", "t mbeki at northgate dot gov"),
        (
            "her address is sara underscore voss at pine ridge dot net",
            "sara underscore voss at pine ridge dot net",
        ),
        (
            "send it to kofi annor at lakeshore county dot gov please",
            "kofi annor at lakeshore county dot gov",
        ),
        (
            "mine is lena hyphen park at sunrise dot co dot uk",
            "lena hyphen park at sunrise dot co dot uk",
        ),
        (
            "email me at b dash quist at west end clinic dot org",
            "b dash quist at west end clinic dot org",
        ),
        ("write to m.osei at eastfield dot edu, he answers", "m.osei at eastfield dot edu"),
        ("it's info at greenway shelter dot org if you want", "info at greenway shelter dot org"),
    ],
)
def test_spoken_email_shapes(text: str, span: str) -> None:
    hits = [(h.category.value, text[h.start : h.end]) for h in find_patterns(text)]
    assert ("email", span) in hits


@pytest.mark.parametrize(
    "text",
    [
        "we looked at the dot on the map and moved on",
        "he stared at the dot in the middle of the screen",
        "we got there at nine on the dot us and the medics",
        "that was back at the dot com boom, I think",
        "she works at Fairview. Org charts there are a mess.",
    ],
)
def test_ordinary_sentences_are_no_email(text: str) -> None:
    assert not [h for h in find_patterns(text) if h.category is Category.EMAIL]


def test_spoken_email_does_not_swallow_the_sentence() -> None:
    text = "so I told him, send it to jay okoro at county mail dot org and wait"
    hits = [text[h.start : h.end] for h in find_patterns(text) if h.category is Category.EMAIL]
    assert hits == ["jay okoro at county mail dot org"]


def test_known_email_matches_spoken_forms() -> None:
    known = KnownTerms(terms=(KnownTerm("t.nwosu@harborview.org", Category.EMAIL),))
    assert redacted(
        "Reach me at t dot nwosu at harbor view dot org.",
        "Or t nwosu at harborview dot org.",
        known=known,
    ) == ["Reach me at [EMAIL].", "Or [EMAIL]."]


# -- numeric dates --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("it happened on 3/9/2022.", "3/9/2022"),
        ("the order was signed 7-4-2019, I think", "7-4-2019"),
        ("we met on 2.6.2020 at the station", "2.6.2020"),
        ("the hearing was 11/30/2018", "11/30/2018"),
        ("filed 2021-6-9.", "2021-6-9"),
    ],
)
def test_numeric_dates_with_single_digits(text: str, span: str) -> None:
    hits = [(h.category.value, text[h.start : h.end]) for h in find_patterns(text)]
    assert ("date", span) in hits


def test_impossible_numeric_date_is_no_date() -> None:
    text = "the score was 45/60/2021 on the form"
    assert not [h for h in find_patterns(text) if h.category is Category.DATE]


# -- ages over 89 with a hedge ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("her grandmother was, I believe, ninety-seven", "ninety-seven"),
        ("the man is, uh, ninety two and lives alone", "ninety two"),
        ("he was aged around 95 when it happened", "95"),
        ("she's, you know, almost a hundred", "a hundred"),
        ("he turned, I think, ninety last spring", "ninety"),
    ],
)
def test_hedged_ages(text: str, span: str) -> None:
    hits = [(h.category.value, text[h.start : h.end]) for h in find_patterns(text)]
    assert ("age", span) in hits


@pytest.mark.parametrize(
    "text",
    [
        "there were about ninety of us at the scene",
        "she was, I think, about ninety percent sure",
        "the wait was about 95 minutes",
        "she was, I think, eighty-four",
    ],
)
def test_hedged_numbers_that_are_no_age(text: str) -> None:
    assert not [h for h in find_patterns(text) if h.category is Category.AGE]


# -- spoken IDs -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("his badge was four two zero nine, I wrote it down", "four two zero nine"),
        ("the plate read 6 K L M 2 0 3 when we ran it", "6 K L M 2 0 3"),
        ("file number one nine dash three three eight", "one nine dash three three eight"),
        ("unit B-22 took the call", "B-22"),
        ("report number double seven one five was filed", "double seven one five"),
        ("my case is 4 4 0 1 2", "4 4 0 1 2"),
    ],
)
def test_spoken_ids(text: str, span: str) -> None:
    hits = [(h.category.value, text[h.start : h.end]) for h in find_patterns(text)]
    assert ("id", span) in hits


@pytest.mark.parametrize(
    "text",
    [
        "in that case two or three times a month",
        "I was in that unit for twelve years",
        "the report took forty minutes to write",
        "just in case one of them ran",
        "the file was ninety pages long",
        "a 90-minute call, then ten years of this",
    ],
)
def test_counts_after_id_words_stay(text: str) -> None:
    assert not [h for h in find_patterns(text) if h.category is Category.ID]


# -- nicknames that are ordinary words --------------------------------------------------------

NICKS = KnownTerms(
    people=(
        KnownPerson(("Theodore Lindqvist", "Teddy"), Category.PERSON, key="t"),
        KnownPerson(("Shivani Menon", "Shiv"), Category.PERSON, key="s"),
        KnownPerson(("Robert Ashe", "Rob"), Category.PERSON, key="r"),
    )
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The boy clutched a teddy all night.", "The boy clutched a teddy all night."),
        ("They found a shiv in his cell.", "They found a shiv in his cell."),
        ("Someone tried to rob the store.", "Someone tried to rob the store."),
        ("I asked Teddy to drive.", "I asked [PERSON-1] to drive."),
        ("Teddy, come over here.", "[PERSON-1], come over here."),
        ("Shiv said it was fine.", "[PERSON-1] said it was fine."),
        ("We went with Shiv's team.", "We went with [PERSON-1]'s team."),
        ("Rob, are you there?", "[PERSON-1], are you there?"),
        ("Rob's cruiser was outside.", "[PERSON-1]'s cruiser was outside."),
        ("Officer Rob arrived.", "Officer [PERSON-1] arrived."),
        ("then teddy lindqvist showed up", "then [PERSON-1] showed up"),
    ],
)
def test_nicknames_that_are_words(text: str, expected: str) -> None:
    assert redacted(text, known=NICKS) == [expected]


# -- short forms of redaction-list terms ------------------------------------------------------

TERMS = KnownTerms(
    terms=tuple(
        KnownTerm(*term_category(t))
        for t in ("Lantern Bay Crisis Services", "St. Columba Medical Center")
    )
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("They took her to Lantern Bay overnight.", "They took her to [AGENCY-1] overnight."),
        ("He was at St. Columba for a week.", "He was at [AGENCY-1] for a week."),
        ("He was at Saint Columba for a week.", "He was at [AGENCY-1] for a week."),
        ("St. Columba Medical Center called.", "[AGENCY-1] called."),
        ("The medical center was full.", "The medical center was full."),
        ("We called crisis services instead.", "We called crisis services instead."),
        ("The Medical Center was full.", "The Medical Center was full."),
    ],
)
def test_short_forms_of_listed_terms(text: str, expected: str) -> None:
    assert redacted(text, known=TERMS) == [expected]
