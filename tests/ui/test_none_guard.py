"""The app survives PySide6 6.12's None reference-count bug on CPython 3.11.

Each call of a Qt method returning void drops a reference to None it never took; a view that
paints 20 times a second would abort the app within minutes ("deallocating None"). Run in a
fresh interpreter, because the test session itself is already guarded (conftest).
"""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import ROOT

CALLS = """
import sys
calls = 3 * sys.getrefcount(None)  # more void calls than None has references
{guard}
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication
app = QApplication([])
thing = QObject()
for _ in range(calls):
    thing.setObjectName("x")
print("alive")
"""


def run(guard: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, "-c", CALLS.format(guard=guard)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_many_void_qt_calls_do_not_abort_a_guarded_app() -> None:
    guarded = run("from recorder.ui.none_guard import keep_none_alive; keep_none_alive()")
    assert guarded.returncode == 0, guarded.stderr[-2000:]
    assert "alive" in guarded.stdout
