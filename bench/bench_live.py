"""Stop-to-transcript latency with live transcription, against transcribing after the stop.

    .venv/bin/python bench/bench_live.py [--minutes 10] [--size tiny]

A session is recorded in real time through the real PortAudio stream from the virtual
PulseAudio microphone (interview-like speech: espeak-ng sentences with long pauses), with live
transcription on: a niced, one-thread worker with a real-size random-weight checkpoint. At the
end of the audio the bench presses Stop and times Stop -> transcript sealed (the tail). Then,
in the same run, the baseline every other tool uses: the same stored session transcribed after
the stop (decrypt, VAD, whisper, seal) by a worker with the model already loaded, at normal
priority with all cores. Stop is pressed 5 s after the last words. Also reported: input
overflows during the recording (target 0) and how far live transcription lagged behind.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("RECORDER_TEST_ONLY_WEAK_KDF", "1")  # unlock speed is not measured here

from bench.bench_transcribe import OPTIONS, recordings  # noqa: E402
from recorder.core import enrolment  # noqa: E402
from recorder.core.audio.devices import choose_sample_rate, resolve_device  # noqa: E402
from recorder.core.audio.recorder import CaptureSettings  # noqa: E402
from recorder.core.enrolment import create_study  # noqa: E402
from recorder.core.model import Identity  # noqa: E402
from recorder.core.protocol import SessionKind, load_default_protocol  # noqa: E402
from recorder.core.recording import RecordingSession  # noqa: E402
from recorder.core.sessions import consent_on_file, create_session  # noqa: E402
from recorder.core.transcribe.live import LivePhase, LiveTranscriber  # noqa: E402
from recorder.core.transcribe.pipeline import ModelChoice, transcribe_session  # noqa: E402
from recorder.core.transcribe.worker import TranscriptionWorker  # noqa: E402
from tests.checkpoints import make_checkpoint  # noqa: E402
from tests.sessions_with_audio import RATE, write_wav  # noqa: E402
from tests.virtual_audio import VirtualPulse  # noqa: E402

#: The interviewer presses Stop this long after the last words (thanks, goodbye, the button).
STOP_AFTER_S = 5


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--size", default="tiny")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-live-"))
    pulse = VirtualPulse()
    os.environ.update(pulse.env)
    pulse.start()
    try:
        return run(work, pulse, args.minutes, args.size)
    finally:
        pulse.stop()


def run(work: Path, pulse: VirtualPulse, minutes: float, size: str) -> int:  # noqa: PLR0915
    study, codemap = create_study(
        work / "study", work / "codemap", "bench study pass", "bench codemap pass", title="Bench"
    )
    pid = enrolment.enrol(study, codemap, Identity("Bench Person"), "police").participant_id
    protocol = load_default_protocol()
    enrolment.record_consent(codemap, pid, protocol.consent.form_version, ("participate",))
    record = create_session(study, protocol, SessionKind.INDIVIDUAL, [pid])
    talk = recordings(work, minutes)["interview-like"]
    wav = write_wav(work / "interview.wav", np.concatenate([talk, np.zeros(STOP_AFTER_S * RATE)]))
    checkpoint = make_checkpoint(work / f"{size}.en.pt", size)
    model = ModelChoice(checkpoint.stem, str(checkpoint), "", official=False)

    device = resolve_device(None)
    settings = CaptureSettings(device, choose_sample_rate(device, 1), 1)
    worker = LiveTranscriber.low_priority_worker(str(checkpoint), "cpu", False)
    live = LiveTranscriber(study, record.session_id, lambda: (model, worker), options=OPTIONS)
    live.start()
    session = RecordingSession(study, record.session_id, settings, on_audio=live.feed)
    session.start(consent_on_file(codemap, protocol, [pid]))
    print(f"recording {minutes:g} min in real time from the virtual microphone ({size} model)")
    player = threading.Thread(target=pulse.play, args=(wav,))
    player.start()
    worst_lag = 0.0
    minute = threading.Event()
    while player.is_alive():
        minute.wait(1.0)
        progress = live.progress()
        worst_lag = max(worst_lag, progress.lag_s)
        if int(progress.captured_s) % 60 == 0 and progress.captured_s >= 1:
            print(
                f"  {progress.captured_s / 60:4.1f} min recorded, "
                f"{progress.transcribed_s / 60:4.1f} min transcribed ({progress.phase.value})"
            )
    player.join()
    overflows = session.status().overflows
    phase = live.progress().phase
    tail_s = live.progress().lag_s

    started = time.perf_counter()
    session.stop()
    stop_s = time.perf_counter() - started
    steps: list[tuple[float, str]] = []
    transcript = live.finish(lambda p: steps.append((time.perf_counter() - started, p.message)))
    live_s = time.perf_counter() - started
    print(f"  stop {stop_s:.2f} s; " + "; ".join(f"{m} at {t:.2f} s" for t, m in steps))
    if transcript is None:
        print(f"live transcription did not keep up (phase {phase.value})")
        return 1

    with TranscriptionWorker(str(checkpoint)) as after:
        after.start()
        started = time.perf_counter()
        transcribe_session(study, record.session_id, model, after, options=OPTIONS)
        after_s = time.perf_counter() - started + stop_s

    ratio = live_s / after_s
    print(f"input overflows during the recording: {overflows} (target 0)")
    print(
        f"live transcription: {phase.value} at Stop; worst lag {worst_lag:.0f} s; "
        f"tail left at Stop {tail_s:.0f} s of audio"
    )
    print(f"Stop -> transcript, live on:           {live_s:7.1f} s")
    print(f"Stop -> transcript, after the stop:    {after_s:7.1f} s (baseline)")
    print(f"ratio: {ratio:.3f} (target < 0.1); {len(transcript.segments)} segments")
    ok = overflows == 0 and phase is LivePhase.RUNNING and ratio < 0.1
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
