"""Live transcription: finished stretches of a session are transcribed while it is recorded.

The recorder's writer thread hands every block it has written to :meth:`LiveTranscriber.feed`
(a queue put, nothing more: the audio callback never sees any of this). A thread of our own
mixes the blocks to mono and, whenever about half a minute has gathered, sends it to a
low-priority worker process, which cuts it at the last pause in speech (so no word is cut)
and transcribes up to there. Each stretch's result is sealed in the session at once
(``live-transcript.json``), so when the interviewer presses Stop only the tail is left.

When the computer cannot keep up (the audio waiting to be transcribed keeps growing) or the
worker fails, live transcription stops and says so: the session is then transcribed after it
ends, like any other. Audio is never at stake: the recorder does not wait on any of this.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np

from recorder.core.audio.pcm import FloatArray, resample, to_float, to_frames
from recorder.core.errors import Cancelled, RecorderError
from recorder.core.jobs import CancelToken, Progress
from recorder.core.session import SessionRecord
from recorder.core.sessions import load_protocol_of, load_session
from recorder.core.study import Study
from recorder.core.transcribe import models, vad
from recorder.core.transcribe.engine import RATE, EngineSpec, Options
from recorder.core.transcribe.models import ModelSource
from recorder.core.transcribe.pipeline import (
    SessionAudio,
    build_transcript,
    check_transcribable,
    provenance_of,
    seal_transcript,
    session_audio,
)
from recorder.core.transcribe.prepare import prepare
from recorder.core.transcribe.transcript import Transcript
from recorder.core.transcribe.vocabulary import with_vocabulary
from recorder.core.transcribe.worker import TranscriptionWorker

log = logging.getLogger(__name__)

LIVE_FILE = "live-transcript.json"
#: A stretch is sent to the worker once this much audio has gathered and has a pause in it:
#: short, so that each answer is transcribed in the pause after it and, when Stop is pressed,
#: only silence (or the last few words) is left. While the worker is busy, audio gathers, so
#: on a slow computer stretches grow by themselves until the worker keeps up.
STRETCH_S = 3.0
#: With no pause in speech for this long, the whole buffer is transcribed anyway.
MAX_STRETCH_S = 90.0
#: Audio waiting up to this long is normal (a stretch gathering until the next pause).
KEEPING_UP_S = 10.0
#: Audio waiting to be transcribed beyond this means the computer cannot keep up.
MAX_LAG_S = 120.0
#: The worker runs at this niceness and on one thread, leaving the rest to the recording.
NICE = 10

_END = object()


class LivePhase(StrEnum):
    STARTING = "starting"  # loading the model
    RUNNING = "running"
    FELL_BEHIND = "fell-behind"  # stopped; the session is transcribed after it ends
    FAILED = "failed"  # stopped; likewise
    TAIL_DONE = "tail-done"  # everything transcribed; the transcript is being built
    FINISHED = "finished"


@dataclass(frozen=True)
class LiveProgress:
    """What the console shows about live transcription."""

    phase: LivePhase
    #: Seconds of session audio seen so far.
    captured_s: float
    #: Seconds of it already transcribed.
    transcribed_s: float
    #: A sentence for the interviewer.
    message: str

    @property
    def lag_s(self) -> float:
        return max(0.0, self.captured_s - self.transcribed_s)

    @property
    def active(self) -> bool:
        return self.phase in (LivePhase.STARTING, LivePhase.RUNNING)


@dataclass(frozen=True)
class _Stretch:
    """A transcribed stretch: where it starts on the session timeline, and whisper's result."""

    offset_s: float
    seconds: float
    result: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"offset_s": self.offset_s, "seconds": self.seconds, "result": self.result}


class LiveTranscriber:
    """Transcribes a session while it is being recorded (see the module docstring)."""

    def __init__(
        self,
        study: Study,
        session_id: str,
        engine: Callable[[], tuple[ModelSource, TranscriptionWorker]],
        *,
        options: Options | None = None,
        detector: str | None = vad.DEFAULT_DETECTOR,
        origin_s: float = 0.0,
        stretch_s: float = STRETCH_S,
        max_lag_s: float = MAX_LAG_S,
    ) -> None:
        self.study = study
        self.session_id = session_id
        self._engine = engine
        self.model: ModelSource | None = None
        self.worker: TranscriptionWorker | None = None
        self.options = options or Options()
        self.detector = detector
        self.stretch_s = stretch_s
        self.max_lag_s = max_lag_s
        self._origin_s = origin_s
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="live-transcription", daemon=True)
        self._stretches: list[_Stretch] = []
        self._buffer: list[FloatArray] = []  # mono, at the device's rate
        self._rate = 0
        self._consumed = 0  # device samples already transcribed
        self._fed_s = 0.0  # written by the recorder's writer thread only
        self._transcribed_s = 0.0
        self._busy_s = 0.0  # worker time spent on stretches
        self._next_try_s = stretch_s
        self._phase = LivePhase.STARTING
        self._reason = ""
        self._cancel = CancelToken()

    @staticmethod
    def low_priority_worker(spec: EngineSpec) -> TranscriptionWorker:
        """A worker that leaves the computer to the recording: one thread, niced."""
        threads = None if spec.device != "cpu" else 1
        return TranscriptionWorker(spec, threads=threads, nice=NICE)

    @classmethod
    def for_model(
        cls,
        study: Study,
        session_id: str,
        model: str,
        *,
        engine: str = "auto",
        options: Options | None = None,
    ) -> LiveTranscriber:
        """Live transcription with the app's model (name or file) and engine; the model is
        resolved and loaded in the background, so this returns at once."""
        language = options.language if options is not None else None

        def loaded() -> tuple[ModelSource, TranscriptionWorker]:
            prepared = prepare(model, engine, language=language)
            return prepared.source, cls.low_priority_worker(prepared.spec)

        return cls(study, session_id, loaded, options=options)

    # -- the recorder's side -------------------------------------------------------------------

    def start(self) -> None:
        """Start the model loading and the stretch thread (returns at once)."""
        self._thread.start()

    def feed(self, pcm: bytes, channels: int, rate: int) -> None:
        """A written block (int16, interleaved), from the recorder's writer thread."""
        if self._phase in (LivePhase.FELL_BEHIND, LivePhase.FAILED):
            return
        self._fed_s += len(pcm) / (2 * channels * rate)
        self._queue.put((pcm, channels, rate))

    def progress(self) -> LiveProgress:
        """A snapshot for the console (any thread): the lag said as it is."""
        phase = self._phase
        lag = max(0.0, self._fed_s - self._transcribed_s)
        running = (
            "Live transcript: keeping up"
            if lag <= KEEPING_UP_S
            else f"Live transcript: {lag:.0f} s behind"
        )
        messages = {
            LivePhase.STARTING: "Live transcript: loading the model…",
            LivePhase.RUNNING: running,
            LivePhase.FELL_BEHIND: "Live transcript stopped: this computer could not keep up. "
            "The session will be transcribed after it ends.",
            LivePhase.FAILED: f"Live transcript stopped ({self._reason}). The session will be "
            "transcribed after it ends.",
            LivePhase.TAIL_DONE: "Live transcript: finishing",
            LivePhase.FINISHED: "Live transcript: done",
        }
        return LiveProgress(phase, self._fed_s, self._transcribed_s, messages[phase])

    # -- the end of the session -----------------------------------------------------------------

    def finish(
        self,
        progress: Callable[[Progress], None] | None = None,
        cancel: CancelToken | None = None,
    ) -> Transcript | None:
        """After the recording has stopped: transcribe the tail and seal the transcript.

        Returns None when live transcription had stopped (fell behind or failed): the caller
        then transcribes the session after the fact. Raises ``Cancelled`` if cancelled.
        """
        report = progress or (lambda _p: None)
        report(Progress(0.0, "Transcribing the last words"))
        self._queue.put(_END)
        while self._thread.is_alive():
            if cancel is not None and cancel.cancelled:
                self._stop_worker()
                self._discard_partials()
                raise Cancelled("Transcription cancelled.")
            self._thread.join(0.05)
        if self.worker is not None:
            self.worker.close()
        if self._phase is not LivePhase.TAIL_DONE:
            self._discard_partials()
            return None
        report(Progress(0.8, "Sealing the transcript"))
        transcript = self._seal()
        self._phase = LivePhase.FINISHED
        report(Progress(1.0, "Transcribed"))
        return transcript

    def abandon(self) -> None:
        """Stop at once and forget everything (the session is being discarded or the app quits
        mid-session); the session can still be transcribed after the fact."""
        self._stop_worker()
        self._queue.put(_END)
        if self._thread.ident is not None:  # started
            self._thread.join(1.0)
        self._discard_partials()

    # -- the stretch thread ----------------------------------------------------------------------

    def _run(self) -> None:
        try:
            protocol = load_protocol_of(self.study, load_session(self.study, self.session_id))
            self.options = with_vocabulary(self.options, self.study, protocol)
            self.model, self.worker = self._engine()
            self.worker.start(self._cancel)
            if self._phase is LivePhase.STARTING:
                self._phase = LivePhase.RUNNING
            while True:
                ended = self._gather()
                if ended:
                    if self._phase is not LivePhase.RUNNING:
                        return  # it had stopped: the session is transcribed after it ends
                    self._transcribe(final=True)
                    self._phase = LivePhase.TAIL_DONE
                    return
                if self._phase is not LivePhase.RUNNING:
                    continue  # drained and dropped until the end
                buffered = self._buffered_s()
                if buffered >= self._next_try_s:
                    self._transcribe(final=buffered >= MAX_STRETCH_S)
                    if self._fed_s - self._transcribed_s > self.max_lag_s:
                        self._give_up(LivePhase.FELL_BEHIND, "fell behind")
        except Cancelled:
            return
        except RecorderError as exc:  # the worker crashed or whisper failed
            self._give_up(LivePhase.FAILED, str(exc).split(":")[0].rstrip("."))
        except Exception as exc:  # never let a bug here touch the recording
            log.exception("live transcription failed")
            self._give_up(LivePhase.FAILED, type(exc).__name__)

    def _gather(self) -> bool:
        """Move queued blocks into the buffer (waiting briefly for one); True at the end."""
        try:
            item = self._queue.get(timeout=0.25)
        except queue.Empty:
            return False
        while True:
            if item is _END:
                return True
            if self._phase is LivePhase.RUNNING or self._phase is LivePhase.STARTING:
                self._append(*item)
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return False

    def _append(self, pcm: bytes, channels: int, rate: int) -> None:
        if self._rate and rate != self._rate:
            self._give_up(LivePhase.FAILED, "the input device changed")
            return
        self._rate = rate
        frames = to_float(to_frames(pcm, channels))
        self._buffer.append(frames.mean(axis=1) if channels > 1 else frames[:, 0])

    def _buffered_s(self) -> float:
        return sum(len(b) for b in self._buffer) / self._rate if self._rate else 0.0

    def _transcribe(self, *, final: bool) -> None:
        """Send the buffer to the worker; keep what lies after the cut for the next stretch."""
        if not self._buffer:
            return
        device_audio = np.concatenate(self._buffer)
        audio = resample(device_audio, self._rate, RATE)
        started = time.monotonic()
        assert self.worker is not None
        result = self.worker.transcribe_stretch(
            audio, self.options, detector=self.detector, final=final, cancel=self._cancel
        )
        cut = result.pop("cut")
        if cut is None:  # no pause yet: try again with a few more seconds
            self._next_try_s = self._buffered_s() + 2.0
            return
        self._busy_s += time.monotonic() - started
        used = len(device_audio) if cut >= len(audio) else round(cut * self._rate / RATE)
        offset_s = self._origin_s + self._consumed / self._rate
        self._stretches.append(_Stretch(offset_s, used / self._rate, result))
        self._consumed += used
        self._buffer = [device_audio[used:]] if used < len(device_audio) else []
        self._transcribed_s = self._consumed / self._rate
        self._next_try_s = self.stretch_s
        self._save_partials()

    def _give_up(self, phase: LivePhase, reason: str) -> None:
        self._reason = reason
        self._phase = phase
        self._buffer = []
        log.warning("live transcription stopped: %s", reason)
        self._stop_worker()

    def _stop_worker(self) -> None:
        self._cancel.cancel()
        if self.worker is not None:
            self.worker.kill()

    # -- storage ------------------------------------------------------------------------------

    def _partials_path(self) -> str:
        return f"{self.study.session_dir(self.session_id)}/{LIVE_FILE}"

    def _save_partials(self) -> None:
        """Seal what has been transcribed so far (so an app crash keeps it too)."""
        self.study.vault.write_json(
            self._partials_path(),
            {"stretches": [stretch.to_json() for stretch in self._stretches]},
        )

    def _discard_partials(self) -> None:
        self.study.vault.path(self._partials_path()).unlink(missing_ok=True)

    def _audio_for_speakers(self, record: SessionRecord) -> SessionAudio:
        """The session's channels, decrypted again only when they tell speakers apart."""
        if record.audio.channels > 1 and len(record.audio.channel_map) > 1:
            return session_audio(self.study, record)
        frames = round(record.audio_frames * RATE / record.audio.sample_rate)
        silent = np.zeros((frames, 1), dtype=np.float32)  # calloc'd: costs nothing
        return SessionAudio(silent, silent[:, 0])

    def _seal(self) -> Transcript:
        record = load_session(self.study, self.session_id)
        check_transcribable(record)
        protocol = load_protocol_of(self.study, record)
        audio = self._audio_for_speakers(record)
        assert self.model is not None and self.worker is not None
        raw = combine([(s.offset_s, s.result) for s in self._stretches])
        transcribed = sum(int(b) - int(a) for a, b in raw["regions"]) / RATE
        provenance = provenance_of(
            self.model, self.worker, self.options, self.detector, audio.seconds, transcribed, "live"
        )
        transcript = build_transcript(record, protocol, raw, audio, provenance)
        seal_transcript(self.study, record, transcript)
        self._discard_partials()
        log.info(
            "live transcript sealed: %d stretches, %.0f s of worker time",
            len(self._stretches),
            self._busy_s,
        )
        return transcript


def combine(stretches: list[tuple[float, dict[str, Any]]]) -> dict[str, Any]:
    """Stretch results, each timed from its own start, as one result on the session's time."""
    segments: list[dict[str, Any]] = []
    speech: list[list[int]] = []
    regions: list[list[int]] = []
    language = ""
    for offset_s, result in stretches:
        shift = round(offset_s * RATE)
        language = language or str(result.get("language") or "")
        speech += [[int(a) + shift, int(b) + shift] for a, b in result.get("speech", [])]
        regions += [[int(a) + shift, int(b) + shift] for a, b in result.get("regions", [])]
        for segment in result.get("segments", []):
            segments.append(
                {
                    **segment,
                    "start": float(segment["start"]) + offset_s,
                    "end": float(segment["end"]) + offset_s,
                    "words": [
                        {
                            **word,
                            "start": float(word["start"]) + offset_s,
                            "end": float(word["end"]) + offset_s,
                        }
                        for word in segment.get("words", [])
                    ],
                }
            )
    return {"language": language, "segments": segments, "speech": speech, "regions": regions}


def model_on_this_computer(model: str) -> bool:
    """Whether ``model`` (a name or a model file) is here, without reading it (cheap)."""
    try:
        return models.installed(model) is not None
    except RecorderError:  # not an official name: a model file's path
        return Path(model).expanduser().is_file()
