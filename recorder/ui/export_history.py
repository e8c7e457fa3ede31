"""Past exports of a study, from the export log sealed in the study vault: when, which
sessions, which format, de-identified or identifiable, how protected, and the recipients' key
fingerprints. Never any content."""

from __future__ import annotations

import logging
from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from recorder.core.errors import RecorderError
from recorder.core.export.log import ExportRecord, list_exports
from recorder.core.study import Study
from recorder.ui.messages import sentence
from recorder.ui.theme import colours
from recorder.ui.widgets import button, label

log = logging.getLogger(__name__)

COLUMNS = ["When", "Format", "Content", "Protection", "Sessions", "Recipients (key fingerprints)"]
PROTECTION = {"passphrase": "Passphrase", "recipients": "Public keys", "plaintext": "NOT encrypted"}


def local_time(iso: str) -> str:
    """``2025-07-14T10:32:05+00:00`` as local ``2025-07-14 12:32``."""
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return iso


def content(record: ExportRecord) -> str:
    """De-identified or identifiable, audio, member check: in words."""
    text = "De-identified" if record.transcript == "de-identified" else "IDENTIFIABLE"
    if record.audio:
        text += " + audio"
    if record.member_check:
        text += f" · member check for {record.member_check}"
    return text


def risky(record: ExportRecord) -> bool:
    return record.transcript != "de-identified" or record.audio


class ExportHistory(QWidget):
    """A table of the study's exports, newest first; ``refresh()`` re-reads the log."""

    def __init__(self, study: Study, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.study = study
        self.records: list[ExportRecord] = []
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.empty = label("No exports yet.", "muted", parent=self)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.table, 1)
        column.addWidget(self.empty)
        self.refresh()

    def refresh(self) -> None:
        try:
            self.records = list(reversed(list_exports(self.study)))
        except RecorderError as exc:
            self.records = []
            self.empty.setText("The export log could not be read: " + sentence(exc))
        else:
            self.empty.setText("No exports yet." if not self.records else "")
        self.empty.setVisible(not self.records)
        c = colours()
        self.table.setRowCount(len(self.records))
        for row, r in enumerate(self.records):
            values = [
                local_time(r.at),
                r.export_format.upper(),
                content(r),
                PROTECTION.get(r.protection, r.protection),
                ", ".join(r.sessions),
                ", ".join(r.recipients) or "—",
            ]
            for col, value in enumerate(values):
                cell = QTableWidgetItem(value)
                cell.setData(Qt.ItemDataRole.UserRole, r.export_id)
                cell.setToolTip(f"{value}\nSHA-256 of the file written: {r.sha256}")
                self.table.setItem(row, col, cell)
            for col, warn in ((2, risky(r)), (3, r.protection == "plaintext")):
                item = self.table.item(row, col)
                if warn and item is not None:
                    item.setForeground(QBrush(QColor(c.warning)))
        log.debug("export history shows %d record(s)", len(self.records))

    def rows(self) -> list[list[str]]:
        """The table as text (for tests and accessibility checks)."""
        out = []
        for row in range(self.table.rowCount()):
            cells = [self.table.item(row, col) for col in range(self.table.columnCount())]
            out.append([c.text() if c is not None else "" for c in cells])
        return out


class ExportHistoryDialog(QDialog):
    """The export history in its own window: ``ExportHistoryDialog(study, parent)``."""

    def __init__(self, study: Study, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Past exports")
        self.resize(980, 460)
        self.history = ExportHistory(study, self)
        close = button("Close")
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(close)
        column = QVBoxLayout(self)
        column.setContentsMargins(22, 18, 22, 18)
        column.setSpacing(10)
        column.addWidget(label("Past exports", "title"))
        column.addWidget(
            label(
                "Every export of this study is recorded here: when, what and to whom (by key "
                "fingerprint). The record holds no transcript text. Match a file to its record "
                "by its SHA-256 (hover a row).",
                "muted",
                wrap=True,
            )
        )
        column.addWidget(self.history, 1)
        column.addLayout(buttons)

    def refresh(self) -> None:
        self.history.refresh()
