"""``transcribe`` and ``transcript show``: local whisper transcription from the terminal."""

from __future__ import annotations

import argparse
import json
import sys

from recorder.cli.common import add_study_arg, info, open_study
from recorder.cli.progress_bar import ProgressBar
from recorder.core import appconfig
from recorder.core.errors import UsageError
from recorder.core.jobs import Progress
from recorder.core.session import SessionState
from recorder.core.sessions import list_sessions
from recorder.core.transcribe import models
from recorder.core.transcribe.prepare import check_language, pick_engine
from recorder.core.transcribe.service import Decoding, Transcriber
from recorder.core.transcribe.transcript import has_transcript, load_transcript, render_text
from recorder.core.transcribe.work_queue import QueuedJob, TranscriptionQueue


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    run = sub.add_parser(
        "transcribe",
        help="transcribe sessions on this computer with whisper (queued; resumes after a stop)",
    )
    add_study_arg(run)
    which = run.add_mutually_exclusive_group(required=True)
    which.add_argument("--session", metavar="ID", help="the session to transcribe")
    which.add_argument(
        "--all",
        action="store_true",
        help="every finished session without a transcript, and any left in the queue",
    )
    run.add_argument(
        "--model",
        metavar="NAME_OR_PATH",
        help="a model name (python main.py model list) or a model file "
        f"(default: the last one used, else {appconfig.DEFAULT_MODEL})",
    )
    run.add_argument("--language", metavar="CODE", help="e.g. en, de (default: detect)")
    run.add_argument("--device", choices=("auto", "cpu", "cuda", "mps"), default="auto")
    run.add_argument(
        "--engine",
        metavar="ENGINE",
        help="faster-whisper (CTranslate2; the default on the CPU) or openai-whisper "
        "(the reference); default: the last one used, else auto",
    )
    run.add_argument(
        "--allow-unofficial-model",
        action="store_true",
        help="accept a model file that is not an official whisper model (recorded as such)",
    )
    run.add_argument(
        "--vocabulary",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="let whisper hear the study vocabulary (study vocabulary show): higher recall of "
        "glossary words, at some cost in word error rate with small models (default: the "
        "last choice, else off)",
    )
    run.add_argument(
        "--greedy",
        action="store_true",
        help="advanced: decode at temperature 0 only (faster; no retries on poor windows)",
    )
    run.add_argument(
        "--max-tokens", type=int, metavar="N", help="advanced: at most N tokens per 30-s window"
    )
    run.set_defaults(handler=cmd_transcribe)

    transcript = sub.add_parser("transcript", help="show a session's transcript")
    tsub = transcript.add_subparsers(dest="transcript_command", metavar="COMMAND", required=True)
    show = tsub.add_parser(
        "show", help="print a transcript to stdout (still identifiable: not for sharing)"
    )
    add_study_arg(show)
    show.add_argument("--session", required=True, metavar="ID")
    show.add_argument("--format", choices=("txt", "json"), default="txt")
    show.set_defaults(handler=cmd_show)


def cmd_transcribe(args: argparse.Namespace) -> int:
    study = open_study(args)
    model = args.model or appconfig.transcription_model()
    engine = args.engine or appconfig.transcription_engine()
    # A wrong engine or model name, a missing or unconfirmed model file, a language the model
    # cannot do: said now, nothing queued.
    pick_engine(engine, "cpu")
    source = models.resolve(model, allow_unofficial=args.allow_unofficial_model)
    check_language(source, args.language)
    queue = TranscriptionQueue(study)
    wanted: list[str]
    if args.all:
        wanted = [
            s.session_id
            for s in list_sessions(study)
            if s.state is SessionState.STOPPED and not has_transcript(study, s.session_id)
        ]
    else:
        wanted = [args.session]
    for session_id in wanted:
        queue.add(
            QueuedJob(
                session_id,
                model,
                language=args.language,
                device=args.device,
                allow_unofficial=args.allow_unofficial_model,
                engine=engine,
            )
        )
    if not queue.pending():
        info("Nothing to transcribe: every finished session has a transcript.")
        return 0
    if args.model:
        appconfig.set_transcription_model(args.model)
    if args.engine:
        appconfig.set_transcription_engine(engine)
    bars: dict[str, ProgressBar] = {}

    def progress(session_id: str, p: Progress) -> None:
        bars.setdefault(session_id, ProgressBar(f"Session {session_id}"))(p)

    if args.vocabulary is not None:
        appconfig.set_use_vocabulary(args.vocabulary)
    decoding = Decoding(
        greedy=args.greedy, max_tokens=args.max_tokens, vocabulary=appconfig.use_vocabulary()
    )
    transcriber = Transcriber(study, decoding=decoding, progress=progress)
    failed = 0
    try:
        for job, error in queue.run(transcriber.run_job):
            bar = bars.get(job.session_id)
            if bar is not None:
                bar.finish()
            if error is None:
                info(f"Session {job.session_id}: transcribed ({transcriber.device_description}).")
            else:
                failed += 1
                info(f"Session {job.session_id}: not transcribed. {error}")
                if error.hint:
                    info(f"  hint: {error.hint}")
    finally:
        transcriber.close()
    return 1 if failed else 0


def cmd_show(args: argparse.Namespace) -> int:
    study = open_study(args)
    transcript = load_transcript(study, args.session)
    if args.format == "json":
        json.dump(transcript.to_json(), sys.stdout, indent=2, ensure_ascii=False)
        print()
    elif args.format == "txt":
        sys.stdout.write(render_text(transcript))
    else:  # argparse keeps this unreachable
        raise UsageError(f"unknown format {args.format}")
    return 0
