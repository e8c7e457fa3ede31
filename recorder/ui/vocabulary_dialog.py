"""The study vocabulary: a plain list of the words transcription should spell the study's way.

Whisper is told the glossary, with the protocol's vignette titles and names, before it listens
(see :mod:`recorder.core.transcribe.vocabulary`). Edits apply on Save; sessions transcribed
from then on use them.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QVBoxLayout,
    QWidget,
)

from recorder.core import appconfig
from recorder.core.errors import RecorderError
from recorder.core.protocol import Protocol
from recorder.core.study import Study
from recorder.core.transcribe import vocabulary
from recorder.ui.messages import sentence
from recorder.ui.widgets import button, label, ok_cancel

log = logging.getLogger(__name__)

NOTE = (
    "Words the transcription tends to get wrong: agency names, local places, jargon and "
    "abbreviations. Whisper is told these, together with the vignettes' titles and names, "
    "before it listens, so it spells them the way the study does. Sessions transcribed from "
    "now on use this list. Keep real people's names out of it: it is stored in the study, not "
    "in the code map."
)


class VocabularyDialog(QDialog):
    """Add and remove glossary terms; ``saved(count)`` after Save."""

    saved = Signal(int)

    def __init__(self, study: Study, protocol: Protocol, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.study = study
        self.protocol = protocol
        self.setWindowTitle("Study vocabulary")
        self.resize(620, 680)
        self.list = QListWidget(self)
        self.list.setAccessibleName("Vocabulary terms")
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.setStyleSheet("QListWidget::item { padding: 4px 6px; }")
        self.list.itemSelectionChanged.connect(self._update)
        self.entry = QLineEdit(self)
        self.entry.setPlaceholderText("A new term, e.g. co-responder or 5150 hold")
        self.entry.setMaxLength(vocabulary.MAX_TERM_CHARS)
        self.entry.installEventFilter(self)  # Enter adds the term and does not press Save
        self.entry.textChanged.connect(self._update)
        self.add_button = button("Add", tip="Add the term (Enter)")
        self.add_button.clicked.connect(self.add)
        self.remove_button = button("Remove", tip="Remove the selected terms (Delete)")
        self.remove_button.clicked.connect(self.remove)
        self.defaults_button = button(
            "Use the defaults", tip=f"The default list of the {protocol.id} protocol"
        )
        self.defaults_button.clicked.connect(self.use_defaults)
        self.count = label("", "muted", parent=self)
        self.problem = label("", "error", wrap=True, parent=self)
        self.problem.hide()
        self.preview = label("", "muted", wrap=True, parent=self)
        self.preview.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.use = QCheckBox("Let whisper hear this vocabulary when transcribing", self)
        self.use.setChecked(appconfig.use_vocabulary())
        self.use.setToolTip(
            "With the built-in model this spells glossary words right far more often (about 75 % "
            "instead of 45 % measured), but it can add errors elsewhere: check the transcript."
        )
        buttons, self.ok = ok_cancel(self, "Save", self.save)

        add_row = QHBoxLayout()
        add_row.addWidget(self.entry, 1)
        add_row.addWidget(self.add_button)
        list_row = QHBoxLayout()
        list_row.addWidget(self.count, 1)
        list_row.addWidget(self.defaults_button)
        list_row.addWidget(self.remove_button)
        column = QVBoxLayout(self)
        column.setContentsMargins(22, 18, 22, 18)
        column.setSpacing(10)
        column.addWidget(label("Study vocabulary", "title"))
        column.addWidget(label(NOTE, "muted", wrap=True))
        column.addLayout(add_row)
        column.addWidget(self.list, 1)
        column.addLayout(list_row)
        column.addWidget(self.problem)
        column.addWidget(self.use)
        column.addWidget(label("What whisper hears before every 30 seconds", "heading"))
        column.addWidget(self.preview)
        column.addWidget(buttons)

        try:
            terms = vocabulary.glossary(study, protocol)
        except RecorderError as exc:
            terms = ()
            self._say("The vocabulary could not be read: " + sentence(exc))
        self.list.addItems(list(terms))
        self._update()

    # -- editing --------------------------------------------------------------------------------

    def terms(self) -> list[str]:
        """The terms as listed now, top to bottom."""
        return [self.list.item(row).text() for row in range(self.list.count())]

    def add(self) -> None:
        """Add the typed term at the end (a duplicate, in any case, is pointed out)."""
        text = self.entry.text()
        if not text.strip():
            return
        try:
            term = vocabulary.clean_term(text)
            folded = [t.casefold() for t in self.terms()]
            if term.casefold() in folded:
                self.list.setCurrentRow(folded.index(term.casefold()))
                self._say(f"{term} is in the list already.")
                return
            vocabulary.clean_terms([*self.terms(), term])  # the size limits
        except RecorderError as exc:
            self._say(sentence(exc))
            return
        self.list.addItem(term)
        self.list.scrollToBottom()
        self.entry.clear()
        self._say("")
        self._update()

    def remove(self) -> None:
        for item in self.list.selectedItems():
            self.list.takeItem(self.list.row(item))
        self._say("")
        self._update()

    def use_defaults(self) -> None:
        self.list.clear()
        self.list.addItems(list(vocabulary.default_terms(self.protocol)))
        self._say("")
        self._update()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Delete and self.list.hasFocus():
            self.remove()
            return
        super().keyPressEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.entry
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            self.add()
            return True
        return super().eventFilter(watched, event)

    def _say(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.setVisible(bool(text))

    def _update(self) -> None:
        terms = self.terms()
        size = len(", ".join(terms))
        self.count.setText(
            f"{len(terms)} of at most {vocabulary.MAX_TERMS} terms · "
            f"{size} of {vocabulary.GLOSSARY_MAX_CHARS} characters"
        )
        self.add_button.setEnabled(bool(self.entry.text().strip()))
        self.remove_button.setEnabled(bool(self.list.selectedItems()))
        options = vocabulary.build_options(terms, self.protocol)
        self.preview.setText(options.hotwords or "Nothing: the list is empty.")

    # -- saving ---------------------------------------------------------------------------------

    def save(self) -> None:
        try:
            stored = vocabulary.set_glossary(self.study, self.terms())
        except RecorderError as exc:
            self._say(sentence(exc))
            return
        appconfig.set_use_vocabulary(self.use.isChecked())
        log.info("study vocabulary saved from the dialog")
        self.saved.emit(len(stored))
        self.accept()
