"""The player under the transcript: back 5 s, play/pause, time, waveform, speed, follow."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QFrame, QHBoxLayout, QWidget

from recorder.core.audio.playback import SPEEDS
from recorder.core.durations import clock
from recorder.ui.review.keys import describe
from recorder.ui.review.playback import PlaybackModel
from recorder.ui.review.waveform_bar import WaveformBar
from recorder.ui.widgets import button, label


class PlayerBar(QFrame):
    """Shows and drives a :class:`PlaybackModel`."""

    def __init__(self, playback: PlaybackModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.playback = playback
        self.setObjectName("card")
        self.back_button = button("↺ 5 s", tip=describe("back"))
        self.back_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.back_button.clicked.connect(playback.skip_back)
        self.play_button = button("▶  Play", tip=describe("play"), primary=True)
        self.play_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.play_button.setMinimumWidth(104)
        self.play_button.clicked.connect(playback.toggle)
        self.time = label("00:00 / 00:00")
        self.time.setStyleSheet('font-family: "DejaVu Sans Mono";')
        self.wave = WaveformBar()
        self.wave.seek.connect(playback.seek)
        self.speed = QComboBox()
        self.speed.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.speed.setToolTip(describe("faster") + "; " + describe("slower"))
        for value in SPEEDS:
            self.speed.addItem(f"{value:g}x", value)
        self.speed.setCurrentIndex(SPEEDS.index(1.0))
        self.speed.currentIndexChanged.connect(
            lambda _i: playback.set_speed(self.speed.currentData())
        )
        self.follow = QCheckBox("Follow")
        self.follow.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.follow.setChecked(True)
        self.follow.setToolTip("Keep the turn being played in view and selected")
        self.status = label("", "muted")
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 8, 12, 8)
        row.setSpacing(10)
        for widget in (self.back_button, self.play_button, self.time):
            row.addWidget(widget)
        row.addWidget(self.wave, 1)
        row.addWidget(self.status)
        row.addWidget(self.speed)
        row.addWidget(self.follow)
        playback.position_changed.connect(self.show_position)
        playback.playing_changed.connect(self.show_playing)
        playback.ready_changed.connect(lambda _r: self.show_ready())
        playback.failed.connect(lambda _e: self.show_ready())
        self.show_ready()

    def show_ready(self) -> None:
        playback = self.playback
        for widget in (self.back_button, self.play_button, self.speed):
            widget.setEnabled(playback.ready)
        if playback.ready:
            self.status.setText("")
            self.wave.set_audio(playback.peaks, playback.duration_s)
            self.show_position(playback.position_s)
        elif playback.error is not None:
            self.status.setText("No audio output")
            self.status.setToolTip(str(playback.error))
        self.status.setVisible(bool(self.status.text()))

    def show_position(self, seconds: float) -> None:
        self.time.setText(f"{clock(seconds)} / {clock(self.playback.duration_s)}")
        self.wave.set_position(seconds)

    def show_playing(self, playing: bool) -> None:
        self.play_button.setText("❚❚  Pause" if playing else "▶  Play")

    def step_speed(self, steps: int) -> None:
        index = min(len(SPEEDS) - 1, max(0, self.speed.currentIndex() + steps))
        self.speed.setCurrentIndex(index)
