"""Creating, loading and listing sessions in a study vault.

A session lives in ``sessions/<ID>/``: ``session.irf`` (the record: participants, state,
markers, notes) and ``protocol.irf`` (the frozen copy of the protocol it uses), plus audio
and transcripts added by later steps. All sealed under the study key.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from recorder.core import ids
from recorder.core.codemap import CodeMap
from recorder.core.errors import NotFound, UsageError
from recorder.core.model import CodeMapEntry, ParticipantStatus
from recorder.core.protocol import (
    Protocol,
    SessionKind,
    load_default_protocol,
    load_protocol,
    protocol_from_frozen,
)
from recorder.core.session import (
    AudioSettings,
    SampleClock,
    SessionController,
    SessionParticipant,
    SessionRecord,
    SessionState,
    StateChange,
    now_iso,
)
from recorder.core.study import SESSION_RECORD, Study

log = logging.getLogger(__name__)

PROTOCOL_COPY = "protocol.irf"


def study_protocol(study: Study) -> Protocol:
    """The protocol new sessions of this study use: the chosen file, or the default."""
    path = study.settings.protocol_path
    return load_protocol(path) if path else load_default_protocol()


def consent_covers(entry: CodeMapEntry, protocol: Protocol) -> bool:
    """Is there a consent record on this protocol's consent form version (and no withdrawal)?"""
    return entry.has_consent and any(
        c.form_version == protocol.consent.form_version for c in entry.consents
    )


def consent_on_file(
    codemap: CodeMap, protocol: Protocol, participant_ids: Sequence[str]
) -> dict[str, bool]:
    """Per participant: is there a consent record for this protocol's consent form version?"""
    entries = {e.participant_id: e for e in codemap.entries()}  # one read of the code map
    result = {}
    for pid in participant_ids:
        entry = entries.get(ids.parse_id(pid, ids.PARTICIPANT))
        result[pid] = entry is not None and consent_covers(entry, protocol)
    return result


def check_participants(
    study: Study, protocol: Protocol, kind: SessionKind, participant_ids: Sequence[str]
) -> tuple[SessionParticipant, ...]:
    """The session's participants with their roles, checked against the study and protocol."""
    if kind not in protocol.kinds:
        raise UsageError(
            f"The protocol {protocol.id!r} has no running order for {kind.value} sessions."
        )
    wanted = 1 if kind is SessionKind.INDIVIDUAL else 2
    pids = [ids.parse_id(p, ids.PARTICIPANT) for p in participant_ids]
    if len(pids) != wanted or len(set(pids)) != wanted:
        raise UsageError(
            f"A {kind.value} session needs {wanted} different participant(s); got {len(pids)}."
        )
    people = []
    for pid in pids:
        entry = study.participant(pid)
        if entry.status is ParticipantStatus.WITHDRAWN:
            raise UsageError(f"{pid} has withdrawn from the study.")
        try:
            protocol.role(entry.role)
        except NotFound:
            raise UsageError(
                f"{pid} is a {entry.role}, a role the protocol {protocol.id!r} does not include."
            ) from None
        people.append(SessionParticipant(pid, entry.role))
    if kind is SessionKind.PAIRED and not protocol.allows_pair(people[0].role, people[1].role):
        pair = " + ".join(protocol.paired_roles or ())
        raise UsageError(f"A paired session in this protocol pairs {pair}.")
    return tuple(people)


def create_session(
    study: Study,
    protocol: Protocol,
    kind: SessionKind,
    participant_ids: Sequence[str],
    *,
    interviewer: str = "",
    audio: AudioSettings | None = None,
) -> SessionRecord:
    """Create a session folder with its record and a frozen copy of the protocol."""
    people = check_participants(study, protocol, kind, participant_ids)
    session_id = ids.new_id(ids.SESSION, set(study.session_ids()))
    record = SessionRecord(
        session_id=session_id,
        kind=kind,
        participants=people,
        interviewer=interviewer,
        protocol_id=protocol.id,
        protocol_hash=protocol.content_hash,
        audio=audio or AudioSettings(),
        history=(StateChange(SessionState.CREATED, now_iso()),),
    )
    base = study.session_dir(session_id)
    study.vault.write_bytes(f"{base}/{PROTOCOL_COPY}", protocol.source_text.encode("utf-8"))
    save_session(study, record)
    log.info("created a %s session", kind.value)
    return record


def save_session(study: Study, record: SessionRecord) -> None:
    study.vault.write_json(
        f"{study.session_dir(record.session_id)}/{SESSION_RECORD}", record.to_json()
    )


def load_session(study: Study, session_id: str) -> SessionRecord:
    sid = ids.parse_id(session_id, ids.SESSION)
    if sid not in study.session_ids():
        raise NotFound(f"No session {sid} in this study.")
    return SessionRecord.from_json(
        study.vault.read_json(f"{study.session_dir(sid)}/{SESSION_RECORD}")
    )


def load_protocol_of(study: Study, record: SessionRecord) -> Protocol:
    """The protocol exactly as it was when the session was created."""
    relpath = f"{study.session_dir(record.session_id)}/{PROTOCOL_COPY}"
    text = study.vault.read_bytes(relpath).decode("utf-8")
    return protocol_from_frozen(text, record.protocol_hash, path=relpath)


def open_controller(
    study: Study, session_id: str, *, clock: SampleClock = lambda: 0
) -> SessionController:
    """A controller for a stored session that saves every change back to the study."""
    record = load_session(study, session_id)
    return SessionController(
        record,
        load_protocol_of(study, record),
        clock=clock,
        on_change=lambda r: save_session(study, r),
    )


def list_sessions(study: Study) -> list[SessionRecord]:
    return [load_session(study, sid) for sid in study.session_ids()]
