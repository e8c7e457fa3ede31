"""Create a study: two folders, two passphrases, and a plain warning about losing them."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QLayout,
    QLineEdit,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from recorder.core.enrolment import create_study
from recorder.ui.messages import sentence
from recorder.ui.widgets import FolderField, PassphraseField, form, label, ok_cancel
from recorder.ui.worker import Task, run_call

log = logging.getLogger(__name__)

LOSS_WARNING = (
    "Nobody can recover a lost passphrase, not even the developers: the data it protects is "
    "gone for good. Write both passphrases down and keep them in different places; the "
    "code-map passphrase should be known only to whoever may re-identify participants."
)


class CreateStudyDialog(QDialog):
    """Emits ``created(study, codemap)`` once both vaults exist."""

    created = Signal(object, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Create a study")
        self.setMinimumWidth(760)
        self.resize(820, 720)
        self.task: Task | None = None
        self.title = QLineEdit(self)
        self.title.setPlaceholderText("e.g. Crisis response teams 2026")
        self.study_folder = FolderField("Study folder", "an empty or new folder", self)
        self.codemap_folder = FolderField(
            "Code-map folder", "a separate folder, e.g. on an encrypted USB drive", self
        )
        self.study_pass = PassphraseField(feedback=True, parent=self)
        self.study_pass2 = PassphraseField(parent=self)
        self.codemap_pass = PassphraseField(feedback=True, parent=self)
        self.codemap_pass2 = PassphraseField(parent=self)
        self.understood = QCheckBox(
            "I understand that a lost passphrase means lost data, and I have written both down.",
            self,
        )
        fields = form(
            [
                ("Study title", self.title),
                ("Study folder", self.study_folder),
                ("Study passphrase", self.study_pass),
                ("Repeat it", self.study_pass2),
                ("Code-map folder", self.codemap_folder),
                ("Code-map passphrase", self.codemap_pass),
                ("Repeat it", self.codemap_pass2),
            ]
        )
        self.problem = label("", "error", wrap=True, parent=self)
        self.busy = QProgressBar(self)
        self.busy.setRange(0, 0)
        self.busy.setFormat("Deriving keys…")
        self.busy.hide()
        buttons, self.ok = ok_cancel(self, "Create study", self.submit)
        column = QVBoxLayout(self)
        column.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        column.setSpacing(12)
        column.addWidget(label("Create a study", "title"))
        column.addWidget(
            label(
                "The study vault holds recordings and transcripts under study IDs. The code map "
                "holds names, contacts and consent, under its own passphrase and in its own "
                "folder.",
                "muted",
                wrap=True,
            )
        )
        column.addLayout(fields)
        column.addWidget(label(LOSS_WARNING, "warning", wrap=True))
        column.addWidget(self.understood)
        column.addWidget(self.problem)
        column.addWidget(self.busy)
        column.addWidget(buttons)
        for field in (self.study_pass, self.study_pass2, self.codemap_pass, self.codemap_pass2):
            field.changed.connect(self._validate)
        for folder in (self.study_folder, self.codemap_folder):
            folder.changed.connect(self._validate)
        self.understood.toggled.connect(self._validate)
        self._validate()

    def blocker(self) -> str:
        """Why Create is disabled, or "" when the form is complete."""
        if self.study_folder.path() is None or self.codemap_folder.path() is None:
            return "Choose both folders."
        if self.study_pass.text() != self.study_pass2.text():
            return "The two study passphrases differ."
        if self.codemap_pass.text() != self.codemap_pass2.text():
            return "The two code-map passphrases differ."
        if not self.understood.isChecked():
            return "Confirm that you have written the passphrases down."
        return ""

    def _validate(self) -> None:
        reason = self.blocker()
        self.ok.setEnabled(not reason and self.task is None)
        self.ok.setToolTip(reason)
        self.problem.setText("")

    def submit(self) -> None:
        if self.blocker() or self.task is not None:
            return
        study_folder, codemap_folder = self.study_folder.path(), self.codemap_folder.path()
        assert study_folder is not None and codemap_folder is not None
        args: dict[str, Any] = {
            "study_folder": study_folder,
            "codemap_folder": codemap_folder,
            "study_passphrase": self.study_pass.text(),
            "codemap_passphrase": self.codemap_pass.text(),
            "title": self.title.text().strip(),
        }
        self.busy.show()
        self.ok.setEnabled(False)
        self.task = run_call(lambda: create_study(**args), on_done=self._done, on_error=self._fail)

    def _done(self, result: object) -> None:
        self.task = None
        self.busy.hide()
        assert isinstance(result, tuple)
        self.created.emit(*result)
        self.accept()

    def _fail(self, exc: BaseException) -> None:
        self.task = None
        self.busy.hide()
        self.problem.setText(sentence(exc))
        self.ok.setEnabled(not self.blocker())
