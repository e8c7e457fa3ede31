"""The study home: progress against targets, participants, sessions, and what to do next."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QProgressBar,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from recorder.core import appconfig
from recorder.core.errors import RecorderError
from recorder.core.session import SessionState
from recorder.ui.consent_dialog import ConsentDialog, IncentiveDialog
from recorder.ui.messages import ask, sentence, show_error
from recorder.ui.new_session_dialog import NewSessionDialog
from recorder.ui.participant_dialog import ParticipantDialog
from recorder.ui.shortcuts import describe
from recorder.ui.study_model import StudyModel
from recorder.ui.theme import colours
from recorder.ui.widgets import button, card, label

if TYPE_CHECKING:  # loaded with the home page itself, not with the start window
    from recorder.ui.transcription_model import TranscriptionRunner

log = logging.getLogger(__name__)

#: Sessions whose recording is finished: they can be transcribed (again).
TRANSCRIBABLE = (SessionState.STOPPED, SessionState.TRANSCRIBED)
#: Sessions with a transcript: they open in the review editor.
REVIEWABLE = (SessionState.TRANSCRIBED, SessionState.REVIEWED, SessionState.DEIDENTIFIED)


def table(headers: list[str]) -> QTableWidget:
    """A read-only, row-selecting table."""
    widget = QTableWidget(0, len(headers))
    widget.setHorizontalHeaderLabels(headers)
    widget.verticalHeader().hide()
    widget.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    widget.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    widget.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    widget.setAlternatingRowColors(True)
    widget.setShowGrid(False)
    widget.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    widget.horizontalHeader().setStretchLastSection(True)
    return widget


def fill(widget: QTableWidget, rows: list[list[str]], keys_: list[str]) -> None:
    """Replace the rows, keeping the selection on the same key."""
    selected = current_key(widget)
    widget.setRowCount(len(rows))
    for r, (values, key) in enumerate(zip(rows, keys_, strict=True)):
        for c, value in enumerate(values):
            cell = QTableWidgetItem(value)
            cell.setData(Qt.ItemDataRole.UserRole, key)
            widget.setItem(r, c, cell)
        if key == selected:
            widget.selectRow(r)


def current_key(widget: QTableWidget) -> str:
    cell = widget.item(widget.currentRow(), 0) if widget.currentRow() >= 0 else None
    return str(cell.data(Qt.ItemDataRole.UserRole)) if cell is not None else ""


def selected_keys(widget: QTableWidget) -> list[str]:
    """The keys of every selected row, top to bottom."""
    rows = sorted({index.row() for index in widget.selectionModel().selectedRows()})
    cells = [widget.item(r, 0) for r in rows]
    return [str(c.data(Qt.ItemDataRole.UserRole)) for c in cells if c is not None]


def select_keys(widget: QTableWidget, keys_: set[str]) -> None:
    """Add the rows with these keys to the selection."""
    selection = widget.selectionModel()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    for r in range(widget.rowCount()):
        cell = widget.item(r, 0)
        if cell is not None and str(cell.data(Qt.ItemDataRole.UserRole)) in keys_:
            selection.select(widget.model().index(r, 0), flags)


def model_missing(name_or_path: str) -> str:
    """Why the chosen model cannot be used now, or "" when it is on this computer."""
    from pathlib import Path

    from recorder.core.transcribe import models

    try:
        if name_or_path in models.model_names():
            if models.installed(name_or_path) is None:
                return (
                    f"The model {name_or_path} is not on this computer yet. Download it, or "
                    "bring its file in from another computer, in the model window."
                )
            return ""
    except RecorderError as exc:
        return sentence(exc)
    if not Path(name_or_path).expanduser().is_file():
        return (
            f"The model file {name_or_path} is not there any more (is its drive connected?). "
            "Choose the model again."
        )
    return ""


class HomePage(QWidget):
    """Shows a :class:`StudyModel`; asks the window to unlock the code map or start a session."""

    unlock_codemap = Signal()
    session_ready = Signal(object, object, object)  # record, capture settings, channel map
    session_imported = Signal(object)  # record
    review_requested = Signal(str)  # session ID
    message = Signal(str)  # a sentence for the status bar

    def __init__(
        self,
        model: StudyModel,
        parent: QWidget | None = None,
        *,
        runner: TranscriptionRunner | None = None,
    ) -> None:
        from recorder.ui.transcription_model import TranscriptionRunner
        from recorder.ui.transcription_panel import TranscriptionPanel

        super().__init__(parent)
        self.model = model
        self.runner = runner or TranscriptionRunner(model.study)
        self.dialog: QDialog | None = None  # the dialog open now, for tests and for focus
        self.title = label(model.title, "title")
        self.folder = label(str(model.study.folder), "muted")
        self.codemap_state = label("", "muted")
        self.codemap_button = button("Unlock code map")
        self.codemap_button.clicked.connect(self._codemap_clicked)
        self.progress_grid = QGridLayout()
        self.progress_grid.setHorizontalSpacing(12)
        self.summary = label("", "muted", wrap=True)

        self.participants = table(["Study ID", "Role", "Name", "Agency", "Consent", "Sessions"])
        self.participants.doubleClicked.connect(self.edit_participant)
        self.enrol_button = button("Enrol…", tip=describe("new-participant"), primary=True)
        self.edit_button = button("Edit…", tip="Edit the selected participant")
        self.consent_button = button("Record consent…", tip=describe("consent"))
        self.incentive_button = button("Incentive…", tip="Record an incentive given")
        self.enrol_button.clicked.connect(self.enrol)
        self.edit_button.clicked.connect(self.edit_participant)
        self.consent_button.clicked.connect(self.record_consent)
        self.incentive_button.clicked.connect(self.give_incentive)
        self.participants.itemSelectionChanged.connect(self._update_buttons)

        self.sessions = table(["Session", "Kind", "State", "Created", "Audio", "Participants"])
        self.sessions.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.sessions.itemSelectionChanged.connect(self._update_buttons)
        self.new_session_button = button(
            "New session…", tip=describe("new-session"), primary=True, big=True
        )
        self.new_session_button.clicked.connect(self.new_session)
        self.transcribe_button = button("Transcribe", tip=describe("transcribe"))
        self.transcribe_button.clicked.connect(self.transcribe)
        self.review_button = button("Review…", tip=describe("review"))
        self.review_button.clicked.connect(self.review)
        self.export_button = button("Export…", tip=describe("export"))
        self.export_button.clicked.connect(self.export)
        self.sessions.doubleClicked.connect(self.review)
        self.transcription = TranscriptionPanel(self.runner)
        self.transcription.change_model.connect(self.choose_model)
        self.runner.job_finished.connect(self._transcribed)
        self.runner.queue_changed.connect(self._fill_sessions)
        self.runner.status.connect(self.message)

        self._layout()
        model.changed.connect(self.refresh)
        self.refresh()

    def _layout(self) -> None:
        header = QHBoxLayout()
        titles = QVBoxLayout()
        titles.addWidget(self.title)
        titles.addWidget(self.folder)
        header.addLayout(titles, 1)
        header.addWidget(self.codemap_state)
        header.addWidget(self.codemap_button)

        progress_card, progress_layout = card()
        progress_layout.addWidget(label("Progress", "heading"))
        progress_layout.addLayout(self.progress_grid)
        progress_layout.addWidget(self.summary)
        progress_layout.addStretch(1)

        people_card, people_layout = card()
        people_head = QHBoxLayout()
        people_head.addWidget(label("Participants", "heading"), 1)
        for b in (self.edit_button, self.consent_button, self.incentive_button, self.enrol_button):
            people_head.addWidget(b)
        people_layout.addLayout(people_head)
        people_layout.addWidget(self.participants, 1)

        sessions_card, sessions_layout = card()
        sessions_head = QHBoxLayout()
        sessions_head.addWidget(label("Sessions", "heading"), 1)
        sessions_head.addWidget(self.transcribe_button)
        sessions_head.addWidget(self.review_button)
        sessions_head.addWidget(self.export_button)
        sessions_head.addWidget(self.new_session_button)
        sessions_layout.addLayout(sessions_head)
        sessions_layout.addWidget(self.sessions, 1)

        top = QHBoxLayout()
        top.setSpacing(14)
        top.addWidget(progress_card, 2)
        top.addWidget(people_card, 5)
        column = QVBoxLayout(self)
        column.setContentsMargins(24, 18, 24, 18)
        column.setSpacing(14)
        bottom = QHBoxLayout()
        bottom.setSpacing(14)
        bottom.addWidget(sessions_card, 3)
        bottom.addWidget(self.transcription, 2)
        column.addLayout(header)
        column.addLayout(top, 1)
        column.addLayout(bottom, 1)

    # -- refresh ------------------------------------------------------------------------------

    def refresh(self) -> None:
        model = self.model
        unlocked = model.codemap_unlocked
        self.codemap_state.setText(
            "Code map unlocked: names are visible" if unlocked else "Code map locked: names hidden"
        )
        self.codemap_state.setStyleSheet(
            f"color: {colours().warning if unlocked else colours().muted};"
        )
        self.codemap_button.setText("Lock code map" if unlocked else "Unlock code map…")
        rows = model.participant_rows()
        fill(
            self.participants,
            [
                [
                    r.participant_id,
                    r.role,
                    r.name if unlocked else "•••",
                    r.agency if unlocked else "•••",
                    r.consent if unlocked else "locked",
                    str(r.sessions) if r.active else "withdrawn",
                ]
                for r in rows
            ],
            [r.participant_id for r in rows],
        )
        self._fill_sessions()
        for row, r in enumerate(rows):
            cell = self.participants.item(row, 4)
            if cell is not None and r.consent == "Missing" and r.active:
                cell.setForeground(QBrush(QColor(colours().warning)))
        self._show_progress()
        self._update_buttons()

    def _fill_sessions(self) -> None:
        """The sessions table, with each queued session's transcription state."""
        from recorder.ui.transcription_model import FAILED, TRANSCRIBING, WAITING

        suffix = {WAITING: " · queued", TRANSCRIBING: " · transcribing…", FAILED: " · failed"}
        queued = self.runner.states()
        sessions = self.model.session_rows()
        chosen = set(selected_keys(self.sessions))
        fill(
            self.sessions,
            [
                [
                    s.session_id,
                    s.kind,
                    s.state
                    + (" (recovered)" if s.recovered else "")
                    + suffix.get(queued.get(s.session_id, ""), ""),
                    s.recorded_on,
                    f"{s.minutes:.1f} min" if s.minutes else "—",
                    s.participants,
                ]
                for s in sessions
            ],
            [s.session_id for s in sessions],
        )
        select_keys(self.sessions, chosen)
        for r, s in enumerate(sessions):
            cell = self.sessions.item(r, 5)
            if cell is not None:
                cell.setToolTip(s.participants)
            state = queued.get(s.session_id, "")
            cell = self.sessions.item(r, 2)
            if cell is not None and state == FAILED:
                cell.setForeground(QBrush(QColor(colours().record)))
                cell.setToolTip("Transcription failed: see the transcription panel.")
        self._update_buttons()

    def _show_progress(self) -> None:
        while self.progress_grid.count():
            item = self.progress_grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        status = self.model.status()
        for row, line in enumerate(self.model.progress_lines(status)):
            bar = QProgressBar()
            bar.setRange(0, max(1, line.target))
            bar.setValue(min(line.done, line.target))
            bar.setFormat(f"{line.done} of {line.target}")
            self.progress_grid.addWidget(label(line.label), row, 0)
            self.progress_grid.addWidget(bar, row, 1)
        enrolled = sum(status.enrolled.values())
        self.summary.setText(
            f"{enrolled} participant(s) enrolled"
            + (f", {status.withdrawn} withdrawn" if status.withdrawn else "")
            + f"; {len(self.model.sessions())} session(s)."
        )

    def _update_buttons(self) -> None:
        unlocked = self.model.codemap_unlocked
        chosen = bool(current_key(self.participants))
        reason = "" if unlocked else "Unlock the code map first."
        self.enrol_button.setEnabled(unlocked)
        for b in (self.edit_button, self.consent_button, self.incentive_button):
            b.setEnabled(unlocked and chosen)
        self.enrol_button.setToolTip(reason or describe("new-participant"))
        reviewable = bool(self.reviewable())
        self.review_button.setEnabled(reviewable)
        self.review_button.setToolTip(
            describe("review") if reviewable else "Select one transcribed session first."
        )
        self.export_button.setEnabled(bool(self.model.sessions()))
        ready = bool(self.transcribable())
        self.transcribe_button.setEnabled(ready)
        self.transcribe_button.setToolTip(
            describe("transcribe") if ready else "Select one or more recorded sessions first."
        )

    # -- actions ------------------------------------------------------------------------------

    def _codemap_clicked(self) -> None:
        if self.model.codemap_unlocked:
            self.model.lock_codemap()
        else:
            self.unlock_codemap.emit()

    def selected_participant(self) -> str:
        return current_key(self.participants)

    def _open(self, dialog: QDialog) -> None:
        self.dialog = dialog
        dialog.finished.connect(self._dialog_closed)
        dialog.open()

    def _dialog_closed(self) -> None:
        self.dialog = None

    def enrol(self) -> None:
        if not self.model.codemap_unlocked:
            self.unlock_codemap.emit()
            return
        self._open(ParticipantDialog(self.model, parent=self))

    def edit_participant(self) -> None:
        pid = self.selected_participant()
        if pid and self.model.codemap_unlocked:
            self._open(ParticipantDialog(self.model, pid, parent=self))

    def record_consent(self) -> None:
        pid = self.selected_participant()
        if pid and self.model.codemap_unlocked:
            self._open(ConsentDialog(self.model, pid, parent=self))

    def give_incentive(self) -> None:
        pid = self.selected_participant()
        if pid and self.model.codemap_unlocked:
            self._open(IncentiveDialog(self.model, pid, parent=self))

    def new_session(self) -> None:
        dialog = NewSessionDialog(self.model, parent=self)
        dialog.start.connect(self.session_ready)
        dialog.imported.connect(self.session_imported)
        self._open(dialog)

    # -- transcription ------------------------------------------------------------------------

    def selected_sessions(self) -> list[str]:
        return selected_keys(self.sessions)

    def select_sessions(self, session_ids: list[str]) -> None:
        self.sessions.clearSelection()
        select_keys(self.sessions, set(session_ids))

    def transcribable(self) -> list[str]:
        """The selected sessions whose recording is finished."""
        states = {r.session_id: r.state for r in self.model.sessions()}
        return [s for s in self.selected_sessions() if states.get(s) in TRANSCRIBABLE]

    def transcribe(self) -> None:
        """Queue the selected recorded sessions; a transcribed one only after asking."""
        chosen = self.transcribable()
        if not chosen:
            self.message.emit("Select one or more recorded sessions to transcribe.")
            return
        model = appconfig.transcription_model()
        problem = model_missing(model)
        if problem:
            ask(
                self,
                "Choose a transcription model",
                problem,
                confirm="Choose a model…",
                on_confirm=self.choose_model,
            )
            return
        states = {r.session_id: r.state for r in self.model.sessions()}
        again = [s for s in chosen if states.get(s) is SessionState.TRANSCRIBED]
        if again:
            ask(
                self,
                "Transcribe again?",
                f"{', '.join(again)} already "
                + ("has a transcript" if len(again) == 1 else "have transcripts")
                + ". Transcribing again replaces it with a new one.",
                detail="Transcripts that were reviewed are never replaced.",
                confirm="Transcribe again",
                on_confirm=lambda: self._queue(chosen, model),
            )
            return
        self._queue(chosen, model)

    def _queue(self, session_ids: list[str], model: str) -> None:
        from recorder.ui.transcription_panel import model_label

        try:
            queued = self.runner.enqueue(session_ids, model)
        except RecorderError as exc:  # the queue file cannot be written (disk full, damaged)
            show_error(self, exc, "Cannot queue the transcription")
            return
        if queued:
            self.message.emit(
                f"Queued {len(queued)} session(s) for transcription with {model_label(model)}."
            )

    # -- review and export --------------------------------------------------------------------

    def reviewable(self) -> str:
        """The selected session, if exactly one is selected and it has a transcript."""
        chosen = self.selected_sessions()
        if len(chosen) != 1:
            return ""
        states = {r.session_id: r.state for r in self.model.sessions()}
        return chosen[0] if states.get(chosen[0]) in REVIEWABLE else ""

    def review(self) -> None:
        """Open the selected session's transcript in the review editor."""
        session_id = self.reviewable()
        if not session_id:
            self.message.emit("Select one transcribed session to review.")
            return
        self.review_requested.emit(session_id)

    def export(self) -> None:
        """The export dialog for the selected sessions (or choose them there)."""
        from recorder.ui.export_dialog import ExportDialog

        dialog = ExportDialog(self.model.study, self.selected_sessions(), parent=self)
        dialog.exported.connect(lambda _record: self.message.emit("Export written and recorded."))
        self._open(dialog)

    def edit_vocabulary(self) -> None:
        """The study vocabulary: the words whisper is told before it listens."""
        from recorder.ui.vocabulary_dialog import VocabularyDialog

        dialog = VocabularyDialog(self.model.study, self.model.protocol, self)
        dialog.saved.connect(
            lambda n: self.message.emit(
                f"The study vocabulary has {n} term(s); sessions transcribed from now on use it."
            )
        )
        self._open(dialog)

    def export_history(self) -> None:
        from recorder.ui.export_history import ExportHistoryDialog

        self._open(ExportHistoryDialog(self.model.study, self))

    def _transcribed(self, _session_id: str) -> None:
        self.model.refresh()

    def choose_model(self) -> None:
        from recorder.ui.model_dialog import ModelDialog

        dialog = ModelDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.chosen.connect(self._model_chosen)
        self._open(dialog)

    def _model_chosen(self, name_or_path: str) -> None:
        from recorder.ui.transcription_panel import model_label

        self.transcription.show_model()
        self.message.emit(f"Sessions queued from now on use {model_label(name_or_path)}.")

    def shutdown(self) -> None:
        """The study closes: stop transcribing (the job stays queued for next time) and close
        an open dialog (a model download stops with it)."""
        if self.dialog is not None:
            self.dialog.close()
        self.runner.shutdown()

    def select_participant(self, participant_id: str) -> None:
        for row in range(self.participants.rowCount()):
            cell = self.participants.item(row, 0)
            if cell is not None and cell.data(Qt.ItemDataRole.UserRole) == participant_id:
                self.participants.selectRow(row)
                return
