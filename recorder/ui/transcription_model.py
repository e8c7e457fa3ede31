"""Transcription as the study home sees it: the study's persistent queue, run one job after
another on a background thread, reported through signals on the GUI thread.

Whisper itself runs in a child process (``recorder.core.transcribe.worker``); the loop that
feeds it blocks for as long as the queue lasts (hours, for a day of interviews), so it runs on
a thread of its own rather than on the shared pool of ``recorder.ui.worker``, where it would
hold back unlocking, imports and downloads on a two-core laptop. Everything that thread
reports reaches the GUI thread as queued signals. A cancel kills the child within
a second and leaves the job queued; ``shutdown`` does the same when the study locks or closes
or the app quits, so the next ``resume`` takes the job up again.

Nothing here logs or shows transcript text or names: session IDs, fractions and sentences.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace

from PySide6.QtCore import QObject, Signal

from recorder.core import appconfig
from recorder.core.durations import clock
from recorder.core.errors import Cancelled, RecorderError
from recorder.core.jobs import CancelToken, Progress
from recorder.core.study import Study
from recorder.core.transcribe.service import Decoding, Transcriber
from recorder.core.transcribe.work_queue import (
    FAILED,
    QUEUED,
    RUNNING,
    QueuedJob,
    TranscriptionQueue,
)
from recorder.ui.messages import explain, sentence

log = logging.getLogger(__name__)

WAITING, TRANSCRIBING = "waiting", "transcribing"
__all__ = ["FAILED", "TRANSCRIBING", "WAITING", "QueueRow", "TranscriptionRunner"]


@dataclass(frozen=True)
class QueueRow:
    """A session in the queue other than the one being transcribed now."""

    session_id: str
    state: str  # WAITING or FAILED
    error: str = ""  # for a failed job: what went wrong, in a sentence
    hint: str = ""  # and the next step, when known


@dataclass(frozen=True)
class _Event:
    """What the runner's thread reports; carried to the GUI thread by a queued signal."""

    kind: str  # "started", "progress", "done", "failed", and "ended" when the loop stops
    session_id: str
    fraction: float = 0.0
    message: str = ""
    device: str = ""
    error: BaseException | None = None


class TranscriptionRunner(QObject):
    """The study's transcription queue and the one background loop that works through it."""

    progressed = Signal(str, float, str)  # session ID, fraction 0..1, message
    job_started = Signal(str)  # session ID
    job_finished = Signal(str)  # session ID: its transcript is sealed
    job_failed = Signal(str, object)  # session ID, the exception
    queue_changed = Signal()
    running_changed = Signal(bool)
    status = Signal(str)  # a sentence for the status bar

    _reported = Signal(object)  # an _Event, emitted on the runner's thread

    def __init__(self, study: Study, *, decoding: Decoding | None = None) -> None:
        # No Qt parent on purpose: the running loop holds a reference, so the runner outlives
        # its view until the loop has ended.
        super().__init__()
        self.study = study
        self.decoding = decoding or Decoding()
        self.queue = TranscriptionQueue(study)
        self.current = ""  # the session being transcribed now
        self.fraction = 0.0
        self.message = ""
        self.device = ""  # the device in words, once a job has picked it
        self.last_result = ""  # "Session S-XD4H9 transcribed in 0:42."
        self.errors: dict[str, BaseException] = {}  # failures seen in this run of the app
        self._thread: threading.Thread | None = None
        self._cancel = CancelToken()
        self._transcriber: Transcriber | None = None
        self._ended = threading.Event()
        self._ended.set()
        self._closed = False
        self._user_cancelled = False
        self._started_at = 0.0
        self._reported.connect(self._on_report)

    # -- reading ----------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._thread is not None

    @property
    def cancelling(self) -> bool:
        return self._thread is not None and self._cancel.cancelled

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def worker_pid(self) -> int | None:
        """The whisper process's ID while one is alive (for tests and diagnostics)."""
        transcriber = self._transcriber
        worker = transcriber.worker if transcriber is not None else None
        return worker.pid if worker is not None and worker.alive else None

    def jobs(self) -> list[QueuedJob]:
        """The queue as stored; empty (with the reason shown) if its file cannot be read."""
        try:
            return self.queue.jobs()
        except RecorderError as exc:  # a damaged or swapped queue file: say so, keep going
            log.warning("the transcription queue cannot be read: %s", type(exc).__name__)
            self.last_result = f"The transcription queue cannot be read. {sentence(exc)}"
            return []

    def pending(self) -> list[QueuedJob]:
        return [j for j in self.jobs() if j.state in (QUEUED, RUNNING)]

    def rows(self) -> list[QueueRow]:
        """Waiting and failed sessions, in queue order, without the one running now."""
        rows = []
        for job in self.jobs():
            if job.session_id == self.current:
                continue
            if job.state == FAILED:
                exc = self.errors.get(job.session_id)
                error, hint = explain(exc) if exc is not None else (job.error, "")
                rows.append(QueueRow(job.session_id, FAILED, error, hint))
            else:
                rows.append(QueueRow(job.session_id, WAITING))
        return rows

    def states(self) -> dict[str, str]:
        """Each queued session's state: WAITING, TRANSCRIBING or FAILED."""
        found = {r.session_id: r.state for r in self.rows()}
        if self.current:
            found[self.current] = TRANSCRIBING
        return found

    # -- actions ----------------------------------------------------------------------------

    def enqueue(
        self,
        session_ids: Iterable[str],
        model: str,
        language: str | None = None,
        *,
        allow_unofficial: bool = False,
    ) -> list[str]:
        """Queue sessions with ``model`` and start working unless already running.

        A session already waiting gets the new settings and keeps its place; the session
        being transcribed now is left alone. Returns the sessions queued.
        """
        if self._closed:
            return []
        queued = []
        for session_id in session_ids:
            if session_id == self.current:
                continue
            self.queue.add(
                QueuedJob(
                    session_id,
                    model,
                    language=language,
                    allow_unofficial=allow_unofficial,
                    engine=appconfig.transcription_engine(),
                )
            )
            self.errors.pop(session_id, None)
            queued.append(session_id)
        if queued:
            log.info("%d session(s) queued for transcription", len(queued))
            self.queue_changed.emit()
            self.start()
        return queued

    def retry(self, session_id: str) -> None:
        """Queue a failed session again, with the settings it had, and start."""
        job = next((j for j in self.jobs() if j.session_id == session_id), None)
        if job is None or job.state != FAILED or self._closed:
            return
        self.queue.add(job)  # back to queued, same place
        self.errors.pop(session_id, None)
        self.queue_changed.emit()
        self.start()

    def remove(self, session_id: str) -> bool:
        """Take a waiting or failed session off the queue (not the one running now)."""
        if session_id == self.current or self._closed:
            return False
        self.queue.remove(session_id)
        self.errors.pop(session_id, None)
        self.queue_changed.emit()
        return True

    def start(self) -> bool:
        """Work through the queue in the background; False if running or nothing waits."""
        if self._closed or self._thread is not None or not self.pending():
            return False
        self._user_cancelled = False
        self.last_result = ""
        self._ended.clear()
        self._cancel = CancelToken()
        self._thread = threading.Thread(
            target=self._work, args=(self._cancel,), name="transcription", daemon=True
        )
        self._thread.start()
        self.running_changed.emit(True)
        return True

    def resume(self) -> None:
        """On opening the study: take up the work a previous run of the app left queued."""
        waiting = len(self.pending())
        if waiting and self.start():
            self.status.emit(
                f"Resuming transcription: {waiting} session(s) were still queued from last time."
            )

    def cancel(self) -> None:
        """Stop the job running now (the whisper process is killed); it stays queued."""
        if self._thread is not None and not self._cancel.cancelled:
            self._user_cancelled = True
            self._cancel.cancel()
            self.message = "Stopping…"
            self.progressed.emit(self.current, self.fraction, self.message)

    def shutdown(self, wait_s: float = 5.0) -> bool:
        """For a lock, a close or a quit: cancel, leave the job queued, wait for the thread.

        Returns whether the background loop ended within ``wait_s``. Nothing is emitted
        afterwards and nothing starts again.
        """
        self._closed = True
        self._cancel.cancel()
        return self._ended.wait(wait_s)

    # -- the runner's thread ------------------------------------------------------------------

    def _work(self, cancel: CancelToken) -> None:
        stopped: BaseException | None = None
        try:
            decoding = replace(self.decoding, vocabulary=appconfig.use_vocabulary())
            transcriber = Transcriber(self.study, decoding=decoding, progress=self._progress)
            self._transcriber = transcriber
            try:
                for job, error in self.queue.run(
                    transcriber.run_job, on_event=self._announce, cancel=cancel
                ):
                    kind = "failed" if error is not None else "done"
                    self._post(_Event(kind, job.session_id, error=error))
            finally:
                transcriber.close()
        except BaseException as exc:  # Cancelled, or a bug: carried to the GUI thread
            stopped = exc
        finally:
            self._ended.set()
            self._post(_Event("ended", "", error=stopped))

    def _announce(self, job: QueuedJob, event: str) -> None:
        if event == RUNNING:
            self._post(_Event("started", job.session_id))

    def _progress(self, session_id: str, progress: Progress) -> None:
        transcriber = self._transcriber
        device = transcriber.device_description if transcriber is not None else ""
        self._post(_Event("progress", session_id, progress.fraction, progress.message, device))

    def _post(self, event: _Event) -> None:
        with contextlib.suppress(RuntimeError):  # the app is tearing down: nobody listens
            self._reported.emit(event)

    # -- back on the GUI thread --------------------------------------------------------------

    def _on_report(self, event: _Event) -> None:
        sid = event.session_id
        if event.kind == "started":
            self.current, self.fraction, self.message = sid, 0.0, "Starting"
            self._started_at = time.monotonic()
            if not self._closed:
                self.job_started.emit(sid)
                self.queue_changed.emit()
                self.progressed.emit(sid, 0.0, self.message)
        elif event.kind == "progress":
            if event.device:
                self.device = event.device
            if sid == self.current and not (self._user_cancelled or self._closed):
                self.fraction, self.message = event.fraction, event.message
                self.progressed.emit(sid, event.fraction, event.message)
        elif event.kind == "done":
            took = clock(time.monotonic() - self._started_at)
            self.current, self.fraction, self.message = "", 1.0, f"Done in {took}"
            self.last_result = f"Session {sid} transcribed in {took}."
            self.errors.pop(sid, None)
            log.info("a queued session was transcribed")
            if not self._closed:
                self.job_finished.emit(sid)
                self.queue_changed.emit()
                self.status.emit(self.last_result)
        elif event.kind == "failed" and event.error is not None:
            self._failed(sid, event.error)
        elif event.kind == "ended":
            if event.error is None:
                self._on_done()
            else:
                self._on_error(event.error)

    def _failed(self, session_id: str, error: BaseException) -> None:
        self.current, self.fraction, self.message = "", 0.0, ""
        self.last_result = f"Session {session_id} could not be transcribed."
        self.errors[session_id] = error
        if not self._closed:
            self.job_failed.emit(session_id, error)
            self.queue_changed.emit()
            self.status.emit(f"{self.last_result} {explain(error)[0]}")

    def _on_done(self) -> None:
        self._finish()
        if not self._closed and self.pending():
            self.start()  # queued just as the loop found the queue empty

    def _on_error(self, error: BaseException) -> None:
        interrupted = self.current
        if isinstance(error, Cancelled):
            self.current, self.fraction, self.message = "", 0.0, ""
            if not self._closed:
                self.last_result = (
                    f"Stopped. Session {interrupted} stays queued: press Resume to carry on."
                    if interrupted
                    else "Stopped."
                )
                self.status.emit(self.last_result)
        else:  # the queue could not be read or written, or a bug
            log.warning("transcription loop failed: %s", type(error).__name__)
            if interrupted:  # the queue left the job marked running: mark it failed
                with contextlib.suppress(RecorderError):
                    self.queue.mark_failed(interrupted, explain(error)[0])
                self._failed(interrupted, error)
            elif not self._closed:
                self.last_result = f"Transcription stopped. {sentence(error)}"
                self.status.emit(self.last_result)
        self._finish()

    def _finish(self) -> None:
        self._thread = None
        if not self._closed:
            self.queue_changed.emit()
            self.running_changed.emit(False)
