"""Helpers shared by the subcommands: unlocking vaults, printing, confirming."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from recorder.cli.passphrases import CODEMAP_ENV, STUDY_ENV, get_passphrase
from recorder.core.codemap import CodeMap
from recorder.core.study import Study


def add_study_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("study_dir", type=Path, metavar="STUDY_DIR", help="the study folder")
    p.add_argument(
        "--passphrase-file",
        metavar="FILE",
        help=f"read the study passphrase from FILE (or set ${STUDY_ENV}; default: prompt)",
    )


def add_codemap_arg(p: argparse.ArgumentParser, *, required: bool) -> None:
    p.add_argument(
        "--codemap",
        type=Path,
        metavar="CODEMAP_DIR",
        required=required,
        help="the code-map folder" + ("" if required else " (shows identities)"),
    )
    p.add_argument(
        "--codemap-passphrase-file",
        metavar="FILE",
        help=f"read the code-map passphrase from FILE (or set ${CODEMAP_ENV}; default: prompt)",
    )


def open_study(args: argparse.Namespace) -> Study:
    passphrase = get_passphrase("study", args.passphrase_file, STUDY_ENV)
    return Study.open(args.study_dir, passphrase)


def open_codemap(args: argparse.Namespace, study: Study) -> CodeMap:
    passphrase = get_passphrase("code-map", args.codemap_passphrase_file, CODEMAP_ENV)
    return CodeMap.open(args.codemap, passphrase, study_id=study.study_id)


def info(message: str) -> None:
    """A message for the person at the terminal (stderr keeps stdout scriptable)."""
    print(message, file=sys.stderr)


def confirm(question: str, expected: str) -> bool:
    """Ask the person to type ``expected`` to confirm; False without a terminal."""
    if sys.stdin is None or not sys.stdin.isatty():
        return False
    answer = input(f"{question}\nType {expected} to confirm: ")
    return answer.strip().upper() == expected.upper()


def table(rows: list[list[str]], header: list[str]) -> str:
    """A plain aligned text table."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
        for r in [header, *rows]
    ]
    return "\n".join(lines)
