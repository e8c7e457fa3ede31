"""The study home: progress against targets, participants, sessions, and what to do next."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Signal
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

from recorder.ui.consent_dialog import ConsentDialog, IncentiveDialog
from recorder.ui.new_session_dialog import NewSessionDialog
from recorder.ui.participant_dialog import ParticipantDialog
from recorder.ui.shortcuts import describe
from recorder.ui.study_model import StudyModel
from recorder.ui.theme import colours
from recorder.ui.widgets import button, card, label

log = logging.getLogger(__name__)


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


class HomePage(QWidget):
    """Shows a :class:`StudyModel`; asks the window to unlock the code map or start a session."""

    unlock_codemap = Signal()
    session_ready = Signal(object, object, object)  # record, capture settings, channel map
    session_imported = Signal(object)  # record

    def __init__(self, model: StudyModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
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
        self.new_session_button = button(
            "New session…", tip=describe("new-session"), primary=True, big=True
        )
        self.new_session_button.clicked.connect(self.new_session)

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
        column.addLayout(header)
        column.addLayout(top, 5)
        column.addWidget(sessions_card, 4)

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
        sessions = model.session_rows()
        fill(
            self.sessions,
            [
                [
                    s.session_id,
                    s.kind,
                    s.state + (" (recovered)" if s.recovered else ""),
                    s.recorded_on,
                    f"{s.minutes:.1f} min" if s.minutes else "—",
                    s.participants,
                ]
                for s in sessions
            ],
            [s.session_id for s in sessions],
        )
        for row, r in enumerate(rows):
            cell = self.participants.item(row, 4)
            if cell is not None and r.consent == "Missing" and r.active:
                cell.setForeground(QBrush(QColor(colours().warning)))
        self._show_progress()
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

    def select_participant(self, participant_id: str) -> None:
        for row in range(self.participants.rowCount()):
            cell = self.participants.item(row, 0)
            if cell is not None and cell.data(Qt.ItemDataRole.UserRole) == participant_id:
                self.participants.selectRow(row)
                return
