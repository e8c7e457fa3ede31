"""Autosave: a save runs off the GUI thread ~1.5 s after the last edit, one at a time; closing
flushes what is left. The saved file is the sealed REVIEWED transcript."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from recorder.core.review.document import ReviewDocument
from recorder.core.transcribe.transcript import Transcript
from recorder.ui.worker import Task, run_call

log = logging.getLogger(__name__)

DELAY_MS = 1500

Save = Callable[[Transcript], None]


class Autosaver(QObject):
    """Saves ``document`` through ``save`` (a core function) after edits.

    ``state_changed`` carries "saved", "pending", "saving" or "failed"; ``saved`` the revision
    that reached the disk; ``failed`` the exception.
    """

    state_changed = Signal(str)
    saved = Signal(int)
    failed = Signal(object)

    def __init__(self, document: ReviewDocument, save: Save, parent: QObject | None = None):
        super().__init__(parent)
        self.document = document
        self._save = save
        self.saved_revision = document.revision
        self.state = "saved"
        self.error: BaseException | None = None
        self._task: Task | None = None
        self._finished = threading.Event()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DELAY_MS)
        self._timer.timeout.connect(self.save_now)
        document.subscribe(lambda _change: self.touch())

    @property
    def dirty(self) -> bool:
        return self.document.revision != self.saved_revision

    def _set(self, state: str) -> None:
        if state != self.state:
            self.state = state
            self.state_changed.emit(state)

    def touch(self) -> None:
        """An edit happened: save a moment after the last one."""
        self._timer.start()
        if self._task is None:
            self._set("pending")

    def save_now(self) -> None:
        """Start a background save of the current revision (unless one is running)."""
        self._timer.stop()
        if self._task is not None or not self.dirty:
            return
        revision, snapshot = self.document.revision, self.document.transcript
        finished = threading.Event()
        self._finished = finished

        def work() -> None:
            try:
                self._save(snapshot)
            finally:
                finished.set()

        self._set("saving")
        self._task = run_call(work, on_done=lambda _r: self._done(revision), on_error=self._failed)

    def _done(self, revision: int) -> None:
        self._task = None
        self.saved_revision = max(self.saved_revision, revision)
        self.error = None
        self.saved.emit(revision)
        if self.dirty:
            self._set("pending")
            self._timer.start()
        else:
            self._set("saved")

    def _failed(self, exc: BaseException) -> None:
        self._task = None
        self.error = exc
        log.warning("autosave failed: %s", type(exc).__name__)
        self._set("failed")
        self.failed.emit(exc)
        self._timer.start()  # try again after the next pause

    def flush(self) -> None:
        """Save now on this thread (closing): waits for a running save, then saves the rest."""
        self._timer.stop()
        if self._task is not None:
            self._finished.wait(30)  # never two writers of the same file at once
        if self.dirty:
            revision = self.document.revision
            self._save(self.document.transcript)
            self.saved_revision = revision
            self._set("saved")
