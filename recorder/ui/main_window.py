"""The main window: start page, study home and interviewer console, and the flows between them.

Unlocking, creating, recovering and finalising run off the GUI thread. Quitting during a
recording asks first, then finalises before the window closes. The study locks itself after
the configured idle time, never while a recording is live.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6 import QtCore
from PySide6.QtGui import QActionGroup, QCloseEvent
from PySide6.QtWidgets import QDialog, QMainWindow, QStackedWidget, QWidget

from recorder.core import appconfig
from recorder.core.errors import RecorderError
from recorder.core.jobs import Progress
from recorder.ui.idle_lock import IdleLock
from recorder.ui.messages import ask, show_error
from recorder.ui.start_page import StartPage
from recorder.ui.widgets import action
from recorder.ui.worker import Task, run_task

if TYPE_CHECKING:  # the rest loads after the first window is on screen (fast startup)
    from recorder.core.audio.recorder import CaptureSettings
    from recorder.core.audio.recovery import RecoveryReport
    from recorder.core.codemap import CodeMap
    from recorder.core.session import SessionRecord
    from recorder.core.study import Study
    from recorder.core.transcribe.live import LiveTranscriber
    from recorder.ui.console_model import ConsoleModel
    from recorder.ui.console_page import ConsolePage
    from recorder.ui.home_page import HomePage
    from recorder.ui.review.review_page import ReviewPage
    from recorder.ui.study_model import StudyModel

#: Loaded in the background once the start page shows, in the order they are needed.
DEFERRED_MODULES = (
    "recorder.core.study",
    "recorder.core.codemap",
    "recorder.ui.unlock_dialog",
    "recorder.ui.create_study_dialog",
    "recorder.ui.study_model",
    "recorder.ui.home_page",
    "recorder.ui.transcription_panel",
    "recorder.ui.console_page",
    "recorder.core.audio.recovery",
)


def live_transcriber(study: Study, session_id: str) -> LiveTranscriber | None:
    """Live transcription for a new session, when it is on and the model is here."""
    from recorder.core.transcribe.live import LiveTranscriber, model_on_this_computer

    model = appconfig.transcription_model()
    if not appconfig.live_transcription() or not model_on_this_computer(model):
        return None
    from recorder.core.transcribe.engine import Options

    return LiveTranscriber.for_model(
        study,
        session_id,
        model,
        engine=appconfig.transcription_engine(),
        options=Options(use_vocabulary=appconfig.use_vocabulary()),
    )


def preload() -> threading.Thread:
    """Import the screens after the start page in a background thread (no widgets made)."""

    def load() -> None:
        import importlib

        for name in DEFERRED_MODULES:
            importlib.import_module(name)

    thread = threading.Thread(target=load, name="preload", daemon=True)
    thread.start()
    return thread


log = logging.getLogger(__name__)

IDLE_CHOICES = (0, 5, 10, 15, 30, 60)


class MainWindow(QMainWindow):
    """One study at a time; at most one live console."""

    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle("Interview Recorder")
        self.resize(1280, 800)
        self.setMinimumSize(1024, 680)
        self.model: StudyModel | None = None
        self.home: HomePage | None = None
        self.console: ConsolePage | None = None
        self.review: ReviewPage | None = None
        self._finishing: set[ConsoleModel] = set()
        self.dialog: QDialog | None = None  # the dialog open now (tests answer it)
        self.recovery: Task | None = None
        self._quit_after_stop = False
        self._quit_box: QWidget | None = None
        self._codemap_hint: Path | None = None  # the code-map folder remembered for a study
        self._after_codemap: Callable[[], None] | None = None
        self.start_page = StartPage()
        self.start_page.create_requested.connect(self.create_study)
        self.start_page.open_requested.connect(self.open_study)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.start_page)
        self.setCentralWidget(self.stack)
        self.idle = IdleLock(appconfig.idle_lock_minutes(), self)
        self.idle.idle.connect(self.lock)
        self.statusBar().showMessage("Everything stays on this computer, encrypted.")
        self._menus()
        self._update_actions()

    # -- menus --------------------------------------------------------------------------------

    def _menus(self) -> None:
        bar = self.menuBar()
        study = bar.addMenu("&Study")
        self.create_action = action(self, "Create a study…", "Ctrl+N")
        self.open_action = action(self, "Open a study…", "Ctrl+O")
        self.unlock_action = action(self, "Unlock code map…")
        self.lock_action = action(self, "Lock now", "Ctrl+L", "Forget both keys until unlocked")
        self.vocabulary_action = action(
            self, "Vocabulary…", tip="Words the transcription should spell the study's way"
        )
        self.close_action = action(self, "Close study", "Ctrl+W")
        self.quit_action = action(self, "Quit", "Ctrl+Q")
        self.create_action.triggered.connect(self.create_study)
        self.open_action.triggered.connect(self.start_page.browse)
        self.unlock_action.triggered.connect(self.unlock_codemap)
        self.lock_action.triggered.connect(self.lock)
        self.vocabulary_action.triggered.connect(self._vocabulary)
        self.close_action.triggered.connect(self.close_study)
        self.quit_action.triggered.connect(self.close)
        for act in (self.create_action, self.open_action, self.unlock_action, self.lock_action):
            study.addAction(act)
        idle_menu = study.addMenu("Lock when idle")
        group = QActionGroup(self)
        current = appconfig.idle_lock_minutes()
        for minutes in IDLE_CHOICES:
            choice = idle_menu.addAction("Never" if minutes == 0 else f"After {minutes} minutes")
            choice.setCheckable(True)
            choice.setChecked(minutes == current)
            choice.triggered.connect(lambda _c=False, m=minutes: self.set_idle_minutes(m))
            group.addAction(choice)
        study.addSeparator()
        study.addAction(self.vocabulary_action)
        study.addSeparator()
        study.addAction(self.close_action)
        study.addAction(self.quit_action)
        people = bar.addMenu("&Participants")
        self.enrol_action = action(self, "Enrol a participant…", "Ctrl+E")
        self.consent_action = action(self, "Record consent…", "Ctrl+K")
        self.enrol_action.triggered.connect(self._enrol)
        self.consent_action.triggered.connect(self._record_consent)
        people.addAction(self.enrol_action)
        people.addAction(self.consent_action)
        sessions = bar.addMenu("S&ession")
        self.new_session_action = action(self, "New session…", "Ctrl+Shift+R")
        self.new_session_action.triggered.connect(self.new_session)
        sessions.addAction(self.new_session_action)
        sessions.addSeparator()
        self.transcribe_action = action(
            self, "Transcribe selected sessions", "Ctrl+T", "Transcribe on this computer"
        )
        self.model_action = action(self, "Transcription model…")
        self.transcribe_action.triggered.connect(self._transcribe)
        self.model_action.triggered.connect(self._choose_model)
        sessions.addAction(self.transcribe_action)
        sessions.addAction(self.model_action)
        sessions.addSeparator()
        self.review_action = action(
            self, "Review transcript…", "Ctrl+Shift+V", "Check, correct and de-identify"
        )
        self.export_action = action(self, "Export…", "Ctrl+Shift+E", "Encrypted export")
        self.history_action = action(self, "Past exports…")
        self.review_action.triggered.connect(self._review)
        self.export_action.triggered.connect(self._export)
        self.history_action.triggered.connect(self._history)
        for act in (self.review_action, self.export_action, self.history_action):
            sessions.addAction(act)
        help_menu = bar.addMenu("&Help")
        self.help_action = action(self, "Keyboard shortcuts", "F1")
        self.help_action.triggered.connect(self.show_shortcuts)
        help_menu.addAction(self.help_action)

    def _enrol(self) -> None:
        if self.home is not None:
            self.home.enrol()

    def _record_consent(self) -> None:
        if self.home is not None:
            self.home.record_consent()

    def _transcribe(self) -> None:
        if self.home is not None:
            self.home.transcribe()

    def _choose_model(self) -> None:
        if self.home is not None:
            self.home.choose_model()

    def _review(self) -> None:
        if self.home is not None:
            self.home.review()

    def _export(self) -> None:
        if self.home is not None:
            self.home.export()

    def _history(self) -> None:
        if self.home is not None:
            self.home.export_history()

    def _vocabulary(self) -> None:
        if self.home is not None:
            self.home.edit_vocabulary()

    def _update_actions(self) -> None:
        open_study = self.model is not None
        # the console and the review editor bind their own keys (F1, Ctrl+T...) while shown
        recording = self.console is not None or self.review is not None
        for act in (self.lock_action, self.close_action):
            act.setEnabled(open_study and not recording)
        self.unlock_action.setEnabled(
            open_study and not recording and not (self.model and self.model.codemap_unlocked)
        )
        # the console binds Ctrl+T (a note) itself while it is shown
        for act in (
            self.enrol_action,
            self.consent_action,
            self.new_session_action,
            self.transcribe_action,
            self.model_action,
            self.review_action,
            self.export_action,
            self.history_action,
            self.vocabulary_action,
        ):
            act.setEnabled(open_study and not recording)
        for act in (self.create_action, self.open_action):
            act.setEnabled(not recording)
        # the console binds F1 itself while it is shown
        self.help_action.setEnabled(not recording)

    def set_idle_minutes(self, minutes: int) -> None:
        appconfig.set_idle_lock_minutes(minutes)
        self.idle.set_timeout_ms(minutes * 60_000)

    def show_shortcuts(self) -> None:
        from recorder.ui.shortcuts import ShortcutsSheet

        self._show_dialog(ShortcutsSheet(self))

    def _show_dialog(self, dialog: QDialog) -> None:
        self.dialog = dialog
        dialog.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.destroyed.connect(lambda _o=None: self._dialog_gone(dialog))
        dialog.open()

    def _dialog_gone(self, dialog: QDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None

    # -- studies ------------------------------------------------------------------------------

    def create_study(self) -> None:
        from recorder.ui.create_study_dialog import CreateStudyDialog

        dialog = CreateStudyDialog(self)
        dialog.created.connect(self._created)
        self._show_dialog(dialog)

    def _created(self, study: Study, codemap: CodeMap) -> None:
        from recorder.ui.study_model import StudyModel

        appconfig.remember_study(study.folder, codemap.folder)
        self._show_study(StudyModel(study, codemap))

    def open_study(self, folder: Path, codemap_folder: Path | None = None) -> None:
        """Ask for the study passphrase; the code map stays locked until it is needed."""
        from recorder.core.study import Study
        from recorder.ui.unlock_dialog import UnlockDialog

        self._codemap_hint = codemap_folder
        dialog = UnlockDialog(
            "Unlock the study",
            "The study vault holds the recordings and transcripts.",
            Path(folder),
            Study.open,
            parent=self,
        )
        dialog.unlocked.connect(self._study_unlocked)
        self._show_dialog(dialog)

    def _study_unlocked(self, study: Study) -> None:
        from recorder.ui.study_model import StudyModel

        appconfig.remember_study(study.folder, self._codemap_hint)
        self._show_study(StudyModel(study))
        self.check_recovery()

    def _show_study(self, model: StudyModel) -> None:
        from recorder.ui.home_page import HomePage

        self.close_study()
        self.model = model
        self.home = HomePage(model)
        self.home.unlock_codemap.connect(self.unlock_codemap)
        self.home.session_ready.connect(self.start_console)
        self.home.session_imported.connect(self._imported)
        self.home.review_requested.connect(self.open_review)
        self.home.message.connect(self.statusBar().showMessage)
        model.codemap_changed.connect(lambda _u: self._update_actions())
        self.stack.addWidget(self.home)
        self.stack.setCurrentWidget(self.home)
        self.setWindowTitle(f"{model.title} — Interview Recorder")
        self.idle.poke()
        self._update_actions()
        log.info("study opened")
        self.home.runner.resume()  # work a previous run of the app left queued

    def _imported(self, record: SessionRecord) -> None:
        minutes = record.audio_frames / max(1, record.audio.sample_rate) / 60
        self.statusBar().showMessage(
            f"Imported {minutes:.1f} min into session {record.session_id}. The original files "
            "were not changed: delete them securely once you have checked the import."
        )

    def unlock_codemap(self, then: Callable[[], None] | None = None) -> None:
        from recorder.core.codemap import CodeMap
        from recorder.ui.unlock_dialog import UnlockDialog

        model = self.model
        if model is None:
            return
        self._after_codemap = then
        remembered = {r.folder.resolve(): r.codemap_folder for r in appconfig.recent_studies()}
        folder = remembered.get(model.study.folder.resolve())
        study_id = model.study.study_id
        dialog = UnlockDialog(
            "Unlock the code map",
            "The code map links study IDs to names, contacts and consent. Unlock it only "
            "where nobody can read over your shoulder.",
            folder,
            lambda f, p: CodeMap.open(f, p, study_id=study_id),
            ask_folder=True,
            parent=self,
        )
        dialog.unlocked.connect(self._codemap_unlocked)
        self._show_dialog(dialog)

    def _codemap_unlocked(self, codemap: CodeMap) -> None:
        if self.model is None:
            return
        try:
            self.model.attach_codemap(codemap)
        except RecorderError as exc:
            show_error(self, exc)
            return
        appconfig.remember_study(self.model.study.folder, codemap.folder)
        then, self._after_codemap = self._after_codemap, None
        if then is not None:
            then()

    def new_session(self) -> None:
        if self.home is None or self.model is None:
            return
        if not self.model.codemap_unlocked:
            self.unlock_codemap(then=self.new_session)
            return
        self.home.new_session()

    def close_study(self) -> None:
        """Forget the open study (and both keys) and go back to the start page."""
        if self.console is not None:
            return
        self.close_review()
        if self.dialog is not None:
            self.dialog.close()
        if self.home is not None:
            self.home.shutdown()  # a running transcription stops and stays queued
            self.stack.removeWidget(self.home)
            self.home.deleteLater()
        self.home = None
        self.model = None
        self.stack.setCurrentWidget(self.start_page)
        self.start_page.refresh()
        self.setWindowTitle("Interview Recorder")
        self._update_actions()

    def lock(self) -> None:
        """Forget the keys and ask for the study passphrase again (refused while recording)."""
        if self.model is None:
            return
        if self.console is not None:
            if self.console.model.is_live:
                return
            self.close_console()
        folder = self.model.study.folder
        self.close_study()
        self.statusBar().showMessage("Locked. Unlock to carry on.")
        self.open_study(folder)

    # -- recovery -----------------------------------------------------------------------------

    def check_recovery(self) -> None:
        """Offer to recover unfinished recordings left by a crash or power cut."""
        from recorder.core.audio.recovery import find_unfinished

        if self.model is None:
            return
        unfinished = find_unfinished(self.model.study)
        if not unfinished:
            return
        sessions = ", ".join(sorted({u.session_id for u in unfinished}))
        ask(
            self,
            "Unfinished recording found",
            f"A recording did not finish properly (session {sessions}), probably because "
            "the app or the computer stopped during it.",
            detail="Recovering keeps every intact second of audio and closes the session.",
            confirm="Recover now",
            cancel="Later",
            on_confirm=self.recover,
        )

    def recover(self) -> None:
        from recorder.core.audio.recovery import recover_study

        model = self.model
        if model is None or self.recovery is not None:
            return
        from PySide6.QtWidgets import QProgressDialog

        progress = QProgressDialog("Recovering audio…", "", 0, 100, self)
        progress.setCancelButton(None)
        progress.setWindowTitle("Recovery")
        progress.setMinimumDuration(0)
        progress.setWindowModality(QtCore.Qt.WindowModality.WindowModal)

        def show(report: Progress) -> None:
            progress.setValue(round(report.fraction * 100))

        def done(reports: list[RecoveryReport]) -> None:
            self.recovery = None
            progress.close()
            seconds = sum(r.seconds_saved for r in reports)
            self.statusBar().showMessage(
                f"Recovered {seconds:.1f} s of audio in {len(reports)} recording(s)."
            )
            model.refresh()

        def failed(exc: BaseException) -> None:
            self.recovery = None
            progress.close()
            show_error(self, exc, "Recovery failed")

        self.recovery = run_task(
            lambda report, cancel: recover_study(model.study, progress=report, cancel=cancel),
            on_done=done,
            on_error=failed,
            on_progress=show,
        )

    # -- the review editor ----------------------------------------------------------------------

    def open_review(self, session_id: str) -> None:
        """Show a session's transcript in the review editor (redactions need the code map)."""
        from recorder.ui.review.review_page import open_review_page

        model = self.model
        if model is None or self.console is not None or self.review is not None:
            return
        codemap = model.codemap if model.codemap_unlocked else None
        try:
            page = open_review_page(model.study, session_id, codemap, parent=self)
        except RecorderError as exc:
            show_error(self, exc, "Cannot open the transcript")
            return
        self.review = page
        page.closed.connect(self.close_review)
        page.reviewed.connect(lambda _state: model.refresh())
        page.deidentified.connect(model.refresh)
        self.stack.addWidget(page)
        self.stack.setCurrentWidget(page)
        self._update_actions()

    def close_review(self) -> None:
        """Save what is left and go back to the study home."""
        page, self.review = self.review, None
        if page is None:
            return
        page.shutdown()
        self.stack.removeWidget(page)
        page.deleteLater()
        if self.home is not None:
            self.stack.setCurrentWidget(self.home)
        if self.model is not None:
            self.model.refresh()
        self._update_actions()

    # -- the console --------------------------------------------------------------------------

    def start_console(
        self, record: SessionRecord, settings: CaptureSettings, channel_map: dict[int, str]
    ) -> None:
        from recorder.ui.console_model import ConsoleModel
        from recorder.ui.console_page import ConsolePage

        model = self.model
        if model is None or self.console is not None:
            return
        try:
            console = ConsoleModel(
                model.study,
                record.session_id,
                settings,
                model.consent_map(list(record.participant_ids)),
                channel_map=channel_map,
                live=live_transcriber(model.study, record.session_id),
            )
        except RecorderError as exc:
            show_error(self, exc)
            return
        roles = {r.key: r.label for r in model.protocol.roles}
        self.console = ConsolePage(console, roles)
        self.console.finished.connect(self.close_console)
        console.state_changed.connect(lambda _s: self.idle.inhibit(console.is_live))
        console.finalised.connect(self._console_finalised)
        console.live_finished.connect(lambda t: self._live_finished(console, t))
        self.stack.addWidget(self.console)
        self.stack.setCurrentWidget(self.console)
        self.console.participant_window.present()
        self.activateWindow()
        self._update_actions()

    def _console_finalised(self, record: SessionRecord) -> None:
        self.idle.inhibit(False)
        if self.model is not None:
            self.model.refresh()
        if self._quit_after_stop:
            if self.console is not None:
                self.console.model.abandon_live()
            self._queue_after(record.session_id)  # transcribed when the app opens again
            self.close_console()
            self.close()

    def _live_finished(self, console: ConsoleModel, transcript: object) -> None:
        """Live transcription is done: the transcript is sealed, or the session is queued."""
        self._finishing.discard(console)
        session_id = console.record.session_id
        if transcript is not None:
            if self.model is not None:
                self.model.refresh()
            self.statusBar().showMessage(f"Session {session_id} is transcribed.")
            return
        if console.live is not None:  # it fell behind or failed: transcribe after the session
            self._queue_after(session_id)

    def _queue_after(self, session_id: str) -> None:
        if self.home is None:
            return
        try:
            self.home.runner.enqueue([session_id], appconfig.transcription_model())
        except RecorderError as exc:
            show_error(self, exc, "Cannot queue the transcription")

    def close_console(self) -> None:
        console = self.console
        if console is None or console.model.is_live:
            return
        if console.model.finishing_live is not None:
            self._finishing.add(console.model)  # kept alive until its transcript is sealed
        console.close_participant_window()
        self.stack.removeWidget(console)
        console.deleteLater()
        self.console = None
        if self.home is not None:
            self.stack.setCurrentWidget(self.home)
        self._update_actions()

    def closeEvent(self, event: QCloseEvent) -> None:
        console = self.console
        if console is not None and console.model.is_live:
            event.ignore()
            if self._quit_box is not None and self._quit_box.isVisible():
                self._quit_box.raise_()
                self._quit_box.activateWindow()
                return
            if console.model.finalising is None:
                self._quit_box = ask(
                    self,
                    "A recording is in progress",
                    "Stop the recording and quit?",
                    detail="Everything recorded so far is kept and the session is finalised "
                    "before the app closes.",
                    confirm="Stop and quit",
                    on_confirm=self._stop_and_quit,
                )
            return
        if console is not None:
            self.close_console()
        self.close_review()  # saves the last edits
        if self.home is not None:
            self.home.shutdown()  # kills whisper; the job stays queued for next time
        event.accept()

    def _stop_and_quit(self) -> None:
        if self.console is not None:
            self._quit_after_stop = True
            self.console.stop()
