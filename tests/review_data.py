"""Transcripts built directly (no whisper): realistic turns with word timings, sections,
speakers, low-confidence words and flags, for the review editor's tests, bench and shots."""

from __future__ import annotations

from recorder.core.session import INTERVIEWER
from recorder.core.transcribe.transcript import Provenance, Section, Segment, Transcript, Word

RATE = 16_000
OFFICER = "P-7KX2"

LINES = (
    "Can you walk me through what you would do first when you arrive at the door?",
    "I would start by slowing everything down. Nobody is in immediate danger, so I would "
    "talk to her through the door, ask her name and tell her who we are.",
    "And would you call anyone else at that point?",
    "Probably the crisis team, if they are on shift. Dispatch usually knows who is "
    "available, and the social worker on call can meet us there within the hour.",
    "What would change your mind about going in?",
    "If I heard anything that sounded like someone was hurt, or if the child said he was "
    "scared, then the waiting stops and we go in together.",
)
TITLES = (
    "Warm-up — Your role",
    "Vignette 1 — A welfare check",
    "Vignette 2 — The second call",
    "Wrap-up",
)


def speakers() -> dict[str, str]:
    return {INTERVIEWER: "Interviewer", OFFICER: f"Police officer {OFFICER}"}


def turn(
    start: float,
    text: str,
    *,
    speaker: str = "",
    prompt: int | None = 0,
    word_s: float = 0.32,
    unsure: tuple[int, ...] = (),
    flags: tuple[str, ...] = (),
) -> Segment:
    """A turn whose words follow each other every ``word_s`` seconds from ``start``."""
    words = []
    for i, token in enumerate(text.split()):
        at = round(start + i * word_s, 3)
        prob = 0.31 if i in unsure else 0.93
        words.append(Word(at, round(at + word_s * 0.9, 3), " " + token, prob))
    end = round(start + len(words) * word_s, 3)
    marks = (("low-confidence",) if unsure else ()) + flags
    return Segment(
        start=start,
        end=end,
        start_sample=round(start * RATE),
        end_sample=round(end * RATE),
        text=text,
        words=tuple(words),
        speaker=speaker,
        prompt_index=prompt,
        flags=marks,
    )


def transcript(session_id: str, segments: tuple[Segment, ...], sections: int = 4) -> Transcript:
    return Transcript(
        session_id=session_id,
        language="en",
        sample_rate=RATE,
        segments=segments,
        sections=tuple(
            Section(i, f"item-{i}", TITLES[i % len(TITLES)], _section_start(segments, i))
            for i in range(sections)
        ),
        speakers=speakers(),
        provenance=Provenance("base.en", "0" * 64, True, "20250625", "cpu"),
    )


def _section_start(segments: tuple[Segment, ...], index: int) -> int:
    for s in segments:
        if s.prompt_index == index:
            return s.start_sample
    return 0


def _pieces(max_words: int) -> list[str]:
    out = []
    for line in LINES:
        tokens = line.split()
        out += [" ".join(tokens[i : i + max_words]) for i in range(0, len(tokens), max_words)]
    return out


def interview(
    session_id: str, words: int = 300, sections: int = 4, max_words: int = 0
) -> Transcript:
    """About ``words`` words of alternating turns over ``sections`` sections; every 7th turn
    has an unsure word and every 23rd a repetition flag. Unassigned speakers (mono audio).
    ``max_words`` cuts the lines into shorter turns (8 gives ~2,500 turns for 20,000 words)."""
    lines = _pieces(max_words) if max_words else list(LINES)
    segments: list[Segment] = []
    at, count, n = 0.0, 0, 0
    per_section = max(1, words // sections)
    while count < words:
        text = lines[n % len(lines)]
        prompt = min(sections - 1, count // per_section)
        unsure = (3,) if n % 7 == 3 else ()
        flags = ("repetition",) if n % 23 == 11 else ()
        segments.append(turn(round(at, 3), text, prompt=prompt, unsure=unsure, flags=flags))
        at = segments[-1].end + 0.6
        count += len(text.split())
        n += 1
    return transcript(session_id, tuple(segments), sections)
