"""Whisper in a child process: the app never waits on it, and its crash is only its own.

The parent sends the engine and model once, then jobs: options as a small message and the
audio as raw float32 bytes through the pipe (decrypted audio exists only in the two
processes' memory). The child answers with progress and a result. Cancel terminates the
child (well within a second); a child killed from outside or out of memory is reported as
``WorkerCrashed``.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

import numpy as np

from recorder.core.audio.pcm import FloatArray
from recorder.core.errors import Cancelled, RecorderError
from recorder.core.jobs import CancelToken
from recorder.core.transcribe.engine import EngineSpec, Options

log = logging.getLogger(__name__)

#: How often the parent looks at the cancel token while it waits.
POLL_S = 0.05


class WorkerCrashed(RecorderError):
    """The transcription process ended without answering."""


class TranscriptionFailed(RecorderError):
    """Whisper raised an error in the worker (bad model file, out of memory...)."""


class TranscriptionWorker:
    """A whisper model loaded in a child process; one job at a time."""

    def __init__(self, spec: EngineSpec, *, threads: int | None = None, nice: int = 0) -> None:
        self.spec = spec
        self.threads = threads
        self.nice = nice
        #: The engine's name and version, once loaded ("faster-whisper 1.2.1").
        self.engine_version = ""
        self._process: BaseProcess | None = None
        self._conn: Connection | None = None

    @property
    def device(self) -> str:
        return self.spec.device

    # -- life cycle ------------------------------------------------------------------------------

    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.is_alive()

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def start(self, cancel: CancelToken | None = None) -> None:
        """Start the process and load the model (blocks until loaded, failed or cancelled)."""
        if self._process is not None:
            if self._process.is_alive():
                return
            raise self._crashed()  # died since it was started: say so, never restart silently
        context = multiprocessing.get_context("spawn")
        parent, child = context.Pipe()
        process = context.Process(
            target=_serve, args=(child, self.threads, self.nice), name="whisper", daemon=True
        )
        process.start()
        child.close()
        self._process, self._conn = process, parent
        parent.send({"cmd": "load", "spec": self.spec})
        reply = self._wait(cancel, lambda _m: None)
        self.engine_version = str(reply.get("version", ""))
        log.info("whisper worker %s ready on %s", process.pid, self.device)

    def transcribe(
        self,
        audio: FloatArray,
        options: Options,
        *,
        detector: str | None,
        progress: Callable[[float], None] | None = None,
        cancel: CancelToken | None = None,
    ) -> dict[str, Any]:
        """Transcribe mono 16 kHz ``audio`` (see ``Engine.transcribe``); blocks until done."""
        self._send_job(
            {"cmd": "transcribe", "options": options.to_json(), "detector": detector},
            audio,
            cancel,
        )
        report = progress or (lambda _f: None)

        def on_message(message: dict[str, Any]) -> None:
            if message.get("event") == "progress":
                report(float(message["fraction"]))

        return self._wait(cancel, on_message)["result"]  # type: ignore[no-any-return]

    def transcribe_stretch(
        self,
        audio: FloatArray,
        options: Options,
        *,
        detector: str | None,
        final: bool,
        min_pause_s: float = 0.6,
        min_s: float = 1.0,
        cancel: CancelToken | None = None,
    ) -> dict[str, Any]:
        """Live transcription: transcribe ``audio`` up to its last pause in speech.

        The worker finds the pause (with the neural detector, which needs torch), so the parent
        never loads torch. Returns the result of ``transcribe`` for ``audio[:cut]`` with a
        ``"cut"`` sample index, or ``{"cut": None}`` when there is no pause after ``min_s``
        yet. ``final`` transcribes everything (the tail at the end of a session).
        """
        self._send_job(
            {
                "cmd": "stretch",
                "options": options.to_json(),
                "detector": detector,
                "final": final,
                "min_pause_s": min_pause_s,
                "min_s": min_s,
            },
            audio,
            cancel,
        )
        return self._wait(cancel, lambda _m: None)["result"]  # type: ignore[no-any-return]

    def _send_job(
        self, message: dict[str, Any], audio: FloatArray, cancel: CancelToken | None
    ) -> None:
        """Start the worker if needed, then send a job: the message, then the raw audio."""
        self.start(cancel)
        assert self._conn is not None
        mono = np.ascontiguousarray(audio, dtype=np.float32)
        try:
            self._conn.send(message)
            self._conn.send_bytes(mono.data)  # no copy; send_bytes casts to bytes
        except (BrokenPipeError, ConnectionResetError, EOFError) as exc:
            raise self._crashed() from exc

    def close(self) -> None:
        """Ask the child to exit; terminate it if it does not within a second."""
        process, conn = self._process, self._conn
        self._process = self._conn = None
        if process is None:
            return
        try:
            if conn is not None and process.is_alive():
                conn.send({"cmd": "quit"})
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass
        process.join(1.0)
        if process.is_alive():
            _stop(process)
        if conn is not None:
            conn.close()

    def kill(self) -> None:
        """Stop the child at once (cancel): terminate, then kill if it lingers."""
        process, conn = self._process, self._conn
        self._process = self._conn = None
        if process is not None:
            _stop(process)
        if conn is not None:
            conn.close()

    def __enter__(self) -> TranscriptionWorker:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- waiting -----------------------------------------------------------------------------------

    def _wait(
        self, cancel: CancelToken | None, on_message: Callable[[dict[str, Any]], None]
    ) -> dict[str, Any]:
        """Messages until a final one (loaded/result/error); honours ``cancel`` meanwhile."""
        assert self._conn is not None and self._process is not None
        conn = self._conn
        while True:
            if cancel is not None and cancel.cancelled:
                self.kill()
                raise Cancelled("Transcription cancelled.")
            try:
                if not conn.poll(POLL_S):
                    if not self._process.is_alive():
                        raise self._crashed()
                    continue
                message = conn.recv()
            except (EOFError, ConnectionResetError, BrokenPipeError, OSError) as exc:
                raise self._crashed() from exc
            event = message.get("event")
            if event in ("loaded", "result"):
                return message  # type: ignore[no-any-return]
            if event == "error":
                raise TranscriptionFailed(
                    str(message.get("message", "Transcription failed.")),
                    hint=str(message.get("hint", "")) or None,
                )
            on_message(message)

    def _crashed(self) -> WorkerCrashed:
        process = self._process
        code = None
        if process is not None:
            process.join(1.0)
            code = process.exitcode
        self.kill()
        how = f"it was killed (signal {-code})" if code is not None and code < 0 else "it ended"
        return WorkerCrashed(
            f"The transcription process stopped unexpectedly: {how}. The session and its "
            "audio are intact.",
            hint="Transcribe it again. If this repeats, pick a smaller model: the computer may "
            "be running out of memory.",
        )


def _stop(process: BaseProcess) -> None:
    process.terminate()
    process.join(0.5)
    if process.is_alive():
        process.kill()
        process.join(0.5)


# -- the child ------------------------------------------------------------------------------------


def _serve(conn: Connection, threads: int | None, nice: int) -> None:
    """The child's loop: load the model, then answer jobs until told to quit."""
    if nice:
        os.nice(nice)
    from recorder.core.transcribe.engine import Engine

    engine: Engine | None = None
    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        command = message.get("cmd")
        if command == "quit":
            return
        try:
            if command == "load":
                engine = Engine(message["spec"], threads)
                conn.send({"event": "loaded", "version": engine.version})
            elif command in ("transcribe", "stretch"):
                audio = np.frombuffer(conn.recv_bytes(), dtype=np.float32)
                if engine is None:
                    raise RuntimeError("no model loaded")
                if command == "stretch":
                    result = _stretch(engine, audio, message)
                else:
                    options = Options.from_json(message["options"])
                    detector = message.get("detector")
                    result = engine.transcribe(audio, detector, options, _Throttled(conn))
                conn.send({"event": "result", "result": result})
        except Exception as exc:  # reported to the parent as a typed error, never lost
            conn.send({"event": "error", **_explain(exc, str(command))})


def _stretch(engine: Any, audio: FloatArray, message: dict[str, Any]) -> dict[str, Any]:
    """Transcribe ``audio`` up to its last pause (or all of it when final)."""
    from recorder.core.transcribe import vad
    from recorder.core.transcribe.engine import RATE

    detector = message.get("detector")
    cut: int | None = len(audio)
    if message["final"]:  # the recording is over: the tail may use the whole computer
        engine.set_threads(os.cpu_count() or 1)
    else:
        cut = vad.cut_point(
            audio,
            RATE,
            min_pause_s=float(message["min_pause_s"]),
            detector=detector or vad.DEFAULT_DETECTOR,
        )
        if cut is not None and cut < float(message["min_s"]) * RATE:
            cut = None
    if not cut:
        return {"cut": None}
    options = Options.from_json(message["options"])
    result: dict[str, Any] = engine.transcribe(audio[:cut], detector, options, lambda _f: None)
    result["cut"] = cut
    return result


class _Throttled:
    """Sends progress to the parent at most ten times a second (and always the end)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.last = 0.0

    def __call__(self, fraction: float) -> None:
        now = time.monotonic()
        if now - self.last >= 0.1 or fraction >= 1.0:
            self.last = now
            self.conn.send({"event": "progress", "fraction": fraction})


def _explain(exc: Exception, command: str) -> dict[str, str]:
    """A sentence for the parent; no audio, no text."""
    from recorder.core.transcribe.engine import LanguageNotSupported

    name = type(exc).__name__
    if isinstance(exc, MemoryError) or "out of memory" in str(exc).lower():
        return {
            "message": "The computer ran out of memory while transcribing.",
            "hint": "Pick a smaller model, or close other programs and try again.",
        }
    if isinstance(exc, LanguageNotSupported):
        return {
            "message": str(exc),
            "hint": "Choose language en (or detect), or pick a multilingual model (one whose "
            "name does not end in .en).",
        }
    if command == "load":
        return {
            "message": f"The model could not be loaded ({name}: {exc}).",
            "hint": "Check the model file (python main.py model use FILE), or pick another model.",
        }
    return {"message": f"Transcription failed ({name}: {exc}).", "hint": ""}
