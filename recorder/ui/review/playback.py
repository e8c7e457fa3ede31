"""Playback for the review editor: decrypts the session's audio off the GUI thread, drives a
core :class:`Player`, and turns its ticker-thread callbacks into GUI-thread signals."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject, Signal

from recorder.core.audio.playback import Player
from recorder.core.review.waveform import peaks
from recorder.core.study import Study
from recorder.ui.worker import run_call

log = logging.getLogger(__name__)

SKIP_S = 5.0


class PlaybackModel(QObject):
    """Position in seconds, play state and speed of one session's audio.

    Works without audio too (``ready`` stays False): the editor is usable while the audio is
    being decrypted, or when there is no output device.
    """

    position_changed = Signal(float)  # seconds; on the GUI thread
    playing_changed = Signal(bool)
    ready_changed = Signal(bool)
    failed = Signal(object)  # the exception
    _ticked = Signal(int)  # from the ticker thread (queued to the GUI thread)
    _ended = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.player: Player | None = None
        self.duration_s = 0.0
        self.peaks: list[float] = []
        self.position_s = 0.0
        self.loading = False
        self.error: BaseException | None = None
        self._ticked.connect(self._on_tick)
        self._ended.connect(lambda: self.playing_changed.emit(False))

    # -- loading ------------------------------------------------------------------------------

    def load(self, study: Study, session_id: str) -> None:
        """Decrypt the audio into memory in the background, then open the output."""
        from recorder.core.sessions import load_session
        from recorder.core.transcribe.engine import RATE
        from recorder.core.transcribe.pipeline import session_audio

        def work() -> tuple[Any, int, list[float]]:
            audio = session_audio(study, load_session(study, session_id))
            return audio.mono, RATE, peaks(audio.mono, 1600)

        self.loading = True
        run_call(work, on_done=self._loaded, on_error=self._failed)

    def use_audio(self, mono: Any, rate: int, overview: list[float] | None = None) -> None:
        """Play ``mono`` (float32 samples at ``rate``); opens the default output."""
        self._loaded((mono, rate, overview if overview is not None else peaks(mono, 1600)))

    def _loaded(self, result: tuple[Any, int, list[float]]) -> None:
        mono, rate, overview = result
        self.loading = False
        self.peaks = overview
        self.duration_s = len(mono) / rate
        try:
            self.player = Player(
                mono, rate, on_position=self._ticked.emit, on_finished=self._ended.emit
            )
        except Exception as exc:  # no output device: the editor still works
            self._failed(exc)
            return
        log.info("review playback ready (%.0f s of audio)", self.duration_s)
        self.ready_changed.emit(True)

    def _failed(self, exc: BaseException) -> None:
        self.loading = False
        self.error = exc
        log.warning("review playback unavailable: %s", type(exc).__name__)
        self.failed.emit(exc)

    @property
    def ready(self) -> bool:
        return self.player is not None

    # -- control ------------------------------------------------------------------------------

    @property
    def playing(self) -> bool:
        return self.player is not None and self.player.playing

    @property
    def speed(self) -> float:
        return self.player.speed if self.player is not None else 1.0

    def play(self) -> None:
        if self.player is not None:
            self.player.play()
            self.playing_changed.emit(True)

    def pause(self) -> None:
        if self.player is not None:
            self.player.pause()
            self.playing_changed.emit(False)

    def toggle(self) -> None:
        self.pause() if self.playing else self.play()

    def seek(self, seconds: float, *, play: bool = False) -> None:
        """Go to ``seconds``; ``play`` starts playback from there."""
        player = self.player
        if player is None:
            return
        player.seek(round(max(0.0, seconds) * player.rate))
        self._on_tick(player.position)
        if play:
            self.play()

    def skip_back(self) -> None:
        if self.player is not None:
            self.seek(self.position_s - SKIP_S)

    def set_speed(self, speed: float) -> None:
        if self.player is not None:
            self.player.set_speed(speed)

    def close(self) -> None:
        if self.player is not None:
            self.player.close()
            self.player = None

    def _on_tick(self, sample: int) -> None:
        if self.player is None:
            return
        self.position_s = sample / self.player.rate
        self.position_changed.emit(self.position_s)
