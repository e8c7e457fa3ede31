"""Running transcription jobs: the model resolved, the device picked, one worker reused.

Shared by the CLI and the desktop app, so both transcribe exactly the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from recorder.core.jobs import CancelToken, Progress
from recorder.core.study import Study
from recorder.core.transcribe import models
from recorder.core.transcribe.engine import EngineSpec, Options
from recorder.core.transcribe.pipeline import transcribe_session
from recorder.core.transcribe.prepare import prepare
from recorder.core.transcribe.transcript import Transcript
from recorder.core.transcribe.work_queue import QueuedJob
from recorder.core.transcribe.worker import TranscriptionWorker

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Decoding:
    """Decoding choices that are not per job (advanced; tests use greedy and few tokens)."""

    greedy: bool = False
    max_tokens: int | None = None
    #: Let whisper hear the study vocabulary (see ``vocabulary.with_vocabulary``).
    vocabulary: bool = False

    def options(self, language: str | None) -> Options:
        if self.greedy:
            return Options(
                language=language,
                temperature=(0.0,),
                beam_size=None,
                sample_len=self.max_tokens,
                use_vocabulary=self.vocabulary,
            )
        return Options(
            language=language, sample_len=self.max_tokens, use_vocabulary=self.vocabulary
        )


class Transcriber:
    """Transcribes queued jobs, keeping the model loaded while consecutive jobs share it."""

    def __init__(
        self,
        study: Study,
        *,
        decoding: Decoding | None = None,
        progress: Callable[[str, Progress], None] | None = None,
    ) -> None:
        self.study = study
        self.decoding = decoding or Decoding()
        self.progress = progress or (lambda _s, _p: None)
        self.worker: TranscriptionWorker | None = None
        self.device_description = ""

    def _worker_for(self, spec: EngineSpec) -> TranscriptionWorker:
        if self.worker is None or self.worker.spec != spec:
            self.close()
            self.worker = TranscriptionWorker(spec)
            self.device_description = f"{spec.engine}, {models.describe_device(spec.device)}"
        return self.worker

    def run_job(self, job: QueuedJob, cancel: CancelToken | None = None) -> Transcript:
        """Transcribe one queued session (raises RecorderError subclasses for the user)."""
        prepared = prepare(
            job.model,
            job.engine,
            job.device,
            language=job.language,
            allow_unofficial=job.allow_unofficial,
            progress=lambda p: self.progress(job.session_id, p),
            cancel=cancel,
        )
        return transcribe_session(
            self.study,
            job.session_id,
            prepared.source,
            self._worker_for(prepared.spec),
            options=self.decoding.options(job.language),
            progress=lambda p: self.progress(job.session_id, p),
            cancel=cancel,
        )

    def close(self) -> None:
        if self.worker is not None:
            self.worker.close()
        self.worker = None
