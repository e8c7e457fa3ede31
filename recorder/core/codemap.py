"""The code map: the only place that links study IDs to real people.

It is a vault of its own, in its own folder (by default not inside the study folder; on
removable media for instance) under its own passphrase. It holds identities, contact details,
consent records, demographics, incentives, who referred whom, and the study-wide list of extra
names and places to redact. Its header names the study it belongs to, so a code map cannot be
opened against the wrong study.
"""

from __future__ import annotations

import logging
from pathlib import Path

from recorder.core import ids
from recorder.core.errors import NotFound, WrongVault
from recorder.core.model import CodeMapEntry
from recorder.core.vault import Vault, VaultKind

log = logging.getLogger(__name__)

CODEMAP_FILE = "codemap.irf"
#: Folder of the per-session de-identification reviews and redaction logs.
REDACTIONS_DIR = "redactions"


class CodeMap:
    """An unlocked code-map vault."""

    def __init__(self, vault: Vault) -> None:
        self.vault = vault

    @property
    def folder(self) -> Path:
        return self.vault.folder

    @property
    def study_id(self) -> str:
        return self.vault.header.study_id or ""

    @classmethod
    def create(cls, folder: Path, passphrase: str, *, study_id: str) -> CodeMap:
        vault = Vault.create(folder, VaultKind.CODEMAP, passphrase, study_id=study_id)
        codemap = cls(vault)
        codemap._save([], [])
        return codemap

    @classmethod
    def open(cls, folder: Path, passphrase: str, *, study_id: str) -> CodeMap:
        """Unlock the code map of the study whose vault ID is ``study_id``."""
        vault = Vault.open(folder, VaultKind.CODEMAP, passphrase)
        if vault.header.study_id != study_id:
            raise WrongVault(
                f"The code map in {folder} belongs to another study.",
                hint="Pick the code-map folder that was created with this study.",
            )
        return cls(vault)

    # -- document -----------------------------------------------------------------------------

    def _load(self) -> tuple[list[CodeMapEntry], list[str]]:
        data = self.vault.read_json(CODEMAP_FILE)
        if not isinstance(data, dict):
            return [], []
        entries = [
            CodeMapEntry.from_json(e) for e in data.get("entries", []) if isinstance(e, dict)
        ]
        terms = [t for t in data.get("redaction_terms", []) if isinstance(t, str)]
        return entries, terms

    def _save(self, entries: list[CodeMapEntry], terms: list[str]) -> None:
        self.vault.write_json(
            CODEMAP_FILE,
            {
                "version": 1,
                "entries": [e.to_json() for e in entries],
                "redaction_terms": terms,
            },
        )

    def entries(self) -> list[CodeMapEntry]:
        return self._load()[0]

    def entry(self, participant_id: str) -> CodeMapEntry:
        pid = ids.parse_id(participant_id, ids.PARTICIPANT)
        for entry in self.entries():
            if entry.participant_id == pid:
                return entry
        raise NotFound(f"The code map has no entry for {pid}.")

    def put(self, entry: CodeMapEntry) -> None:
        """Insert or replace the entry for ``entry.participant_id``."""
        entries, terms = self._load()
        kept = [e for e in entries if e.participant_id != entry.participant_id]
        self._save([*kept, entry], terms)

    def redaction_terms(self) -> list[str]:
        """Study-wide extra names, agencies and places to redact."""
        return self._load()[1]

    def set_redaction_terms(self, terms: list[str]) -> None:
        entries, _ = self._load()
        cleaned = sorted({t.strip() for t in terms if t.strip()}, key=str.casefold)
        self._save(entries, cleaned)

    # -- de-identification records (identifying: they quote what was redacted) ---------------

    @staticmethod
    def redaction_path(session_id: str, name: str) -> str:
        """Where a session's de-identification record ``name`` ("review", "log") is sealed."""
        return f"{REDACTIONS_DIR}/{session_id}/{name}.irf"

    def write_redaction(self, session_id: str, name: str, document: object) -> None:
        self.vault.write_json(self.redaction_path(session_id, name), document)

    def read_redaction(self, session_id: str, name: str) -> object:
        """The sealed record; ``NotFound`` when there is none."""
        path = self.redaction_path(session_id, name)
        if not self.vault.exists(path):
            raise NotFound(f"The code map holds no de-identification {name} for {session_id}.")
        return self.vault.read_json(path)

    def has_redaction(self, session_id: str, name: str) -> bool:
        return self.vault.exists(self.redaction_path(session_id, name))
