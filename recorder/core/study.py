"""The study vault: settings, the pseudonymous participant registry and the session folders.

Nothing here can identify a person: identities live in the code map (``codemap``).
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from recorder.core import ids
from recorder.core.errors import NotFound, RecorderError, UsageError
from recorder.core.model import (
    DEFAULT_ROLES,
    ParticipantStatus,
    RegistryEntry,
    StudySettings,
    Targets,
)
from recorder.core.vault import Vault, VaultKind

log = logging.getLogger(__name__)

SETTINGS_FILE = "study.irf"
REGISTRY_FILE = "registry.irf"
SESSIONS_DIR = "sessions"
SESSION_RECORD = "session.irf"


class Study:
    """An unlocked study vault."""

    def __init__(self, vault: Vault) -> None:
        self.vault = vault
        self.settings = StudySettings.from_json(vault.read_json(SETTINGS_FILE))

    @property
    def folder(self) -> Path:
        return self.vault.folder

    @property
    def study_id(self) -> str:
        """The study vault's random ID (a code map names it to prove it belongs here)."""
        return self.vault.vault_id

    @classmethod
    def create(
        cls,
        folder: Path,
        passphrase: str,
        *,
        codemap_id: str,
        title: str = "",
        roles: tuple[str, ...] = DEFAULT_ROLES,
        targets: Targets | None = None,
        vault: Vault | None = None,
    ) -> Study:
        """Create an empty study (pass ``vault`` to reuse one created already)."""
        vault = vault or Vault.create(folder, VaultKind.STUDY, passphrase)
        settings = StudySettings(
            title=title,
            roles=roles,
            codemap_id=codemap_id,
            created_on=date.today().isoformat(),
            targets=targets or Targets(),
        )
        vault.write_json(SETTINGS_FILE, settings.to_json())
        vault.write_json(REGISTRY_FILE, {"participants": []})
        (folder / SESSIONS_DIR).mkdir(mode=0o700, exist_ok=True)
        return cls(vault)

    @classmethod
    def open(cls, folder: Path, passphrase: str) -> Study:
        """Unlock a study folder."""
        return cls(Vault.open(folder, VaultKind.STUDY, passphrase))

    def save_settings(self, settings: StudySettings) -> None:
        self.vault.write_json(SETTINGS_FILE, settings.to_json())
        self.settings = settings

    # -- participants -----------------------------------------------------------------------

    def participants(self) -> list[RegistryEntry]:
        """Every participant ever enrolled (withdrawn ones too, so IDs are never reused)."""
        data = self.vault.read_json(REGISTRY_FILE)
        rows = data.get("participants", []) if isinstance(data, dict) else []
        return [RegistryEntry.from_json(r) for r in rows if isinstance(r, dict)]

    def participant(self, participant_id: str) -> RegistryEntry:
        pid = ids.parse_id(participant_id, ids.PARTICIPANT)
        for entry in self.participants():
            if entry.participant_id == pid:
                return entry
        raise NotFound(f"No participant {pid} in this study.")

    def _save_participants(self, entries: list[RegistryEntry]) -> None:
        self.vault.write_json(REGISTRY_FILE, {"participants": [e.to_json() for e in entries]})

    def check_role(self, role: str) -> str:
        if role not in self.settings.roles:
            raise UsageError(
                f"Unknown role {role!r}.",
                hint="Roles in this study: " + ", ".join(self.settings.roles) + ".",
            )
        return role

    def check_attributes(self, attributes: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(attributes) - set(self.settings.shared_attributes))
        if unknown:
            raise UsageError(
                "Attributes not marked as non-identifying: " + ", ".join(unknown) + ".",
                hint="Only attributes listed in the study settings may be stored in the "
                "study; keep anything else in the code map's demographics.",
            )
        return dict(attributes)

    def add_participant(self, role: str, attributes: dict[str, str] | None = None) -> RegistryEntry:
        """Register a new pseudonymous participant with a fresh random ID."""
        entries = self.participants()
        entry = RegistryEntry(
            participant_id=ids.new_id(ids.PARTICIPANT, {e.participant_id for e in entries}),
            role=self.check_role(role),
            attributes=self.check_attributes(attributes or {}),
        )
        self._save_participants([*entries, entry])
        log.info("registered a participant")
        return entry

    def update_participant(
        self,
        participant_id: str,
        *,
        role: str | None = None,
        attributes: dict[str, str] | None = None,
        status: ParticipantStatus | None = None,
    ) -> RegistryEntry:
        pid = self.participant(participant_id).participant_id
        entries = self.participants()
        updated: RegistryEntry | None = None
        for i, entry in enumerate(entries):
            if entry.participant_id == pid:
                changes: dict[str, Any] = {}
                if role is not None:
                    changes["role"] = self.check_role(role)
                if attributes is not None:
                    changes["attributes"] = self.check_attributes(attributes)
                if status is not None:
                    changes["status"] = status
                updated = replace(entry, **changes)
                entries[i] = updated
        assert updated is not None
        self._save_participants(entries)
        return updated

    # -- sessions -----------------------------------------------------------------------------

    def session_ids(self) -> list[str]:
        base = self.folder / SESSIONS_DIR
        if not base.is_dir():
            return []
        return sorted(p.name for p in base.iterdir() if p.is_dir() and p.name.startswith("S-"))

    def session_dir(self, session_id: str) -> str:
        return f"{SESSIONS_DIR}/{session_id}"

    def session_participant_ids(self, session_id: str) -> list[str]:
        """Participant IDs taking part in a session (read from its sealed record)."""
        record = self.vault.read_json(f"{self.session_dir(session_id)}/{SESSION_RECORD}")
        rows = record.get("participants", []) if isinstance(record, dict) else []
        return [r["participant_id"] for r in rows if isinstance(r, dict) and "participant_id" in r]

    def sessions_with(self, participant_id: str) -> list[str]:
        pid = ids.parse_id(participant_id, ids.PARTICIPANT)
        return [s for s in self.session_ids() if pid in self.session_participant_ids(s)]

    def delete_session(self, session_id: str) -> None:
        """Remove a session folder and everything in it (its files are all encrypted)."""
        path = self.vault.path(self.session_dir(session_id))
        if not path.is_dir():
            raise NotFound(f"No session {session_id} in this study.")
        try:
            shutil.rmtree(path)
        except OSError as exc:
            raise RecorderError(f"Could not delete session {session_id}: {exc.strerror}.") from exc
        log.info("deleted a session")
