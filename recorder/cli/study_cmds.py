"""``study create``, ``study vocabulary`` (and, with the session model, ``study status``)."""

from __future__ import annotations

import argparse
from pathlib import Path

from recorder.cli import session_cmds
from recorder.cli.common import add_study_arg, info, open_study
from recorder.cli.passphrases import CODEMAP_ENV, STUDY_ENV, get_new_passphrase
from recorder.core.enrolment import create_study
from recorder.core.model import DEFAULT_ROLES, Targets


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    study = sub.add_parser("study", help="create a study, show its progress or edit its vocabulary")
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
    _register_vocabulary(study_sub)


def _register_vocabulary(study_sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    vocab = study_sub.add_parser(
        "vocabulary",
        help="the study's glossary: words transcription should spell the study's way",
        description="The study vocabulary: agency names, local places, jargon and "
        "abbreviations (co-responder, CIT, 5150 hold) that whisper is told before it listens, "
        "together with the protocol's vignette titles and names. A study that has never "
        "changed it uses its protocol's default glossary. Do not put people's names in it.",
    )
    vsub = vocab.add_subparsers(dest="vocabulary_command", metavar="COMMAND", required=True)
    show = vsub.add_parser(
        "show", help="list the terms, one a line (or, with --prompt, what whisper hears)"
    )
    add_study_arg(show)
    show.add_argument(
        "--prompt",
        action="store_true",
        help="print whisper's initial prompt and hotwords for the study's protocol",
    )
    show.set_defaults(handler=cmd_vocabulary_show)
    set_ = vsub.add_parser("set", help="replace the whole glossary")
    add_study_arg(set_)
    set_.add_argument("terms", nargs="*", metavar="TERM", help="the new terms")
    source = set_.add_mutually_exclusive_group()
    source.add_argument(
        "--file", type=Path, metavar="FILE", help="read the terms from FILE, one a line"
    )
    source.add_argument(
        "--default", action="store_true", help="the protocol's default glossary again"
    )
    source.add_argument("--empty", action="store_true", help="no terms at all")
    set_.set_defaults(handler=cmd_vocabulary_set)
    add = vsub.add_parser(
        "add", help="add terms (one already there, in any case, keeps its spelling)"
    )
    add_study_arg(add)
    add.add_argument("terms", nargs="+", metavar="TERM")
    add.set_defaults(handler=cmd_vocabulary_add)
    remove = vsub.add_parser("remove", help="remove terms (matched ignoring case)")
    add_study_arg(remove)
    remove.add_argument("terms", nargs="+", metavar="TERM")
    remove.set_defaults(handler=cmd_vocabulary_remove)


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


def cmd_vocabulary_show(args: argparse.Namespace) -> int:
    from recorder.core.sessions import study_protocol
    from recorder.core.transcribe import vocabulary

    study = open_study(args)
    protocol = study_protocol(study)
    terms = vocabulary.glossary(study, protocol)
    if args.prompt:
        options = vocabulary.build_options(terms, protocol)
        print(f"initial prompt: {options.initial_prompt or ''}")
        print(f"hotwords: {options.hotwords or ''}")
        if options.left_out:
            info(f"{len(options.left_out)} vignette title(s) or name(s) did not fit in the prompt.")
        return 0
    for term in terms:
        print(term)
    origin = "" if vocabulary.is_stored(study) else f" (the default of the {protocol.id} protocol)"
    info(f"{len(terms)} term(s){origin}.")
    return 0


def cmd_vocabulary_set(args: argparse.Namespace) -> int:
    from recorder.core.errors import UsageError
    from recorder.core.transcribe import vocabulary

    given = [bool(args.terms), args.file is not None, args.default, args.empty]
    if sum(given) != 1:
        raise UsageError(
            "Give the new terms, or one of --file FILE, --default or --empty.",
            hint="To change a few terms, use 'study vocabulary add' or 'remove'.",
        )
    if args.file is not None:
        terms = vocabulary.read_terms_file(args.file)  # checked before the passphrase prompt
    else:
        terms = vocabulary.clean_terms(args.terms)
    study = open_study(args)
    if args.default:
        stored = vocabulary.reset_glossary(study)
    else:
        stored = vocabulary.set_glossary(study, terms)
    info(f"The study vocabulary has {len(stored)} term(s).")
    return 0


def cmd_vocabulary_add(args: argparse.Namespace) -> int:
    from recorder.core.transcribe import vocabulary

    vocabulary.clean_terms(args.terms)  # a bad term is refused before the passphrase prompt
    study = open_study(args)
    before = len(vocabulary.glossary(study))
    stored = vocabulary.add_terms(study, args.terms)
    added = len(stored) - before
    there = f" ({len(args.terms) - added} already there)" if added < len(args.terms) else ""
    info(f"Added {added} term(s){there}; the study vocabulary has {len(stored)}.")
    return 0


def cmd_vocabulary_remove(args: argparse.Namespace) -> int:
    from recorder.core.transcribe import vocabulary

    study = open_study(args)
    stored = vocabulary.remove_terms(study, args.terms)
    info(f"Removed {len(args.terms)} term(s); the study vocabulary has {len(stored)}.")
    return 0
