"""The export log: every export recorded, sealed in the study vault (``exports.irf``).

A record says when, which sessions, which format, de-identified or identifiable, whether
audio was included, how it was protected and the recipients' key fingerprints, and the
SHA-256 of the file written (to match a file to its record). Never any content.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from recorder.core.study import Study

log = logging.getLogger(__name__)

EXPORT_LOG = "exports.irf"


@dataclass(frozen=True)
class ExportRecord:
    export_id: str
    at: str
    sessions: tuple[str, ...]
    export_format: str
    #: "de-identified" or "identifiable"
    transcript: str
    audio: bool
    #: "passphrase", "recipients" or "plaintext"
    protection: str
    recipients: tuple[str, ...] = ()
    member_check: str = ""
    sha256: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "export_id": self.export_id,
            "at": self.at,
            "sessions": list(self.sessions),
            "format": self.export_format,
            "transcript": self.transcript,
            "audio": self.audio,
            "protection": self.protection,
            "recipients": list(self.recipients),
            "member_check": self.member_check,
            "sha256": self.sha256,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ExportRecord:
        return cls(
            export_id=str(data.get("export_id", "")),
            at=str(data.get("at", "")),
            sessions=tuple(str(s) for s in data.get("sessions", [])),
            export_format=str(data.get("format", "")),
            transcript=str(data.get("transcript", "")),
            audio=bool(data.get("audio", False)),
            protection=str(data.get("protection", "")),
            recipients=tuple(str(r) for r in data.get("recipients", [])),
            member_check=str(data.get("member_check", "")),
            sha256=str(data.get("sha256", "")),
        )


def list_exports(study: Study) -> list[ExportRecord]:
    """Every recorded export, oldest first."""
    if not study.vault.exists(EXPORT_LOG):
        return []
    data = study.vault.read_json(EXPORT_LOG)
    rows = data.get("exports", []) if isinstance(data, dict) else []
    return [ExportRecord.from_json(r) for r in rows if isinstance(r, dict)]


def record_export(study: Study, record: ExportRecord) -> None:
    """Append a record (atomic replace of the sealed log)."""
    rows = [r.to_json() for r in list_exports(study)]
    study.vault.write_json(EXPORT_LOG, {"exports": [*rows, record.to_json()]})
    log.info("recorded an export (%s, %d session(s))", record.export_format, len(record.sessions))
