"""The interviewer console: record, pause, stop; the prompt and running order; levels; notes."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QProgressBar,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from recorder.core.audio.recorder import LiveStatus
from recorder.core.durations import clock
from recorder.core.errors import RecorderError
from recorder.core.protocol import Prompt
from recorder.core.session import INTERVIEWER, Marker, SessionRecord, SessionState
from recorder.core.transcribe.live import LiveProgress
from recorder.ui.console_model import ConsoleModel
from recorder.ui.level_meter import LevelMeter
from recorder.ui.messages import ask, show_error
from recorder.ui.participant_window import ParticipantWindow
from recorder.ui.prompt_panel import PromptPanel, RunningOrder
from recorder.ui.shortcuts import ShortcutsSheet, describe, keys
from recorder.ui.theme import colours
from recorder.ui.widgets import button, card, label

log = logging.getLogger(__name__)


class ConsolePage(QWidget):
    """Drives a :class:`ConsoleModel`; emits ``finished(record)`` when the interviewer leaves."""

    finished = Signal(object)

    def __init__(
        self, model: ConsoleModel, role_labels: dict[str, str], parent: QWidget | None = None
    ):
        super().__init__(parent)
        self.model = model
        self.participant_window = ParticipantWindow()
        record = model.record
        who = " + ".join(
            f"{p.participant_id} ({role_labels.get(p.role, p.role)})" for p in record.participants
        )
        self.session_line = label(
            f"Session {record.session_id} · {record.kind.value} · {who}", "heading"
        )
        self.state_badge = label("Ready", "muted")
        self.elapsed = label("00:00", "elapsed")
        self.elapsed.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

        self.prompt_panel = PromptPanel(model.session.controller.protocol, len(model.prompts))
        self.previous_button = button("◀  Previous", tip=describe("previous"))
        self.next_button = button("Next  ▶", tip=describe("next"), primary=True)
        self.previous_button.clicked.connect(model.previous)
        self.next_button.clicked.connect(model.next)

        self.order = RunningOrder(model.session.controller.protocol, model.prompts)
        self.order.setToolTip(describe("jump"))
        self.order.jump.connect(model.go)
        self.progress = QProgressBar()
        self.progress.setRange(0, len(model.prompts))
        self.progress.setFormat("Step %v of %m")

        self.meter = LevelMeter()
        channel_map = model.channel_map
        channels = model.session.recorder.settings.channels
        self.meter.set_labels(
            [self._speaker(channel_map.get(ch, ""), ch) for ch in range(channels)]
            if channels > 1
            else []
        )
        self.warnings = label("", "warning", wrap=True)
        self.warnings.hide()
        self.live_line = label("", "muted", wrap=True)
        self.live_line.setAccessibleName("Live transcript")
        self.live_line.setVisible(model.live is not None)

        self.note = QLineEdit()
        self.note.setPlaceholderText("Timestamped note — press Enter to add")
        self.note.setToolTip(describe("note"))
        self.note.returnPressed.connect(self._add_note)
        self.note_list = QListWidget()
        self.note_list.setAccessibleName("Timestamped notes")
        self.free_notes = QPlainTextEdit(record.notes)
        self.free_notes.setPlaceholderText("Free-text notes about this session")
        self.free_notes.setToolTip(describe("notes"))
        self._notes_timer = QTimer(self)
        self._notes_timer.setSingleShot(True)
        self._notes_timer.setInterval(1000)
        self._notes_timer.timeout.connect(self.save_notes)
        self.free_notes.textChanged.connect(self._notes_timer.start)

        self.start_button = button("●  Record", tip=describe("start"), big=True, name="record")
        self.pause_button = button("Pause", tip=describe("pause"), big=True)
        self.stop_button = button("■  Stop", tip=describe("stop"), big=True)
        self.reconnect_button = button("Continue recording", tip=describe("continue"), primary=True)
        self.reconnect_button.clicked.connect(model.reconnect)
        self.reconnect_button.hide()
        self.window_button = button("Participant window", tip=describe("participant"))
        self.help_button = button("Shortcuts", tip=describe("help"))
        self.start_button.clicked.connect(self.start)
        self.pause_button.clicked.connect(model.toggle_pause)
        self.stop_button.clicked.connect(self.request_stop)
        self.window_button.clicked.connect(self.toggle_participant_window)
        self.help_button.clicked.connect(self.show_shortcuts)
        self.done_banner = label("", "heading", wrap=True)
        self.back_button = button("Back to the study", tip=describe("back"), primary=True, big=True)
        self.back_button.clicked.connect(lambda: self.finished.emit(self.model.record))
        self.done_banner.hide()
        self.back_button.hide()
        self._layout()
        self._bind_shortcuts()

        model.prompt_changed.connect(self.show_prompt)
        model.state_changed.connect(self.show_state)
        model.status_updated.connect(self.show_status)
        model.note_added.connect(self._show_note)
        model.fault.connect(self._fault)
        model.failed.connect(lambda exc: show_error(self, exc))
        model.finalised.connect(self._finalised)
        model.live_updated.connect(self.show_live)
        model.live_finished.connect(self._live_finished)
        for marker in model.notes():
            self._show_note(marker)
        self.show_prompt(model.prompt)
        self.show_state(model.state)

    def _speaker(self, who: str, channel: int) -> str:
        if who == INTERVIEWER:
            return "Interviewer"
        return who or f"Channel {channel + 1}"

    def _layout(self) -> None:
        header = QHBoxLayout()
        titles = QVBoxLayout()
        titles.addWidget(self.session_line)
        titles.addWidget(self.state_badge)
        header.addLayout(titles, 1)
        header.addWidget(self.elapsed)

        left = QWidget()
        left_column = QVBoxLayout(left)
        left_column.setContentsMargins(0, 0, 0, 0)
        left_column.addWidget(self.prompt_panel, 1)
        nav = QHBoxLayout()
        nav.addWidget(self.previous_button)
        nav.addStretch(1)
        nav.addWidget(self.next_button)
        left_column.addLayout(nav)

        right = QWidget()
        right_column = QVBoxLayout(right)
        right_column.setContentsMargins(0, 0, 0, 0)
        order_card, order_layout = card()
        order_layout.addWidget(label("Running order", "heading"))
        order_layout.addWidget(self.progress)
        order_layout.addWidget(self.order, 1)
        levels_card, levels_layout = card()
        levels_layout.addWidget(label("Input level", "heading"))
        levels_layout.addWidget(self.meter)
        levels_layout.addWidget(self.warnings)
        levels_layout.addWidget(self.live_line)
        notes_card, notes_layout = card()
        notes_layout.addWidget(label("Notes", "heading"))
        notes_layout.addWidget(self.note)
        notes_layout.addWidget(self.note_list, 1)
        notes_layout.addWidget(self.free_notes, 1)
        for fixed in (levels_card, notes_card):
            fixed.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        right_column.addWidget(levels_card)
        right_column.addWidget(order_card, 1)
        right_column.addWidget(notes_card)
        self.note_list.setMaximumHeight(64)
        self.free_notes.setMaximumHeight(72)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setSizes([760, 480])
        split.setChildrenCollapsible(False)

        controls = QHBoxLayout()
        controls.addWidget(self.start_button)
        controls.addWidget(self.pause_button)
        controls.addWidget(self.stop_button)
        controls.addWidget(self.reconnect_button)
        controls.addSpacing(16)
        controls.addWidget(self.done_banner, 1)
        controls.addStretch(0)
        controls.addWidget(self.window_button)
        controls.addWidget(self.help_button)
        controls.addWidget(self.back_button)

        column = QVBoxLayout(self)
        column.setContentsMargins(20, 16, 20, 16)
        column.setSpacing(12)
        column.addLayout(header)
        column.addWidget(split, 1)
        column.addLayout(controls)

    def _bind_shortcuts(self) -> None:
        bindings = {
            "start": self.start,
            "pause": self.model.toggle_pause,
            "stop": self.request_stop,
            "next": self.model.next,
            "previous": self.model.previous,
            "jump": self.order.setFocus,
            "note": self.note.setFocus,
            "notes": self.free_notes.setFocus,
            "participant": self.toggle_participant_window,
            "larger": self.participant_window.larger,
            "smaller": self.participant_window.smaller,
            "help": self.show_shortcuts,
            "continue": self._continue,
            "back": self._back,
        }
        self.shortcuts: list[QShortcut] = []
        for name, slot in bindings.items():
            for sequence in keys(name):
                shortcut = QShortcut(sequence, self, slot)
                shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
                self.shortcuts.append(shortcut)

    # -- actions ------------------------------------------------------------------------------

    def start(self) -> None:
        if self.model.state in (SessionState.CREATED, SessionState.CONSENT_CONFIRMED):
            self.model.start()

    def request_stop(self) -> None:
        """Ask, then finalise (the recording is never discarded)."""
        if not self.model.session.controller.is_live:
            return
        ask(
            self,
            "Stop the recording?",
            "Stop and finish this session?",
            detail="The audio recorded so far is kept. A stopped session cannot record again.",
            confirm="Stop and finish",
            on_confirm=self.stop,
        )

    def stop(self) -> None:
        self.save_notes()
        if self.model.stop() is not None:
            self.state_badge.setText("Finalising the recording…")
            for b in (self.start_button, self.pause_button, self.stop_button):
                b.setEnabled(False)

    def save_notes(self) -> None:
        self._notes_timer.stop()
        try:
            self.model.set_notes(self.free_notes.toPlainText())
        except RecorderError as exc:
            show_error(self, exc)

    def _add_note(self) -> None:
        text = self.note.text().strip()
        if text:
            self.model.add_note(text)
            self.note.clear()
            self.setFocus()  # back to the console, so Ctrl+Left/Right move prompts again

    def _continue(self) -> None:
        if self.reconnect_button.isVisible():
            self.model.reconnect()

    def _back(self) -> None:
        if self.back_button.isVisible():
            self.finished.emit(self.model.record)

    def toggle_participant_window(self) -> None:
        if self.participant_window.isVisible():
            self.participant_window.hide()
        else:
            self.participant_window.present()

    def show_shortcuts(self) -> None:
        sheet = ShortcutsSheet(self)
        sheet.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        sheet.open()

    # -- model updates ------------------------------------------------------------------------

    def show_prompt(self, prompt: Prompt) -> None:
        self.prompt_panel.show_prompt(prompt)
        self.participant_window.show_prompt(prompt)
        self.order.set_current(prompt.index)
        self.progress.setValue(prompt.index + 1)
        self.previous_button.setEnabled(prompt.index > 0)
        self.next_button.setEnabled(prompt.index < len(self.model.prompts) - 1)

    def show_state(self, state: SessionState) -> None:
        c = colours()
        texts = {
            SessionState.CREATED: ("Ready — press Record to start", c.muted),
            SessionState.CONSENT_CONFIRMED: ("Ready — press Record to start", c.muted),
            SessionState.RECORDING: ("●  Recording", c.record),
            SessionState.PAUSED: ("❚❚  Paused — nothing is being recorded", c.warning),
        }
        text, colour = texts.get(state, ("Recording saved", c.ok))
        self.state_badge.setText(text)
        self.state_badge.setStyleSheet(f"color: {colour}; font-weight: 600;")
        live = state in (SessionState.RECORDING, SessionState.PAUSED)
        ready = state in (SessionState.CREATED, SessionState.CONSENT_CONFIRMED)
        self.start_button.setEnabled(ready)
        self.start_button.setVisible(ready)
        self.pause_button.setEnabled(live)
        self.pause_button.setText("▶  Resume" if state is SessionState.PAUSED else "❚❚  Pause")
        self.stop_button.setEnabled(live)
        self.note.setEnabled(live)
        if state is SessionState.RECORDING:
            self.reconnect_button.hide()

    def show_status(self, status: LiveStatus) -> None:
        self.elapsed.setText(clock(status.elapsed_s))
        self.meter.show_levels(status.levels)
        self.warnings.setText("\n".join(status.warnings))
        self.warnings.setVisible(bool(status.warnings))

    def show_live(self, progress: LiveProgress) -> None:
        """One calm line: is the transcript keeping up with the interview?"""
        text = progress.message
        if progress.active and progress.captured_s >= 1:
            text += f" ({clock(progress.transcribed_s)} of {clock(progress.captured_s)} done)"
        self.live_line.setText(text)

    def _live_finished(self, transcript: object) -> None:
        if self.model.live is None:
            return
        self.live_line.setText(
            "The transcript is ready to review."
            if transcript is not None
            else "The session is queued for transcription."
        )

    def _show_note(self, marker: Marker) -> None:
        seconds = marker.seconds(self.model.sample_rate)
        self.note_list.addItem(f"{clock(seconds)}  {marker.text}")
        self.note_list.scrollToBottom()

    def _fault(self, fault: RecorderError) -> None:
        self.warnings.setText(f"{fault} {fault.hint or ''}".strip())
        self.warnings.show()
        self.reconnect_button.show()
        show_error(self, fault, "The recording was interrupted")

    def _finalised(self, record: SessionRecord) -> None:
        seconds = record.audio_frames / max(1, record.audio.sample_rate)
        self.done_banner.setText(
            f"Saved {clock(seconds)} of encrypted audio in session {record.session_id}."
        )
        self.done_banner.show()
        if self.model.live is not None:
            self.live_line.setText("Transcribing the last words…")
        self.back_button.show()
        for b in (self.start_button, self.pause_button, self.stop_button):
            b.hide()
        self.participant_window.show_message("Thank you.\nThe interview has ended.")
        self.back_button.setFocus()

    def close_participant_window(self) -> None:
        self.participant_window.close()
