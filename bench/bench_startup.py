"""Startup: time from process start to the first painted window, app vs a bare PySide6 window.

    .venv/bin/python bench/bench_startup.py [--runs 9]

Both are child processes started the same way and timed the same way (until the line printed
by recorder/ui/first_paint.py at the first paint event); runs alternate so machine noise hits
both alike. Target: the app within 1.5x of the bare window, with neither whisper nor torch
imported before the first window appears. Uses the offscreen platform unless a display is set.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

BARE = """
import sys
from PySide6.QtWidgets import QApplication, QWidget
from recorder.ui.first_paint import report_first_paint
app = QApplication(sys.argv)
window = QWidget()
window.resize(1280, 800)
report_first_paint(window)
window.show()
sys.exit(app.exec())
"""


def first_paint(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    """Seconds from spawning ``command`` to its first-paint line, and that line."""
    start = time.perf_counter()
    child = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    assert child.stdout is not None
    for line in child.stdout:
        if line.startswith("first-paint"):
            elapsed = time.perf_counter() - start
            child.wait(timeout=30)
            return elapsed, line.strip()
    child.wait(timeout=30)
    raise SystemExit(f"no first paint from {command}: exit {child.returncode}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    env = dict(os.environ)
    env["RECORDER_FIRST_PAINT_PROBE"] = "1"
    env["PYTHONPATH"] = str(ROOT)
    env["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="bench-startup-")  # no recent studies
    if not env.get("DISPLAY"):
        env["QT_QPA_PLATFORM"] = "offscreen"
    bare_cmd = [sys.executable, "-c", BARE]
    app_cmd = [sys.executable, str(ROOT / "main.py")]
    first_paint(bare_cmd, env)  # warm the file cache for both
    first_paint(app_cmd, env)
    bare, app, lines = [], [], set()
    for _ in range(args.runs):
        seconds, _line = first_paint(bare_cmd, env)
        bare.append(seconds)
        seconds, line = first_paint(app_cmd, env)
        app.append(seconds)
        lines.add(line)
    b, a = statistics.median(bare), statistics.median(app)
    print(f"platform: {env.get('QT_QPA_PLATFORM', 'xcb')}, {args.runs} alternating runs, median")
    print(f"bare PySide6 window  {b * 1000:7.0f} ms")
    print(f"Interview Recorder   {a * 1000:7.0f} ms   ratio {a / b:.2f}x (target <= 1.5x)")
    print(f"app at first paint: {', '.join(sorted(lines))}")
    return 0 if a / b <= 1.5 and all("heavy=none" in line for line in lines) else 1


if __name__ == "__main__":
    raise SystemExit(main())
