"""The human corrections of the machine transcript, shown and exported on request."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from recorder.core.review.corrections import corrections, render_corrections
from recorder.core.review.document import ReviewDocument
from recorder.ui.messages import show_error
from recorder.ui.widgets import label

log = logging.getLogger(__name__)


class CorrectionsDialog(QDialog):
    """Read-only text of every corrected turn; Export… writes it where the user chooses."""

    def __init__(self, document: ReviewDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Corrections")
        self.resize(760, 560)
        result = corrections(document.machine, document.transcript)
        self.text = render_corrections(result, document.transcript.speakers)
        view = QPlainTextEdit(self.text)
        view.setReadOnly(True)
        view.setFont(QFont("DejaVu Sans Mono", 10))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        export = buttons.addButton("Export…", QDialogButtonBox.ButtonRole.ActionRole)
        export.setToolTip("Save these corrections as a text file (it contains interview text)")
        export.clicked.connect(self.export)
        buttons.rejected.connect(self.reject)
        column = QVBoxLayout(self)
        column.addWidget(label("Human corrections of the machine transcript", "heading"))
        column.addWidget(
            label(
                "Each corrected turn: what the machine heard (-) and the reviewed text (+).",
                "muted",
            )
        )
        column.addWidget(view, 1)
        column.addWidget(buttons)

    def export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export the corrections", "corrections.txt")
        if path:
            self.write(Path(path))

    def write(self, path: Path) -> None:
        """An explicit export by the user: plain text at ``path``."""
        try:
            path.write_text(self.text, encoding="utf-8")
        except OSError as exc:
            show_error(self, exc)
            return
        log.info("exported the corrections of a transcript")
