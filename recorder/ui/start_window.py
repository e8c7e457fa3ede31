"""The first window: a calm welcome. The full study home arrives with the GUI issue."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMainWindow, QVBoxLayout, QWidget

from recorder import __version__


class StartWindow(QMainWindow):
    """Placeholder start screen until the study home lands."""

    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle("Interview Recorder")
        self.resize(960, 640)
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(48, 48, 48, 48)
        layout.setSpacing(16)
        title = QLabel("Interview Recorder", body)
        title.setObjectName("title")
        font = title.font()
        font.setPointSize(24)
        font.setBold(True)
        title.setFont(font)
        text = QLabel(
            "Encrypted, offline recording and transcription of research interviews.\n\n"
            "The study home is being built. Meanwhile every task is available from the "
            "command line: run  python main.py --help",
            body,
        )
        text.setWordWrap(True)
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        version = QLabel(f"Version {__version__}", body)
        version.setEnabled(False)
        layout.addWidget(title)
        layout.addWidget(text)
        layout.addStretch(1)
        layout.addWidget(version)
        self.setCentralWidget(body)
