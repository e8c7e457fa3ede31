"""The interviewer console's view-model: one live recording, polled for levels and faults.

Every action goes through :class:`RecordingSession` (which stamps markers by sample index);
the views only listen. Finalising runs off the GUI thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from PySide6.QtCore import QObject, QTimer, Signal

from recorder.core.audio.recorder import CaptureSettings, CaptureState, LiveStatus
from recorder.core.errors import RecorderError
from recorder.core.protocol import Prompt
from recorder.core.recording import RecordingSession
from recorder.core.session import Marker, MarkerKind, SessionRecord, SessionState
from recorder.core.study import Study
from recorder.core.transcribe.live import LiveTranscriber
from recorder.ui.worker import Task, run_call

log = logging.getLogger(__name__)

POLL_MS = 50  # 20 level updates a second


class ConsoleModel(QObject):
    """A session from Start to a finalised recording."""

    prompt_changed = Signal(object)  # Prompt
    state_changed = Signal(object)  # SessionState
    status_updated = Signal(object)  # LiveStatus
    note_added = Signal(object)  # Marker
    fault = Signal(object)  # RecorderError
    finalised = Signal(object)  # SessionRecord
    failed = Signal(object)  # an exception from an action
    live_updated = Signal(object)  # LiveProgress
    #: After Stop: the sealed live transcript, or None when the session must be transcribed
    #: after the fact (live transcription fell behind, failed or was off).
    live_finished = Signal(object)

    def __init__(
        self,
        study: Study,
        session_id: str,
        settings: CaptureSettings,
        consent: Mapping[str, bool],
        *,
        channel_map: Mapping[int, str] | None = None,
        live: LiveTranscriber | None = None,
    ) -> None:
        super().__init__()
        self.live = live
        self.session = RecordingSession(
            study,
            session_id,
            settings,
            channel_map=channel_map,
            on_audio=live.feed if live is not None else None,
        )
        self.finishing_live: Task | None = None
        self.consent = dict(consent)
        self.channel_map = dict(channel_map or {})
        self.finalising: Task | None = None
        self.last_status: LiveStatus | None = None
        self._faulted = False
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self.poll)

    # -- reading ------------------------------------------------------------------------------

    @property
    def record(self) -> SessionRecord:
        return self.session.controller.record

    @property
    def prompts(self) -> tuple[Prompt, ...]:
        return self.session.controller.prompts

    @property
    def prompt(self) -> Prompt:
        return self.session.controller.current_prompt

    @property
    def state(self) -> SessionState:
        return self.session.controller.state

    @property
    def is_live(self) -> bool:
        """Recording or paused: closing the window must ask first."""
        return self.session.controller.is_live or self.finalising is not None

    @property
    def sample_rate(self) -> int:
        return self.session.recorder.settings.sample_rate

    def notes(self) -> list[Marker]:
        return [m for m in self.record.markers if m.kind is MarkerKind.NOTE]

    # -- actions ------------------------------------------------------------------------------

    def _act(self, action: Callable[[], None]) -> bool:
        try:
            action()
        except RecorderError as exc:
            self.failed.emit(exc)
            return False
        self.state_changed.emit(self.state)
        return True

    def start(self) -> bool:
        """Open the device and begin; refused (``failed``) without consent."""
        if not self._act(lambda: self.session.start(self.consent)):
            return False
        if self.live is not None:
            self.live.start()  # loads the model in the background
        self.timer.start()
        self.prompt_changed.emit(self.prompt)
        return True

    def toggle_pause(self) -> None:
        if self.state is SessionState.RECORDING:
            self._act(self.session.pause)
        elif self.state is SessionState.PAUSED and not self._faulted:
            self._act(self.session.resume)

    def go(self, target: int | str) -> None:
        """Jump to a step (index) or item (ID); stamps a prompt marker while recording."""
        try:
            before = self.record.prompt_index
            prompt = self.session.controller.jump_to(target)
        except RecorderError as exc:
            self.failed.emit(exc)
            return
        if prompt.index != before:
            self.prompt_changed.emit(prompt)

    def next(self) -> None:
        self.go(min(self.record.prompt_index + 1, len(self.prompts) - 1))

    def previous(self) -> None:
        self.go(max(self.record.prompt_index - 1, 0))

    def add_note(self, text: str) -> None:
        try:
            marker = self.session.controller.add_note(text)
        except RecorderError as exc:
            self.failed.emit(exc)
            return
        self.note_added.emit(marker)

    def set_notes(self, text: str) -> None:
        if text != self.record.notes:
            self.session.controller.set_notes(text)

    def continue_with(self, settings: CaptureSettings) -> None:
        """After a device fault, carry on with another device in a new segment."""
        try:
            self.session.continue_with(settings)
        except RecorderError as exc:
            self.failed.emit(exc)
            return
        self._faulted = False
        self.state_changed.emit(self.state)

    def reconnect(self) -> None:
        """After a device fault: the same microphone if it is back, else the system default."""
        from recorder.core.audio.devices import choose_sample_rate, resolve_device
        from recorder.core.errors import DeviceError

        old = self.session.recorder.settings
        try:
            try:
                device = resolve_device(old.device.name)
            except DeviceError:
                device = resolve_device(None)
            rate = choose_sample_rate(device, old.channels)
        except RecorderError as exc:
            self.failed.emit(exc)
            return
        self.continue_with(CaptureSettings(device, rate, old.channels))

    def stop(self) -> Task | None:
        """Finalise the recording off the GUI thread; ``finalised`` follows."""
        if self.finalising is not None:
            return self.finalising
        if not self.session.controller.is_live:
            return None
        self.timer.stop()
        self.finalising = run_call(self.session.stop, on_done=self._stopped, on_error=self._failed)
        return self.finalising

    def _stopped(self, _result: object) -> None:
        self.finalising = None
        log.info("recording finalised")
        self.state_changed.emit(self.state)
        self.finalised.emit(self.record)
        self._finish_live()

    def _finish_live(self) -> None:
        """Transcribe the tail off the GUI thread; ``live_finished`` follows."""
        live = self.live
        if live is None:
            self.live_finished.emit(None)
            return
        self.finishing_live = run_call(
            live.finish, on_done=self._live_done, on_error=self._live_failed
        )

    def _live_done(self, transcript: object) -> None:
        self.finishing_live = None
        self.live_finished.emit(transcript)

    def _live_failed(self, exc: BaseException) -> None:
        self.finishing_live = None
        log.warning("finishing the live transcript failed: %s", type(exc).__name__)
        self.live_finished.emit(None)  # the session is transcribed after the fact instead

    def abandon_live(self) -> None:
        """The app quits: stop live transcription at once (the session is queued instead)."""
        if self.live is not None:
            self.live.abandon()
            self.live = None

    def _failed(self, exc: BaseException) -> None:
        self.finalising = None
        self.failed.emit(exc)

    # -- polling ------------------------------------------------------------------------------

    def poll(self) -> None:
        status = self.session.status()
        self.last_status = status
        self.status_updated.emit(status)
        if self.live is not None:
            self.live_updated.emit(self.live.progress())
        if status.state is CaptureState.FAULTED and not self._faulted:
            self._faulted = True
            self.state_changed.emit(self.state)
            if status.fault is not None:
                self.fault.emit(status.fault)
