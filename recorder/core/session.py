"""The session model: who takes part, the frozen protocol, audio settings, markers, and the
state machine that guards what may happen when.

States: created -> consent confirmed -> recording <-> paused -> stopped, then transcribed,
reviewed, de-identified. Every prompt change, pause, resume and note during a recording is a
``Marker`` stamped with the audio *sample index*, so markers and audio agree to the sample
whatever the wall clock does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from recorder.core.audio.segments import SegmentInfo
from recorder.core.errors import ConsentMissing, InvalidTransition, UsageError
from recorder.core.protocol import Prompt, Protocol, SessionKind


class SessionState(StrEnum):
    CREATED = "created"
    CONSENT_CONFIRMED = "consent-confirmed"
    RECORDING = "recording"
    PAUSED = "paused"
    STOPPED = "stopped"
    TRANSCRIBED = "transcribed"
    REVIEWED = "reviewed"
    DEIDENTIFIED = "de-identified"


#: The legal transitions; anything else raises ``InvalidTransition``.
TRANSITIONS: Mapping[SessionState, frozenset[SessionState]] = {
    SessionState.CREATED: frozenset({SessionState.CONSENT_CONFIRMED}),
    SessionState.CONSENT_CONFIRMED: frozenset({SessionState.RECORDING}),
    SessionState.RECORDING: frozenset({SessionState.PAUSED, SessionState.STOPPED}),
    SessionState.PAUSED: frozenset({SessionState.RECORDING, SessionState.STOPPED}),
    SessionState.STOPPED: frozenset({SessionState.TRANSCRIBED}),
    SessionState.TRANSCRIBED: frozenset({SessionState.REVIEWED}),
    SessionState.REVIEWED: frozenset({SessionState.DEIDENTIFIED}),
    SessionState.DEIDENTIFIED: frozenset(),
}

#: States in which the interview itself is over (it counts toward the study's targets).
COMPLETED = frozenset(
    {
        SessionState.STOPPED,
        SessionState.TRANSCRIBED,
        SessionState.REVIEWED,
        SessionState.DEIDENTIFIED,
    }
)


class MarkerKind(StrEnum):
    START = "start"
    PROMPT = "prompt"
    PAUSE = "pause"
    RESUME = "resume"
    NOTE = "note"
    STOP = "stop"


@dataclass(frozen=True)
class Marker:
    """Something that happened at ``sample`` in the session's audio timeline."""

    kind: MarkerKind
    sample: int
    #: For PROMPT markers: the step in the running order, its item and part.
    prompt_index: int | None = None
    item_id: str = ""
    part: int = 0
    #: For NOTE markers: the interviewer's note (stored encrypted with the session).
    text: str = ""
    #: Wall-clock time, informational only; ``sample`` is the truth.
    wall_time: str = ""

    def seconds(self, sample_rate: int) -> float:
        return self.sample / sample_rate

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind.value, "sample": self.sample}
        if self.kind is MarkerKind.PROMPT:
            data |= {"prompt_index": self.prompt_index, "item_id": self.item_id, "part": self.part}
        if self.text:
            data["text"] = self.text
        if self.wall_time:
            data["wall_time"] = self.wall_time
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Marker:
        index = data.get("prompt_index")
        return cls(
            kind=MarkerKind(data["kind"]),
            sample=int(data["sample"]),
            prompt_index=int(index) if index is not None else None,
            item_id=str(data.get("item_id", "")),
            part=int(data.get("part", 0)),
            text=str(data.get("text", "")),
            wall_time=str(data.get("wall_time", "")),
        )


@dataclass(frozen=True)
class SessionParticipant:
    """A participant in a session, with the speaker label used in transcripts."""

    participant_id: str
    role: str

    def to_json(self) -> dict[str, Any]:
        return {"participant_id": self.participant_id, "role": self.role}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SessionParticipant:
        return cls(str(data["participant_id"]), str(data["role"]))


INTERVIEWER = "interviewer"


@dataclass(frozen=True)
class AudioSettings:
    """How the session is (or was) recorded."""

    device: str = ""
    sample_rate: int = 16_000
    channels: int = 1
    #: Channel index -> speaker (a participant ID or ``"interviewer"``) for multi-channel audio.
    channel_map: Mapping[int, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "device": self.device,
            "sample_rate": self.sample_rate,
            "channels": self.channels,
            "channel_map": {str(k): v for k, v in self.channel_map.items()},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AudioSettings:
        raw_map = data.get("channel_map", {})
        return cls(
            device=str(data.get("device", "")),
            sample_rate=int(data.get("sample_rate", 16_000)),
            channels=int(data.get("channels", 1)),
            channel_map={int(k): str(v) for k, v in raw_map.items()},
        )


@dataclass(frozen=True)
class StateChange:
    state: SessionState
    at: str

    def to_json(self) -> dict[str, Any]:
        return {"state": self.state.value, "at": self.at}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StateChange:
        return cls(SessionState(data["state"]), str(data["at"]))


@dataclass(frozen=True)
class SessionRecord:
    """Everything about a session except its audio and transcript (separate files)."""

    session_id: str
    kind: SessionKind
    participants: tuple[SessionParticipant, ...]
    interviewer: str
    protocol_id: str
    protocol_hash: str
    audio: AudioSettings = field(default_factory=AudioSettings)
    state: SessionState = SessionState.CREATED
    history: tuple[StateChange, ...] = ()
    markers: tuple[Marker, ...] = ()
    #: The interviewer's free-text notes field (timestamped notes are NOTE markers).
    notes: str = ""
    #: Index into the protocol's prompts for this kind.
    prompt_index: int = 0
    #: The audio files, in timeline order.
    segments: tuple[SegmentInfo, ...] = ()
    #: Set when an interrupted recording was recovered after a crash.
    recovered: bool = False

    @property
    def audio_frames(self) -> int:
        """Length of the session timeline in samples (at ``audio.sample_rate``)."""
        if not self.segments:
            return 0
        last = self.segments[-1]
        return last.start_sample + round(last.frames * self.audio.sample_rate / last.sample_rate)

    def with_segment(self, info: SegmentInfo) -> SessionRecord:
        """Add or update (by file name) a segment."""
        others = tuple(s for s in self.segments if s.file != info.file)
        ordered = sorted((*others, info), key=lambda s: (s.start_sample, s.file))
        return replace(self, segments=tuple(ordered))

    @property
    def participant_ids(self) -> tuple[str, ...]:
        return tuple(p.participant_id for p in self.participants)

    def to_json(self) -> dict[str, Any]:
        return {
            "session_id": self.session_id,
            "kind": self.kind.value,
            "participants": [p.to_json() for p in self.participants],
            "interviewer": self.interviewer,
            "protocol_id": self.protocol_id,
            "protocol_hash": self.protocol_hash,
            "audio": self.audio.to_json(),
            "state": self.state.value,
            "history": [h.to_json() for h in self.history],
            "markers": [m.to_json() for m in self.markers],
            "notes": self.notes,
            "prompt_index": self.prompt_index,
            "segments": [seg.to_json() for seg in self.segments],
            "recovered": self.recovered,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SessionRecord:
        return cls(
            session_id=str(data["session_id"]),
            kind=SessionKind(data["kind"]),
            participants=tuple(SessionParticipant.from_json(p) for p in data["participants"]),
            interviewer=str(data.get("interviewer", "")),
            protocol_id=str(data.get("protocol_id", "")),
            protocol_hash=str(data["protocol_hash"]),
            audio=AudioSettings.from_json(data.get("audio", {})),
            state=SessionState(data.get("state", "created")),
            history=tuple(StateChange.from_json(h) for h in data.get("history", [])),
            markers=tuple(Marker.from_json(m) for m in data.get("markers", [])),
            notes=str(data.get("notes", "")),
            prompt_index=int(data.get("prompt_index", 0)),
            segments=tuple(SegmentInfo.from_json(x) for x in data.get("segments", [])),
            recovered=bool(data.get("recovered", False)),
        )


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


#: Where the controller reads the current position in the audio timeline, in samples.
SampleClock = Callable[[], int]
#: Called with the new record after every change (the store saves it).
OnChange = Callable[[SessionRecord], None]


class SessionController:
    """Drives one session: state transitions, prompt navigation, markers.

    It holds no audio and no Qt: the recorder supplies ``clock`` (samples captured so far in
    the session's timeline) and ``on_change`` persists each new record.
    """

    def __init__(
        self,
        record: SessionRecord,
        protocol: Protocol,
        *,
        clock: SampleClock = lambda: 0,
        on_change: OnChange | None = None,
    ) -> None:
        if protocol.content_hash != record.protocol_hash:
            raise UsageError("This protocol is not the one frozen in the session.")
        self.record = record
        self.protocol = protocol
        self.prompts: tuple[Prompt, ...] = protocol.prompts(record.kind)
        self._clock = clock
        self._on_change = on_change

    # -- reading ------------------------------------------------------------------------------

    @property
    def state(self) -> SessionState:
        return self.record.state

    @property
    def current_prompt(self) -> Prompt:
        return self.prompts[self.record.prompt_index]

    @property
    def is_live(self) -> bool:
        """True while recording or paused (the session holds an open recording)."""
        return self.state in (SessionState.RECORDING, SessionState.PAUSED)

    def set_clock(self, clock: SampleClock) -> None:
        self._clock = clock

    # -- state machine ------------------------------------------------------------------------

    def _transition(self, target: SessionState, **changes: Any) -> None:
        if target not in TRANSITIONS[self.state]:
            raise InvalidTransition(
                f"A session that is {self.state.value} cannot become {target.value}."
            )
        history = (*self.record.history, StateChange(target, now_iso()))
        self._commit(replace(self.record, state=target, history=history, **changes))

    def _commit(self, record: SessionRecord) -> None:
        self.record = record
        if self._on_change is not None:
            self._on_change(record)

    def _marker(self, kind: MarkerKind, **fields: Any) -> Marker:
        return Marker(kind, sample=self._clock(), wall_time=now_iso(), **fields)

    def _prompt_marker(self, prompt: Prompt) -> Marker:
        return self._marker(
            MarkerKind.PROMPT,
            prompt_index=prompt.index,
            item_id=prompt.item_id,
            part=prompt.part,
        )

    def confirm_consent(self, consent_on_file: Mapping[str, bool]) -> None:
        """Check that every participant has consent on file for this protocol's form."""
        missing = [p for p in self.record.participant_ids if not consent_on_file.get(p, False)]
        if missing:
            raise ConsentMissing(
                "No consent on file for " + ", ".join(missing) + " (consent form version "
                f"{self.protocol.consent.form_version})."
            )
        self._transition(SessionState.CONSENT_CONFIRMED)

    def start_recording(self) -> None:
        """Begin recording: a START marker and the current prompt, both at the clock."""
        if self.state is SessionState.CREATED:
            raise ConsentMissing("Recording cannot start before consent is confirmed.")
        start = self._marker(MarkerKind.START)
        markers = (*self.record.markers, start, self._prompt_marker(self.current_prompt))
        self._transition(SessionState.RECORDING, markers=markers)

    def pause(self) -> None:
        markers = (*self.record.markers, self._marker(MarkerKind.PAUSE))
        self._transition(SessionState.PAUSED, markers=markers)

    def resume(self) -> None:
        if self.state is not SessionState.PAUSED:
            raise InvalidTransition(f"A session that is {self.state.value} cannot resume.")
        markers = (*self.record.markers, self._marker(MarkerKind.RESUME))
        self._transition(SessionState.RECORDING, markers=markers)

    def stop(self) -> None:
        markers = (*self.record.markers, self._marker(MarkerKind.STOP))
        self._transition(SessionState.STOPPED, markers=markers)

    def mark_transcribed(self) -> None:
        self._transition(SessionState.TRANSCRIBED)

    def mark_reviewed(self) -> None:
        self._transition(SessionState.REVIEWED)

    def mark_deidentified(self) -> None:
        self._transition(SessionState.DEIDENTIFIED)

    # -- prompts and notes --------------------------------------------------------------------

    def _require_open(self) -> None:
        if self.state not in (
            SessionState.CREATED,
            SessionState.CONSENT_CONFIRMED,
            SessionState.RECORDING,
            SessionState.PAUSED,
        ):
            raise InvalidTransition(f"The prompts of a {self.state.value} session are closed.")

    def jump_to(self, target: int | str) -> Prompt:
        """Go to a step (0-based index) or to an item's first part (item ID)."""
        self._require_open()
        if isinstance(target, str):
            matches = [p.index for p in self.prompts if p.item_id == target]
            if not matches:
                raise UsageError(f"No item {target!r} in this session's running order.")
            index = matches[0]
        else:
            index = target
        if not 0 <= index < len(self.prompts):
            raise UsageError(f"There is no step {index + 1}; this session has {len(self.prompts)}.")
        if index == self.record.prompt_index:
            return self.current_prompt
        markers = self.record.markers
        if self.is_live:
            markers = (*markers, self._prompt_marker(self.prompts[index]))
        self._commit(replace(self.record, prompt_index=index, markers=markers))
        return self.current_prompt

    def next_prompt(self) -> Prompt:
        """Advance one step (stays on the last step)."""
        return self.jump_to(min(self.record.prompt_index + 1, len(self.prompts) - 1))

    def previous_prompt(self) -> Prompt:
        """Go back one step (stays on the first)."""
        return self.jump_to(max(self.record.prompt_index - 1, 0))

    def add_note(self, text: str) -> Marker:
        """A timestamped interviewer note, stamped at the current sample."""
        if not self.is_live:
            raise InvalidTransition("Timestamped notes belong to a recording in progress.")
        if not text.strip():
            raise UsageError("A note needs some text.")
        marker = self._marker(MarkerKind.NOTE, text=text.strip())
        self._commit(replace(self.record, markers=(*self.record.markers, marker)))
        return marker

    def set_audio(self, audio: AudioSettings) -> None:
        """Record the device, rate, channels and channel-to-speaker map in use."""
        self._commit(replace(self.record, audio=audio))

    def record_segment(self, info: SegmentInfo) -> None:
        """Note a new or finished audio segment in the session record."""
        self._commit(self.record.with_segment(info))

    def set_notes(self, text: str) -> None:
        """Replace the free-text notes field."""
        self._commit(replace(self.record, notes=text))
