"""The export dialog's live preview: the first page of the chosen format for the current
selection, rendered by the core off the GUI thread and debounced while the user clicks around.

The preview is shown, never written: it is not selectable (no copy to the clipboard).
"""

from __future__ import annotations

import html
import logging
import re

import shiboken6
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QTextEdit, QVBoxLayout, QWidget

from recorder.core.export.selection import ExportOptions, load_document
from recorder.core.export.service import preview
from recorder.core.study import Study
from recorder.ui.messages import sentence
from recorder.ui.theme import colours
from recorder.ui.widgets import label
from recorder.ui.worker import run_call

log = logging.getLogger(__name__)

#: How much of the export the preview shows (about one printed page).
PAGE_LINES = 60
DEBOUNCE_MS = 250

#: What the first page of each format is, for the caption.
WHAT = {
    "qdpx": "outline of the REFI-QDA project",
    "docx": "outline of the Word document",
    "txt": "the readable .txt (a speaker-prefixed .speakers.txt comes with it)",
    "srt": "the subtitles",
    "vtt": "the web subtitles",
    "csv": "the table of turns",
    "json": "the JSON",
}

HEADING = "font-size: 12pt; font-weight: 600"
TITLE = "font-size: 15pt; font-weight: 600"
_BOLD = re.compile(r"\*\*(.+?)\*\*")


def first_page(text: str, lines: int = PAGE_LINES) -> str:
    """The first ``lines`` lines of ``text``, marked when there is more."""
    rows = text.splitlines()
    if len(rows) <= lines:
        return text
    return "\n".join([*rows[:lines], "…"])


def outline_html(text: str) -> str:
    """The DOCX outline (``# title``, ``## heading``, ``**bold**``) as a readable page."""
    c = colours()
    parts = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("## "):
            parts.append(f"<p style='margin:14px 0 4px 0; {HEADING}'>{html.escape(line[3:])}</p>")
        elif line.startswith("# "):
            parts.append(f"<p style='margin:0 0 6px 0; {TITLE}'>{html.escape(line[2:])}</p>")
        elif line == "…":
            parts.append(f"<p style='color:{c.muted}'>…</p>")
        elif not raw.startswith("  ["):
            parts.append(
                f"<div style='color:{c.muted}; margin:0'>{html.escape(line)}</div>"
            )  # the facts table and the member-check note
        else:
            body = _BOLD.sub(r"<b>\1</b>", html.escape(line))
            stamp, _, rest = body.partition("] ")
            parts.append(
                f"<p style='margin:4px 0'><span style='color:{c.muted}'>{stamp}]</span> {rest}</p>"
            )
    return "\n".join(parts)


def render_preview(study: Study, options: ExportOptions) -> str:
    """The first page of the export ``options`` describe (reads and decrypts into memory)."""
    doc = load_document(study, options)
    return first_page(preview(doc, options.export_format))


class ExportPreview(QWidget):
    """Shows the first page; ``request`` asks for a new one, ``updated`` says it is shown."""

    updated = Signal()

    def __init__(self, study: Study, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.study = study
        self.options: ExportOptions | None = None
        self.busy = False
        self.shown_format = ""  # the format of the page on screen ("" for a message)
        self._generation = 0
        self._reason = ""
        self.caption = label("", "muted", wrap=True, parent=self)
        self.page = QTextEdit(self)
        self.page.setReadOnly(True)
        self.page.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.page.setAccessibleName("Preview of the first page")
        self.page.setLineWrapMode(QTextEdit.LineWrapMode.WidgetWidth)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._run)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(6)
        column.addWidget(self.caption)
        column.addWidget(self.page, 1)

    def text(self) -> str:
        """The preview as plain text (what the page shows)."""
        return self.page.toPlainText()

    def request(self, options: ExportOptions | None, reason: str = "") -> None:
        """Preview ``options`` (one session) soon; ``None`` shows ``reason`` instead."""
        self.options = options
        self._reason = reason
        self._generation += 1
        self.busy = True
        self._timer.start()

    def _run(self) -> None:
        generation = self._generation
        options = self.options
        if options is None:
            self._show_message(self._reason or "Tick a session to see a preview.")
            return
        self.caption.setText("Preparing the preview…")
        study = self.study
        run_call(
            lambda: render_preview(study, options),
            on_done=lambda text: self._done(generation, options, text),
            on_error=lambda exc: self._failed(generation, exc),
        )

    def _done(self, generation: int, options: ExportOptions, text: str) -> None:
        if not shiboken6.isValid(self) or generation != self._generation:
            return  # a newer request is on its way
        fmt = options.export_format
        session = options.session_ids[0] if options.session_ids else ""
        content = "identifiable" if options.identifiable else "de-identified"
        self.caption.setText(f"First page · {fmt.upper()}, {WHAT.get(fmt, fmt)} · {session} "
                             f"({content})")  # fmt: skip
        if fmt == "docx":
            self.page.setFont(QFont())
            self.page.setHtml(outline_html(text))
        else:
            self.page.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
            self.page.setPlainText(text)
        self.shown_format = fmt
        self.busy = False
        log.debug("export preview shown (%s)", fmt)
        self.updated.emit()

    def _failed(self, generation: int, exc: BaseException) -> None:
        if shiboken6.isValid(self) and generation == self._generation:
            self._show_message("No preview: " + sentence(exc))

    def _show_message(self, text: str) -> None:
        self.caption.setText("")
        self.page.setFont(QFont())
        self.page.setPlainText(text)
        self.shown_format = ""
        self.busy = False
        self.updated.emit()
