"""REFI-QDA project (``.qdpx``) for NVivo, ATLAS.ti, MAXQDA and QualCoder.

A zip with ``project.qde`` (QDA-XML 1.0, ``urn:QDA-XML:project:1.0``) and ``sources/``:

- one ``TextSource`` per transcript (UTF-8 text in ``sources/``), or with audio an
  ``AudioSource`` (WAV in ``sources/``) whose ``Transcript`` carries ``SyncPoint`` s (turn
  and heading positions tied to milliseconds);
- a code per protocol item under "Protocol prompts", and each section of each transcript
  coded with its item (``PlainTextSelection`` / ``TranscriptSelection``), so every vignette's
  answers arrive pre-coded;
- one ``Case`` per participant (study ID) with variables: role, session kind and the
  attributes the researcher marked non-identifying; sources carry "Session kind" too.

Positions count Unicode code points, end exclusive; time stamps are milliseconds.
"""

from __future__ import annotations

import io
import uuid
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime

from lxml import etree

from recorder import __version__
from recorder.core.export.document import (
    ExportDocument,
    ExportSession,
    OutFile,
    blocks,
    header_lines,
    section_title,
    timestamp,
)

NS = "urn:QDA-XML:project:1.0"
PROJECT_FILE = "project.qde"
SOURCES = "sources"
PROJECT_NAME = "interview-export.qdpx"
ROOT_CODE = "Protocol prompts"
ROLE, KIND = "Role", "Session kind"
PALETTE = ("#E6194B", "#3CB44B", "#4363D8", "#F58231", "#911EB4", "#42D4F4", "#F032E6",
           "#BFEF45", "#469990", "#9A6324", "#800000", "#808000", "#000075")  # fmt: skip


def guid() -> str:
    return str(uuid.uuid4())


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def _sub(parent: etree._Element, tag: str, **attrs: str) -> etree._Element:
    return etree.SubElement(parent, _q(tag), {k: v for k, v in attrs.items() if v != ""})


def ms(seconds: float) -> int:
    return max(0, round(seconds * 1000))


@dataclass
class Span:
    """A section's stretch of the source text and, for audio, of the timeline."""

    code_key: str
    start: int
    end: int
    start_ms: int
    end_ms: int


@dataclass
class SourceText:
    """A transcript laid out as the source text, with section spans and sync points."""

    text: str
    spans: list[Span] = field(default_factory=list)
    #: (milliseconds, code-point position)
    sync: list[tuple[int, int]] = field(default_factory=list)


def source_text(session: ExportSession, doc: ExportDocument) -> SourceText:
    """The text of one session as QDA tools show it, with positions of its sections."""
    parts: list[str] = []
    length = 0

    def add(line: str) -> tuple[int, int]:
        nonlocal length
        start = length
        parts.append(line + "\n")
        length += len(line) + 1
        return start, start + len(line)

    for line in header_lines(session, doc):
        add(line)
    result = SourceText("")
    rate = session.transcript.sample_rate or 1
    last_ms = 0  # sync points never go back in time

    def sync(stamp: int, position: int) -> int:
        nonlocal last_ms
        last_ms = max(last_ms, stamp)
        result.sync.append((last_ms, position))
        return last_ms

    for block in blocks(session.transcript):
        add("")
        section = block.section
        if section is not None:
            first_ms = ms(section.start_sample / rate)
        else:
            first_ms = ms(block.turns[0].start if block.turns else 0.0)
        start, end = add(section_title(section))
        heading_ms = sync(first_ms, start)
        end_ms = sync(heading_ms, end) if not block.turns else heading_ms
        for turn in block.turns:
            line_start, end = add(
                f"[{timestamp(turn.start)}] {session.speaker_label(turn.speaker)}: {turn.text}"
            )
            sync(ms(turn.start), line_start)
            end_ms = sync(ms(turn.end), end)
        if section is not None:
            result.spans.append(Span(section.item_id, start, end, heading_ms, end_ms))
    result.text = "".join(parts)
    return result


def code_name(title: str) -> str:
    return title.removesuffix(" (update)")


def _codes(doc: ExportDocument) -> dict[str, str]:
    """Protocol item ID -> code name, in order of first appearance."""
    names: dict[str, str] = {}
    for session in doc.sessions:
        for section in session.transcript.sections:
            names.setdefault(section.item_id, code_name(section.title))
    return names


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _text_value(parent: etree._Element, variable_guid: str, value: str) -> None:
    holder = _sub(parent, "VariableValue")
    _sub(holder, "VariableRef", targetGUID=variable_guid)
    etree.SubElement(holder, _q("TextValue")).text = value


def _coding(parent: etree._Element, code_guid: str, user: str, when: str) -> None:
    coding = _sub(parent, "Coding", guid=guid(), creatingUser=user, creationDateTime=when)
    _sub(coding, "CodeRef", targetGUID=code_guid)


def wav_bytes(session: ExportSession) -> bytes:
    import soundfile

    assert session.audio is not None
    out = io.BytesIO()
    soundfile.write(out, session.audio.samples, session.audio.rate, format="WAV",
                    subtype="PCM_16")  # fmt: skip
    return out.getvalue()


class _Builder:
    """Builds ``project.qde`` and the files under ``sources/`` for one document."""

    def __init__(self, doc: ExportDocument, name: str) -> None:
        self.doc = doc
        self.when = _now()
        self.user = guid()
        self.files: dict[str, bytes] = {}
        self.root = etree.Element(
            _q("Project"),
            {
                "name": name,
                "origin": f"Interview Recorder {__version__}",
                "creatingUserGUID": self.user,
                "creationDateTime": self.when,
            },
            nsmap={None: NS},
        )
        self.code_guids = {key: guid() for key in _codes(doc)}
        self.variable_guids = {v: guid() for v in [ROLE, KIND, *doc.shared_attributes]}
        self.source_guids = {s.session_id: guid() for s in doc.sessions}

    def users(self) -> None:
        users = _sub(self.root, "Users")
        _sub(users, "User", guid=self.user, name="Interview Recorder", id="IR")

    def codebook(self) -> None:
        if not self.code_guids:
            return
        codes = _sub(_sub(self.root, "CodeBook"), "Codes")
        parent = _sub(codes, "Code", guid=guid(), name=ROOT_CODE, isCodable="false")
        etree.SubElement(parent, _q("Description")).text = (
            "One code per item of the interview protocol; each section of a transcript is "
            "coded with the prompt that was on screen."
        )
        for index, (key, title) in enumerate(_codes(self.doc).items()):
            code = _sub(parent, "Code", guid=self.code_guids[key], name=title,
                        isCodable="true", color=PALETTE[index % len(PALETTE)])  # fmt: skip
            etree.SubElement(code, _q("Description")).text = f"Protocol item {key}"

    def variables(self) -> None:
        variables = _sub(self.root, "Variables")
        for variable, variable_guid in self.variable_guids.items():
            _sub(variables, "Variable", guid=variable_guid, name=variable, typeOfVariable="Text")

    def cases(self) -> None:
        people = self.doc.people()
        if not people:
            return
        cases = _sub(self.root, "Cases")
        for person in people:
            sessions = [s for s in self.doc.sessions if person.participant_id in s.study_ids]
            case = _sub(cases, "Case", guid=guid(), name=person.participant_id)
            _text_value(case, self.variable_guids[ROLE], person.role)
            kinds = sorted({s.kind for s in sessions})
            _text_value(case, self.variable_guids[KIND], ", ".join(kinds))
            for attribute in self.doc.shared_attributes:
                if attribute in person.attributes:
                    value = person.attributes[attribute]
                    _text_value(case, self.variable_guids[attribute], value)
            for session in sessions:
                _sub(case, "SourceRef", targetGUID=self.source_guids[session.session_id])

    def sources(self) -> None:
        if not self.doc.sessions:
            return
        sources = _sub(self.root, "Sources")
        for session in self.doc.sessions:
            laid_out = source_text(session, self.doc)
            text_guid = guid()
            self.files[f"{SOURCES}/{text_guid}.txt"] = laid_out.text.encode("utf-8")
            if session.audio is None:
                source = self.text_source(sources, session, laid_out, text_guid)
            else:
                source = self.audio_source(sources, session, laid_out, text_guid)
            _text_value(source, self.variable_guids[KIND], session.kind)

    def text_source(
        self, sources: etree._Element, session: ExportSession, laid_out: SourceText, text: str
    ) -> etree._Element:
        sid = session.session_id
        source = _sub(sources, "TextSource", guid=self.source_guids[sid], name=sid,
                      plainTextPath=f"internal://{text}.txt", creatingUser=self.user,
                      creationDateTime=self.when)  # fmt: skip
        for span in laid_out.spans:
            selection = _sub(source, "PlainTextSelection", guid=guid(),
                             name=code_name(_title_of(session, span)),
                             startPosition=str(span.start), endPosition=str(span.end),
                             creatingUser=self.user, creationDateTime=self.when)  # fmt: skip
            _coding(selection, self.code_guids[span.code_key], self.user, self.when)
        return source

    def audio_source(
        self, sources: etree._Element, session: ExportSession, laid_out: SourceText, text: str
    ) -> etree._Element:
        sid = session.session_id
        audio_guid = guid()
        self.files[f"{SOURCES}/{audio_guid}.wav"] = wav_bytes(session)
        source = _sub(sources, "AudioSource", guid=self.source_guids[sid], name=sid,
                      path=f"internal://{audio_guid}.wav", creatingUser=self.user,
                      creationDateTime=self.when)  # fmt: skip
        transcript = _sub(source, "Transcript", guid=guid(), name=f"{sid} transcript",
                          plainTextPath=f"internal://{text}.txt", creatingUser=self.user,
                          creationDateTime=self.when)  # fmt: skip
        points: dict[tuple[int, int], str] = {}
        for stamp, position in laid_out.sync:
            if (stamp, position) not in points:
                points[(stamp, position)] = guid()
                _sub(transcript, "SyncPoint", guid=points[(stamp, position)],
                     timeStamp=str(stamp), position=str(position))  # fmt: skip
        for span in laid_out.spans:
            selection = _sub(transcript, "TranscriptSelection", guid=guid(),
                             name=code_name(_title_of(session, span)),
                             fromSyncPoint=points[(span.start_ms, span.start)],
                             toSyncPoint=points[(span.end_ms, span.end)],
                             creatingUser=self.user, creationDateTime=self.when)  # fmt: skip
            _coding(selection, self.code_guids[span.code_key], self.user, self.when)
        return source

    def description(self) -> None:
        status = "de-identified" if self.doc.deidentified else "IDENTIFIABLE (not de-identified)"
        etree.SubElement(self.root, _q("Description")).text = (
            f"Interview transcripts exported by Interview Recorder: {status}. Cases are "
            "participants by study ID; codes are the protocol's prompts."
        )

    def archive(self) -> bytes:
        xml = etree.tostring(self.root, xml_declaration=True, encoding="utf-8", pretty_print=True)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(PROJECT_FILE, xml)
            for path, data in self.files.items():
                stored = path.endswith(".wav")
                archive.writestr(path, data, compress_type=zipfile.ZIP_STORED if stored else None)
        return out.getvalue()


def build(doc: ExportDocument, *, name: str = "Interview Recorder export") -> bytes:
    """The ``.qdpx`` archive (a zip) as bytes; elements in the schema's order."""
    builder = _Builder(doc, name)
    builder.users()
    builder.codebook()
    builder.variables()
    builder.cases()
    builder.sources()
    builder.description()
    return builder.archive()


def _title_of(session: ExportSession, span: Span) -> str:
    for section in session.transcript.sections:
        if section.item_id == span.code_key:
            return section.title
    return span.code_key


def render(doc: ExportDocument) -> list[OutFile]:
    return [OutFile(PROJECT_NAME, build(doc))]


def preview(doc: ExportDocument) -> str:
    """An outline of the project: cases, codes and the first source's text."""
    lines = ["REFI-QDA project (.qdpx)", "", "Cases (participants):"]
    for person in doc.people():
        attrs = ", ".join(f"{k}={v}" for k, v in sorted(person.attributes.items()))
        lines.append(
            f"  {person.participant_id}  role={person.role}" + (f", {attrs}" if attrs else "")
        )
    lines += ["", f"Codes ({ROOT_CODE}):"]
    lines += [f"  {name}" for name in _codes(doc).values()]
    lines += ["", "Sources:"]
    for session in doc.sessions:
        kind = "audio + transcript" if session.audio is not None else "text"
        lines.append(f"  {session.session_id} ({kind})")
    if doc.sessions:
        lines += [
            "",
            f"--- {doc.sessions[0].session_id} ---",
            source_text(doc.sessions[0], doc).text,
        ]
    return "\n".join(lines) + "\n"
