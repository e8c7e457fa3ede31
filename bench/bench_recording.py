"""Recording benchmarks, each against a baseline measured in the same run.

1. Writer throughput: seconds of 16 kHz mono audio encrypted and written per wall second,
   against writing the same PCM blocks unencrypted (same block size, same fsync cadence).
2. CPU share of capture + encryption during a real-time recording from the virtual
   microphone, against the same stream with a callback that discards the audio.
3. RSS growth over a 30-minute recording fed through the real recorder at high speed.

    .venv/bin/python bench/bench_recording.py          # needs pulseaudio for part 2
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["RECORDER_TEST_ONLY_WEAK_KDF"] = "1"  # unlock speed is not what is measured here

import numpy as np

from recorder.core.audio.devices import InputDevice, choose_sample_rate, resolve_device
from recorder.core.audio.pcm import PcmFormat
from recorder.core.audio.recorder import CaptureSettings, Recorder
from recorder.core.audio.segments import SegmentWriter
from recorder.core.vault import Vault, VaultKind

RATE = 16_000
BLOCK = RATE // 50  # 20 ms, as the recorder uses


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def throughput(vault: Vault, folder: Path, minutes: float = 10) -> None:
    block = (np.random.default_rng(1).normal(0, 3000, BLOCK)).astype("<i2").tobytes()
    n_blocks = int(minutes * 60 * 50)
    start = time.perf_counter()
    writer = SegmentWriter(vault, "sessions/S-BENCH/audio-000.irf", PcmFormat(RATE, 1))
    for _ in range(n_blocks):
        writer.write(block)
    writer.close()
    sealed = time.perf_counter() - start

    start = time.perf_counter()
    last_sync = time.monotonic()
    with open(folder / "plain.pcm", "wb", buffering=0) as f:
        for _ in range(n_blocks):
            f.write(block)
            if time.monotonic() - last_sync >= 1.0:
                os.fsync(f.fileno())
                last_sync = time.monotonic()
        os.fsync(f.fileno())
    plain = time.perf_counter() - start
    audio_s = minutes * 60
    print(f"1. writer throughput ({minutes:.0f} min of 16 kHz mono in 20 ms blocks):")
    print(
        f"   encrypted {audio_s / sealed:,.0f} audio-s per s   plain {audio_s / plain:,.0f} "
        f"audio-s per s   ratio {sealed / plain:.2f}x the time"
    )


def realtime_cpu(vault: Vault, seconds: float = 10) -> None:
    try:
        from tests.virtual_audio import VirtualPulse
    except ImportError:
        print("2. skipped (tests/ not importable)")
        return
    if not VirtualPulse.available():
        print("2. skipped: pulseaudio is not installed")
        return
    pulse = VirtualPulse()
    os.environ.update(pulse.env)
    pulse.start()
    try:
        device = resolve_device(None)
        settings = CaptureSettings(device, choose_sample_rate(device, 1), 1)
        # Baseline: the same stream, callback discards the audio.
        import sounddevice as sd

        def discard(indata: Any, frames: int, t: Any, status: Any) -> None:
            bytes(indata)

        def stream_alone() -> float:
            stream = sd.RawInputStream(
                device=device.index,
                samplerate=settings.sample_rate,
                channels=1,
                dtype="int16",
                blocksize=BLOCK,
                callback=discard,
            )
            cpu0, wall0 = cpu_seconds(), time.perf_counter()
            with stream:
                time.sleep(seconds)
            return (cpu_seconds() - cpu0) / (time.perf_counter() - wall0)

        def full_recorder(n: int) -> tuple[float, int]:
            rec = Recorder(vault, f"sessions/S-RT{n}", settings)
            cpu0, wall0 = cpu_seconds(), time.perf_counter()
            rec.start()
            time.sleep(seconds)
            rec.stop()
            share = (cpu_seconds() - cpu0) / (time.perf_counter() - wall0)
            return share, rec.status().overflows

        stream_alone()  # warm-up: the first stream of a process pays PortAudio's start-up
        base, full = [], []
        for n in range(2):  # alternate, so drift hits both sides alike
            base.append(stream_alone())
            share, overflows = full_recorder(n)
            full.append(share)
        b, f = float(np.median(base)), float(np.median(full))
        print(
            f"2. CPU share during {seconds:.0f} s real-time recordings (one core = 100%, "
            "median of 2, alternated):"
        )
        print(
            f"   capture + encryption + writing {f * 100:.2f}%   stream alone {b * 100:.2f}%"
            f"   difference {100 * (f - b):+.2f} points   overflows {overflows}"
        )
    finally:
        pulse.stop()


class FastStream:
    """Feeds the real callback with synthetic blocks as fast as it can (no device)."""

    def __init__(self, callback: Any, total_frames: int, **_: Any) -> None:
        self.callback = callback
        self.total = total_frames
        self.done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        status = type("S", (), {"input_overflow": False})()
        block = (np.random.default_rng(2).normal(0, 3000, BLOCK)).astype("<i2").tobytes()
        fed = 0
        while fed < self.total:
            self.callback(block, BLOCK, None, status)
            fed += BLOCK
        self.done.set()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._thread.join()

    def close(self) -> None:
        pass


def rss_over_long_recording(vault: Vault, minutes: int = 30) -> None:
    total = minutes * 60 * RATE
    streams: list[FastStream] = []

    def factory(**kwargs: Any) -> FastStream:
        stream = FastStream(kwargs["callback"], total)
        streams.append(stream)
        return stream

    device = InputDevice(0, "synthetic", 1, RATE)
    rec = Recorder(
        vault, "sessions/S-LONG", CaptureSettings(device, RATE, 1), stream_factory=factory
    )
    before = rss_mb()
    start = time.perf_counter()
    peak = before
    rec.start()
    while not streams[0].done.is_set():
        peak = max(peak, rss_mb())
        time.sleep(0.05)
    rec.stop()
    wall = time.perf_counter() - start
    after = rss_mb()
    print(f"3. {minutes}-minute recording fed at {minutes * 60 / wall:,.0f}x real time:")
    print(
        f"   RSS before {before:.1f} MB, peak {peak:.1f} MB, after {after:.1f} MB: "
        f"growth {after - before:+.1f} MB (peak {peak - before:+.1f} MB; target < 20 MB)"
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        vault = Vault.create(folder / "study", VaultKind.STUDY, "benchmark passphrase")
        throughput(vault, folder)
        realtime_cpu(vault)
        rss_over_long_recording(vault)


if __name__ == "__main__":
    main()
