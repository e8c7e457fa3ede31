"""The study home's transcription card: the model and device, the job running now with its
progress, the sessions waiting or failed, and Cancel / Resume / Try again / Remove."""

from __future__ import annotations

from pathlib import Path

from PySide6 import QtCore
from PySide6.QtCore import Signal
from PySide6.QtGui import QBrush, QColor, QKeySequence
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from recorder.core import appconfig
from recorder.core.transcribe import models
from recorder.core.transcribe.work_queue import FAILED
from recorder.ui.shortcuts import keys
from recorder.ui.theme import colours
from recorder.ui.transcription_model import TranscriptionRunner
from recorder.ui.widgets import button, label


def model_label(name_or_path: str) -> str:
    """A model name as is; a model file by its file name."""
    text = name_or_path.strip()
    if models.is_builtin_name(text):
        return f"{models.BUILTIN_BASE} (built in)"
    if "/" in text or "\\" in text or text.endswith(".pt"):
        return f"{Path(text).name} (file)"
    return text


class TranscriptionPanel(QFrame):
    """Shows a :class:`TranscriptionRunner`; asks the home to change the model."""

    change_model = Signal()

    def __init__(self, runner: TranscriptionRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.setObjectName("card")
        self.heading = label("Transcription", "heading")
        self.model_name = label("", "muted")
        self.change_button = button("Change…", tip="Pick the whisper model, or download one")
        self.change_button.clicked.connect(self.change_model)
        self.device = label("", "muted")
        self.current = label("", wrap=True)
        self.current.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.cancel_button = button("Cancel", tip="Stop this job; the session stays queued")
        self.cancel_button.clicked.connect(runner.cancel)
        self.resume_button = button("Resume", tip="Carry on with the sessions in the queue")
        self.resume_button.clicked.connect(self._resume)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setFormat("%p%")
        self.message = label("", "muted", wrap=True)
        self.queue_title = label("Queue", "subheading")
        self.queue_title.setStyleSheet("font-weight: 600;")
        self.retry_button = button("Try again", tip="Queue the selected failed session again")
        self.retry_button.clicked.connect(self._retry)
        self.remove_button = button("Remove", tip="Take the selected session off the queue")
        self.remove_button.clicked.connect(self._remove)
        self.queue = QListWidget()
        self.queue.setWordWrap(True)
        self.queue.setStyleSheet("QListWidget::item { padding: 4px 2px; }")
        self.queue.setSelectionMode(QListWidget.SelectionMode.SingleSelection)
        self.queue.itemSelectionChanged.connect(self._update_buttons)
        self.queue.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.empty = label("Nothing else is waiting.", "muted")
        self._layout()
        runner.progressed.connect(self._progressed)
        runner.queue_changed.connect(self.refresh)
        runner.running_changed.connect(self._running_changed)
        self.show_model()
        self.refresh()

    def _layout(self) -> None:
        head = QHBoxLayout()
        head.addWidget(self.heading, 1)
        head.addWidget(self.model_name)
        head.addWidget(self.change_button)
        job = QHBoxLayout()
        job.addWidget(self.current, 1)
        job.addWidget(self.cancel_button)
        job.addWidget(self.resume_button)
        queue_head = QHBoxLayout()
        queue_head.addWidget(self.queue_title, 1)
        queue_head.addWidget(self.remove_button)
        queue_head.addWidget(self.retry_button)
        column = QVBoxLayout(self)
        column.setContentsMargins(16, 14, 16, 14)
        column.setSpacing(8)
        column.addLayout(head)
        column.addWidget(self.device)
        column.addLayout(job)
        column.addWidget(self.bar)
        column.addWidget(self.message)
        column.addSpacing(4)
        column.addLayout(queue_head)
        column.addWidget(self.queue, 1)
        column.addWidget(self.empty)
        column.addStretch(0)

    # -- showing ----------------------------------------------------------------------------

    def show_model(self) -> None:
        chosen = appconfig.transcription_model()
        self.model_name.setText(f"Model: {model_label(chosen)}")
        self.model_name.setToolTip(chosen)

    def _show_device(self) -> None:
        device = self.runner.device
        self.device.setText(
            f"Runs on: {device}" if device else "Runs on: a GPU if there is one, else the CPU"
        )

    def refresh(self) -> None:
        runner = self.runner
        rows = runner.rows()
        selected = self.selected_session()
        self.queue.clear()
        c = colours()
        for row in rows:
            if row.state == FAILED:
                item = QListWidgetItem(f"{row.session_id} · failed: {row.error}")
                item.setForeground(QBrush(QColor(c.record)))
                item.setToolTip(f"{row.error}\n\n{row.hint}".strip())
            else:
                item = QListWidgetItem(f"{row.session_id} · waiting")
            item.setData(QtCore.Qt.ItemDataRole.UserRole, (row.session_id, row.state))
            self.queue.addItem(item)
            if row.session_id == selected:
                item.setSelected(True)
        self.queue.setVisible(bool(rows))
        self.empty.setText("Nothing else is waiting." if runner.running else "Nothing is waiting.")
        self.empty.setVisible(not rows)
        waiting = sum(1 for r in rows if r.state != FAILED)
        failed = len(rows) - waiting
        parts = [f"{waiting} waiting"] if waiting else []
        parts += [f"{failed} failed"] if failed else []
        self.queue_title.setText("Queue" + (f" · {', '.join(parts)}" if parts else ""))
        self._show_job()
        self._update_buttons()

    def _show_job(self) -> None:
        runner = self.runner
        self._show_device()
        pending = len(runner.pending())
        if runner.current:
            self.current.setText(f"Transcribing session {runner.current}")
            self._set_bar(runner.fraction)
            self.message.setText(runner.message)
        elif runner.running:
            self.current.setText("Starting…")
            self._set_bar(0.0)
            self.message.setText("")
        elif pending:
            self.current.setText(
                runner.last_result or f"{pending} session(s) queued. Press Resume to start."
            )
            self.bar.hide()
            self.message.setText("")
        elif runner.last_result:
            self.current.setText(runner.last_result)
            done = runner.fraction >= 1.0
            if done:
                self._set_bar(1.0)
            else:
                self.bar.hide()
            self.message.setText("")
        else:
            key = keys("transcribe")[0].toString(QKeySequence.SequenceFormat.NativeText)
            self.current.setText(f"Select recorded sessions and press Transcribe ({key}).")
            self.bar.hide()
            self.message.setText("")
        self.message.setVisible(bool(self.message.text()))
        self.cancel_button.setVisible(runner.running)
        self.cancel_button.setEnabled(bool(runner.current) and not runner.cancelling)
        self.resume_button.setVisible(not runner.running and pending > 0)

    def _set_bar(self, fraction: float) -> None:
        self.bar.setValue(round(max(0.0, min(1.0, fraction)) * 1000))
        self.bar.show()

    def _progressed(self, _session_id: str, _fraction: float, _message: str) -> None:
        self._show_job()

    def _running_changed(self, _running: bool) -> None:
        self.refresh()

    def _update_buttons(self) -> None:
        chosen = self._selected()
        self.remove_button.setVisible(bool(self.queue.count()))
        self.retry_button.setVisible(any(r.state == FAILED for r in self.runner.rows()))
        self.remove_button.setEnabled(chosen is not None)
        self.retry_button.setEnabled(chosen is not None and chosen[1] == FAILED)

    # -- actions ----------------------------------------------------------------------------

    def _selected(self) -> tuple[str, str] | None:
        items = self.queue.selectedItems()
        if not items:
            return None
        session_id, state = items[0].data(QtCore.Qt.ItemDataRole.UserRole)
        return str(session_id), str(state)

    def selected_session(self) -> str:
        chosen = self._selected()
        return chosen[0] if chosen else ""

    def select(self, session_id: str) -> None:
        for row in range(self.queue.count()):
            item = self.queue.item(row)
            if item.data(QtCore.Qt.ItemDataRole.UserRole)[0] == session_id:
                self.queue.setCurrentItem(item)
                return

    def _resume(self) -> None:
        self.runner.start()

    def _retry(self) -> None:
        chosen = self._selected()
        if chosen is not None:
            self.runner.retry(chosen[0])

    def _remove(self) -> None:
        chosen = self._selected()
        if chosen is not None:
            self.runner.remove(chosen[0])
