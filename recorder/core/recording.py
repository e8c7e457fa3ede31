"""A session being recorded: the session controller and the audio recorder, kept in step.

Used by ``python main.py record`` and by the interviewer console. Every prompt change, pause,
resume and note is stamped with the recorder's sample clock; every segment is written into
the session record as soon as it starts (so a crash can be recovered) and when it ends.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from recorder.core.audio.recorder import (
    AudioTap,
    CaptureSettings,
    CaptureState,
    LiveStatus,
    Recorder,
)
from recorder.core.errors import RecorderError
from recorder.core.session import AudioSettings, SessionController, SessionState
from recorder.core.sessions import open_controller
from recorder.core.study import Study

log = logging.getLogger(__name__)


class RecordingSession:
    """Owns one live recording of a stored session."""

    def __init__(
        self,
        study: Study,
        session_id: str,
        settings: CaptureSettings,
        *,
        channel_map: Mapping[int, str] | None = None,
        on_audio: AudioTap | None = None,
        stream_factory: object = None,
    ) -> None:
        self.study = study
        self.controller: SessionController = open_controller(study, session_id)
        if self.controller.record.segments:
            raise RecorderError(f"Session {session_id} already has a recording.")
        self.recorder = Recorder(
            study.vault,
            study.session_dir(session_id),
            settings,
            on_segment=self.controller.record_segment,
            on_audio=on_audio,
            stream_factory=stream_factory,  # type: ignore[arg-type]
        )
        self.controller.set_clock(self.recorder.clock)
        self._audio = AudioSettings(
            device=settings.device.name,
            sample_rate=settings.sample_rate,
            channels=settings.channels,
            channel_map=dict(channel_map or {}),
        )

    @property
    def session_id(self) -> str:
        return self.controller.record.session_id

    def start(self, consent_on_file: Mapping[str, bool]) -> None:
        """Confirm consent, open the device, stamp the start. Refused without consent."""
        if self.controller.state is SessionState.CREATED:
            self.controller.confirm_consent(consent_on_file)
        self.controller.set_audio(self._audio)
        self.recorder.start()
        self.controller.start_recording()

    def pause(self) -> None:
        self.recorder.pause()
        self.controller.pause()

    def resume(self) -> None:
        self.recorder.resume()
        self.controller.resume()

    def status(self) -> LiveStatus:
        status = self.recorder.status()
        if status.state is CaptureState.FAULTED and self.controller.state is SessionState.RECORDING:
            self.controller.pause()  # the timeline stops where the audio stopped
        return status

    def continue_with(self, settings: CaptureSettings) -> None:
        """After a device fault: carry on with ``settings`` in a new segment."""
        self.recorder.continue_with(settings)
        if self.controller.state is SessionState.PAUSED:
            self.controller.resume()

    def stop(self) -> None:
        """Finalise the audio and the session; safe to call in any live state."""
        self.recorder.stop()
        if self.controller.is_live:
            self.controller.stop()
        log.info("session recording stopped")
