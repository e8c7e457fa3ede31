"""Unlock a vault: the passphrase (and, for a code map, its folder); Argon2id runs off the GUI."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from recorder.core.errors import WrongPassphrase
from recorder.ui.messages import sentence
from recorder.ui.widgets import FolderField, PassphraseField, label, ok_cancel
from recorder.ui.worker import Task, run_call

log = logging.getLogger(__name__)

Opener = Callable[[Path, str], object]


class UnlockDialog(QDialog):
    """Asks for a passphrase, runs ``opener(folder, passphrase)`` in the background.

    Emits ``unlocked(result)``. A wrong passphrase keeps the dialog open with a sentence
    saying so; the folder field is shown only when ``ask_folder`` is set.
    """

    unlocked = Signal(object)

    def __init__(
        self,
        title: str,
        explanation: str,
        folder: Path | None,
        opener: Opener,
        *,
        ask_folder: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(520)
        self._opener = opener
        self.task: Task | None = None
        self.folder = FolderField(title, parent=self)
        self.folder.set_path(folder)
        self.passphrase = PassphraseField(parent=self)
        form = QFormLayout()
        if ask_folder:
            form.addRow("Folder", self.folder)
        else:
            self.folder.hide()  # kept only to hold the path
            form.addRow("Folder", label(str(folder or ""), "muted", wrap=True))
        form.addRow("Passphrase", self.passphrase)
        self.problem = label("", "error", wrap=True, parent=self)
        self.busy = QProgressBar(self)
        self.busy.setRange(0, 0)
        self.busy.hide()
        buttons, self.ok = ok_cancel(self, "Unlock", self.submit)
        column = QVBoxLayout(self)
        column.setSpacing(12)
        column.addWidget(label(title, "heading"))
        column.addWidget(label(explanation, "muted", wrap=True))
        column.addLayout(form)
        column.addWidget(self.problem)
        column.addWidget(self.busy)
        column.addWidget(buttons)
        self.passphrase.edit.setFocus()

    def submit(self) -> None:
        folder = self.folder.path()
        if self.task is not None:
            return
        if folder is None:
            self.problem.setText("Choose the folder first.")
            return
        if not self.passphrase.text():
            self.problem.setText("Type the passphrase.")
            return
        passphrase = self.passphrase.text()
        self.problem.setText("")
        self.busy.show()
        self.ok.setEnabled(False)
        self.task = run_call(
            lambda: self._opener(folder, passphrase), on_done=self._done, on_error=self._fail
        )

    def _done(self, result: object) -> None:
        self.task = None
        self.busy.hide()
        self.unlocked.emit(result)
        self.accept()

    def _fail(self, exc: BaseException) -> None:
        self.task = None
        self.busy.hide()
        self.ok.setEnabled(True)
        if isinstance(exc, WrongPassphrase):
            self.passphrase.clear()
        self.problem.setText(sentence(exc))
        self.passphrase.edit.setFocus()
