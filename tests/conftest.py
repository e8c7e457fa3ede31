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

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["RECORDER_TEST_ONLY_WEAK_KDF"] = "1"

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
