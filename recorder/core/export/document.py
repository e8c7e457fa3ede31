"""What an export holds, independent of its format: sessions, people, transcripts, audio.

Every format module renders an ``ExportDocument``; none of them reads the vault. ``turns``
lays a transcript out as the formats show it: sections in timeline order and, in each,
consecutive segments of one speaker joined into a turn.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from recorder.core.audio.pcm import FloatArray
from recorder.core.session import INTERVIEWER
from recorder.core.transcribe.transcript import UNASSIGNED, Section, Transcript

#: Formats an export can be made in.
FORMATS = ("qdpx", "docx", "txt", "srt", "vtt", "csv", "json")


class DateBand(StrEnum):
    """How precisely the interview date is shown (never the day: it can identify)."""

    NONE = "none"
    YEAR = "year"
    QUARTER = "quarter"
    MONTH = "month"

    def of(self, iso_date: str) -> str:
        """The band of an ISO date (``2025-07-14...``): "", "2025", "2025 Q3", "2025-07"."""
        if self is DateBand.NONE or len(iso_date) < 7:
            return ""
        year, month = iso_date[:4], int(iso_date[5:7])
        if self is DateBand.YEAR:
            return year
        if self is DateBand.QUARTER:
            return f"{year} Q{(month - 1) // 3 + 1}"
        return f"{year}-{month:02d}"


@dataclass(frozen=True)
class Person:
    """A participant as an export shows them: study ID, role and shared attributes only."""

    participant_id: str
    role: str
    role_label: str
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class AudioClip:
    """A session's decrypted audio, in memory only: float32 (frames, channels)."""

    samples: FloatArray
    rate: int

    @property
    def seconds(self) -> float:
        return len(self.samples) / self.rate if self.rate else 0.0


@dataclass(frozen=True)
class ExportSession:
    """One session in an export."""

    session_id: str
    kind: str
    people: tuple[Person, ...]
    transcript: Transcript
    deidentified: bool
    date_band: str = ""
    audio: AudioClip | None = None

    def speaker_name(self, key: str) -> str:
        """The speaker-prefix form: ``P-7KQ2 (police)``, ``Interviewer``, ``Unassigned``."""
        if key == INTERVIEWER:
            return "Interviewer"
        for person in self.people:
            if person.participant_id == key:
                return f"{person.participant_id} ({person.role})"
        return "Unassigned" if key == UNASSIGNED else key

    def speaker_label(self, key: str) -> str:
        """The reading form: ``Police officer P-7KQ2`` (the transcript's own label)."""
        label = self.transcript.speakers.get(key)
        if label:
            return label
        return "Unassigned speaker" if key == UNASSIGNED else self.speaker_name(key)

    @property
    def study_ids(self) -> tuple[str, ...]:
        return tuple(p.participant_id for p in self.people)


@dataclass(frozen=True)
class ExportDocument:
    """Everything one export renders."""

    sessions: tuple[ExportSession, ...]
    #: Attribute names the researcher marked as non-identifying (variables in QDA tools).
    shared_attributes: tuple[str, ...] = ()
    created_at: str = ""
    #: A member-checking export: the participant it is for (their own transcript).
    member_check: str = ""

    @property
    def deidentified(self) -> bool:
        return all(s.deidentified for s in self.sessions)

    def people(self) -> list[Person]:
        """Each participant once, in order of first appearance."""
        seen: dict[str, Person] = {}
        for session in self.sessions:
            for person in session.people:
                seen.setdefault(person.participant_id, person)
        return list(seen.values())


@dataclass(frozen=True)
class Turn:
    """Consecutive speech of one speaker within one section."""

    speaker: str
    start: float
    end: float
    text: str


@dataclass(frozen=True)
class Block:
    """A section heading (``section`` set; None for speech before the first prompt) and its
    turns."""

    section: Section | None
    turns: tuple[Turn, ...]


def blocks(transcript: Transcript) -> list[Block]:
    """The transcript as sections in timeline order, each with its turns."""
    pending = sorted(transcript.sections, key=lambda s: s.start_sample)
    out: list[tuple[Section | None, list[Turn]]] = []
    current: tuple[Section | None, list[Turn]] | None = None
    for segment in transcript.segments:
        while pending and pending[0].start_sample <= segment.start_sample:
            current = (pending.pop(0), [])
            out.append(current)
        if current is None:
            current = (None, [])
            out.append(current)
        text = segment.text.strip()
        if not text:
            continue
        turns = current[1]
        if turns and turns[-1].speaker == segment.speaker:
            last = turns[-1]
            turns[-1] = Turn(last.speaker, last.start, segment.end, f"{last.text} {text}")
        else:
            turns.append(Turn(segment.speaker, segment.start, segment.end, text))
    out.extend((section, []) for section in pending)
    return [Block(section, tuple(turns)) for section, turns in out]


def timestamp(seconds: float) -> str:
    """``hh:mm:ss`` (hours always shown, so long interviews sort and align)."""
    whole = max(0, int(seconds))
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def section_title(section: Section | None) -> str:
    return section.title if section is not None else "Before the first prompt"


@dataclass(frozen=True)
class OutFile:
    """One file of an export: a relative POSIX path and its bytes (in memory only)."""

    name: str
    data: bytes


def header_lines(session: ExportSession, doc: ExportDocument) -> list[str]:
    """The facts every transcript starts with (study IDs, kind, date band, status)."""
    people = ", ".join(f"{p.participant_id} ({p.role_label})" for p in session.people)
    lines = [
        f"Session: {session.session_id}",
        f"Session kind: {session.kind}",
        f"Participants: {people}",
    ]
    if session.date_band:
        lines.append(f"Date: {session.date_band}")
    lines.append(
        "Transcript: de-identified"
        if session.deidentified
        else "Transcript: IDENTIFIABLE (reviewed, not de-identified)"
    )
    if doc.member_check:
        lines.append(f"Member check for: {doc.member_check}")
    return lines


#: What a participant is asked to do with a member-checking transcript.
MEMBER_CHECK_NOTE = (
    "This is the transcript of your interview. Please read it and edit, clarify or "
    "elaborate anything you wish: correct words we misheard, add what you meant, or mark "
    "anything you would like removed. Then return it to the researcher."
)


def audio_name(session: ExportSession) -> str:
    """The file name of a session's audio in a bundle (lossless FLAC)."""
    return f"{session.session_id}.flac"
