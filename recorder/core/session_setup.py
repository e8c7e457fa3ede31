"""Setting up a new session: kind, participants, device and channels, and why Start is refused.

The new-session screen shows :meth:`SessionSetup.blocker` next to a disabled Start button; the
CLI and the GUI share the same checks (roles against the protocol, consent on file).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from recorder.core.audio.devices import InputDevice, choose_sample_rate
from recorder.core.audio.recorder import CaptureSettings
from recorder.core.codemap import CodeMap
from recorder.core.errors import RecorderError, UsageError
from recorder.core.protocol import Protocol, SessionKind
from recorder.core.session import INTERVIEWER, SessionRecord
from recorder.core.sessions import check_participants, consent_on_file, create_session
from recorder.core.study import Study

log = logging.getLogger(__name__)


@dataclass
class SessionSetup:
    """What the interviewer has chosen so far for a new session."""

    kind: SessionKind = SessionKind.INDIVIDUAL
    participant_ids: list[str] = field(default_factory=list)
    device: InputDevice | None = None
    channels: int = 1
    channel_map: dict[int, str] = field(default_factory=dict)
    interviewer: str = ""

    @property
    def wanted(self) -> int:
        """How many participants the kind needs."""
        return 1 if self.kind is SessionKind.INDIVIDUAL else 2

    def chosen(self) -> list[str]:
        return [p for p in self.participant_ids[: self.wanted] if p]

    def speakers(self) -> list[str]:
        """Who a channel can be mapped to: the interviewer and the chosen participants."""
        return [INTERVIEWER, *self.chosen()]

    def blocker(
        self, study: Study, protocol: Protocol, codemap: CodeMap | None, *, recording: bool = True
    ) -> str:
        """Why the session cannot start yet, as a sentence with the next step; "" if it can.

        ``recording=False`` checks only what importing existing audio files needs.
        """
        chosen = self.chosen()
        if len(chosen) < self.wanted:
            need = "a participant" if self.wanted == 1 else "both participants"
            return f"Choose {need}."
        try:
            check_participants(study, protocol, self.kind, chosen)
        except RecorderError as exc:
            return str(exc)
        if codemap is None:
            return "Unlock the code map so consent can be checked."
        missing = [pid for pid, ok in consent_on_file(codemap, protocol, chosen).items() if not ok]
        if missing:
            return (
                f"No consent on file for {', '.join(missing)} (form "
                f"{protocol.consent.form_version}). Record consent first."
            )
        if not recording:
            return ""
        if self.device is None:
            return "Choose an input device."
        if self.channels > self.device.channels:
            return f"{self.device.name} has only {self.device.channels} input channel(s)."
        strangers = set(self.channel_map.values()) - set(self.speakers())
        if strangers:
            return "A channel is mapped to someone who is not in this session."
        return ""

    def create(
        self, study: Study, protocol: Protocol, codemap: CodeMap | None
    ) -> tuple[SessionRecord, CaptureSettings]:
        """Create the session and the capture settings; refused while :meth:`blocker` says so."""
        reason = self.blocker(study, protocol, codemap)
        if reason:
            raise UsageError(reason)
        assert self.device is not None
        rate = choose_sample_rate(self.device, self.channels)
        record = create_session(
            study, protocol, self.kind, self.chosen(), interviewer=self.interviewer
        )
        log.info("new %s session set up", self.kind.value)
        return record, CaptureSettings(self.device, rate, self.channels)

    def create_for_import(
        self, study: Study, protocol: Protocol, codemap: CodeMap | None
    ) -> SessionRecord:
        """Create the session that imported files will fill."""
        reason = self.blocker(study, protocol, codemap, recording=False)
        if reason:
            raise UsageError(reason)
        return create_session(
            study, protocol, self.kind, self.chosen(), interviewer=self.interviewer
        )

    def mapping(self) -> dict[int, str]:
        """The channel map restricted to channels in use."""
        return {ch: who for ch, who in self.channel_map.items() if ch < self.channels}
