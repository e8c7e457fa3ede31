"""Enrol or edit a participant: identity, contact, role, demographics, referral (code map)."""

from __future__ import annotations

import logging

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from recorder.core.errors import RecorderError
from recorder.core.model import Identity
from recorder.ui.messages import sentence
from recorder.ui.study_model import StudyModel
from recorder.ui.widgets import label, ok_cancel

log = logging.getLogger(__name__)

#: Demographic questions asked at enrolment; answers live only in the code map.
DEMOGRAPHICS = (
    ("years_in_role", "Years in current role"),
    ("years_in_field", "Years in the field"),
    ("age_band", "Age band"),
    ("gender", "Gender"),
    ("education", "Highest education"),
)
AGE_BANDS = ("", "18-29", "30-39", "40-49", "50-59", "60+", "Prefer not to say")


class ParticipantDialog(QDialog):
    """Emits ``saved(participant_id)`` after the code map and registry are written."""

    saved = Signal(str)

    def __init__(
        self, model: StudyModel, participant_id: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.model = model
        self.participant_id = participant_id
        self.setWindowTitle("Edit participant" if participant_id else "Enrol a participant")
        self.setMinimumWidth(560)
        self.name = QLineEdit(self)
        self.nicknames = QLineEdit(self)
        self.nicknames.setPlaceholderText("names they go by, comma-separated (helps redaction)")
        self.email = QLineEdit(self)
        self.phone = QLineEdit(self)
        self.agency = QLineEdit(self)
        self.role = QComboBox(self)
        for role in model.protocol.roles:
            self.role.addItem(role.label, role.key)
        self.referred_by = QComboBox(self)
        self.referred_by.addItem("Nobody", "")
        for p in model.active_participants():
            if p.participant_id != participant_id:
                self.referred_by.addItem(p.participant_id, p.participant_id)
        self.demographics: dict[str, QLineEdit | QComboBox] = {}
        identity = QFormLayout()
        identity.addRow("Full name", self.name)
        identity.addRow("Also known as", self.nicknames)
        identity.addRow("E-mail", self.email)
        identity.addRow("Phone", self.phone)
        identity.addRow("Agency", self.agency)
        identity.addRow("Role", self.role)
        identity.addRow("Referred by", self.referred_by)
        demo_box = QGroupBox("Demographics (kept in the code map, apart from transcripts)", self)
        demo = QFormLayout(demo_box)
        for key, text in DEMOGRAPHICS:
            field: QLineEdit | QComboBox
            if key == "age_band":
                field = QComboBox(demo_box)
                field.addItems(AGE_BANDS)
            else:
                field = QLineEdit(demo_box)
            self.demographics[key] = field
            demo.addRow(text, field)
        self.problem = label("", "error", wrap=True, parent=self)
        buttons, self.ok = ok_cancel(self, "Save" if participant_id else "Enrol", self.submit)
        column = QVBoxLayout(self)
        column.setSpacing(12)
        column.addWidget(label(self.windowTitle(), "heading"))
        column.addWidget(
            label(
                "Identity and contact details are stored only in the encrypted code map. "
                "The study itself knows this person by a random study ID and role.",
                "muted",
                wrap=True,
            )
        )
        column.addLayout(identity)
        column.addWidget(demo_box)
        column.addWidget(self.problem)
        column.addWidget(buttons)
        if participant_id:
            self._load(participant_id)

    def _load(self, participant_id: str) -> None:
        entry = self.model.entry(participant_id)
        registry = self.model.study.participant(participant_id)
        self.role.setCurrentIndex(max(0, self.role.findData(registry.role)))
        if entry is None:
            return
        ident = entry.identity
        self.name.setText(ident.name)
        self.nicknames.setText(", ".join(ident.nicknames))
        self.email.setText(ident.email)
        self.phone.setText(ident.phone)
        self.agency.setText(ident.agency)
        self.referred_by.setCurrentIndex(max(0, self.referred_by.findData(entry.referred_by)))
        for key, field in self.demographics.items():
            value = entry.demographics.get(key, "")
            if isinstance(field, QComboBox):
                field.setCurrentIndex(max(0, field.findText(value)))
            else:
                field.setText(value)

    def identity(self) -> Identity:
        nicknames = tuple(n.strip() for n in self.nicknames.text().split(",") if n.strip())
        return Identity(
            name=self.name.text().strip(),
            email=self.email.text().strip(),
            phone=self.phone.text().strip(),
            agency=self.agency.text().strip(),
            nicknames=nicknames,
        )

    def demographic_values(self) -> dict[str, str]:
        values = {}
        for key, field in self.demographics.items():
            text = field.currentText() if isinstance(field, QComboBox) else field.text()
            if text.strip():
                values[key] = text.strip()
        return values

    def submit(self) -> None:
        role = str(self.role.currentData())
        referrer = str(self.referred_by.currentData() or "")
        try:
            if self.participant_id:
                self.model.update_participant(
                    self.participant_id,
                    self.identity(),
                    role,
                    referred_by=referrer,
                    demographics=self.demographic_values(),
                )
            else:
                entry = self.model.enrol(
                    self.identity(),
                    role,
                    referred_by=referrer,
                    demographics=self.demographic_values(),
                )
                self.participant_id = entry.participant_id
        except RecorderError as exc:
            self.problem.setText(sentence(exc))
            return
        log.info("participant saved")
        self.saved.emit(self.participant_id)
        self.accept()
