"""A persistent transcription queue: sessions wait here until transcribed, across restarts.

The queue is one sealed file in the study (session IDs and model names only). A job left
"running" by a crash or a quit is simply taken up again: transcripts are written only when
complete, so nothing half-made is ever kept.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from recorder.core.errors import Cancelled, RecorderError
from recorder.core.jobs import CancelToken
from recorder.core.session import now_iso
from recorder.core.study import Study

log = logging.getLogger(__name__)

QUEUE_FILE = "transcription-queue.json"

QUEUED, RUNNING, FAILED = "queued", "running", "failed"


@dataclass(frozen=True)
class QueuedJob:
    """One session waiting for (or failed at) transcription, and how to transcribe it."""

    session_id: str
    model: str
    language: str | None = None
    device: str = "auto"
    allow_unofficial: bool = False
    #: "auto", "faster-whisper" or "openai-whisper".
    engine: str = "auto"
    state: str = QUEUED
    error: str = ""
    added_at: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "session_id": self.session_id,
            "model": self.model,
            "language": self.language,
            "device": self.device,
            "allow_unofficial": self.allow_unofficial,
            "engine": self.engine,
            "state": self.state,
            "error": self.error,
            "added_at": self.added_at,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> QueuedJob:
        language = data.get("language")
        return cls(
            session_id=str(data["session_id"]),
            model=str(data["model"]),
            language=str(language) if language else None,
            device=str(data.get("device", "auto")),
            engine=str(data.get("engine", "auto")),
            allow_unofficial=bool(data.get("allow_unofficial", False)),
            state=str(data.get("state", QUEUED)),
            error=str(data.get("error", "")),
            added_at=str(data.get("added_at", "")),
        )


class TranscriptionQueue:
    """The study's queue; every change is saved at once (sealed, atomic).

    Safe to share between threads (the app queues sessions while its runner thread updates
    job states): every read-modify-write of the file holds one lock.
    """

    def __init__(self, study: Study) -> None:
        self.study = study
        self._lock = threading.RLock()

    def jobs(self) -> list[QueuedJob]:
        with self._lock:
            if not self.study.vault.exists(QUEUE_FILE):
                return []
            data = self.study.vault.read_json(QUEUE_FILE)
        return [QueuedJob.from_json(item) for item in data.get("jobs", [])]

    def _save(self, jobs: list[QueuedJob]) -> None:
        self.study.vault.write_json(QUEUE_FILE, {"jobs": [j.to_json() for j in jobs]})

    def add(self, job: QueuedJob) -> QueuedJob:
        """Queue a session (a session already queued gets the new settings, keeping its place)."""
        job = replace(job, state=QUEUED, error="", added_at=job.added_at or now_iso())
        with self._lock:
            jobs = self.jobs()
            for i, existing in enumerate(jobs):
                if existing.session_id == job.session_id:
                    jobs[i] = job
                    break
            else:
                jobs.append(job)
            self._save(jobs)
        return job

    def _set(self, session_id: str, **changes: Any) -> None:
        with self._lock:
            jobs = self.jobs()
            self._save([replace(j, **changes) if j.session_id == session_id else j for j in jobs])

    def mark_failed(self, session_id: str, error: str) -> None:
        """Keep a job in the queue as failed, with what went wrong in a sentence."""
        self._set(session_id, state=FAILED, error=error)

    def remove(self, session_id: str) -> None:
        with self._lock:
            self._save([j for j in self.jobs() if j.session_id != session_id])

    def next(self) -> QueuedJob | None:
        """The job to run now: one interrupted while running first, then the oldest queued."""
        jobs = self.jobs()
        return next((j for j in jobs if j.state == RUNNING), None) or next(
            (j for j in jobs if j.state == QUEUED), None
        )

    def pending(self) -> list[QueuedJob]:
        return [j for j in self.jobs() if j.state in (QUEUED, RUNNING)]

    def run(
        self,
        transcribe: Callable[[QueuedJob, CancelToken | None], object],
        *,
        on_event: Callable[[QueuedJob, str], None] | None = None,
        cancel: CancelToken | None = None,
    ) -> Iterator[tuple[QueuedJob, RecorderError | None]]:
        """Run jobs until none is left, yielding each with its error (None on success).

        A failed job stays in the queue marked failed, with its message; a cancel leaves the
        job queued for next time and raises ``Cancelled``.
        """
        announce = on_event or (lambda _j, _e: None)
        while (job := self.next()) is not None:
            self._set(job.session_id, state=RUNNING)
            announce(job, RUNNING)
            try:
                transcribe(job, cancel)
            except Cancelled:
                self._set(job.session_id, state=QUEUED)
                raise
            except RecorderError as exc:
                log.warning("transcription of a queued session failed: %s", type(exc).__name__)
                self.mark_failed(job.session_id, str(exc))
                announce(job, FAILED)
                yield job, exc
                continue
            self.remove(job.session_id)
            announce(job, "done")
            yield job, None
