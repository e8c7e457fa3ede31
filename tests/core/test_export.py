"""Exports: every format rendered from a real stored session, read back with real parsers
(lxml + the REFI-QDA schema, python-docx, srt, webvtt-py, csv, json), bundled with real
pyrage and opened with the real ``age`` CLI."""

from __future__ import annotations

import csv
import html
import io
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from recorder.core.errors import NotFound
from recorder.core.export import bundle
from recorder.core.export.document import DateBand, blocks
from recorder.core.export.errors import (
    BadKey,
    CorruptedExport,
    NotAnAgeFile,
    QdpxError,
    WrongExportPassphrase,
    WrongIdentity,
    WrongProtection,
)
from recorder.core.export.log import list_exports
from recorder.core.export.qdpx import PROJECT_FILE
from recorder.core.export.qdpx_reader import read_qdpx
from recorder.core.export.selection import ExportOptions, load_document, session_status
from recorder.core.export.service import (
    Protection,
    open_bundle,
    preview,
    render_files,
    run_export,
)
from recorder.core.study import Study
from recorder.core.transcribe.transcript import Transcript
from tests.conftest import ROOT, StudyPair
from tests.export_helpers import (
    AGE,
    Made,
    age_decrypt_with_identity,
    age_decrypt_with_passphrase,
    identifying_strings,
    make_session,
)

SCHEMA = ROOT.parent / "shared" / "refi-qda" / "Project.xsd"
needs_age = pytest.mark.skipif(
    AGE is None, reason="the age CLI is not installed (apt-get install age)"
)


@pytest.fixture
def made(study_pair: StudyPair, tmp_path: Path) -> Made:
    return make_session(study_pair, tmp_path)


def study_of(pair: StudyPair) -> Study:
    return pair.study  # type: ignore[return-value]


def document(pair: StudyPair, made: Made, fmt: str, **kw: object):  # type: ignore[no-untyped-def]
    options = ExportOptions(fmt, session_ids=(made.record.session_id,), **kw)  # type: ignore[arg-type]
    return load_document(study_of(pair), options)


def files_of(pair: StudyPair, made: Made, fmt: str, **kw: object) -> dict[str, bytes]:
    return {f.name: f.data for f in render_files(document(pair, made, fmt, **kw), fmt)}


def texts(transcript: Transcript) -> list[str]:
    return [s.text for s in transcript.segments]


# -- selection ---------------------------------------------------------------------------


def test_de_identified_by_default_and_a_clear_error_without_one(
    study_pair: StudyPair, made: Made
) -> None:
    doc = document(study_pair, made, "txt")
    assert doc.deidentified and texts(doc.sessions[0].transcript) == texts(made.deidentified)
    ident = document(study_pair, made, "txt", identifiable=True)
    assert not ident.deidentified and texts(ident.sessions[0].transcript) == texts(made.reviewed)
    study = study_of(study_pair)
    sid = made.record.session_id
    study.vault.path(f"sessions/{sid}/deidentified.json").unlink()
    with pytest.raises(NotFound) as caught:
        document(study_pair, made, "txt")
    assert f"python main.py deidentify STUDY_DIR --codemap CODEMAP_DIR --session {sid}" in (
        caught.value.hint
    )
    status = session_status(study, made.record)
    assert status.problem(identifiable=False) == "reviewed, not de-identified yet"
    assert status.problem(identifiable=True) == ""


def test_date_band_is_never_the_day(study_pair: StudyPair, made: Made) -> None:
    assert document(study_pair, made, "txt").sessions[0].date_band == ""
    band = document(study_pair, made, "txt", date_band=DateBand.QUARTER).sessions[0].date_band
    assert band.startswith("20") and " Q" in band and len(band) == 7
    assert DateBand.MONTH.of("2025-07-14T10:00:00+00:00") == "2025-07"


# -- REFI-QDA ----------------------------------------------------------------------------


def check_qdpx_structure(data: bytes, made: Made) -> None:
    project = read_qdpx(data)  # references, paths, positions checked by the reader
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert PROJECT_FILE in names
    for ref in project.xml.decode().split("internal://")[1:]:
        assert "sources/" + ref.split('"', 1)[0] in names
    source = project.source(made.record.session_id)
    transcript = made.deidentified
    # every turn's text and its speaker label are in the source text
    for block in blocks(transcript):
        for turn in block.turns:
            assert turn.text in source.text
    # each section is coded with its protocol item, and the coded span starts at its title
    assert project.codes["Protocol prompts"] == ""
    sections = transcript.sections
    assert len(source.selections) == len(sections)
    for selection, section in zip(source.selections, sections, strict=True):
        assert source.text[selection.start :].startswith(section.title)
        assert selection.codes == (section.title.removesuffix(" (update)"),)
        assert project.codes[selection.codes[0]] == "Protocol prompts"
    # one case per participant with role, session kind and the shared attribute
    (case,) = project.cases
    assert case.name == made.people[0]
    assert case.variables == {"Role": "police", "Session kind": "individual", "years-band": "10-19"}
    assert case.sources == (made.record.session_id,)
    assert source.variables == {"Session kind": "individual"}


def test_qdpx_structure_round_trips_through_our_reader(study_pair: StudyPair, made: Made) -> None:
    files = files_of(study_pair, made, "qdpx")
    check_qdpx_structure(files["interview-export.qdpx"], made)


@pytest.mark.skipif(not SCHEMA.exists(), reason=f"REFI-QDA schema not found at {SCHEMA} "
                    "(the shared folder beside the checkout is absent)")  # fmt: skip
def test_qdpx_validates_against_the_refi_qda_schema(study_pair: StudyPair, made: Made) -> None:
    from lxml import etree

    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    for audio in (False, True):
        data = files_of(study_pair, made, "qdpx", include_audio=audio)["interview-export.qdpx"]
        xml = zipfile.ZipFile(io.BytesIO(data)).read(PROJECT_FILE)
        ok = schema.validate(etree.fromstring(xml))
        assert ok, "\n".join(f"{e.line}: {e.message}" for e in schema.error_log)


def test_qdpx_with_audio_has_an_audio_source_with_sync_points(
    study_pair: StudyPair, made: Made
) -> None:
    import soundfile

    data = files_of(study_pair, made, "qdpx", include_audio=True)["interview-export.qdpx"]
    project = read_qdpx(data)
    source = project.source(made.record.session_id)
    assert source.kind == "audio" and source.audio is not None
    samples, rate = soundfile.read(io.BytesIO(source.audio))
    assert rate == 16_000 and abs(len(samples) / rate - 9.0) < 0.01
    # each turn's line starts at a sync point whose time is the turn's start
    points = dict((pos, ms) for ms, pos in source.sync_points)
    for block in blocks(made.deidentified):
        for turn in block.turns:
            line = source.text.index(turn.text) - source.text[: source.text.index(turn.text)][
                ::-1
            ].index("\n")
            assert points[line] == round(turn.start * 1000)
    times = [ms for ms, _ in source.sync_points]
    assert times == sorted(times)
    assert [s.codes for s in source.selections] == [
        (s.title.removesuffix(" (update)"),) for s in made.deidentified.sections
    ]


def test_the_reader_rejects_a_project_with_a_missing_source(
    study_pair: StudyPair, made: Made
) -> None:
    data = files_of(study_pair, made, "qdpx")["interview-export.qdpx"]
    original = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as broken:
        for name in original.namelist():
            if not name.startswith("sources/"):
                broken.writestr(name, original.read(name))
    with pytest.raises(QdpxError, match="missing from the zip"):
        read_qdpx(out.getvalue())
    with pytest.raises(QdpxError, match="not a zip"):
        read_qdpx(b"not a zip")


# -- text formats ------------------------------------------------------------------------


def test_txt_plain_and_speaker_prefixed(study_pair: StudyPair, made: Made) -> None:
    files = files_of(study_pair, made, "txt", date_band=DateBand.YEAR)
    sid, pid = made.record.session_id, made.people[0]
    plain = files[f"{sid}.txt"].decode()
    assert f"Participants: {pid} (Police officer)" in plain or f"Participants: {pid} (" in plain
    assert "Transcript: de-identified" in plain and "Date: 20" in plain
    for section in made.deidentified.sections:
        assert f"## {section.title}" in plain
    assert "[00:00:01] " in plain
    speakers = files[f"{sid}.speakers.txt"].decode().split("\n\n")
    assert f"{pid} (police): Sure. You can reach me at [EMAIL] or [PHONE] later." in speakers
    assert "Interviewer: What would you do first on this call?" in speakers


def test_srt_and_vtt_parse_with_real_parsers(study_pair: StudyPair, made: Made) -> None:
    srt = pytest.importorskip("srt", reason="pip install srt")
    webvtt = pytest.importorskip("webvtt", reason="pip install webvtt-py")
    sid, pid = made.record.session_id, made.people[0]
    subs = list(srt.parse(files_of(study_pair, made, "srt")[f"{sid}.srt"].decode()))
    segments = made.deidentified.segments
    assert len(subs) == len(segments)
    for cue, seg in zip(subs, segments, strict=True):
        assert abs(cue.start.total_seconds() - seg.start) < 0.002
        assert abs(cue.end.total_seconds() - seg.end) < 0.002
        assert cue.content.endswith(seg.text)
    assert subs[1].content.startswith(f"{pid} (police): ")
    vtt_text = files_of(study_pair, made, "vtt")[f"{sid}.vtt"].decode()
    captions = webvtt.from_buffer(io.StringIO(vtt_text)).captions
    assert len(captions) == len(segments)
    assert captions[1].voice == f"{pid} (police)" and captions[0].voice == "Interviewer"
    assert html.unescape(captions[3].text) == segments[3].text  # & < > escaped and restored
    assert (captions[4].start, captions[4].end) == ("00:00:06.300", "00:00:08.600")


def test_csv_and_json_round_trip(study_pair: StudyPair, made: Made) -> None:
    sid = made.record.session_id
    raw = files_of(study_pair, made, "csv")["turns.csv"]
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    turns = [t for b in blocks(made.deidentified) for t in b.turns]
    assert [r["text"] for r in rows] == [t.text for t in turns]
    assert {r["session_id"] for r in rows} == {sid}
    assert rows[1]["speaker"] == made.people[0] and rows[1]["speaker_role"] == "police"
    assert float(rows[-1]["end_seconds"]) == pytest.approx(turns[-1].end)

    data = json.loads(files_of(study_pair, made, "json")["export.json"])
    assert data["format"] == "interview-recorder-export" and data["deidentified"] is True
    (session,) = data["sessions"]
    assert [s["text"] for s in session["segments"]] == [s.text for s in made.deidentified.segments]
    assert session["sections"] == [s.to_json() for s in made.deidentified.sections]
    assert session["participants"][0]["attributes"] == {"years-band": "10-19"}
    # stale word timings (they would spell the redacted names) are dropped
    assert all(s["words"] == [] for s in session["segments"][:2])
    assert session["segments"][2]["words"]  # unchanged text keeps its words
    assert [t["text"] for t in session["turns"]] == [t.text for t in turns]


def test_docx_opens_with_python_docx(study_pair: StudyPair, made: Made, tmp_path: Path) -> None:
    import docx

    sid = made.record.session_id
    data = files_of(study_pair, made, "docx")[f"{sid}.docx"]
    document_ = docx.Document(io.BytesIO(data))
    text = "\n".join(p.text for p in document_.paragraphs)
    headings = [p.text for p in document_.paragraphs if p.style.name.startswith("Heading")]
    assert headings[0] == f"Interview transcript — {sid}"
    assert headings[1:] == [s.title for s in made.deidentified.sections]
    cells = [c.text for row in document_.tables[0].rows for c in row.cells]
    assert "Session" in cells and sid in cells and "de-identified" in " ".join(cells)
    assert "[00:00:01]  " in text and "Interviewer:" in text
    assert document_.core_properties.author == "Interview Recorder"
    assert sid in document_.sections[0].header.paragraphs[0].text


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_docx_renders_to_pdf_with_libreoffice(
    study_pair: StudyPair, made: Made, tmp_path: Path
) -> None:
    sid = made.record.session_id
    path = tmp_path / f"{sid}.docx"
    path.write_bytes(files_of(study_pair, made, "docx")[f"{sid}.docx"])
    done = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    pdf = tmp_path / f"{sid}.pdf"
    assert done.returncode == 0 and pdf.exists(), done.stderr
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 5000


def test_member_check_adds_the_request_to_the_participant(
    study_pair: StudyPair, made: Made, tmp_path: Path
) -> None:
    doc = load_document(study_of(study_pair), ExportOptions("txt", member_check=made.people[0]))
    assert [s.session_id for s in doc.sessions] == [made.record.session_id]
    text = preview(doc, "txt")
    assert "edit, clarify or elaborate" in text and f"Member check for: {made.people[0]}" in text


# -- age bundles -------------------------------------------------------------------------

PASS = "export passphrase for a colleague"


def unzip_all(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {n: archive.read(n) for n in archive.namelist()}


@needs_age
def test_passphrase_export_opens_with_the_age_cli_and_is_recorded(
    study_pair: StudyPair, made: Made, tmp_path: Path
) -> None:
    out = tmp_path / "export.age"
    seen: list[float] = []
    result = run_export(
        study_of(study_pair), ExportOptions("docx", (made.record.session_id,)),
        Protection(passphrase=PASS), out, progress=lambda p: seen.append(p.fraction),
    )  # fmt: skip
    assert out.read_bytes().startswith(b"age-encryption.org/v1\n-> scrypt ")
    assert seen == sorted(seen) and seen[-1] == 1.0
    code, _ = age_decrypt_with_passphrase(out, tmp_path / "export.zip", PASS)
    assert code == 0
    inner = unzip_all((tmp_path / "export.zip").read_bytes())
    assert set(inner) == {f"{made.record.session_id}.docx", "manifest.json", "README.txt"}
    assert b"DE-IDENTIFIED" in inner["README.txt"]
    (record,) = list_exports(study_of(study_pair))
    assert record == result.record
    assert (record.export_format, record.transcript, record.protection, record.audio) == (
        "docx", "de-identified", "passphrase", False,
    )  # fmt: skip
    wrong, _ = age_decrypt_with_passphrase(out, tmp_path / "no.zip", "not it")
    assert wrong != 0
    with pytest.raises(WrongExportPassphrase):
        open_bundle(out.read_bytes(), passphrase="not it")


@needs_age
def test_recipient_export_opens_with_the_age_cli_and_our_opener(
    study_pair: StudyPair, made: Made, tmp_path: Path
) -> None:
    ours = bundle.generate_key_pair()
    key = tmp_path / "ours.txt"
    key.write_text(ours.identity_file())
    theirs = tmp_path / "theirs.txt"  # a colleague's key made by the reference tool
    subprocess.run(["age-keygen", "-o", str(theirs)], check=True, capture_output=True)
    their_public = next(
        line.split(": ")[1] for line in theirs.read_text().splitlines() if "public key" in line
    )
    out = tmp_path / "export.age"
    run_export(
        study_of(study_pair), ExportOptions("csv", (made.record.session_id,)),
        Protection(recipients=(ours.public, their_public)), out,
    )  # fmt: skip
    done = age_decrypt_with_identity(out, tmp_path / "a.zip", key)
    assert done.returncode == 0, done.stderr
    assert "turns.csv" in unzip_all((tmp_path / "a.zip").read_bytes())
    files = open_bundle(out.read_bytes(), identities_text=theirs.read_text())
    assert {f.name for f in files} == {"turns.csv", "manifest.json", "README.txt"}
    (record,) = list_exports(study_of(study_pair))
    assert record.recipients == (bundle.fingerprint(ours.public), bundle.fingerprint(their_public))
    assert all(r.startswith("SHA256:") and len(r) == 23 for r in record.recipients)
    # a stranger's key, the wrong kind of secret, damage, and not an age file at all
    stranger = bundle.generate_key_pair().identity_file()
    with pytest.raises(WrongIdentity):
        open_bundle(out.read_bytes(), identities_text=stranger)
    with pytest.raises(WrongProtection, match="public keys, not to a passphrase"):
        open_bundle(out.read_bytes(), passphrase=PASS)
    damaged = bytearray(out.read_bytes())
    damaged[-40] ^= 0x01
    with pytest.raises(CorruptedExport):
        open_bundle(bytes(damaged), identities_text=key.read_text())
    with pytest.raises(CorruptedExport):
        open_bundle(out.read_bytes()[:-30], identities_text=key.read_text())
    with pytest.raises(NotAnAgeFile):
        open_bundle(b"PK\x03\x04 a zip, not an age file", identities_text=key.read_text())
    with pytest.raises(BadKey):
        open_bundle(out.read_bytes(), identities_text="AGE-SECRET-KEY-1NOTAKEY\n")
    with pytest.raises(BadKey):
        Protection(recipients=("age1notakey",)).check()


def test_a_passphrase_key_mixup_is_named(study_pair: StudyPair, made: Made) -> None:
    packed = bundle.pack([], {"sessions": []})
    sealed = bundle.encrypt_to_passphrase(packed, PASS)
    with pytest.raises(WrongProtection, match="passphrase, not by a key"):
        open_bundle(sealed, identities_text=bundle.generate_key_pair().identity_file())
    assert {f.name for f in open_bundle(sealed, passphrase=PASS)} == {"manifest.json", "README.txt"}


def test_plaintext_export_writes_a_folder_only_when_chosen(
    study_pair: StudyPair, made: Made, tmp_path: Path
) -> None:
    out = tmp_path / "plain"
    run_export(
        study_of(study_pair), ExportOptions("json", (made.record.session_id,)),
        Protection(plaintext=True), out,
    )  # fmt: skip
    assert sorted(p.name for p in out.iterdir()) == ["README.txt", "export.json", "manifest.json"]
    assert list_exports(study_of(study_pair))[0].protection == "plaintext"
    with pytest.raises(Exception, match="exactly one protection"):
        Protection().check()


# -- nothing identifying in a de-identified export ---------------------------------------


ENCODINGS = (("utf-8", 1), ("utf-16-le", 2), ("utf-16-be", 2), ("utf-32-le", 4))


def _variants(term: str) -> list[tuple[bytes, str, int]]:
    """Every form of ``term`` to look for: (bytes, encoding, bytes per code unit)."""
    forms = {term, term.lower(), term.upper(), html.escape(term), html.escape(term).lower()}
    forms |= {"".join(f"&#{ord(c)};" for c in term), "".join(f"&#x{ord(c):x};" for c in term)}
    return [(form.encode(enc), enc, unit) for form in forms for enc, unit in ENCODINGS]


def _leaks(data: bytes, term: str) -> bool:
    """``term`` in ``data`` as a word of its own (a nickname such as "Dee" inside a hex hash
    or another word is not a leak), in any of its forms and encodings."""
    lowered = data.lower()
    for variant, encoding, unit in _variants(term):
        needle = variant.lower()
        at = lowered.find(needle)
        while at != -1:
            before = lowered[max(0, at - unit) : at].decode(encoding, "ignore")
            after = lowered[at + len(needle) : at + len(needle) + unit].decode(encoding, "ignore")
            if not (before.isalnum() or after.isalnum()):
                return True
            at = lowered.find(needle, at + 1)
    return False


def _all_bytes(name: str, data: bytes) -> list[tuple[str, bytes]]:
    """The file, and (recursively) every member of a zip inside it (docx, qdpx)."""
    found = [(name, data)]
    if data.startswith(b"PK\x03\x04"):
        for inner, content in unzip_all(data).items():
            found += _all_bytes(f"{name}/{inner}", content)
    return found


def test_no_code_map_name_email_or_phone_in_any_file_of_a_de_identified_bundle(
    study_pair: StudyPair, tmp_path: Path
) -> None:
    first = make_session(study_pair, tmp_path)
    second = make_session(study_pair, tmp_path, paired=True)
    sessions = (first.record.session_id, second.record.session_id)
    terms = identifying_strings()
    # the reviewed transcripts do hold them, so the check below can see them
    reviewed = json.dumps([s.to_json() for s in first.reviewed.segments])
    assert all(t in reviewed for t in ("Dana Ramirez", "dana.ramirez@riverside.example"))
    key = bundle.generate_key_pair()
    for fmt in ("qdpx", "docx", "txt", "srt", "vtt", "csv", "json"):
        out = tmp_path / f"{fmt}.age"
        run_export(
            study_of(study_pair), ExportOptions(fmt, sessions, date_band=DateBand.MONTH),
            Protection(recipients=(key.public,)), out,
        )  # fmt: skip
        files = open_bundle(out.read_bytes(), identities_text=key.identity_file())
        checked = [item for f in files for item in _all_bytes(f.name, f.data)]
        assert len(checked) > len(files) or fmt not in ("qdpx", "docx")
        for name, data in checked:
            for term in terms:
                assert not _leaks(data, term), f"{term!r} found in {fmt}: {name}"
    # and the identifiable export, when chosen, does contain them (the check works)
    files = files_of_plain(study_pair, first)
    assert any(b"Dana Ramirez" in data for _, data in files)
    assert any(_leaks(data, "Dee") for _, data in files)


def files_of_plain(pair: StudyPair, made: Made) -> list[tuple[str, bytes]]:
    doc = document(pair, made, "docx", identifiable=True)
    return [item for f in render_files(doc, "docx") for item in _all_bytes(f.name, f.data)]


def test_the_real_de_identification_step_leaves_nothing_identifying_in_a_bundle(
    study_pair: StudyPair, tmp_path: Path
) -> None:
    """The whole way out: reviewed transcript -> the de-identification engine (a reviewer who
    accepts every proposal, the flagged candidate "Whitlock" included) -> an export bundle."""
    from recorder.core.deid.proposals import Decision, accept_all, decide
    from recorder.core.deid.store import deidentify_session, propose_for_session

    study, codemap = study_of(study_pair), study_pair.codemap
    made = [make_session(study_pair, tmp_path), make_session(study_pair, tmp_path, paired=True)]
    for each in made:
        session_id = each.record.session_id
        review = accept_all(propose_for_session(study, codemap, session_id))  # type: ignore[arg-type]
        for candidate in review.candidates():
            review = decide(review, candidate.id, Decision.ACCEPTED)
        deidentify_session(study, codemap, session_id, review)  # type: ignore[arg-type]
    sessions = tuple(m.record.session_id for m in made)
    terms = identifying_strings()
    key = bundle.generate_key_pair()
    for fmt in ("qdpx", "docx", "txt", "srt", "vtt", "csv", "json"):
        out = tmp_path / f"real-{fmt}.age"
        run_export(study, ExportOptions(fmt, sessions), Protection(recipients=(key.public,)), out)
        files = open_bundle(out.read_bytes(), identities_text=key.identity_file())
        for name, data in (item for f in files for item in _all_bytes(f.name, f.data)):
            for term in terms:
                assert not _leaks(data, term), f"{term!r} found in {fmt}: {name}"


def test_a_de_identified_transcript_older_than_the_corrections_is_not_exported(
    study_pair: StudyPair, tmp_path: Path
) -> None:
    """A reviewer corrects a turn after de-identification: the export refuses the stale
    de-identified text (it lacks the correction) until the session is de-identified again."""
    from dataclasses import replace

    from recorder.core.deid.proposals import accept_all
    from recorder.core.deid.store import deidentify_session, propose_for_session
    from recorder.core.errors import InvalidTransition
    from recorder.core.sessions import load_session
    from recorder.core.transcribe.transcript import TranscriptKind, load_transcript, save_transcript

    study, codemap = study_of(study_pair), study_pair.codemap
    sid = make_session(study_pair, tmp_path).record.session_id

    def deidentify() -> None:
        review = accept_all(propose_for_session(study, codemap, sid))  # type: ignore[arg-type]
        deidentify_session(study, codemap, sid, review)  # type: ignore[arg-type]

    def status():  # type: ignore[no-untyped-def]
        return session_status(study, load_session(study, sid))

    deidentify()
    assert not status().deidentified_stale and status().problem(identifiable=False) == ""
    reviewed = load_transcript(study, sid, TranscriptKind.REVIEWED)
    first, *rest = reviewed.segments
    corrected = replace(first, text=first.text + " The school called too.")
    save_transcript(study, reviewed.with_segments((corrected, *rest)), TranscriptKind.REVIEWED)

    assert status().deidentified_stale
    assert "corrected after" in status().problem(identifiable=False)
    key = bundle.generate_key_pair()
    with pytest.raises(InvalidTransition, match="corrected after"):
        run_export(study, ExportOptions("txt", (sid,)), Protection(recipients=(key.public,)),
                   tmp_path / "stale.age")  # fmt: skip
    deidentify()
    assert not status().deidentified_stale
    run_export(study, ExportOptions("txt", (sid,)), Protection(recipients=(key.public,)),
               tmp_path / "fresh.age")  # fmt: skip
    files = open_bundle((tmp_path / "fresh.age").read_bytes(), identities_text=key.identity_file())
    assert any(b"The school called too." in f.data for f in files)
