"""Record consent item by item against the protocol's consent form, and give incentives."""

from __future__ import annotations

import logging
from datetime import date

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from recorder.core.errors import RecorderError
from recorder.ui.messages import sentence
from recorder.ui.study_model import StudyModel
from recorder.ui.widgets import label, ok_cancel

log = logging.getLogger(__name__)


class ConsentDialog(QDialog):
    """One checkbox per consent item; Record is enabled when every item is agreed."""

    saved = Signal(str)

    def __init__(self, model: StudyModel, participant_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = model
        self.participant_id = participant_id
        form = model.protocol.consent
        self.setWindowTitle(f"Consent: {participant_id}")
        self.resize(760, 720)
        entry = model.entry(participant_id)
        who = entry.identity.name if entry else participant_id
        statement = QScrollArea(self)
        statement.setWidgetResizable(True)
        text = label(form.statement.strip(), wrap=True)
        text.setContentsMargins(8, 8, 8, 8)
        statement.setWidget(text)
        self.checklist = QListWidget(self)
        self.checklist.setWordWrap(True)
        self.checklist.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.checklist.setAccessibleName("Consent items")
        self.checklist.setStyleSheet("QListWidget::item { padding: 6px; }")
        self.items: dict[str, QListWidgetItem] = {}
        for item in form.items:
            row = QListWidgetItem(item.text, self.checklist)
            row.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            row.setCheckState(Qt.CheckState.Unchecked)
            self.items[item.key] = row
        self.checklist.itemChanged.connect(self._validate)
        self.interviewer = QLineEdit(self)
        self.interviewer.setPlaceholderText("your initials")
        self.on = QDateEdit(QDate.currentDate(), self)
        self.on.setCalendarPopup(True)
        self.on.setDisplayFormat("yyyy-MM-dd")
        details = QFormLayout()
        details.addRow("Interviewer", self.interviewer)
        details.addRow("Date", self.on)
        self.all = QCheckBox("All items agreed", self)
        self.all.toggled.connect(self._check_all)
        self.problem = label("", "error", wrap=True, parent=self)
        buttons, self.ok = ok_cancel(self, "Record consent", self.submit)
        column = QVBoxLayout(self)
        column.setSpacing(10)
        column.addWidget(label(f"Consent of {who}", "heading"))
        column.addWidget(
            label(
                f"Consent form version {form.form_version}. Read the statement aloud, then "
                "each item; tick the items the participant agrees to.",
                "muted",
                wrap=True,
            )
        )
        column.addWidget(statement, 1)
        column.addWidget(self.checklist, 1)
        column.addWidget(self.all)
        column.addLayout(details)
        column.addWidget(self.problem)
        column.addWidget(buttons)
        self._validate()

    def _check_all(self, on: bool) -> None:
        state = Qt.CheckState.Checked if on else Qt.CheckState.Unchecked
        for row in self.items.values():
            row.setCheckState(state)

    def agreed(self) -> tuple[str, ...]:
        return tuple(
            key for key, row in self.items.items() if row.checkState() == Qt.CheckState.Checked
        )

    def _validate(self) -> None:
        missing = len(self.items) - len(self.agreed())
        self.ok.setEnabled(missing == 0)
        self.ok.setToolTip(
            ""
            if missing == 0
            else f"{missing} item(s) not agreed; the interview cannot be recorded."
        )

    def submit(self) -> None:
        day = self.on.date()
        try:
            self.model.record_consent(
                self.participant_id,
                self.agreed(),
                interviewer=self.interviewer.text().strip(),
                on=date(day.year(), day.month(), day.day()),
            )
        except RecorderError as exc:
            self.problem.setText(sentence(exc))
            return
        log.info("consent recorded")
        self.saved.emit(self.participant_id)
        self.accept()


class IncentiveDialog(QDialog):
    """Record a thank-you given to a participant (e.g. a $10 gift card per interview)."""

    saved = Signal(str)

    def __init__(self, model: StudyModel, participant_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = model
        self.participant_id = participant_id
        self.setWindowTitle(f"Incentive: {participant_id}")
        self.setMinimumWidth(460)
        self.description = QLineEdit("$10 gift card", self)
        self.session = QLineEdit(self)
        self.session.setPlaceholderText("optional session ID, e.g. S-4F7QX")
        entry = model.entry(participant_id)
        given = entry.incentives if entry else ()
        history = (
            "\n".join(f"{i.date}: {i.description}" for i in given) if given else "None given yet."
        )
        form = QFormLayout()
        form.addRow("Given", self.description)
        form.addRow("For session", self.session)
        self.problem = label("", "error", wrap=True, parent=self)
        buttons, self.ok = ok_cancel(self, "Record incentive", self.submit)
        column = QVBoxLayout(self)
        column.addWidget(label("Record an incentive", "heading"))
        column.addWidget(label(history, "muted", wrap=True))
        column.addLayout(form)
        column.addWidget(self.problem)
        column.addWidget(buttons)

    def submit(self) -> None:
        try:
            self.model.give_incentive(
                self.participant_id, self.description.text(), self.session.text().strip().upper()
            )
        except RecorderError as exc:
            self.problem.setText(sentence(exc))
            return
        self.saved.emit(self.participant_id)
        self.accept()
