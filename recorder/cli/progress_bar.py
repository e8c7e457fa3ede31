"""A progress bar on the terminal (stderr), or a line per tenth when stderr is not a terminal."""

from __future__ import annotations

import shutil
import sys

from recorder.core.jobs import Progress


class ProgressBar:
    """Call with each ``Progress``; ``finish()`` ends the line."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.tty = sys.stderr.isatty()
        self._last_tenth = -1
        self._drawn = False

    def __call__(self, progress: Progress) -> None:
        fraction = max(0.0, min(1.0, progress.fraction))
        if self.tty:
            width = max(10, min(30, shutil.get_terminal_size().columns - 70))
            filled = round(width * fraction)
            bar = "█" * filled + "·" * (width - filled)
            text = f"\r{self.label} [{bar}] {fraction * 100:3.0f}%  {progress.message}"
            columns = shutil.get_terminal_size().columns
            print(text[: columns - 1].ljust(columns - 1), end="", file=sys.stderr, flush=True)
            self._drawn = True
            return
        tenth = int(fraction * 10)
        if tenth > self._last_tenth:
            self._last_tenth = tenth
            print(f"{self.label}: {fraction * 100:3.0f}%  {progress.message}", file=sys.stderr)

    def finish(self) -> None:
        if self.tty and self._drawn:
            print(file=sys.stderr)
        self._drawn = False
