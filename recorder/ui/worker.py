"""Long work off the GUI thread: a function runs on a pool thread and reports through signals.

``run_task(fn, ...)`` calls ``fn(progress, cancel)`` on a worker thread. ``progress`` may be
called from there; every report reaches the GUI thread as a queued signal. The result or the
exception object (never a string) arrives in ``done`` or ``failed`` on the GUI thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from recorder.core.jobs import CancelToken, Progress

log = logging.getLogger(__name__)

Work = Callable[[Callable[[Progress], None], CancelToken], Any]

_running: set[Task] = set()  # keeps tasks alive until their last signal has been delivered


class Task(QObject):
    """One piece of background work; connect to its signals before it starts."""

    progressed = Signal(object)  # Progress
    done = Signal(object)  # the function's result
    failed = Signal(object)  # the exception
    finished = Signal()  # after done or failed

    def __init__(self, work: Work, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._work = work
        self.cancel_token = CancelToken()
        self.result: Any = None
        self.error: BaseException | None = None
        self.is_finished = False
        self.finished.connect(self._forget)

    def cancel(self) -> None:
        """Ask the work to stop at its next check."""
        self.cancel_token.cancel()

    def start(self) -> Task:
        """Queue the work on the global thread pool."""
        _running.add(self)
        QThreadPool.globalInstance().start(_Runner(self))
        return self

    def _run(self) -> None:  # on the pool thread
        try:
            result = self._work(self.progressed.emit, self.cancel_token)
        except BaseException as exc:  # carried to the GUI thread
            self.failed.emit(exc)
        else:
            self.done.emit(result)
        self.finished.emit()

    def _forget(self) -> None:
        self.is_finished = True
        _running.discard(self)


class _Runner(QRunnable):
    def __init__(self, task: Task) -> None:
        super().__init__()
        self._task = task

    def run(self) -> None:
        self._task._run()


def run_task(
    work: Work,
    *,
    on_done: Callable[[Any], None] | None = None,
    on_error: Callable[[BaseException], None] | None = None,
    on_progress: Callable[[Progress], None] | None = None,
) -> Task:
    """Start ``work`` off the GUI thread; the callbacks run on the GUI thread."""
    task = Task(work)
    if on_done is not None:
        task.done.connect(on_done)
    if on_error is not None:
        task.failed.connect(on_error)
    if on_progress is not None:
        task.progressed.connect(on_progress)
    return task.start()


def run_call(
    fn: Callable[[], Any],
    *,
    on_done: Callable[[Any], None] | None = None,
    on_error: Callable[[BaseException], None] | None = None,
) -> Task:
    """``run_task`` for a plain function that reports no progress."""
    return run_task(lambda _progress, _cancel: fn(), on_done=on_done, on_error=on_error)
