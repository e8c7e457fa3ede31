"""The first screen: create a study, open one, or pick a recent one (listed by folder only).

Startup is timed to this page's first paint, so it uses no ``Qt.*`` enum (see widgets.py).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from recorder import __version__
from recorder.core import appconfig
from recorder.ui.widgets import button, card, label


class StartPage(QWidget):
    """Emits ``create_requested`` or ``open_requested(folder, codemap_folder or None)``."""

    create_requested = Signal()
    open_requested = Signal(object, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.create_button = button(
            "Create a study…", shortcut="", tip="A new study and its code map (Ctrl+N)",
            primary=True, big=True,
        )  # fmt: skip
        self.open_button = button("Open a study…", tip="Open a study folder (Ctrl+O)", big=True)
        self.create_button.clicked.connect(self.create_requested)
        self.open_button.clicked.connect(self.browse)
        self.recent = QListWidget(self)
        self.recent.setAccessibleName("Recent studies")
        self.recent.itemActivated.connect(self._activated)
        self.empty = label("No recent studies on this computer.", "muted")

        intro, intro_layout = card()
        intro_layout.addWidget(label("Interview Recorder", "title"))
        intro_layout.addWidget(
            label(
                "Record research interviews on this laptop, offline. Audio, transcripts and "
                "the code map that links people to study IDs are encrypted as they are written; "
                "nothing leaves this computer unless you export it.",
                "muted",
                wrap=True,
            )
        )
        buttons = QHBoxLayout()
        buttons.addWidget(self.create_button)
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        intro_layout.addLayout(buttons)

        recent, recent_layout = card()
        recent_layout.addWidget(label("Recent studies", "heading"))
        recent_layout.addWidget(
            label("Listed by folder only: study titles are encrypted.", "muted", wrap=True)
        )
        recent_layout.addWidget(self.recent, 1)
        recent_layout.addWidget(self.empty)

        column = QVBoxLayout(self)
        column.setContentsMargins(120, 56, 120, 32)
        column.setSpacing(18)
        column.addWidget(intro)
        column.addWidget(recent, 1)
        footer = QHBoxLayout()
        footer.addStretch(1)
        footer.addWidget(label(f"Version {__version__}", "muted"))
        column.addLayout(footer)
        self.studies: list[appconfig.RecentStudy] = []  # one per row of ``recent``
        self.refresh()

    def refresh(self) -> None:
        self.recent.clear()
        self.studies = studies = appconfig.recent_studies()
        for study in studies:
            text = str(study.folder) + ("" if study.exists else "   (not found)")
            row = QListWidgetItem(text)
            if not study.exists:
                row.setToolTip("Not found: moved, renamed, or on a drive that is not connected")
            self.recent.addItem(row)
        self.empty.setVisible(not studies)
        self.recent.setVisible(bool(studies))
        if studies:
            self.recent.setCurrentRow(0)

    def _activated(self, row: QListWidgetItem) -> None:
        study = self.studies[self.recent.row(row)]
        if study.exists:
            self.open_requested.emit(study.folder, study.codemap_folder)

    def browse(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        folder = QFileDialog.getExistingDirectory(self, "Open a study folder")
        if folder:
            self.open_requested.emit(Path(folder), None)
