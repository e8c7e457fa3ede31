"""``study status``, ``session list`` and ``session show``."""

from __future__ import annotations

import argparse

from recorder.cli import audio_cmds
from recorder.cli.common import add_study_arg, open_study, table
from recorder.core.progress import format_status, study_status
from recorder.core.session import MarkerKind
from recorder.core.sessions import list_sessions, load_protocol_of, load_session


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sess = sub.add_parser("session", help="list, show or import sessions")
    ssub = sess.add_subparsers(dest="session_command", metavar="COMMAND", required=True)
    lst = ssub.add_parser("list", help="list the study's sessions and their states")
    add_study_arg(lst)
    lst.set_defaults(handler=cmd_list)
    show = ssub.add_parser("show", help="show a session's participants, state and markers")
    add_study_arg(show)
    show.add_argument("--session", required=True, metavar="ID")
    show.set_defaults(handler=cmd_show)
    audio_cmds.register_import(ssub)


def register_status(study_sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    status = study_sub.add_parser(
        "status", help="completed interviews per role and paired, against the study's targets"
    )
    add_study_arg(status)
    status.set_defaults(handler=cmd_status)


def cmd_status(args: argparse.Namespace) -> int:
    study = open_study(args)
    print(format_status(study_status(study, list_sessions(study))))
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    study = open_study(args)
    rows = []
    for s in list_sessions(study):
        who = " + ".join(f"{p.participant_id} ({p.role})" for p in s.participants)
        started = next((h.at for h in s.history if h.state.value == "recording"), "")
        rows.append([s.session_id, s.kind.value, s.state.value, who, started[:10]])
    print(table(rows, ["SESSION", "KIND", "STATE", "PARTICIPANTS", "RECORDED ON"]))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    study = open_study(args)
    record = load_session(study, args.session)
    protocol = load_protocol_of(study, record)
    rate = record.audio.sample_rate
    print(f"Session {record.session_id}: {record.kind.value}, {record.state.value}")
    for p in record.participants:
        print(f"  {p.participant_id}  {p.role}")
    print(f"Protocol: {protocol.id} (sha256 {record.protocol_hash[:12]}...)")
    print("Markers:")
    for m in record.markers:
        t = m.sample / rate
        stamp = f"{int(t // 3600):d}:{int(t // 60 % 60):02d}:{t % 60:06.3f}"
        what = m.kind.value
        if m.kind is MarkerKind.PROMPT:
            what = (
                f"prompt {m.prompt_index + 1 if m.prompt_index is not None else '?'}: {m.item_id}"
            )
            what += " (part 2)" if m.part == 2 else ""
        elif m.kind is MarkerKind.NOTE:
            what = "note"
        print(f"  {stamp}  sample {m.sample:>10}  {what}")
    return 0
