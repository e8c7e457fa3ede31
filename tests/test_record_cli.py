"""``record``, ``recover``, ``session import`` and ``audio export`` as a user runs them,
on the virtual microphone: consent, exact durations, a full disk, kill -9 and recovery."""

from __future__ import annotations

import os
import random
import resource
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import ROOT, add_participant_cli, run_cli
from tests.virtual_audio import RATE, VirtualPulse, speech

pytestmark = pytest.mark.audio


@pytest.fixture
def enrolled(tmp_path: Path, cli_env: dict[str, str], pulse: VirtualPulse):  # type: ignore[no-untyped-def]
    env = {**cli_env, **pulse.env}
    s, c = tmp_path / "study", tmp_path / "codemap"
    assert run_cli("study", "create", s, "--codemap", c, env=env).returncode == 0
    pid = add_participant_cli(s, c, "Ana Lima", "police", env).stdout.strip()
    return s, c, pid, env


def consent(s: Path, c: Path, pid: str, env: dict[str, str]) -> None:
    done = run_cli(
        "consent",
        "record",
        s,
        "--codemap",
        c,
        "--participant",
        pid,
        "--form-version",
        "2026-01",
        env=env,
    )
    assert done.returncode == 0, done.stderr


def record_args(s: Path, c: Path, pid: str, *extra: str) -> list[str]:
    return [
        "record",
        str(s),
        "--codemap",
        str(c),
        "--participants",
        pid,
        "--kind",
        "individual",
        *extra,
    ]


def session_seconds(s: Path, session_id: str) -> float:
    from recorder.core.sessions import load_session
    from recorder.core.study import Study
    from tests.conftest import STUDY_PASS

    record = load_session(Study.open(s, STUDY_PASS), session_id)
    return record.audio_frames / record.audio.sample_rate


def test_record_refuses_without_consent_then_records_exactly(enrolled) -> None:  # type: ignore[no-untyped-def]
    s, c, pid, env = enrolled
    refused = run_cli(*record_args(s, c, pid, "--duration", "1"), env=env)
    assert refused.returncode == 1 and "No consent on file" in refused.stderr
    assert list((s / "sessions").iterdir()) == []  # nothing was created
    consent(s, c, pid, env)
    done = run_cli(*record_args(s, c, pid, "--duration", "1.5"), env=env)
    assert done.returncode == 0, done.stderr
    session_id, overflows = done.stdout.split("\n")[:2]
    assert overflows == "overflows: 0"
    assert abs(session_seconds(s, session_id) - 1.5) <= 0.05
    assert run_cli("verify", s, env=env).returncode == 0


def test_a_full_disk_stops_cleanly_and_loses_nothing_written(enrolled) -> None:  # type: ignore[no-untyped-def]
    s, c, pid, env = enrolled
    consent(s, c, pid, env)
    limit = 120_000  # bytes per file: about 3.7 s of 16 kHz audio

    def small_disk() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    done = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *record_args(s, c, pid, "--duration", "30")],
        env=env,
        capture_output=True,
        text=True,
        preexec_fn=small_disk,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert "The disk is full" in done.stderr and "Traceback" not in done.stderr
    assert "recover" in done.stderr
    session_id = done.stdout.split("\n")[0]
    damaged = run_cli("verify", s, env=env)
    assert damaged.returncode == 1 and "unfinished recording" in damaged.stdout
    recovered = run_cli("recover", s, env=env)
    assert recovered.returncode == 0 and session_id in recovered.stdout
    seconds = session_seconds(s, session_id)
    assert (limit - 4096) / (2 * RATE) - 1.0 <= seconds <= limit / (2 * RATE)
    assert run_cli("verify", s, env=env).returncode == 0


def kill_during_recording(s: Path, c: Path, pid: str, env: dict[str, str], after: float) -> float:
    """Start ``record``, kill -9 it once it reports ``after`` seconds; returns the last report."""
    child = subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), *record_args(s, c, pid, "--progress-every", "0.1")],
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    assert child.stderr is not None
    reported = 0.0
    for line in child.stderr:
        if line.startswith("recorded "):
            reported = float(line.split()[1])
            if reported >= after:
                break
    child.send_signal(signal.SIGKILL)
    child.wait()
    child.stderr.close()
    return reported


def check_kill_and_recover(enrolled, runs: int, seed: int) -> list[float]:  # type: ignore[no-untyped-def]
    s, c, pid, env = enrolled
    consent(s, c, pid, env)
    rng = random.Random(seed)
    losses = []
    for _ in range(runs):
        before = set(os.listdir(s / "sessions"))
        reported = kill_during_recording(s, c, pid, env, rng.uniform(0.3, 3.0))
        (session_id,) = set(os.listdir(s / "sessions")) - before
        verify = run_cli("verify", s, env=env)
        assert verify.returncode == 1 and "unfinished recording" in verify.stdout
        assert "s of audio intact" in verify.stdout and "recover" in verify.stdout
        recovered = run_cli("recover", s, env=env)
        assert recovered.returncode == 0, recovered.stderr
        saved = session_seconds(s, session_id)
        losses.append(reported - saved)
        assert saved >= reported - 1.0, f"lost {reported - saved:.2f} s"
        assert run_cli("verify", s, env=env).returncode == 0
        show = run_cli("session", "show", s, "--session", session_id, env=env)
        assert "stopped" in show.stdout
    return losses


def test_kill_minus_nine_then_recover(enrolled) -> None:  # type: ignore[no-untyped-def]
    check_kill_and_recover(enrolled, runs=3, seed=7)


@pytest.mark.slow
def test_kill_minus_nine_twenty_times(enrolled) -> None:  # type: ignore[no-untyped-def]
    losses = check_kill_and_recover(enrolled, runs=20, seed=2026)
    print(f"loss before kill: max {max(losses):.3f} s, mean {np.mean(losses):.3f} s")


def test_import_and_export_round_trip(enrolled, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import soundfile as sf

    s, c, pid, env = enrolled
    source = speech("Thank you for taking part in this interview.", tmp_path / "in.wav")
    original = (tmp_path / "in.wav").read_bytes()
    flac = tmp_path / "handheld.flac"
    sf.write(str(flac), source, RATE)
    args = [
        "session",
        "import",
        s,
        "--codemap",
        c,
        "--participants",
        pid,
        "--kind",
        "individual",
        flac,
    ]
    refused = run_cli(*args, env=env)
    assert refused.returncode == 1 and "No consent" in refused.stderr
    consent(s, c, pid, env)
    done = run_cli(*args, env=env)
    assert done.returncode == 0, done.stderr
    assert "delete them securely" in done.stderr
    session_id = done.stdout.strip()
    assert (tmp_path / "in.wav").read_bytes() == original
    out = tmp_path / "out.wav"
    exported = run_cli("audio", "export", s, "--session", session_id, "--out", out, env=env)
    assert exported.returncode == 0 and "UNENCRYPTED" in exported.stderr
    back, rate = sf.read(str(out), dtype="float32")
    assert rate == RATE and len(back) == len(source)
    assert np.max(np.abs(back - source)) < 2e-4  # 16-bit rounding only
    not_audio = tmp_path / "notes.txt"
    not_audio.write_text("hello")
    bad = run_cli(
        "session",
        "import",
        s,
        "--codemap",
        c,
        "--participants",
        pid,
        "--kind",
        "individual",
        not_audio,
        env=env,
    )
    assert bad.returncode == 2 and "not an audio file" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_channels_map_to_speakers(enrolled, pulse: VirtualPulse) -> None:  # type: ignore[no-untyped-def]
    s, c, pid, env = enrolled
    consent(s, c, pid, env)
    pulse.use_source("vsink2.monitor")
    try:
        bad = run_cli(
            *record_args(
                s, c, pid, "--channels", "2", "--speaker", "3=interviewer", "--duration", "0.5"
            ),
            env=env,
        )
        assert bad.returncode == 2 and "Channel 3 does not exist" in bad.stderr
        done = run_cli(
            *record_args(
                s,
                c,
                pid,
                "--channels",
                "2",
                "--speaker",
                f"1={pid}",
                "--speaker",
                "2=interviewer",
                "--duration",
                "0.5",
            ),
            env=env,
        )
        assert done.returncode == 0, done.stderr
    finally:
        pulse.use_source("vsink.monitor")
    from recorder.core.sessions import load_session
    from recorder.core.study import Study
    from tests.conftest import STUDY_PASS

    record = load_session(Study.open(s, STUDY_PASS), done.stdout.split()[0])
    assert record.audio.channels == 2
    assert dict(record.audio.channel_map) == {0: pid, 1: "interviewer"}
