"""What the start window loads before its first paint: neither whisper nor torch, and not the
``Qt`` enum namespace (12 ms). The time itself is measured by bench/bench_startup.py."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from recorder.core import appconfig

pytestmark = [pytest.mark.gui]

ROOT = Path(__file__).resolve().parents[2]


def test_first_paint_loads_no_heavy_module_and_no_qt_namespace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    present, missing = tmp_path / "study", tmp_path / "gone"
    present.mkdir()
    (present / appconfig.VAULT_HEADER).write_text("{}")
    appconfig.remember_study(missing, None)  # both kinds of row on the start page
    appconfig.remember_study(present, None)
    env = dict(os.environ, XDG_CONFIG_HOME=str(config), QT_QPA_PLATFORM="offscreen")
    env["RECORDER_FIRST_PAINT_PROBE"] = "1"
    done = subprocess.run(
        [sys.executable, str(ROOT / "main.py")], env=env, cwd=ROOT,
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "first-paint heavy=none qt-namespace=False" in done.stdout
