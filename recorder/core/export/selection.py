"""Which sessions and which transcript of each go into an export.

De-identified transcripts by default. The reviewed (identifiable) transcript only when
``identifiable`` is chosen; a session without the transcript asked for is a clear error
naming the command that makes it. Audio is decrypted into memory only when asked for.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from recorder.core import ids
from recorder.core.errors import InvalidTransition, NotFound, UsageError
from recorder.core.export.document import (
    FORMATS,
    AudioClip,
    DateBand,
    ExportDocument,
    ExportSession,
    Person,
)
from recorder.core.jobs import CancelToken, Progress
from recorder.core.protocol import Protocol
from recorder.core.session import SessionRecord, SessionState
from recorder.core.sessions import load_protocol_of, load_session
from recorder.core.study import Study
from recorder.core.transcribe.transcript import (
    TranscriptKind,
    has_transcript,
    load_transcript,
    text_fingerprint,
)

log = logging.getLogger(__name__)

DEID_HINT = "python main.py deidentify STUDY_DIR --codemap CODEMAP_DIR --session {sid}"


@dataclass(frozen=True)
class ExportOptions:
    """What to export; every risky choice is off unless set."""

    export_format: str
    #: Session IDs; empty means every session of the study (or of ``member_check``).
    session_ids: tuple[str, ...] = ()
    identifiable: bool = False
    include_audio: bool = False
    date_band: DateBand = DateBand.NONE
    #: A participant ID: a member-checking export of that participant's own sessions.
    member_check: str = ""


@dataclass(frozen=True)
class SessionStatus:
    """How far a session is toward a safe export (for the dialog's warnings)."""

    session_id: str
    kind: str
    state: str
    participants: tuple[str, ...]
    has_machine: bool
    has_reviewed: bool
    has_deidentified: bool
    has_audio: bool
    #: The de-identified transcript predates corrections made to the reviewed one.
    deidentified_stale: bool = False

    def problem(self, identifiable: bool) -> str:
        """Why this session cannot be exported as chosen ("" when it can)."""
        if identifiable:
            return "" if self.has_reviewed else "not reviewed yet"
        if self.has_deidentified:
            return "corrected after it was de-identified" if self.deidentified_stale else ""
        return (
            "reviewed, not de-identified yet"
            if self.has_reviewed
            else ("not reviewed or de-identified yet")
        )


def session_status(study: Study, record: SessionRecord) -> SessionStatus:
    sid = record.session_id
    return SessionStatus(
        session_id=sid,
        kind=record.kind.value,
        state=record.state.value,
        participants=record.participant_ids,
        has_machine=has_transcript(study, sid, TranscriptKind.MACHINE),
        has_reviewed=has_transcript(study, sid, TranscriptKind.REVIEWED),
        has_deidentified=has_transcript(study, sid, TranscriptKind.DEIDENTIFIED),
        has_audio=bool(record.segments),
        deidentified_stale=deidentified_is_stale(study, sid),
    )


def deidentified_is_stale(study: Study, session_id: str) -> bool:
    """Whether the reviewed transcript was corrected after the de-identified one was made."""
    if not (
        has_transcript(study, session_id, TranscriptKind.DEIDENTIFIED)
        and has_transcript(study, session_id, TranscriptKind.REVIEWED)
    ):
        return False
    made_from = load_transcript(study, session_id, TranscriptKind.DEIDENTIFIED).derived_from
    reviewed = load_transcript(study, session_id, TranscriptKind.REVIEWED)
    return bool(made_from) and made_from != text_fingerprint(reviewed)


def session_statuses(study: Study) -> list[SessionStatus]:
    return [session_status(study, load_session(study, sid)) for sid in study.session_ids()]


def check_format(name: str) -> str:
    if name not in FORMATS:
        raise UsageError(f"Unknown export format {name!r}.", hint="Formats: " + ", ".join(FORMATS))
    return name


def chosen_sessions(study: Study, options: ExportOptions) -> list[SessionRecord]:
    """The sessions an export covers, checked (order as given, or the study's order)."""
    member = ids.parse_id(options.member_check, ids.PARTICIPANT) if options.member_check else ""
    if member:
        study.participant(member)  # NotFound for a stranger
    if options.session_ids:
        wanted = list(dict.fromkeys(ids.parse_id(s, ids.SESSION) for s in options.session_ids))
        records = [load_session(study, sid) for sid in wanted]
    else:
        records = [load_session(study, sid) for sid in study.session_ids()]
        if member:
            records = [r for r in records if member in r.participant_ids]
    if member:
        strangers = [r.session_id for r in records if member not in r.participant_ids]
        if strangers:
            raise UsageError(
                f"{member} did not take part in " + ", ".join(strangers) + ".",
                hint="A member-checking export holds only the participant's own sessions.",
            )
    if not records:
        raise NotFound("There are no sessions to export.")
    return records


def _interview_date(record: SessionRecord) -> str:
    for change in record.history:
        if change.state is SessionState.RECORDING:
            return change.at
    return record.history[0].at if record.history else ""


def _people(study: Study, record: SessionRecord, protocol: Protocol) -> tuple[Person, ...]:
    shared = set(study.settings.shared_attributes)
    people = []
    for member in record.participants:
        entry = study.participant(member.participant_id)
        try:
            label = protocol.role(member.role).label
        except NotFound:
            label = member.role
        attributes = {k: v for k, v in entry.attributes.items() if k in shared}
        people.append(Person(member.participant_id, member.role, label, attributes))
    return tuple(people)


def _transcript_kind(study: Study, sid: str, identifiable: bool) -> TranscriptKind:
    kind = TranscriptKind.REVIEWED if identifiable else TranscriptKind.DEIDENTIFIED
    if has_transcript(study, sid, kind):
        if not identifiable and deidentified_is_stale(study, sid):
            raise InvalidTransition(
                f"Session {sid} was corrected after it was de-identified: the de-identified "
                "transcript lacks those corrections.",
                hint=f"De-identify it again: {DEID_HINT.format(sid=sid)}",
            )
        return kind
    if identifiable:
        raise NotFound(
            f"Session {sid} has no reviewed transcript yet.",
            hint="Review it first (open the session in the review editor).",
        )
    raise NotFound(
        f"Session {sid} has no de-identified transcript yet.",
        hint=f"De-identify it first: {DEID_HINT.format(sid=sid)} (or export the identifiable "
        "transcript with --identifiable --confirm-identifiable).",
    )


def load_document(
    study: Study,
    options: ExportOptions,
    *,
    progress: Callable[[Progress], None] | None = None,
    cancel: CancelToken | None = None,
) -> ExportDocument:
    """Read (and decrypt into memory) everything the export needs."""
    check_format(options.export_format)
    records = chosen_sessions(study, options)
    kinds = {}
    for record in records:  # every problem before any heavy work
        kinds[record.session_id] = _transcript_kind(study, record.session_id, options.identifiable)
        if options.include_audio and not record.segments:
            raise NotFound(f"Session {record.session_id} has no audio.")
    sessions = []
    for number, record in enumerate(records):
        if cancel is not None:
            cancel.check()
        if progress is not None:
            progress(Progress(0.6 * number / len(records), f"Reading {record.session_id}"))
        sid = record.session_id
        kind = kinds[sid]
        audio = None
        if options.include_audio:
            from recorder.core.audio.timeline import load_timeline

            audio = AudioClip(load_timeline(study, record), record.audio.sample_rate)
        sessions.append(
            ExportSession(
                session_id=sid,
                kind=record.kind.value,
                people=_people(study, record, load_protocol_of(study, record)),
                transcript=load_transcript(study, sid, kind),
                deidentified=kind is TranscriptKind.DEIDENTIFIED,
                date_band=options.date_band.of(_interview_date(record)),
                audio=audio,
            )
        )
    return ExportDocument(
        sessions=tuple(sessions),
        shared_attributes=tuple(study.settings.shared_attributes),
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        member_check=ids.parse_id(options.member_check, ids.PARTICIPANT)
        if options.member_check
        else "",
    )
