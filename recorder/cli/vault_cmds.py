"""``verify`` and ``passphrase change``."""

from __future__ import annotations

import argparse
from pathlib import Path

from recorder.cli.common import add_codemap_arg, add_study_arg, info, open_codemap, open_study
from recorder.cli.passphrases import (
    CODEMAP_ENV,
    NEW_ENV,
    STUDY_ENV,
    get_new_passphrase,
    get_passphrase,
)
from recorder.core.codemap import CODEMAP_FILE
from recorder.core.enrolment import check_new_passphrase
from recorder.core.errors import KdfParametersRejected, NotAVault, VaultError
from recorder.core.study import REGISTRY_FILE, SETTINGS_FILE
from recorder.core.vault import HEADER_NAME, Vault, VaultKind, read_header
from recorder.core.verify import Finding, verify_vault


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    ver = sub.add_parser(
        "verify",
        help="check every file's authenticity and completeness",
        description="Authenticate every file of the study (and the code map, if given). "
        "Prints one line per damaged file; exit status 1 if anything is damaged.",
    )
    add_study_arg(ver)
    add_codemap_arg(ver, required=False)
    ver.set_defaults(handler=cmd_verify)

    pp = sub.add_parser("passphrase", help="change a study's or a code map's passphrase")
    ppsub = pp.add_subparsers(dest="passphrase_command", metavar="COMMAND", required=True)
    change = ppsub.add_parser(
        "change",
        help="change the passphrase of a study or code-map folder (rewraps the key)",
        description="Change the passphrase of a study folder or a code-map folder. The data "
        "is not re-encrypted; only the wrapped key in vault.json changes.",
    )
    change.add_argument("folder", type=Path, metavar="STUDY_OR_CODEMAP_DIR")
    change.add_argument(
        "--passphrase-file",
        metavar="FILE",
        help=f"current passphrase from FILE (or ${STUDY_ENV} / ${CODEMAP_ENV})",
    )
    change.add_argument(
        "--new-passphrase-file", metavar="FILE", help=f"new passphrase from FILE (or ${NEW_ENV})"
    )
    change.set_defaults(handler=cmd_passphrase_change)


def _header_finding(folder: Path, exc: VaultError) -> Finding:
    kind = "tampered" if isinstance(exc, KdfParametersRejected | NotAVault) else "unreadable"
    return Finding(HEADER_NAME, kind, f"{folder / HEADER_NAME}: {exc}")


def cmd_verify(args: argparse.Namespace) -> int:
    findings: list[Finding] = []
    checked = 0
    try:
        study = open_study(args)
    except (KdfParametersRejected, NotAVault) as exc:
        print(_header_finding(args.study_dir, exc).line())
        return 1
    findings += verify_vault(study.vault, (SETTINGS_FILE, REGISTRY_FILE))
    checked += len(study.vault.sealed_files())
    if args.codemap is not None:
        try:
            codemap = open_codemap(args, study)
        except (KdfParametersRejected, NotAVault) as exc:
            findings.append(_header_finding(args.codemap, exc))
        else:
            cm_findings = verify_vault(codemap.vault, (CODEMAP_FILE,))
            findings += [
                Finding(f"codemap:{f.path}", f.kind, f"(code map) {f.message}", f.recoverable_bytes)
                for f in cm_findings
            ]
            checked += len(codemap.vault.sealed_files())
    for finding in findings:
        print(finding.line())
    if findings:
        info(f"{len(findings)} problem(s) in {checked} file(s) checked.")
        return 1
    info(f"All {checked} files are intact.")
    return 0


def cmd_passphrase_change(args: argparse.Namespace) -> int:
    header = read_header(args.folder)
    is_study = header.kind is VaultKind.STUDY
    what = "study" if is_study else "code-map"
    current = get_passphrase(what, args.passphrase_file, STUDY_ENV if is_study else CODEMAP_ENV)
    vault = Vault.open(args.folder, header.kind, current)
    new = get_new_passphrase(what, args.new_passphrase_file, NEW_ENV)
    check_new_passphrase(new, what)
    vault.change_passphrase(new)
    info(f"The {what} passphrase was changed. The old passphrase no longer opens it.")
    return 0
