"""``deidentify`` (a session, with the code map) and ``redact`` (any text file)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from recorder.cli.common import add_codemap_arg, add_study_arg, info, open_codemap, open_study
from recorder.core.errors import UsageError

if TYPE_CHECKING:  # the engine loads when a command runs: `--help` stays fast
    from recorder.core.deid.review import Review


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    deid = sub.add_parser(
        "deidentify",
        help="propose (or with --accept-all apply) the de-identification of a session",
        description="Finds names from the code map, the study's redaction list and patterns "
        "(phone numbers, e-mail addresses, dates, addresses, ages over 89, ID numbers) in the "
        "session's reviewed transcript (else its machine transcript). Without --accept-all "
        "the proposals are saved in the code map for review in the app. Candidate names are "
        "only ever flagged, never applied without a person's decision.",
    )
    add_study_arg(deid)
    add_codemap_arg(deid, required=True)
    deid.add_argument("--session", required=True, metavar="ID")
    deid.add_argument(
        "--accept-all",
        action="store_true",
        help="accept every proposal except candidates and write the de-identified transcript",
    )
    deid.add_argument(
        "--fresh", action="store_true", help="discard a pending review and propose again"
    )
    deid.add_argument(
        "--show-text",
        action="store_true",
        help="also print the text of candidates (identifying; for your eyes only)",
    )
    deid.set_defaults(handler=cmd_deidentify)

    redact = sub.add_parser(
        "redact",
        help="print a de-identified copy of a text file made elsewhere",
        description="Redacts the names in NAMES (one person per line, aliases separated by "
        "'|'), their variants and the patterns, keeping every term in KEEP (one per line). "
        "Prints the redacted text on stdout; candidate names are left in place and counted "
        "on stderr.",
    )
    redact.add_argument("text_file", type=Path, metavar="TEXT_FILE")
    redact.add_argument("--names-file", type=Path, required=True, metavar="NAMES")
    redact.add_argument("--keep-file", type=Path, metavar="KEEP")
    redact.add_argument(
        "--show-candidates",
        action="store_true",
        help="list the candidate names left in place on stderr",
    )
    redact.set_defaults(handler=cmd_redact)


def _summary(review: Review) -> list[str]:
    from recorder.core.deid.review import Category

    counts = review.counts()
    lines = [f"  {c.value:<12} {counts[c]}" for c in Category if c in counts]
    return lines or ["  (nothing found)"]


def cmd_deidentify(args: argparse.Namespace) -> int:
    from recorder.core.deid.proposals import accept_all, text_fingerprint
    from recorder.core.deid.store import (
        deidentify_session,
        has_review,
        load_review,
        propose_for_session,
        save_review,
        source_transcript,
    )
    from recorder.core.sessions import load_session

    study = open_study(args)
    codemap = open_codemap(args, study)
    session_id = load_session(study, args.session).session_id
    transcript, kind = source_transcript(study, session_id)
    review: Review | None = None
    if has_review(codemap, session_id) and not args.fresh:
        stored = load_review(codemap, session_id)
        if stored.fingerprint == text_fingerprint(transcript):
            review = stored
        else:
            info("The transcript changed since the pending review was made; proposing again.")
    if review is None:
        review = propose_for_session(study, codemap, session_id)
    print(f"Session {session_id}, {kind.name.lower()} transcript: proposals per category")
    print("\n".join(_summary(review)))
    candidates = review.candidates()
    if args.accept_all:
        review = accept_all(review)
        _, log = deidentify_session(study, codemap, session_id, review)
        print(f"Applied {len(log.entries)} redaction(s); the de-identified transcript is saved.")
        state = load_session(study, session_id).state
        print(f"Session state: {state.value}.")
    else:
        save_review(codemap, review)
        print(
            "The proposals are saved with the code map. Review them in the app "
            "(or run again with --accept-all)."
        )
    if candidates:
        print(f"{len(candidates)} candidate name(s) to check (flagged, not applied):")
        for p in candidates:
            shown = f" {p.text!r}" if args.show_text else ""
            print(f"  {p.id}  segment {p.segment + 1}{shown}")
        if not args.show_text:
            print("  (add --show-text to see them; they may identify someone)")
    return 0


def _read_text(path: Path, what: str) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UsageError(f"The {what} {path} does not exist.") from None
    except IsADirectoryError:
        raise UsageError(f"The {what} {path} is a folder, not a file.") from None
    except OSError as exc:
        raise UsageError(f"Cannot read the {what} {path}: {exc.strerror}.") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageError(
            f"The {what} {path} is not UTF-8 text (undecodable byte at offset {exc.start}).",
            hint="Save it as UTF-8 plain text and try again.",
        ) from None


def redact_text(text: str, names: list[str], keep: list[str]) -> tuple[str, Review]:
    """The redacted text (sources 1-3 applied, candidates left in place) and the review."""
    from recorder.core.deid.apply import apply
    from recorder.core.deid.known import known_from_names
    from recorder.core.deid.proposals import accept_all, propose
    from recorder.core.transcribe.transcript import Provenance, Segment, Transcript

    lines = text.split("\n")
    transcript = Transcript(
        session_id="S-TEXT0",
        language="",
        sample_rate=16000,
        segments=tuple(Segment(0.0, 0.0, 0, 0, line) for line in lines),
        sections=(),
        speakers={},
        provenance=Provenance("", "", False, "", ""),
    )
    review = accept_all(propose(transcript, known_from_names(names, keep)))
    redacted, _ = apply(transcript, review)
    return "\n".join(s.text for s in redacted.segments), review


def cmd_redact(args: argparse.Namespace) -> int:
    text = _read_text(args.text_file, "text file")
    names = _read_text(args.names_file, "names file").splitlines()
    keep = _read_text(args.keep_file, "keep file").splitlines() if args.keep_file else []
    redacted, review = redact_text(text, names, keep)
    sys.stdout.write(redacted)
    candidates = review.candidates()
    info(
        f"{len(review.accepted())} redaction(s); {len(candidates)} candidate name(s) left in place."
    )
    if args.show_candidates:
        for p in candidates:
            info(f"  line {p.segment + 1}: {p.text!r}")
    return 0
