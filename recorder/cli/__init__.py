"""Headless commands: ``python main.py <command> ...``.

Exit status: 0 success, 1 a failed check or an error the user can fix (wrong passphrase,
damaged file), 2 a usage error. Errors print as sentences on stderr, never as tracebacks.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from recorder import __version__
from recorder.cli import (
    audio_cmds,
    deid_cmds,
    export_cmds,
    model_cmds,
    participant_cmds,
    protocol_cmds,
    session_cmds,
    study_cmds,
    transcribe_cmds,
    vault_cmds,
)
from recorder.core.errors import RecorderError, UsageError

log = logging.getLogger(__name__)

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python main.py",
        description="Interview Recorder: run, record, transcribe and de-identify research "
        "interviews on this computer, offline and encrypted. Without a command, the "
        "desktop app starts.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress on stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    study_cmds.register(sub)
    participant_cmds.register(sub)
    vault_cmds.register(sub)
    protocol_cmds.register(sub)
    session_cmds.register(sub)
    audio_cmds.register(sub)
    model_cmds.register(sub)
    transcribe_cmds.register(sub)
    deid_cmds.register(sub)
    export_cmds.register(sub)
    return parser


def run(argv: Sequence[str]) -> int:
    """Parse ``argv`` and run the command; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(list(argv))
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        status: int = handler(args)
    except UsageError as exc:
        _report(exc)
        return EXIT_USAGE
    except RecorderError as exc:
        _report(exc)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    return status


def _report(exc: RecorderError) -> None:
    print(f"error: {exc}", file=sys.stderr)
    if exc.hint:
        print(f"hint: {exc.hint}", file=sys.stderr)
