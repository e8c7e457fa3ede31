"""The largest model size each engine keeps up with live on this computer.

    .venv/bin/python bench/bench_live_sizes.py [--minutes 3] [--sizes tiny,base,small,medium]
        [--engines faster-whisper,openai-whisper] [--beam N] [--tokens N] [--all]

For each engine, size after size (smallest first), the interview-like real speech of
bench_live.py (--minutes of it) is fed to ``LiveTranscriber.feed`` at real-time pace from a
thread, in 0.1-s int16 blocks as the recorder's writer thread hands them on (no PulseAudio
here), with the app's live worker (``LiveTranscriber.low_priority_worker``: one thread,
niced). After the last block Stop is pressed: the tail is transcribed and the transcript
sealed (``live.finish()``). A size keeps up when live transcription is still running at the
end and at most ``KEEPING_UP_S`` (10 s) behind; once an engine falls behind at a size its
larger sizes are skipped (--all runs them anyway).

Weights: tiny is the real built-in model (whisper tiny.en). **Sizes above tiny use real-size
random-weight checkpoints** (tests/checkpoints.py; medium is built here the same way), converted
to CTranslate2 for faster-whisper (``convert.openai_to_ct2``) and kept in --cache: the real
architecture and cost per token, but words that mean nothing. Random weights decode until the
token limit in every window, so their decoding is **capped at a realistic token rate**: N
tokens per window, N measured from the real tiny.en on the same speech in the first real tiny
run here (its text re-tokenised with whisper's tokenizer, plus two timestamps a segment and an
end-of-text a window; --tokens N overrides). faster-whisper is asked for 2N-1
(``max_new_tokens``): CTranslate2 lets whisper decode at most half the length it is given,
prompt included (OpenNMT/CTranslate2#1856). Random weights also emit random timestamps, which
split a stretch into more windows than real speech needs, so the random rows cost somewhat
more than a real model of their size would (the proxy errs on the slow side). The calibration
row, tiny with random weights and the same cap, measures by how much at the one size where both
exist: proxy / real CPU per audio second, printed at the end.

Decoding, every row: greedy (one temperature: with random weights whisper's fallbacks would
retry every window), word timestamps, previous-text conditioning, English. The app decodes live
with beam 5 and fallbacks (bench_live.py measures tiny that way); --beam 5 runs every row with
beam 5.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("RECORDER_TEST_ONLY_WEAK_KDF", "1")  # unlock speed is not measured here

from bench.bench_live import (  # noqa: E402
    POLL_S,
    Watch,
    describe,
    describe_finish,
    interview,
    kept_up,
    load_average,
    text_of,
    timed_finish,
    write_wav,
)
from recorder.core import enrolment  # noqa: E402
from recorder.core.audio.files import import_files  # noqa: E402
from recorder.core.audio.pcm import from_float  # noqa: E402
from recorder.core.enrolment import create_study  # noqa: E402
from recorder.core.model import Identity  # noqa: E402
from recorder.core.protocol import SessionKind  # noqa: E402
from recorder.core.session import AudioSettings  # noqa: E402
from recorder.core.sessions import create_session, open_controller, study_protocol  # noqa: E402
from recorder.core.study import Study  # noqa: E402
from recorder.core.transcribe import convert, models  # noqa: E402
from recorder.core.transcribe.engine import ENGINES, OPENAI, EngineSpec, Options  # noqa: E402
from recorder.core.transcribe.joined import JOINT_S  # noqa: E402
from recorder.core.transcribe.live import KEEPING_UP_S, LivePhase, LiveTranscriber  # noqa: E402
from recorder.core.transcribe.prepare import Prepared, compute_type, prepare  # noqa: E402
from recorder.core.transcribe.worker import TranscriptionWorker  # noqa: E402
from tests.checkpoints import make_checkpoint  # noqa: E402
from tests.real_speech import RATE, Mix, wer  # noqa: E402

#: The sizes measured, smallest first; medium's shape is whisper's (tests/checkpoints.py has no
#: medium, so it is built here the same way).
ORDER = ("tiny", "base", "small", "medium")
#: Blocks fed at real-time pace, as the recorder's writer thread hands them on.
BLOCK_S = 0.1
WINDOW_S = 30.0
#: Memory a medium conversion needs at its peak (the checkpoint read, the tensors joined).
MEDIUM_MEMORY_GB = 10


def cache_dir() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "interview-recorder-bench"


# -- the models -----------------------------------------------------------------------------------


def random_checkpoint(path: Path, size: str) -> Path:
    """A real-size random-weight English-only checkpoint (reused if already there)."""
    return make_checkpoint(path, size, english=True)


def memory_available_gb() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 2**20
    except OSError:
        pass
    return math.inf


def random_model(size: str, engine: str, cache: Path) -> Prepared:
    """A random-weight ``size`` model in ``engine``'s format (made once, kept in ``cache``)."""
    started = time.perf_counter()
    checkpoint = random_checkpoint(cache / f"{size}.en-random.pt", size)
    path, fmt = checkpoint, models.OPENAI_FORMAT
    if engine != OPENAI:
        path, fmt = cache / f"{size}.en-random-ct2", models.CT2_FORMAT
        if not path.exists():
            convert.openai_to_ct2(checkpoint, path)
    took = time.perf_counter() - started
    if took > 1:
        print(f"  {size} random-weight model for {engine} made in {took:.0f} s ({path})")
    source = models.ModelSource(f"{size}.en-random", path, "0" * 64, False, fmt)
    return Prepared(source, EngineSpec(engine, str(path), "cpu", compute_type(engine, "cpu")))


def capped(engine: str, tokens: int, beam: int | None) -> Options:
    """Decoding capped at ``tokens`` per window. faster-whisper is asked for twice as many:
    CTranslate2 lets whisper decode at most half the length it is given (prompt included;
    OpenNMT/CTranslate2#1856), so ``max_new_tokens=N`` decodes about N/2."""
    sample_len = tokens if engine == OPENAI else 2 * tokens - 1
    return Options(language="en", temperature=(0.0,), beam_size=beam, sample_len=sample_len)


# -- counting what the worker decoded -------------------------------------------------------------


class Counted:
    """The app's live worker, with every stretch result kept: how many stretches, how long,
    and (real weights) how many tokens whisper decoded per window."""

    def __init__(self, worker: TranscriptionWorker) -> None:
        self._worker = worker
        self.stretches: list[tuple[float, dict[str, Any]]] = []  # (joined seconds, result)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._worker, name)

    def transcribe_stretch(self, audio: np.ndarray, options: Options, **kwargs: Any) -> Any:
        result = self._worker.transcribe_stretch(audio, options, **kwargs)
        if result.get("cut") is not None:
            regions = result.get("regions", [])
            joined = sum(int(b) - int(a) for a, b in regions) / RATE
            joined += JOINT_S * max(0, len(regions) - 1)
            self.stretches.append((joined, result))
        return result

    def decoded(self) -> Decoded:
        """What whisper decoded, counted from the stretch results (see ``Decoded``)."""
        from tokenizers import Tokenizer

        folder = models.builtin_folder()
        assert folder is not None
        tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        counted = Decoded()
        for joined_s, result in self.stretches:
            if joined_s <= 0:
                continue
            counted.windows += max(1, math.ceil(joined_s / WINDOW_S))
            for segment in result.get("segments", []):
                text = str(segment["text"])
                counted.text_tokens += len(tokenizer.encode(text, add_special_tokens=False).ids)
                counted.segments += 1
                counted.words += len(text.split())
        return counted


@dataclass
class Decoded:
    """Tokens whisper decoded: text tokens (whisper's own tokenizer), two timestamps per
    segment, one end-of-text per 30-s window of each stretch."""

    text_tokens: int = 0
    segments: int = 0
    windows: int = 0
    words: int = 0

    @property
    def tokens(self) -> int:
        return self.text_tokens + 2 * self.segments + self.windows

    @property
    def per_window(self) -> float:
        return self.tokens / max(1, self.windows)

    def describe(self) -> str:
        by_words = (1.3 * self.words + 2 * self.segments + self.windows) / max(1, self.windows)
        return (
            f"{self.tokens} tokens in {self.windows} windows = {self.per_window:.1f} per window "
            f"({self.text_tokens} text tokens for {self.words} words, "
            f"{self.text_tokens / max(1, self.words):.2f} per word; words x 1.3 would give "
            f"{by_words:.1f} per window)"
        )


# -- one run ------------------------------------------------------------------------------------


@dataclass
class Row:
    engine: str
    size: str
    real: bool
    cap: int | None
    phase: LivePhase = LivePhase.STARTING
    fed_s: float = 0.0
    worst_lag_s: float = 0.0
    end_lag_s: float = 0.0
    cpu_per_s: float | None = None
    core_share: float | None = None
    peak_rss_gb: float | None = None
    stretches: int = 0
    mean_stretch_s: float = 0.0
    stop_s: float | None = None
    wer: float | None = None
    decoded: Decoded | None = None
    notes: list[str] = field(default_factory=list)
    finish: str = ""

    @property
    def kept_up(self) -> bool:
        return kept_up(self.phase, self.end_lag_s)

    @property
    def weights(self) -> str:
        if self.real:
            return "real (built-in)"
        return f"random, capped at {self.cap} tokens/window"


def peak_rss_gb(pid: int | None) -> float | None:
    """The process's peak resident memory (VmHWM), from /proc (Linux)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 2**20
    except OSError:
        pass
    return None


def feed_in_real_time(live: LiveTranscriber, audio: np.ndarray, stop: threading.Event) -> None:
    """Hand ``audio`` to ``live`` in ``BLOCK_S`` int16 blocks, each when it would have been
    recorded (waiting on the clock); returns early once ``stop`` is set."""
    pcm = from_float(audio)
    step = round(BLOCK_S * RATE)
    started = time.monotonic()
    for at in range(0, len(pcm), step):
        delay = started + (at + step) / RATE - time.monotonic()
        if delay > 0 and stop.wait(delay):
            return
        live.feed(pcm[at : at + step].tobytes(), 1, RATE)


@dataclass
class Sessions:
    """A study holding one stopped session of the audio per run, for the live transcript to be
    sealed into (the same path as an imported recording)."""

    study: Study
    participant: str
    wav: Path

    @classmethod
    def create(cls, work: Path, wav: Path) -> Sessions:
        study, codemap = create_study(work / "study", work / "codemap", "bench pass", "map pass")
        who = enrolment.enrol(study, codemap, Identity("Bench Person"), "police").participant_id
        return cls(study, who, wav)

    def stopped(self) -> str:
        protocol = study_protocol(self.study)
        record = create_session(self.study, protocol, SessionKind.INDIVIDUAL, [self.participant])
        segments = import_files(
            self.study.vault, self.study.session_dir(record.session_id), [self.wav]
        )
        controller = open_controller(self.study, record.session_id)
        first = segments[0]
        controller.set_audio(AudioSettings("bench", first.sample_rate, first.channels))
        for segment in segments:
            controller.record_segment(segment)
        controller.confirm_consent({self.participant: True})
        now = [0]
        controller.set_clock(lambda: now[0])
        controller.start_recording()
        now[0] = controller.record.audio_frames
        controller.stop()
        return record.session_id


def run(sessions: Sessions, prepared: Prepared, row: Row, mix: Mix, options: Options) -> Row:
    """Live transcription of ``mix`` fed at real-time pace, then Stop and the tail."""
    counted = Counted(LiveTranscriber.low_priority_worker(prepared.spec))
    live = LiveTranscriber(
        sessions.study,
        sessions.stopped(),
        lambda: (prepared.source, counted),  # type: ignore[return-value]
        options=options,
    )
    label = f"{row.engine} {row.size}{'' if row.real else ' (random)'}: "
    watch = Watch(live, label)
    stop = threading.Event()
    live.start()
    feeder = threading.Thread(target=feed_in_real_time, args=(live, mix.audio, stop))
    feeder.start()
    tick = threading.Event()
    while feeder.is_alive():
        tick.wait(POLL_S)
        if not watch.poll().active:
            stop.set()  # it gave up: the rest would only be dropped
    feeder.join()
    end = watch.poll()
    row.phase, row.fed_s, row.end_lag_s = end.phase, end.captured_s, end.lag_s
    row.worst_lag_s, row.cpu_per_s = watch.worst_lag_s, watch.cpu_per_audio_s()
    row.peak_rss_gb = peak_rss_gb(live.worker.pid if live.worker is not None else None)
    row.core_share = watch.core_share()
    started = time.perf_counter()
    transcript, events = timed_finish(live, started)
    if transcript is not None:
        row.stop_s = time.perf_counter() - started
        if row.real:
            row.wer = wer(mix.text, text_of(transcript))
    row.finish = describe_finish(events, row.stop_s)
    row.stretches = len(counted.stretches)
    row.mean_stretch_s = sum(s for s, _ in counted.stretches) / max(1, row.stretches)
    if row.real:
        row.decoded = counted.decoded()
    if end.phase is not LivePhase.RUNNING:
        row.notes.append(f"{end.phase.value} after {end.captured_s:.0f} s")
    return row


# -- the report -----------------------------------------------------------------------------------


def _cell(value: float | None, unit: str = " s", digits: int = 1) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}{unit}"


def table(rows: list[Row]) -> str:
    lines = [
        "| engine | size | weights | kept up | worst lag | lag at the end | worker CPU per "
        "audio s transcribed | peak memory | stretches (mean) | Stop -> transcript | WER |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        kept = "**yes**" if r.kept_up else "no" + (f" ({'; '.join(r.notes)})" if r.notes else "")
        lines.append(
            f"| {r.engine} | {r.size} | {r.weights} | {kept} | {r.worst_lag_s:.0f} s | "
            f"{r.end_lag_s:.0f} s | {_cell(r.cpu_per_s, ' s', 2)} | "
            f"{_cell(r.peak_rss_gb, ' GB', 2)} | {r.stretches} ({r.mean_stretch_s:.1f} s) | "
            f"{_cell(r.stop_s, ' s', 2)} | "
            f"{'n/a' if r.wer is None else f'{100 * r.wer:.1f} %'} |"
        )
    return "\n".join(lines)


def print_row(row: Row) -> None:
    print(
        f"  -> kept up: {'yes' if row.kept_up else 'NO'}; worst lag {row.worst_lag_s:.0f} s, "
        f"{row.end_lag_s:.0f} s at the end; worker CPU {_cell(row.cpu_per_s, ' s', 2)} per "
        f"audio s transcribed (it got {_cell(row.core_share, '', 2)} of a core); "
        f"{load_average()}",
        flush=True,
    )
    print(f"  -> {row.finish}", flush=True)


def largest(rows: list[Row], engine: str) -> str:
    sizes = [r.size for r in rows if r.engine == engine and r.kept_up and r.size != "tiny"]
    real_tiny = [r for r in rows if r.engine == engine and r.real]
    if sizes:
        return max(sizes, key=ORDER.index) + " (random weights, capped decoding)"
    if real_tiny and real_tiny[0].kept_up:
        return "tiny"
    return "none measured"


def main() -> int:  # noqa: PLR0915
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=3.0, help="audio per run")
    parser.add_argument("--sizes", default=",".join(ORDER))
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--beam", type=int, default=None, help="beam width (default greedy)")
    parser.add_argument("--tokens", type=int, default=None, help="the cap N (default measured)")
    parser.add_argument("--all", action="store_true", help="run sizes above one that fell behind")
    parser.add_argument("--no-calibration", action="store_true", help="no tiny random row")
    parser.add_argument("--cache", type=Path, default=cache_dir(), help="random checkpoints")
    args = parser.parse_args()
    asked = {s.strip() for s in args.sizes.split(",") if s.strip()}
    if unknown_sizes := asked - set(ORDER):
        parser.error(f"unknown size(s) {sorted(unknown_sizes)}; choose from {', '.join(ORDER)}")
    sizes = sorted(asked, key=ORDER.index)
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    if unknown := [e for e in engines if e not in ENGINES]:
        parser.error(f"unknown engine(s) {unknown}; choose from {', '.join(ENGINES)}")
    if "tiny" not in sizes and args.tokens is None:
        parser.error("without tiny (the real model) the cap must be given: --tokens N")

    decoding = Options(language="en", temperature=(0.0,), beam_size=args.beam)
    how = f"beam {args.beam}" if args.beam else "greedy"
    work = Path(tempfile.mkdtemp(prefix="bench-live-sizes-"))
    mix = interview(args.minutes)
    sessions = Sessions.create(work, write_wav(work / "interview.wav", mix.audio))
    print(f"{describe(mix)}; fed at real-time pace; {how} decoding; {load_average()}")
    print(
        "NOTE: sizes above tiny use RANDOM WEIGHTS (real shapes) with decoding capped at a "
        "realistic token rate; tiny is the real built-in model."
    )
    cap = args.tokens
    rows: list[Row] = []
    for engine in engines:
        plan = [(s, s == "tiny") for s in sizes]
        if "tiny" in sizes and not args.no_calibration:
            plan.insert(1, ("tiny", False))
        for size, real in plan:
            if size == "medium" and memory_available_gb() < MEDIUM_MEMORY_GB:
                print(f"{engine} medium: skipped, under {MEDIUM_MEMORY_GB} GB of memory free")
                continue
            if real:
                prepared = prepare("built-in", engine)
                options = decoding
            else:
                assert cap is not None
                prepared = random_model(size, engine, args.cache)
                options = capped(engine, cap, args.beam)
            print(f"{engine} {size} ({'real' if real else 'random'}): running", flush=True)
            row = run(
                sessions, prepared, Row(engine, size, real, None if real else cap), mix, options
            )
            rows.append(row)
            print_row(row)
            if row.decoded is not None:
                print(f"  -> the real tiny.en decoded {row.decoded.describe()}")
                if cap is None:
                    cap = math.ceil(row.decoded.per_window)
                    print(f"  -> random-weight rows decode at most N = {cap} tokens per window")
            if not row.kept_up and not args.all and size != "tiny":
                print(f"{engine}: fell behind at {size}; larger sizes skipped (--all runs them)")
                break

    print()
    print(
        f"Live transcription on {os.cpu_count()} cores, the app's live worker (one thread, "
        f"niced); {describe(mix)} fed at real-time pace; {how} decoding. Sizes above tiny: "
        f"real-size **random weights**, decoding capped at N = {cap} tokens per window (the "
        "real tiny.en's rate on the same speech; faster-whisper asked for 2N-1, as CTranslate2 "
        "halves it); their random timestamps split stretches into more windows than speech "
        "needs, so they err on the slow side (calibration below). Tiny: the real built-in "
        f"model. Kept up: live transcription still running at the end, at most "
        f"{KEEPING_UP_S:g} s behind."
    )
    print()
    print(table(rows))
    print()
    for engine in engines:
        print(f"largest size {engine} keeps up with live here: {largest(rows, engine)}")
        real = next((r for r in rows if r.engine == engine and r.real), None)
        proxy = next(
            (r for r in rows if r.engine == engine and r.size == "tiny" and not r.real), None
        )
        if real and proxy and real.cpu_per_s and proxy.cpu_per_s:
            print(
                f"  calibration, tiny: random weights capped cost {proxy.cpu_per_s:.2f} s of CPU "
                f"per audio s, the real model {real.cpu_per_s:.2f} s "
                f"(proxy / real = {proxy.cpu_per_s / real.cpu_per_s:.2f}: above 1 the random rows "
                "are pessimistic, below 1 optimistic)"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
