"""The open study as the views see it: rows to show and the actions they may take.

Holds the unlocked study and, while unlocked, the code map. Views read rows from here and call
its actions; every change emits ``changed`` so each view refreshes itself. No widget in sight.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import date

from PySide6.QtCore import QObject, Signal

from recorder.core import enrolment
from recorder.core.codemap import CodeMap
from recorder.core.errors import NotFound, UsageError
from recorder.core.model import CodeMapEntry, Identity, ParticipantStatus, RegistryEntry
from recorder.core.progress import ProgressLine, StudyStatus, study_status
from recorder.core.protocol import Protocol
from recorder.core.session import SessionRecord, SessionState
from recorder.core.sessions import (
    consent_covers,
    consent_on_file,
    list_sessions,
    study_protocol,
)
from recorder.core.study import Study

log = logging.getLogger(__name__)

STATE_LABELS = {
    SessionState.CREATED: "Not started",
    SessionState.CONSENT_CONFIRMED: "Ready to record",
    SessionState.RECORDING: "Recording",
    SessionState.PAUSED: "Paused",
    SessionState.STOPPED: "Recorded",
    SessionState.TRANSCRIBED: "Transcribed",
    SessionState.REVIEWED: "Reviewed",
    SessionState.DEIDENTIFIED: "De-identified",
}


@dataclass(frozen=True)
class ParticipantRow:
    """One line of the participants table. ``name`` is empty while the code map is locked."""

    participant_id: str
    role: str
    active: bool
    name: str = ""
    agency: str = ""
    consent: str = ""  # "On file (2026-01)", "Missing", or "" while locked
    sessions: int = 0


@dataclass(frozen=True)
class SessionRow:
    """One line of the sessions table (pseudonymous: IDs and roles only)."""

    session_id: str
    kind: str
    participants: str
    state: str
    recorded_on: str
    minutes: float
    recovered: bool


class StudyModel(QObject):
    """The unlocked study, the code map while unlocked, and the protocol new sessions use."""

    changed = Signal()
    codemap_changed = Signal(bool)  # unlocked?

    def __init__(self, study: Study, codemap: CodeMap | None = None) -> None:
        super().__init__()
        self.study = study
        self.codemap = codemap
        self.protocol: Protocol = study_protocol(study)
        self._sessions: list[SessionRecord] | None = None

    # -- vaults -------------------------------------------------------------------------------

    @property
    def title(self) -> str:
        return self.study.settings.title or self.study.folder.name

    @property
    def codemap_unlocked(self) -> bool:
        return self.codemap is not None

    def attach_codemap(self, codemap: CodeMap) -> None:
        """Use an unlocked code map (it must belong to this study)."""
        if codemap.study_id != self.study.study_id:
            raise UsageError(
                "That code map belongs to another study.",
                hint="Choose the code-map folder that was created with this study.",
            )
        self.codemap = codemap
        self.codemap_changed.emit(True)
        self.refresh()

    def lock_codemap(self) -> None:
        """Forget the code map's key; identities disappear from every view."""
        self.codemap = None
        self.codemap_changed.emit(False)
        self.refresh()

    def require_codemap(self) -> CodeMap:
        if self.codemap is None:
            raise UsageError(
                "The code map is locked.", hint="Unlock it first (Study > Unlock code map)."
            )
        return self.codemap

    def refresh(self) -> None:
        """Re-read the sessions and tell every view."""
        self._sessions = None
        self.changed.emit()

    # -- reading ------------------------------------------------------------------------------

    def sessions(self) -> list[SessionRecord]:
        if self._sessions is None:
            self._sessions = list_sessions(self.study)
        return self._sessions

    def role_label(self, role: str) -> str:
        try:
            return self.protocol.role(role).label
        except NotFound:
            return role

    def participant_rows(self) -> list[ParticipantRow]:
        counts: dict[str, int] = {}
        for record in self.sessions():
            for pid in record.participant_ids:
                counts[pid] = counts.get(pid, 0) + 1
        entries = self.entries()
        rows = []
        for p in self.study.participants():
            entry = entries.get(p.participant_id)
            consent = None  # unknown while the code map is locked
            if self.codemap is not None:
                consent = entry is not None and consent_covers(entry, self.protocol)
            rows.append(
                ParticipantRow(
                    participant_id=p.participant_id,
                    role=self.role_label(p.role),
                    active=p.status is ParticipantStatus.ACTIVE,
                    name=entry.identity.name if entry else "",
                    agency=entry.identity.agency if entry else "",
                    consent=self._consent_label(consent),
                    sessions=counts.get(p.participant_id, 0),
                )
            )
        return rows

    def _consent_label(self, on_file: bool | None) -> str:
        if on_file is None:
            return ""
        version = self.protocol.consent.form_version
        return f"On file ({version})" if on_file else "Missing"

    def entries(self) -> dict[str, CodeMapEntry]:
        """Every code-map entry by study ID (one read of the code map); empty while locked."""
        if self.codemap is None:
            return {}
        return {e.participant_id: e for e in self.codemap.entries()}

    def entry(self, participant_id: str) -> CodeMapEntry | None:
        """The code-map entry, or None while locked."""
        if self.codemap is None:
            return None
        try:
            return self.codemap.entry(participant_id)
        except NotFound:
            return None

    def session_rows(self) -> list[SessionRow]:
        rows = []
        for r in sorted(self.sessions(), key=lambda r: r.history[0].at if r.history else ""):
            started = r.history[0].at[:10] if r.history else ""
            rate = r.audio.sample_rate or 1
            rows.append(
                SessionRow(
                    session_id=r.session_id,
                    kind=r.kind.value.capitalize(),
                    participants=" + ".join(
                        f"{p.participant_id} ({self.role_label(p.role)})" for p in r.participants
                    ),
                    state=STATE_LABELS.get(r.state, r.state.value),
                    recorded_on=started,
                    minutes=r.audio_frames / rate / 60,
                    recovered=r.recovered,
                )
            )
        return rows

    def progress_lines(self, status: StudyStatus) -> list[ProgressLine]:
        """Completed sessions against the targets, labelled with the protocol's role names."""
        lines = []
        for line in status.lines:
            kind, _, role = line.label.partition(", ")
            text = f"{kind}, {self.role_label(role).lower()}" if role else line.label
            lines.append(replace(line, label=text))
        return lines

    def status(self) -> StudyStatus:
        return study_status(self.study, self.sessions())

    def active_participants(self) -> list[RegistryEntry]:
        return [p for p in self.study.participants() if p.status is ParticipantStatus.ACTIVE]

    # -- actions ------------------------------------------------------------------------------

    def enrol(
        self,
        identity: Identity,
        role: str,
        *,
        referred_by: str = "",
        demographics: dict[str, str] | None = None,
    ) -> RegistryEntry:
        """Enrol a participant; returns the new study ID's registry entry."""
        entry = enrolment.enrol(
            self.study,
            self.require_codemap(),
            identity,
            role,
            referred_by=referred_by,
            demographics=demographics,
        )
        self.refresh()
        return entry

    def update_participant(
        self,
        participant_id: str,
        identity: Identity,
        role: str,
        *,
        referred_by: str = "",
        demographics: dict[str, str] | None = None,
    ) -> None:
        """Change a participant's identity (code map) and role (study)."""
        codemap = self.require_codemap()
        if not identity.name.strip():
            raise UsageError("A participant needs a name.")
        current = codemap.entry(participant_id)
        self.study.update_participant(participant_id, role=role)
        referrer = self.study.participant(referred_by).participant_id if referred_by else ""
        codemap.put(
            CodeMapEntry(
                participant_id=current.participant_id,
                identity=identity,
                demographics=dict(demographics or {}),
                consents=current.consents,
                incentives=current.incentives,
                referred_by=referrer,
                withdrawn_on=current.withdrawn_on,
            )
        )
        self.refresh()

    def record_consent(
        self, participant_id: str, items: tuple[str, ...], *, interviewer: str = "", on: date
    ) -> None:
        """Record consent on the protocol's form version; every item must be agreed."""
        form = self.protocol.consent
        missing = [i.key for i in form.items if i.key not in items]
        if missing:
            raise UsageError(
                "Consent needs every item of the form agreed; not agreed: "
                + ", ".join(missing)
                + ".",
                hint="If the participant declines an item, do not record the interview.",
            )
        enrolment.record_consent(
            self.require_codemap(),
            participant_id,
            form.form_version,
            items,
            interviewer=interviewer,
            on=on,
        )
        self.refresh()

    def give_incentive(self, participant_id: str, description: str, session_id: str = "") -> None:
        if not description.strip():
            raise UsageError("Describe the incentive, for example '$10 gift card'.")
        enrolment.give_incentive(
            self.require_codemap(), participant_id, description.strip(), session_id=session_id
        )
        self.refresh()

    def consent_map(self, participant_ids: list[str]) -> dict[str, bool]:
        """Consent on file per participant; all False while the code map is locked."""
        if self.codemap is None:
            return dict.fromkeys(participant_ids, False)
        return consent_on_file(self.codemap, self.protocol, participant_ids)
