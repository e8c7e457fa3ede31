"""One export from start to finish: select, render, bundle, encrypt, write, record.

Every file is built in memory; what reaches the disk is the age file, or, only when a
plaintext export was explicitly chosen, a folder or zip. The export is recorded in the
study after the output is written.
"""

from __future__ import annotations

import hashlib
import io
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from recorder import __version__
from recorder.core.atomic import atomic_write, os_error
from recorder.core.errors import UsageError
from recorder.core.export import bundle, docx, json_format, qdpx, subtitles, table, txt
from recorder.core.export.document import ExportDocument, OutFile, audio_name
from recorder.core.export.log import ExportRecord, record_export
from recorder.core.export.selection import ExportOptions, load_document
from recorder.core.jobs import CancelToken, Progress
from recorder.core.study import Study

log = logging.getLogger(__name__)

Renderer = Callable[[ExportDocument], list[OutFile]]
Previewer = Callable[[ExportDocument], str]

RENDERERS: dict[str, tuple[Renderer, Previewer]] = {
    "qdpx": (qdpx.render, qdpx.preview),
    "docx": (docx.render, docx.preview),
    "txt": (txt.render, txt.preview),
    "srt": (subtitles.render_srt, subtitles.preview_srt),
    "vtt": (subtitles.render_vtt, subtitles.preview_vtt),
    "csv": (table.render, table.preview),
    "json": (json_format.render, json_format.preview),
}


@dataclass(frozen=True)
class Protection:
    """How the export leaves: to a passphrase, to recipients, or (explicitly) in plaintext."""

    passphrase: str = ""
    recipients: tuple[str, ...] = ()
    plaintext: bool = False

    @property
    def kind(self) -> str:
        if self.plaintext:
            return "plaintext"
        return "recipients" if self.recipients else "passphrase"

    def check(self) -> None:
        chosen = sum((bool(self.passphrase), bool(self.recipients), self.plaintext))
        if chosen != 1:
            raise UsageError(
                "Choose exactly one protection: a passphrase, recipients, or plaintext.",
                hint="Use --passphrase or --recipient age1... (plaintext needs --plaintext).",
            )
        for recipient in self.recipients:
            bundle.parse_recipient(recipient)


def _flac(doc: ExportDocument) -> list[OutFile]:
    import soundfile

    files = []
    for session in doc.sessions:
        if session.audio is None:
            continue
        out = io.BytesIO()
        soundfile.write(out, session.audio.samples, session.audio.rate, format="FLAC",
                        subtype="PCM_16")  # fmt: skip
        files.append(OutFile(audio_name(session), out.getvalue()))
    return files


def render_files(doc: ExportDocument, export_format: str) -> list[OutFile]:
    """The files of ``doc`` in ``export_format`` (audio as FLAC beside all but qdpx)."""
    render, _ = RENDERERS[export_format]
    files = render(doc)
    if export_format != "qdpx":
        files += _flac(doc)
    return files


def preview(doc: ExportDocument, export_format: str) -> str:
    """The first page of the export as text (an outline for docx and qdpx)."""
    _, show = RENDERERS[export_format]
    return show(doc)


def bundle_info(doc: ExportDocument, options: ExportOptions) -> dict[str, Any]:
    return {
        "app": f"Interview Recorder {__version__}",
        "created_at": doc.created_at,
        "export_format": options.export_format,
        "transcript": "de-identified" if doc.deidentified else "identifiable",
        "audio": options.include_audio,
        "member_check": doc.member_check or None,
        "sessions": [s.session_id for s in doc.sessions],
    }


@dataclass(frozen=True)
class ExportResult:
    record: ExportRecord
    out: Path
    files: tuple[str, ...]


def _write_plaintext(packed: bytes, out: Path) -> bytes:
    """A zip (``out`` ends in .zip) or a folder of files: the user chose plaintext."""
    if out.suffix.lower() == ".zip":
        atomic_write(out, packed)
    else:
        write_files(bundle.unpack(packed), out)
    return packed


def run_export(
    study: Study,
    options: ExportOptions,
    protection: Protection,
    out: Path,
    *,
    progress: Callable[[Progress], None] | None = None,
    cancel: CancelToken | None = None,
) -> ExportResult:
    """Make the export, write it to ``out`` and record it in the study."""
    protection.check()
    report = progress or (lambda _p: None)
    token = cancel or CancelToken()
    doc = load_document(study, options, progress=report, cancel=token)
    token.check()
    report(Progress(0.65, f"Writing {options.export_format.upper()}"))
    files = render_files(doc, options.export_format)
    packed = bundle.pack(files, bundle_info(doc, options))
    token.check()
    if protection.plaintext:
        report(Progress(0.85, "Writing the plaintext export"))
        written = _write_plaintext(packed, out)
    else:
        report(Progress(0.8, "Encrypting"))
        if protection.recipients:
            written = bundle.encrypt_to_recipients(packed, list(protection.recipients))
        else:
            written = bundle.encrypt_to_passphrase(packed, protection.passphrase)
        token.check()
        atomic_write(out, written)
    record = ExportRecord(
        export_id=secrets.token_hex(8),
        at=datetime.now(UTC).isoformat(timespec="seconds"),
        sessions=tuple(s.session_id for s in doc.sessions),
        export_format=options.export_format,
        transcript="de-identified" if doc.deidentified else "identifiable",
        audio=options.include_audio,
        protection=protection.kind,
        recipients=tuple(bundle.fingerprint(r) for r in protection.recipients),
        member_check=doc.member_check,
        sha256=hashlib.sha256(written).hexdigest(),
    )
    record_export(study, record)
    report(Progress(1.0, "Done"))
    log.info("exported %d session(s) as %s", len(doc.sessions), options.export_format)
    return ExportResult(record, out, tuple(f.name for f in files))


def open_bundle(
    data: bytes,
    *,
    passphrase: str | None = None,
    identities_text: str | None = None,
) -> list[OutFile]:
    """Decrypt and unpack an export (in memory); typed errors say what is wrong."""
    if (passphrase is None) == (identities_text is None):
        raise UsageError("Open an export with either a passphrase or a key file.")
    if passphrase is not None:
        plain = bundle.decrypt_with_passphrase(data, passphrase)
    else:
        assert identities_text is not None
        plain = bundle.decrypt_with_identities(data, bundle.read_identities(identities_text))
    return bundle.unpack(plain)


def write_files(files: list[OutFile], folder: Path) -> list[Path]:
    """Write unpacked files into ``folder`` (absent or empty); the user asked for them."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise UsageError(f"{folder} exists and is not an empty folder.")
    written = []
    for f in files:
        target = folder.joinpath(*f.name.split("/"))
        try:
            target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise os_error(exc, target) from exc
        atomic_write(target, f.data)
        written.append(target)
    return written
