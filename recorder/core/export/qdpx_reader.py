"""Read a ``.qdpx`` back: the checks the schema cannot make, and the content as values.

Used by the tests to round-trip exports, and by anyone who wants to check a project before
sending it: every ``internal://`` path must exist under ``sources/``, GUIDs must be unique,
every reference must resolve, each text must come from exactly one of ``PlainTextContent``
and ``plainTextPath``, and selections and sync points must fall inside their text.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from lxml import etree

from recorder.core.export.errors import QdpxError
from recorder.core.export.qdpx import NS, PROJECT_FILE, SOURCES

_N = {"q": NS}


@dataclass(frozen=True)
class Selection:
    """A coded stretch of a source's text (code-point positions, end exclusive)."""

    start: int
    end: int
    codes: tuple[str, ...]


@dataclass(frozen=True)
class Source:
    """A text source, or an audio source with its transcript."""

    name: str
    kind: str  # "text" or "audio"
    text: str
    selections: tuple[Selection, ...]
    variables: dict[str, str]
    #: (milliseconds, position) of each sync point (audio sources).
    sync_points: tuple[tuple[int, int], ...] = ()
    audio: bytes | None = None


@dataclass(frozen=True)
class Case:
    name: str
    variables: dict[str, str]
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Project:
    name: str
    #: Code name -> parent code name ("" for top-level codes).
    codes: dict[str, str]
    variables: tuple[str, ...]
    cases: tuple[Case, ...]
    sources: tuple[Source, ...]
    xml: bytes

    def source(self, name: str) -> Source:
        return next(s for s in self.sources if s.name == name)


def _attr(element: etree._Element, name: str) -> str:
    value = element.get(name)
    if value is None:
        raise QdpxError(f"{etree.QName(element).localname} lacks the attribute {name}.")
    return str(value)


class _Reader:
    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self.names = set(archive.namelist())
        self.guids: dict[str, etree._Element] = {}

    def file(self, path: str) -> bytes:
        if not path.startswith("internal://"):
            raise QdpxError(f"Source path {path!r} is not inside the project (internal://).")
        inner = f"{SOURCES}/{path.removeprefix('internal://')}"
        if inner not in self.names:
            raise QdpxError(f"{inner} is referenced by the project but missing from the zip.")
        return self.archive.read(inner)

    def collect_guids(self, root: etree._Element) -> None:
        for element in root.iter():
            value = element.get("guid")
            if value is None:
                continue
            key = value.strip("{}").lower()
            if key in self.guids:
                raise QdpxError(f"GUID {value} is used twice.")
            self.guids[key] = element

    def target(self, ref: etree._Element, attr: str = "targetGUID") -> etree._Element:
        value = _attr(ref, attr).strip("{}").lower()
        if value not in self.guids:
            raise QdpxError(f"Reference to {value} does not resolve.")
        return self.guids[value]

    def text_of(self, element: etree._Element) -> str:
        content = element.find("q:PlainTextContent", _N)
        path = element.get("plainTextPath")
        if (content is None) == (path is None):
            raise QdpxError("A text needs exactly one of PlainTextContent and plainTextPath.")
        if content is not None:
            return content.text or ""
        assert path is not None
        try:
            return self.file(path).decode("utf-8")
        except UnicodeDecodeError:
            raise QdpxError(f"{path} is not UTF-8 text.") from None

    def codes_of(self, selection: etree._Element) -> tuple[str, ...]:
        return tuple(
            _attr(self.target(ref), "name") for ref in selection.iterfind("q:Coding/q:CodeRef", _N)
        )

    def variables_of(self, element: etree._Element) -> dict[str, str]:
        values: dict[str, str] = {}
        for holder in element.iterfind("q:VariableValue", _N):
            ref = holder.find("q:VariableRef", _N)
            if ref is None:
                raise QdpxError("A variable value without its variable.")
            value = next((c.text or "" for c in holder if c is not ref), "")
            values[_attr(self.target(ref), "name")] = value
        return values


def _check(start: int, end: int, text: str, where: str) -> None:
    if not 0 <= start <= end <= len(text):
        raise QdpxError(f"A selection in {where} falls outside its text.")


def read_qdpx(data: bytes) -> Project:
    """Parse and check a ``.qdpx`` archive; ``QdpxError`` says what is wrong."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise QdpxError("This is not a .qdpx file (not a zip archive).") from None
    with archive:
        if PROJECT_FILE not in archive.namelist():
            raise QdpxError(f"The archive has no {PROJECT_FILE}.")
        xml = archive.read(PROJECT_FILE)
        try:
            root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))
        except etree.XMLSyntaxError as exc:
            raise QdpxError(f"{PROJECT_FILE} is not well-formed XML: {exc}") from None
        if root.tag != f"{{{NS}}}Project":
            raise QdpxError(f"{PROJECT_FILE} is not a REFI-QDA project.")
        reader = _Reader(archive)
        reader.collect_guids(root)
        codes: dict[str, str] = {}
        for code in root.iterfind(".//q:CodeBook//q:Code", _N):
            parent = code.getparent()
            is_child = parent is not None and parent.tag == f"{{{NS}}}Code"
            codes[_attr(code, "name")] = (
                _attr(parent, "name") if parent is not None and is_child else ""
            )
        variables = tuple(_attr(v, "name") for v in root.iterfind("q:Variables/q:Variable", _N))
        cases = tuple(
            Case(
                _attr(case, "name"),
                reader.variables_of(case),
                tuple(
                    _attr(reader.target(ref), "name") for ref in case.iterfind("q:SourceRef", _N)
                ),
            )
            for case in root.iterfind("q:Cases/q:Case", _N)
        )
        sources = [_text_source(reader, s) for s in root.iterfind("q:Sources/q:TextSource", _N)]
        sources += [_audio_source(reader, s) for s in root.iterfind("q:Sources/q:AudioSource", _N)]
        return Project(_attr(root, "name"), codes, variables, cases, tuple(sources), xml)


def _text_source(reader: _Reader, element: etree._Element) -> Source:
    name = _attr(element, "name")
    text = reader.text_of(element)
    selections = []
    for sel in element.iterfind("q:PlainTextSelection", _N):
        start, end = int(_attr(sel, "startPosition")), int(_attr(sel, "endPosition"))
        _check(start, end, text, name)
        selections.append(Selection(start, end, reader.codes_of(sel)))
    return Source(name, "text", text, tuple(selections), reader.variables_of(element))


def _audio_source(reader: _Reader, element: etree._Element) -> Source:
    name = _attr(element, "name")
    audio = reader.file(_attr(element, "path"))
    transcript = element.find("q:Transcript", _N)
    if transcript is None:
        return Source(name, "audio", "", (), reader.variables_of(element), audio=audio)
    text = reader.text_of(transcript)
    points: dict[str, tuple[int, int]] = {}
    for point in transcript.iterfind("q:SyncPoint", _N):
        stamp, position = int(_attr(point, "timeStamp")), int(_attr(point, "position"))
        _check(position, position, text, name)
        points[_attr(point, "guid").strip("{}").lower()] = (stamp, position)
    selections = []
    for sel in transcript.iterfind("q:TranscriptSelection", _N):
        first = points.get(_attr(sel, "fromSyncPoint").strip("{}").lower())
        last = points.get(_attr(sel, "toSyncPoint").strip("{}").lower())
        if first is None or last is None:
            raise QdpxError(f"A transcript selection in {name} names a missing sync point.")
        _check(first[1], last[1], text, name)
        selections.append(Selection(first[1], last[1], reader.codes_of(sel)))
    return Source(
        name,
        "audio",
        text,
        tuple(selections),
        reader.variables_of(element),
        sync_points=tuple(points.values()),
        audio=audio,
    )
