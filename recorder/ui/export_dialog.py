"""Export sessions: which sessions (with their de-identification status), which format (with a
live preview of the first page), how protected (passphrase or recipients' keys), and where.

De-identified and encrypted by default. The identifiable (reviewed) transcript, the audio and
a plaintext export each need an explicit, separately confirmed choice with a warning; the code
map never leaves. The export runs off the GUI thread with progress and Cancel, and is recorded
in the study (see :mod:`recorder.ui.export_history`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path

import shiboken6
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from recorder.core.errors import Cancelled
from recorder.core.export.document import FORMATS, DateBand
from recorder.core.export.selection import ExportOptions
from recorder.core.export.service import ExportResult, Protection, run_export
from recorder.core.jobs import Progress
from recorder.core.study import Study
from recorder.ui.export_history import ExportHistoryDialog
from recorder.ui.export_preview import ExportPreview
from recorder.ui.export_protection import PLAINTEXT_WARNING, ProtectionPanel
from recorder.ui.export_sessions import SessionPicker
from recorder.ui.messages import ask, sentence, show_error
from recorder.ui.theme import colours
from recorder.ui.widgets import button, card, form, label
from recorder.ui.worker import Task, run_task

log = logging.getLogger(__name__)

FORMAT_LABELS = {
    "qdpx": "REFI-QDA project (.qdpx): NVivo, ATLAS.ti, MAXQDA",
    "docx": "Word documents (.docx), one per session",
    "txt": "Plain text (.txt), with a speaker-prefixed copy for MAXQDA",
    "srt": "Subtitles (.srt)",
    "vtt": "Web subtitles (.vtt)",
    "csv": "Table of turns (.csv)",
    "json": "JSON (.json), for scripts",
}
DATE_LABELS = {
    DateBand.NONE: "Not shown",
    DateBand.YEAR: "Year only",
    DateBand.QUARTER: "Year and quarter",
    DateBand.MONTH: "Year and month",
}

IDENTIFIABLE_WARNING = (
    "The reviewed transcript still names people, places and agencies: it identifies "
    "participants. Export it only where your ethics approval allows identifiable data to leave "
    "the study, and only to people allowed to see it. The code map is never exported."
)
AUDIO_WARNING = (
    "Audio identifies people: voices can be recognised, and names said aloud are not removed "
    "from it. Include it only where your ethics approval allows recordings to leave the study."
)


class ExportDialog(QDialog):
    """``ExportDialog(study, session_ids, parent)``; emits ``exported(ExportRecord)``."""

    exported = Signal(object)

    def __init__(
        self, study: Study, session_ids: Iterable[str] = (), parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.study = study
        self.task: Task | None = None
        self.question: QMessageBox | None = None  # the confirmation open now (tests answer it)
        self.history: ExportHistoryDialog | None = None
        self.last_result: ExportResult | None = None
        self._outcome: tuple[str, str] | None = None  # the last export's report: text, style
        self._auto_out = True
        self.setWindowTitle("Export")
        self.resize(1220, 780)

        self.sessions = SessionPicker(study, session_ids, self)
        self.format = QComboBox(self)
        for key in FORMATS:
            self.format.addItem(FORMAT_LABELS.get(key, key), key)
        self.format.setCurrentIndex(self.format.findData("docx"))
        self.date_band = QComboBox(self)
        for band, text in DATE_LABELS.items():
            self.date_band.addItem(text, band.value)
        self.date_band.setToolTip("Never the day: a date can identify an interview.")
        self.member = QCheckBox("Member check: their own transcripts, for them", self)
        self.member.setToolTip(
            "A member-checking export: one participant's own sessions, with a request to "
            "read, edit, clarify or elaborate"
        )
        self.member_pick = QComboBox(self)
        self.member_pick.addItem("Choose the participant…", "")
        for p in study.participants():
            self.member_pick.addItem(f"{p.participant_id} ({p.role})", p.participant_id)
        self.member_pick.setEnabled(False)
        for combo in (self.format, self.date_band, self.member_pick):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(18)
        self.identifiable = QCheckBox("Identifiable transcripts (reviewed, not de-identified)…")
        self.audio = QCheckBox("Include the audio (lossless FLAC)…")
        self.plaintext = QCheckBox("Plaintext: not encrypted (a folder, or a .zip)…")
        self.risk = label("", "warning", wrap=True, parent=self)
        self.risk.hide()
        self.protection = ProtectionPanel(self)
        self.out = QLineEdit(self)
        self.out.setAccessibleName("Save the export as")
        self.choose_button = button("Choose…", tip="Choose where to save the export")
        self.choose_button.clicked.connect(self.choose_out)
        self.preview = ExportPreview(study, self)
        self.problem = label("", "muted", wrap=True, parent=self)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(True)
        self.progress.setFormat("%p%")
        self.progress.hide()
        self.cancel_button = button("Cancel export", tip="Stop; nothing is written")
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.hide()
        self.history_button = button("Past exports…", tip="Every export of this study")
        self.history_button.clicked.connect(self.show_history)
        self.close_button = button("Close")
        self.close_button.clicked.connect(self.reject)
        self.export_button = button("Export", primary=True, shortcut="Ctrl+Return")
        self.export_button.clicked.connect(self.submit)
        self._layout()

        self.sessions.changed.connect(self._changed)
        self.format.currentIndexChanged.connect(self._changed)
        self.date_band.currentIndexChanged.connect(self._changed)
        self.member.toggled.connect(self._member_changed)
        self.member_pick.currentIndexChanged.connect(self._member_changed)
        self.identifiable.clicked.connect(self._identifiable_clicked)
        self.audio.clicked.connect(self._audio_clicked)
        self.plaintext.clicked.connect(self._plaintext_clicked)
        self.protection.changed.connect(self._validate)
        self.out.textEdited.connect(self._out_edited)
        self.out.textChanged.connect(self._validate)
        self._suggest_out()
        self._changed()

    def _layout(self) -> None:
        sessions_card, sessions_layout = card()
        sessions_layout.addWidget(label("Sessions", "heading"))
        sessions_layout.addWidget(self.sessions, 1)

        what_card, what_layout = card()
        what_layout.addWidget(label("What to export", "heading"))
        member_row = QWidget(self)
        member = QVBoxLayout(member_row)
        member.setContentsMargins(0, 0, 0, 0)
        member.addWidget(self.member)
        member.addWidget(self.member_pick)
        what_layout.addLayout(
            form([("Format", self.format), ("Interview date", self.date_band),
                  ("For a participant", member_row)])
        )  # fmt: skip
        care = QGroupBox("Only when you must (each asks first)", self)
        care_layout = QVBoxLayout(care)
        care_layout.setSpacing(4)
        for box in (self.identifiable, self.audio, self.plaintext):
            care_layout.addWidget(box)
        care_layout.addWidget(self.risk)
        what_layout.addWidget(care)

        left = QVBoxLayout()
        left.setSpacing(12)
        left.addWidget(sessions_card, 1)
        left.addWidget(what_card)

        preview_card, preview_layout = card()
        preview_layout.addWidget(label("Preview", "heading"))
        preview_layout.addWidget(self.preview, 1)

        protect_card, protect_layout = card()
        protect_layout.addWidget(label("Protection and destination", "heading"))
        protect_layout.addWidget(self.protection)
        out_row = QWidget(self)
        out_layout = QHBoxLayout(out_row)
        out_layout.setContentsMargins(0, 0, 0, 0)
        out_layout.addWidget(self.out, 1)
        out_layout.addWidget(self.choose_button)
        protect_layout.addLayout(form([("Save as", out_row)]))

        right = QVBoxLayout()
        right.setSpacing(12)
        right.addWidget(preview_card, 1)
        right.addWidget(protect_card)

        columns = QHBoxLayout()
        columns.setSpacing(14)
        columns.addLayout(left, 11)
        columns.addLayout(right, 12)

        progress_row = QHBoxLayout()
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.cancel_button)
        buttons = QHBoxLayout()
        buttons.addWidget(self.history_button)
        buttons.addWidget(self.problem, 1)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.export_button)

        column = QVBoxLayout(self)
        column.setContentsMargins(22, 16, 22, 16)
        column.setSpacing(12)
        column.addWidget(label("Export", "title"))
        column.addWidget(
            label(
                "De-identified transcripts, encrypted with age, by default: the recipient opens "
                "them with this app or the standard age tool. Each export is recorded in the "
                "study. The code map is never exported.",
                "muted",
                wrap=True,
            )
        )
        column.addLayout(columns, 1)
        column.addLayout(progress_row)
        column.addLayout(buttons)

    # -- the choices --------------------------------------------------------------------------

    def export_format(self) -> str:
        return str(self.format.currentData())

    def member_id(self) -> str:
        return str(self.member_pick.currentData() or "") if self.member.isChecked() else ""

    def options(self, session_ids: Iterable[str] | None = None) -> ExportOptions:
        """The export as chosen (for ``session_ids`` if given, else the ticked sessions)."""
        chosen = self.sessions.checked() if session_ids is None else list(session_ids)
        return ExportOptions(
            export_format=self.export_format(),
            session_ids=tuple(chosen),
            identifiable=self.identifiable.isChecked(),
            include_audio=self.audio.isChecked(),
            date_band=DateBand(str(self.date_band.currentData())),
            member_check=self.member_id(),
        )

    def _changed(self) -> None:
        """Any choice that changes what is exported: new warnings, preview and file name."""
        if self.task is None:
            self._outcome = None  # the last export's report gives way to the new choice
        self._suggest_out()
        self._request_preview()
        self._validate()

    def _request_preview(self) -> None:
        if not self.sessions.ready:
            return
        exportable = self.sessions.exportable()
        if exportable:
            # one session is a page; the preview never needs the audio
            options = self.options([exportable[0]])
            self.preview.request(
                ExportOptions(
                    options.export_format,
                    options.session_ids,
                    identifiable=options.identifiable,
                    date_band=options.date_band,
                    member_check=options.member_check,
                )
            )
        elif self.sessions.checked():
            self.preview.request(None, "None of the ticked sessions can be exported as chosen: "
                                 "see the warnings under the list.")  # fmt: skip
        else:
            self.preview.request(None, "Tick one or more sessions to see the first page here.")

    def _member_changed(self) -> None:
        self.member_pick.setEnabled(self.member.isChecked())
        self.sessions.set_member(self.member_id())

    def _confirm(self, box: QCheckBox, title: str, text: str, confirm: str,
                 then: Callable[[], None]) -> None:  # fmt: skip
        """Tick ``box`` only after the user confirms ``text``; unticking needs no question."""
        if not box.isChecked():
            then()
            return
        box.setChecked(False)

        def confirmed() -> None:
            box.setChecked(True)
            log.info("export: %s confirmed", confirm.lower())
            then()

        self.question = ask(self, title, text, confirm=confirm, on_confirm=confirmed,
                            detail="This choice is recorded with the export.",
                            destructive=True)  # fmt: skip

    def _identifiable_clicked(self) -> None:
        self._confirm(self.identifiable, "Export identifiable transcripts?", IDENTIFIABLE_WARNING,
                      "Export identifiable transcripts", self._content_changed)  # fmt: skip

    def _audio_clicked(self) -> None:
        self._confirm(self.audio, "Include the audio?", AUDIO_WARNING, "Include the audio",
                      self._content_changed)  # fmt: skip

    def _plaintext_clicked(self) -> None:
        self._confirm(self.plaintext, "Export without encryption?", PLAINTEXT_WARNING,
                      "Write unencrypted files", self._plaintext_changed)  # fmt: skip

    def _content_changed(self) -> None:
        self.sessions.set_choices(
            identifiable=self.identifiable.isChecked(), audio=self.audio.isChecked()
        )  # emits changed: warnings, preview
        self._show_risk()

    def _plaintext_changed(self) -> None:
        self.protection.set_plaintext(self.plaintext.isChecked())
        self._show_risk()
        self._changed()

    def _show_risk(self) -> None:
        risks = []
        if self.identifiable.isChecked():
            risks.append("IDENTIFIABLE transcripts")
        if self.audio.isChecked():
            risks.append("the AUDIO")
        if self.plaintext.isChecked():
            risks.append("NO encryption")
        self.risk.setText(
            "This export will hold " + " and ".join(risks) + ". Handle it as personal data."
            if risks
            else ""
        )
        self.risk.setVisible(bool(risks))

    # -- destination --------------------------------------------------------------------------

    def _out_edited(self) -> None:
        self._auto_out = False

    def suggested_name(self) -> str:
        """``export-2026-02-03-docx.age`` (a folder name without .age for plaintext)."""
        parts = ["export", date.today().isoformat(), self.export_format()]
        member = self.member_id()
        if member:
            parts.insert(1, f"member-check-{member}")
        name = "-".join(parts)
        return name if self.plaintext.isChecked() else f"{name}.age"

    def _suggest_out(self) -> None:
        if not self._auto_out:
            return
        current = self.out.text().strip()
        folder = Path(current).expanduser().parent if current else Path.home()
        self.out.blockSignals(True)
        self.out.setText(str(folder / self.suggested_name()))
        self.out.blockSignals(False)

    def choose_out(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        if self.plaintext.isChecked():
            path, _ = QFileDialog.getSaveFileName(
                self, "Save the plaintext export (a new folder, or a name ending in .zip)",
                self.out.text(), "Folder or zip (*)",
            )  # fmt: skip
        else:
            path, _ = QFileDialog.getSaveFileName(
                self, "Save the encrypted export", self.out.text(), "age files (*.age)"
            )
        if path:
            self._auto_out = False
            self.out.setText(path)

    def out_path(self) -> Path | None:
        text = self.out.text().strip()
        return Path(text).expanduser() if text else None

    # -- checks -------------------------------------------------------------------------------

    def blocker(self) -> str:
        """Why Export is disabled ("" when everything is in order)."""
        if self.task is not None:
            return "Exporting…"
        if not self.sessions.ready:
            return "Reading the sessions…"
        if self.member.isChecked() and not self.member_id():
            return "Choose the participant for the member check."
        if not self.sessions.checked():
            return "Tick at least one session."
        bad = self.sessions.problems()
        if bad:
            return (
                f"{len(bad)} ticked session(s) cannot be exported as chosen: see the warning "
                "under the list."
            )
        reason = self.protection.blocker()
        if reason:
            return reason
        out = self.out_path()
        if out is None:
            return "Choose where to save the export."
        if not out.parent.is_dir():
            return f"The folder {out.parent} does not exist."
        if self.plaintext.isChecked() and out.exists() and (not out.is_dir() or any(out.iterdir())):
            return "A plaintext export needs a new or empty folder, or a new .zip file name."
        return ""

    def _validate(self) -> None:
        reason = self.blocker()
        self.export_button.setEnabled(not reason)
        self.export_button.setToolTip(reason or "Export the ticked sessions (Ctrl+Return)")
        if self.task is not None:
            return  # "Exporting…" or "Cancelling…" stays
        if reason:
            self._say(reason, "muted")
        elif self._outcome is not None:
            self._say(*self._outcome)
        else:
            self._say("", "muted")

    def _say(self, text: str, style: str) -> None:
        """The line beside the buttons: ``muted`` (a reason), ``error`` or ``ok``."""
        self.problem.setObjectName(style)
        ok = f"color: {colours().ok}; font-weight: 600;"
        self.problem.setStyleSheet(ok if style == "ok" else "")
        self.problem.setText(text)
        self.problem.style().unpolish(self.problem)
        self.problem.style().polish(self.problem)

    # -- the export ---------------------------------------------------------------------------

    def submit(self) -> None:
        """Export, after asking before replacing an existing file."""
        if self.blocker():
            return
        out = self.out_path()
        assert out is not None
        if out.is_file() and not self.plaintext.isChecked():
            self.question = ask(
                self, "Replace the file?", f"{out.name} exists already.",
                detail="Replacing it cannot be undone.", confirm="Replace",
                on_confirm=self._replace_confirmed,
                destructive=True,
            )  # fmt: skip
            return
        self.start()

    def _replace_confirmed(self) -> None:
        self.start()

    def start(self) -> Task | None:
        """Run the export in the background (no questions asked: ``submit`` asks)."""
        if self.blocker():
            return None
        study, options = self.study, self.options()
        protection: Protection = self.protection.protection()
        out = self.out_path()
        assert out is not None
        self.last_result = None
        self.progress.setValue(0)
        self.progress.setFormat("Starting…")
        self.progress.show()
        self.cancel_button.show()
        self.cancel_button.setEnabled(True)
        self._set_inputs_enabled(False)
        log.info("export started (%s, %d session(s))", options.export_format,
                 len(options.session_ids))  # fmt: skip
        self.task = run_task(
            lambda report, cancel: run_export(
                study, options, protection, out, progress=report, cancel=cancel
            ),
            on_done=self._done,
            on_error=self._failed,
            on_progress=self._progressed,
        )
        self._validate()
        self._say("Exporting…", "muted")
        return self.task

    def _progressed(self, report: Progress) -> None:
        if not shiboken6.isValid(self):
            return
        self.progress.setValue(round(max(0.0, min(1.0, report.fraction)) * 1000))
        if report.message:
            self.progress.setFormat(f"{report.message} · %p%")

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.cancel_button.setEnabled(False)
            self._say("Cancelling…", "muted")

    def _finish(self) -> None:
        self.task = None
        self.cancel_button.hide()
        self._set_inputs_enabled(True)

    def _done(self, result: ExportResult) -> None:
        if not shiboken6.isValid(self):
            log.info("export finished after its dialog closed")
            return
        self._finish()
        self.last_result = result
        self.progress.setValue(1000)
        self.progress.setFormat("Done · %p%")
        record = result.record
        content = "identifiable" if record.transcript == "identifiable" else "de-identified"
        how = {
            "passphrase": "encrypted to a passphrase",
            "recipients": f"encrypted to {len(record.recipients)} public key(s)",
            "plaintext": "NOT encrypted",
        }.get(record.protection, record.protection)
        files = list(result.files)
        shown = ", ".join(files[:4]) + (f" and {len(files) - 4} more" if len(files) > 4 else "")
        self._outcome = (
            f"Exported {len(record.sessions)} session(s), {content}, "
            f"{record.export_format.upper()}, {how}, to {result.out}. Files: {shown}.",
            "ok",
        )
        self._validate()
        if self.history is not None:
            self.history.refresh()
        log.info("export finished (%s)", record.export_format)
        self.exported.emit(record)

    def _failed(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self._finish()
        self.progress.hide()
        if isinstance(exc, Cancelled):
            self._outcome = ("Export cancelled; nothing was written.", "muted")
            self._validate()
            return
        self._outcome = (sentence(exc), "error")
        self._validate()
        log.info("export failed (%s)", type(exc).__name__)
        show_error(self, exc, "Export failed")

    def _set_inputs_enabled(self, on: bool) -> None:
        for widget in (self.sessions, self.format, self.date_band, self.member,
                       self.identifiable, self.audio, self.plaintext, self.protection, self.out,
                       self.choose_button, self.close_button):  # fmt: skip
            widget.setEnabled(on)
        self.member_pick.setEnabled(on and self.member.isChecked())

    # -- history ------------------------------------------------------------------------------

    def show_history(self) -> ExportHistoryDialog:
        """Open the list of past exports (not blocking)."""
        if self.history is None:
            self.history = ExportHistoryDialog(self.study, self)
        self.history.refresh()
        self.history.open()
        return self.history

    def done(self, result: int) -> None:
        """Closing stops an export still running (nothing half-made is written)."""
        self.cancel()
        super().done(result)
