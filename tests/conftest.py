"""Test set-up shared by every test.

- Qt runs offscreen (set before anything imports Qt).
- Vaults use the explicit test-only weak key derivation (RECORDER_TEST_ONLY_WEAK_KDF), so
  each unlock takes microseconds; tests of the production bounds switch it off themselves.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.real_model import Weights

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["RECORDER_TEST_ONLY_WEAK_KDF"] = "1"


def _guard_none() -> None:
    """As the app does at start: the PySide6 6.12 / CPython 3.11 None refcount bug."""
    from recorder.ui.none_guard import keep_none_alive

    keep_none_alive()


_guard_none()

ROOT = Path(__file__).resolve().parent.parent
STUDY_PASS = "correct horse study"
CODEMAP_PASS = "battery staple codemap"


@dataclass
class StudyPair:
    """A freshly created study and its code map, unlocked."""

    study_dir: Path
    codemap_dir: Path
    study: object
    codemap: object


@pytest.fixture
def study_pair(tmp_path: Path) -> StudyPair:
    from recorder.core.enrolment import create_study

    study_dir, codemap_dir = tmp_path / "study", tmp_path / "codemap"
    study, codemap = create_study(
        study_dir, codemap_dir, STUDY_PASS, CODEMAP_PASS, title="Crisis response"
    )
    return StudyPair(study_dir, codemap_dir, study, codemap)


@pytest.fixture
def cli_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """Environment for running ``python main.py`` with the test passphrases."""
    env = dict(os.environ)
    env.update(
        RECORDER_STUDY_PASSPHRASE=STUDY_PASS,
        RECORDER_CODEMAP_PASSPHRASE=CODEMAP_PASS,
        PYTHONPATH=str(ROOT),
    )
    yield env


def run_cli(
    *args: str | Path, env: dict[str, str], stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``python main.py ARGS`` in a child process, as a user would."""
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *map(str, args)],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def add_participant_cli(
    study: Path, codemap: Path, name: str, role: str, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """``participant add`` through the CLI; stdout holds the new ID."""
    return run_cli(
        "participant", "add", study, "--codemap", codemap, "--name", name, "--role", role, env=env
    )


@pytest.fixture(scope="session")
def pulse() -> Iterator[object]:
    """The virtual microphone for the whole test session (skips where PulseAudio is absent)."""
    from tests.virtual_audio import VirtualPulse

    if not VirtualPulse.available():
        pytest.skip("PulseAudio is not installed: run bash .ci/setup.sh --test")
    daemon = VirtualPulse()
    saved = {k: os.environ.get(k) for k in daemon.env}
    os.environ.update(daemon.env)
    daemon.start()
    yield daemon
    daemon.stop()
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def wait_until(condition: object, timeout: float = 10.0) -> None:
    """Wait for ``condition()`` to become true (polls; fails after ``timeout`` seconds)."""
    import threading
    import time

    deadline = time.monotonic() + timeout
    tick = threading.Event()
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        tick.wait(0.01)


@pytest.fixture(scope="session")
def micro_checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random-weight English whisper checkpoint (see tests/checkpoints.py)."""
    from tests.checkpoints import make_checkpoint

    return make_checkpoint(tmp_path_factory.mktemp("whisper") / "micro.en.pt")


@pytest.fixture(scope="session")
def builtin(tmp_path_factory: pytest.TempPathFactory) -> Weights:
    """The built-in real model (whisper tiny.en, faster-whisper int8 on the CPU), checked once
    per test session: for tests about words, word times, voice activity or live behaviour."""
    from tests.real_model import builtin_weights

    return builtin_weights(tmp_path_factory.mktemp("data"))


@pytest.fixture(scope="session")
def micro(micro_checkpoint: Path) -> Weights:
    """The random-weight micro checkpoint on openai-whisper: shape, cancel and crash tests."""
    from tests.real_model import random_weights

    return random_weights(micro_checkpoint)


@pytest.fixture(autouse=True)
def _no_live_transcription_unless_asked(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The built-in model is always installed, so every console would start a live worker:
    only tests marked ``live`` get one (a stray worker outliving its test broke later ones)."""
    if request.node.get_closest_marker("live") is None:
        from recorder.core import appconfig

        monkeypatch.setattr(appconfig, "live_transcription", lambda: False)
