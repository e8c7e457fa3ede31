"""``study create`` (and, with the session model, ``study status``)."""

from __future__ import annotations

import argparse
from pathlib import Path

from recorder.cli import session_cmds
from recorder.cli.common import info
from recorder.cli.passphrases import CODEMAP_ENV, STUDY_ENV, get_new_passphrase
from recorder.core.enrolment import create_study
from recorder.core.model import DEFAULT_ROLES, Targets


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    study = sub.add_parser("study", help="create a study or show its progress")
    study_sub = study.add_subparsers(dest="study_command", metavar="COMMAND", required=True)

    create = study_sub.add_parser(
        "create",
        help="create a study folder and its separately keyed code-map folder",
        description="Create a study (encrypted under the study passphrase) and its code map "
        "(identities; encrypted under its own passphrase, in its own folder).",
    )
    create.add_argument("study_dir", type=Path, metavar="STUDY_DIR")
    create.add_argument(
        "--codemap",
        type=Path,
        required=True,
        metavar="CODEMAP_DIR",
        help="folder for the code map, outside the study folder (e.g. on a USB drive)",
    )
    create.add_argument("--title", default="", help="study title (stored encrypted)")
    create.add_argument(
        "--roles",
        default=",".join(DEFAULT_ROLES),
        help="comma-separated participant roles (default: %(default)s)",
    )
    create.add_argument(
        "--target-individual",
        type=int,
        default=10,
        metavar="N",
        help="individual sessions wanted per role (default: 10)",
    )
    create.add_argument(
        "--target-paired",
        type=int,
        default=10,
        metavar="N",
        help="paired sessions wanted (default: 10)",
    )
    create.add_argument(
        "--passphrase-file",
        metavar="FILE",
        help=f"new study passphrase from FILE (or ${STUDY_ENV})",
    )
    create.add_argument(
        "--codemap-passphrase-file",
        metavar="FILE",
        help=f"new code-map passphrase from FILE (or ${CODEMAP_ENV})",
    )
    create.set_defaults(handler=cmd_create)
    session_cmds.register_status(study_sub)


def cmd_create(args: argparse.Namespace) -> int:
    roles = tuple(r.strip() for r in args.roles.split(",") if r.strip())
    study_pass = get_new_passphrase("study", args.passphrase_file, STUDY_ENV)
    codemap_pass = get_new_passphrase("code-map", args.codemap_passphrase_file, CODEMAP_ENV)
    study, codemap = create_study(
        args.study_dir,
        args.codemap,
        study_pass,
        codemap_pass,
        title=args.title,
        roles=roles,
        targets=Targets(args.target_individual, args.target_paired),
    )
    info(f"Created the study in {study.folder} and its code map in {codemap.folder}.")
    info("Keep both passphrases safe: without them nobody, including you, can read the data.")
    return 0
