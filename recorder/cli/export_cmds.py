"""``export``, ``export open``, ``export list`` and ``keygen``: encrypted exports for researchers.

    python main.py export STUDY_DIR [--session ID ...|--all] --format FMT
                          (--recipient age1... ...|--passphrase|--plaintext) --out FILE
    python main.py export open FILE.age (--identity KEYFILE|--passphrase) --out DIR
    python main.py export list STUDY_DIR
    python main.py keygen --out KEYFILE

``open`` and ``list`` are words, not folders: a study folder literally named ``open`` is
given as ``./open``. The identifiable transcript needs ``--identifiable`` and
``--confirm-identifiable`` (or typing IDENTIFIABLE at a prompt); audio needs
``--include-audio`` and ``--confirm-audio`` (or typing AUDIO). Export passphrases come from
a prompt, a file or $RECORDER_EXPORT_PASSPHRASE, never from the command line.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from recorder.cli.common import confirm, info, open_study, table
from recorder.cli.passphrases import get_new_passphrase, get_passphrase
from recorder.cli.progress_bar import ProgressBar
from recorder.core.errors import RecorderError, UsageError
from recorder.core.export.document import FORMATS, DateBand

# The rest of the export code (python-docx, pyrage, lxml...) loads when a command runs, so
# `python main.py --help` stays fast.

EXPORT_ENV = "RECORDER_EXPORT_PASSPHRASE"
ACTIONS = ("open", "list")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "export",
        help="export transcripts (de-identified, age-encrypted by default); "
        "'export open FILE.age' unpacks one, 'export list STUDY_DIR' lists past exports",
        description="Export sessions for analysis tools, encrypted with age. "
        "Forms: export STUDY_DIR ... | export open FILE.age ... | export list STUDY_DIR",
    )
    p.add_argument("target", metavar="STUDY_DIR|open|list", help="the study folder, or an action")
    p.add_argument("file", nargs="?", type=Path, metavar="FILE", help="for open/list: the file")
    p.add_argument(
        "--passphrase-file",
        metavar="FILE",
        help="read the study passphrase from FILE (or $RECORDER_STUDY_PASSPHRASE)",
    )
    which = p.add_mutually_exclusive_group()
    which.add_argument("--session", action="append", metavar="ID", help="a session (repeatable)")
    which.add_argument("--all", action="store_true", help="every session of the study")
    p.add_argument("--format", choices=FORMATS, help="qdpx, docx, txt, srt, vtt, csv or json")
    p.add_argument("--out", type=Path, metavar="PATH", help="the file (or folder) to write")
    p.add_argument(
        "--recipient",
        action="append",
        default=[],
        metavar="AGE1KEY",
        help="encrypt to this public key (repeatable)",
    )
    p.add_argument(
        "--passphrase",
        action="store_true",
        help="encrypt to (or open with) a passphrase: prompted, or from "
        f"--export-passphrase-file / ${EXPORT_ENV}",
    )
    p.add_argument("--export-passphrase-file", metavar="FILE", help="the export passphrase")
    p.add_argument(
        "--plaintext",
        action="store_true",
        help="write UNENCRYPTED files: a folder, or a zip when --out ends in .zip",
    )
    p.add_argument(
        "--identifiable",
        action="store_true",
        help="export the reviewed, identifiable transcript instead of the de-identified one",
    )
    p.add_argument("--confirm-identifiable", action="store_true", help="confirm --identifiable")
    p.add_argument("--include-audio", action="store_true", help="include the audio (voices)")
    p.add_argument("--confirm-audio", action="store_true", help="confirm --include-audio")
    p.add_argument(
        "--date-band",
        choices=[b.value for b in DateBand],
        default=DateBand.NONE.value,
        help="show the interview date as year, quarter or month (default: none)",
    )
    p.add_argument(
        "--member-check",
        metavar="PARTICIPANT",
        help="a member-checking export: this participant's own transcripts, for them",
    )
    p.add_argument(
        "--identity", type=Path, metavar="KEYFILE", help="for open: your secret-key file"
    )
    p.set_defaults(handler=cmd_export)

    k = sub.add_parser("keygen", help="make an age key pair for receiving exports")
    k.add_argument("--out", type=Path, required=True, metavar="KEYFILE", help="secret-key file")
    k.set_defaults(handler=cmd_keygen)


def cmd_export(args: argparse.Namespace) -> int:
    if args.target == "open":
        return cmd_open(args)
    if args.target == "list":
        return cmd_list(args)
    if args.file is not None:
        raise UsageError(
            f"Unexpected argument {args.file}.",
            hint="Forms: export STUDY_DIR ..., export open FILE.age ..., export list STUDY_DIR.",
        )
    return cmd_make(args, Path(args.target))


def _confirmed(flag: bool, question: str, word: str) -> bool:
    return flag or confirm(question, word)


def cmd_make(args: argparse.Namespace, study_dir: Path) -> int:
    from recorder.core.export.selection import ExportOptions
    from recorder.core.export.service import Protection, run_export

    if args.format is None or args.out is None:
        raise UsageError("An export needs --format and --out.")
    if not (args.session or args.all or args.member_check):
        raise UsageError("Choose the sessions: --session ID (repeatable) or --all.")
    if args.identity is not None:
        raise UsageError("--identity is for 'export open'; to encrypt to a key use --recipient.")
    chosen = sum((bool(args.recipient), args.passphrase, args.plaintext))
    if chosen != 1:
        raise UsageError(
            "Choose how the export is protected: --recipient age1... (repeatable), "
            "--passphrase, or --plaintext (unencrypted)."
        )
    if args.identifiable and not _confirmed(
        args.confirm_identifiable,
        "WARNING: the reviewed transcript still names people and places. Export it only "
        "where your ethics approval allows identifiable data to leave the study.",
        "IDENTIFIABLE",
    ):
        raise UsageError(
            "The identifiable transcript was not confirmed.",
            hint="Add --confirm-identifiable (or type IDENTIFIABLE when asked).",
        )
    if args.include_audio and not _confirmed(
        args.confirm_audio,
        "WARNING: audio is identifiable: voices can be recognised, and names said aloud "
        "are not removed from it.",
        "AUDIO",
    ):
        raise UsageError(
            "Including the audio was not confirmed.",
            hint="Add --confirm-audio (or type AUDIO when asked).",
        )
    args.study_dir = study_dir
    study = open_study(args)
    if args.plaintext:
        info(
            "WARNING: a plaintext export is NOT encrypted. Anyone with the files can read "
            "them; keep them on an encrypted drive and delete them after use."
        )
        protection = Protection(plaintext=True)
    elif args.recipient:
        protection = Protection(recipients=tuple(args.recipient))
    else:
        protection = Protection(
            passphrase=get_new_passphrase("export", args.export_passphrase_file, EXPORT_ENV)
        )
    options = ExportOptions(
        export_format=args.format,
        session_ids=tuple(args.session or ()),
        identifiable=args.identifiable,
        include_audio=args.include_audio,
        date_band=DateBand(args.date_band),
        member_check=args.member_check or "",
    )
    bar = ProgressBar("Export")
    try:
        result = run_export(study, options, protection, args.out, progress=bar)
    finally:
        bar.finish()
    record = result.record
    what = "identifiable" if record.transcript == "identifiable" else "de-identified"
    info(
        f"Exported {len(record.sessions)} session(s) ({what}, {record.export_format}) to "
        f"{args.out} [{record.protection}]."
    )
    if record.recipients:
        info("Recipients: " + ", ".join(record.recipients))
    return 0


def cmd_open(args: argparse.Namespace) -> int:
    from recorder.core.export.service import open_bundle, write_files

    if args.file is None or args.out is None:
        raise UsageError("Usage: export open FILE.age (--identity KEYFILE|--passphrase) --out DIR")
    if (args.identity is None) == (not args.passphrase):
        raise UsageError("Open an export with either --identity KEYFILE or --passphrase.")
    try:
        data = args.file.read_bytes()
    except OSError as exc:
        raise UsageError(f"Cannot read {args.file}: {exc.strerror}.") from None
    if args.identity is not None:
        try:
            key_text = args.identity.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"Cannot read the key file {args.identity}: {exc}.") from None
        files = open_bundle(data, identities_text=key_text)
    else:
        secret = get_passphrase("export", args.export_passphrase_file, EXPORT_ENV)
        files = open_bundle(data, passphrase=secret)
    written = write_files(files, args.out)
    info(f"Unpacked {len(written)} file(s) into {args.out}.")
    for path in written:
        print(path)
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from recorder.core.export.log import list_exports

    if args.file is None:
        raise UsageError("Usage: export list STUDY_DIR")
    args.study_dir = args.file
    study = open_study(args)
    rows = [
        [
            r.at,
            r.export_format,
            r.transcript + (" + audio" if r.audio else ""),
            r.protection,
            ", ".join(r.sessions),
            ", ".join(r.recipients),
        ]
        for r in list_exports(study)
    ]
    if not rows:
        info("No exports yet.")
        return 0
    print(table(rows, ["when", "format", "content", "protection", "sessions", "recipients"]))
    return 0


def cmd_keygen(args: argparse.Namespace) -> int:
    from recorder.core.export.bundle import generate_key_pair

    pair = generate_key_pair()
    try:
        fd = os.open(args.out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise UsageError(f"{args.out} exists; choose a new file for the secret key.") from None
    except OSError as exc:
        raise RecorderError(f"Cannot write {args.out}: {exc.strerror}.") from None
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(pair.identity_file())
    info(f"Secret key written to {args.out}: keep it private; it opens exports sent to you.")
    info("Public key (give this to the sender):")
    print(pair.public)
    return 0
