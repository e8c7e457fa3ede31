"""``protocol check FILE`` and ``protocol show FILE [--kind]``."""

from __future__ import annotations

import argparse
import sys

from recorder.cli.common import info
from recorder.core.errors import ProtocolError
from recorder.core.protocol import (
    DEFAULT_PROTOCOL_PATH,
    SessionKind,
    format_running_order,
    load_protocol,
)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    proto = sub.add_parser("protocol", help="check or show an interview protocol file")
    psub = proto.add_subparsers(dest="protocol_command", metavar="COMMAND", required=True)
    check = psub.add_parser(
        "check",
        help="validate a protocol file (exit 0 if valid, 1 with located errors if not)",
    )
    check.add_argument(
        "file",
        nargs="?",
        default=str(DEFAULT_PROTOCOL_PATH),
        metavar="FILE",
        help="protocol file (default: the protocol shipped with the app)",
    )
    check.set_defaults(handler=cmd_check)
    show = psub.add_parser("show", help="print a protocol's running order")
    show.add_argument(
        "file",
        nargs="?",
        default=str(DEFAULT_PROTOCOL_PATH),
        metavar="FILE",
        help="protocol file (default: the protocol shipped with the app)",
    )
    show.add_argument(
        "--kind",
        choices=[k.value for k in SessionKind],
        default=None,
        help="session kind (default: every kind the protocol has)",
    )
    show.set_defaults(handler=cmd_show)


def cmd_check(args: argparse.Namespace) -> int:
    try:
        protocol = load_protocol(args.file)
    except ProtocolError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        info(f"{len(exc.problems)} problem(s) found.")
        return 1
    counts = ", ".join(f"{k.value}: {len(protocol.prompts(k))} steps" for k in protocol.kinds)
    info(f"{args.file}: valid ({counts}; consent form {protocol.consent.form_version}).")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    try:
        protocol = load_protocol(args.file)
    except ProtocolError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 1
    kinds = [SessionKind(args.kind)] if args.kind else list(protocol.kinds)
    print("\n\n".join(format_running_order(protocol, kind) for kind in kinds))
    return 0
