"""Composition root: ``python main.py`` starts the desktop app, ``python main.py CMD`` the CLI."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point for ``main.py`` and the ``interview-recorder`` script."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args:
        from recorder.cli import run

        return run(args)
    from recorder.ui.main import run_gui

    return run_gui()
