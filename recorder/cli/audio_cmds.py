"""``audio devices``, ``record``, ``recover``, ``session import`` and ``audio export``."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from recorder.cli.common import add_codemap_arg, add_study_arg, info, open_codemap, open_study
from recorder.core import appconfig
from recorder.core.audio.devices import (
    InputDevice,
    choose_sample_rate,
    list_input_devices,
    resolve_device,
)
from recorder.core.audio.files import export_audio, probe
from recorder.core.audio.recorder import CaptureSettings, CaptureState
from recorder.core.audio.recovery import recover_study
from recorder.core.audio.timeline import load_timeline
from recorder.core.errors import ConsentMissing, DeviceError, RecorderError, UsageError
from recorder.core.ids import PARTICIPANT, parse_id
from recorder.core.importing import check_channel_map, import_session
from recorder.core.protocol import SessionKind, load_protocol
from recorder.core.recording import RecordingSession
from recorder.core.session import INTERVIEWER, SessionRecord
from recorder.core.sessions import (
    check_participants,
    consent_on_file,
    create_session,
    load_session,
    study_protocol,
)
from recorder.core.study import Study


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    audio = sub.add_parser("audio", help="list input devices, or export a session's audio")
    asub = audio.add_subparsers(dest="audio_command", metavar="COMMAND", required=True)
    devices = asub.add_parser("devices", help="list input devices with channels and rates")
    devices.set_defaults(handler=cmd_devices)
    export = asub.add_parser(
        "export", help="write a session's audio, DECRYPTED, to a WAV or FLAC file"
    )
    add_study_arg(export)
    export.add_argument("--session", required=True, metavar="ID")
    export.add_argument("--out", required=True, type=Path, metavar="FILE.wav|FILE.flac")
    export.set_defaults(handler=cmd_export)

    rec = sub.add_parser(
        "record",
        help="record a session without the GUI (stops at --duration, Ctrl-C or SIGTERM)",
        description="Record a session headless. Consent must be on file (in the code map) "
        "for every participant. Prints the session ID and the overflow count.",
    )
    add_study_arg(rec)
    add_codemap_arg(rec, required=True)
    _session_args(rec)
    rec.add_argument(
        "--device",
        default=None,
        metavar="NAME_OR_INDEX",
        help="input device (default: the system default); see 'audio devices'",
    )
    rec.add_argument("--channels", type=int, default=1, metavar="N")
    rec.add_argument(
        "--speaker",
        action="append",
        default=[],
        metavar="CH=WHO[,CH=WHO]",
        help="map an input channel (from 1) to a participant ID or 'interviewer', "
        "for one microphone per person (repeatable)",
    )
    rec.add_argument("--duration", type=float, default=None, metavar="SECONDS")
    rec.add_argument(
        "--progress-every",
        type=float,
        default=None,
        metavar="SECONDS",
        help="print 'recorded N.NN s' on stderr this often (for scripts)",
    )
    rec.set_defaults(handler=cmd_record)

    recover = sub.add_parser(
        "recover", help="recover recordings interrupted by a crash or power loss"
    )
    add_study_arg(recover)
    recover.set_defaults(handler=cmd_recover)


def register_import(session_sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    imp = session_sub.add_parser(
        "import",
        help="encrypt an existing recording (WAV, FLAC, OGG, MP3) into a new session",
    )
    add_study_arg(imp)
    add_codemap_arg(imp, required=True)
    _session_args(imp)
    imp.add_argument("--protocol", type=Path, default=None, metavar="FILE")
    imp.add_argument(
        "--channels",
        "--speaker",
        dest="speaker",
        action="append",
        default=[],
        metavar="CH=WHO[,CH=WHO]",
        help="map a channel of the file (from 1) to a participant ID or 'interviewer', for "
        "one microphone per person: --channels 1=interviewer,2=P-7KQ2M (repeatable; "
        "--speaker CH=WHO, as for 'record', is the same)",
    )
    imp.add_argument("audio_files", nargs="+", type=Path, metavar="AUDIO_FILE")
    imp.set_defaults(handler=cmd_import)


def _session_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--participants", required=True, metavar="ID[,ID]")
    p.add_argument("--kind", required=True, choices=[k.value for k in SessionKind])
    p.add_argument("--interviewer", default="", help="who conducts the interview")


def cmd_devices(_args: argparse.Namespace) -> int:
    devices = list_input_devices()
    if not devices:
        raise DeviceError("No input devices found.", hint="Connect a microphone.")
    for d in devices:
        print(d.describe())
    return 0


def _prepare(
    args: argparse.Namespace, protocol_path: Path | None = None
) -> tuple[Study, SessionRecord, dict[str, bool]]:
    """Unlock, check participants and consent, create the session. Nothing is created on error."""
    study = open_study(args)
    codemap = open_codemap(args, study)
    protocol = load_protocol(protocol_path) if protocol_path else study_protocol(study)
    kind = SessionKind(args.kind)
    pids = [p for p in args.participants.split(",") if p.strip()]
    people = check_participants(study, protocol, kind, pids)
    consent = consent_on_file(codemap, protocol, [p.participant_id for p in people])
    missing = [pid for pid, ok in consent.items() if not ok]
    if missing:
        raise ConsentMissing(
            f"No consent on file for {', '.join(missing)} (form "
            f"{protocol.consent.form_version}); nothing was recorded."
        )
    record = create_session(
        study, protocol, kind, [p.participant_id for p in people], interviewer=args.interviewer
    )
    return study, record, consent


def _pick_device(spec: str | None) -> InputDevice:
    """The device asked for; else the one used last time, if still there; else the default."""
    if spec is None:
        remembered = appconfig.last_input_device()
        if remembered:
            try:
                return resolve_device(remembered)
            except DeviceError:
                info(
                    f"The microphone used last time ({remembered}) is not available; "
                    "using the default input."
                )
    return resolve_device(spec)


def _channel_map(pairs: list[str]) -> dict[int, str]:
    """``["1=P-7KQ2M", "2=interviewer,3=P-XD4H9"]`` -> ``{0: "P-7KQ2M", 1: "interviewer",
    2: "P-XD4H9"}``: the syntax only; :func:`check_channel_map` checks channels and people."""
    mapping: dict[int, str] = {}
    for pair in (p for given in pairs for p in given.split(",") if p.strip()):
        channel, sep, who = pair.partition("=")
        if not sep or not channel.strip().isdigit() or int(channel) < 1:
            raise UsageError(f"A channel map takes CHANNEL=ID (channels from 1), got {pair!r}.")
        number = int(channel)
        if number - 1 in mapping:
            raise UsageError(f"Channel {number} is mapped twice.")
        who = who.strip()
        mapping[number - 1] = (
            INTERVIEWER if who.lower() == INTERVIEWER else parse_id(who, PARTICIPANT)
        )
    return mapping


def _record_until_done(
    session: RecordingSession, progress_every: float | None
) -> RecorderError | None:
    """Run until the duration, Ctrl-C, SIGTERM or a fault; always finalise. Returns the fault."""
    done = threading.Event()

    def on_signal(_sig: int, _frame: FrameType | None) -> None:
        done.set()

    previous = signal.signal(signal.SIGTERM, on_signal)
    next_report = 0.0
    try:
        while not done.is_set():
            status = session.status()
            if status.state is CaptureState.FAULTED:
                return status.fault
            if session.recorder.limit_reached:
                return None
            if progress_every and status.elapsed_s >= next_report:
                print(f"recorded {status.elapsed_s:.2f} s", file=sys.stderr, flush=True)
                next_report = status.elapsed_s + progress_every
            done.wait(0.02)
    except KeyboardInterrupt:
        pass
    finally:
        session.stop()
        signal.signal(signal.SIGTERM, previous)
    return None


def cmd_record(args: argparse.Namespace) -> int:
    if args.channels < 1:
        raise UsageError("--channels must be at least 1.")
    device = _pick_device(args.device)
    if args.channels > device.channels:
        raise DeviceError(f"{device.name} has only {device.channels} input channel(s).")
    rate = choose_sample_rate(device, args.channels)
    speakers = check_channel_map(_channel_map(args.speaker), args.channels)
    study, record, consent = _prepare(args)
    try:
        check_channel_map(speakers, args.channels, [INTERVIEWER, *record.participant_ids])
    except UsageError:
        study.delete_session(record.session_id)
        raise
    session = RecordingSession(
        study,
        record.session_id,
        CaptureSettings(device, rate, args.channels),
        channel_map=speakers,
    )
    if args.duration is not None:
        session.recorder.limit(round(args.duration * rate))
    session.start(consent)
    info(
        f"Recording session {record.session_id} from {device.name} at {rate} Hz. "
        "Press Ctrl-C to stop."
    )
    fault = _record_until_done(session, args.progress_every)
    overflows = session.recorder.status().overflows
    print(record.session_id)
    print(f"overflows: {overflows}")
    seconds = session.controller.record.audio_frames / rate
    if fault is not None:
        info(f"error: {fault}")
        if fault.hint:
            info(f"hint: {fault.hint}")
        info(f"{seconds:.1f} s were recorded and saved before the fault.")
        if any(
            p.name.endswith(".partial")
            for p in study.vault.path(study.session_dir(record.session_id)).iterdir()
        ):
            info("Once the problem is fixed, run 'recover' to seal the last part of the audio.")
        return 1
    info(f"Saved {seconds:.1f} s of encrypted audio.")
    return 0


def cmd_recover(args: argparse.Namespace) -> int:
    study = open_study(args)
    reports = recover_study(study)
    if not reports:
        info("No interrupted recordings.")
    for r in reports:
        print(f"{r.session_id}  {r.file.rsplit('/', 1)[-1]}  recovered {r.seconds_saved:.1f} s")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    speakers = _channel_map(args.speaker)
    if speakers:  # refused before anything is unlocked or created; the people are checked
        check_channel_map(speakers, probe(args.audio_files[0])[1])  # by import_session
    study, record, consent = _prepare(args, args.protocol)
    record = import_session(
        study, record.session_id, consent, args.audio_files, channel_map=speakers
    )
    print(record.session_id)
    seconds = record.audio_frames / record.audio.sample_rate
    if record.audio.channel_map:
        info(
            "Channels: "
            + ", ".join(f"{ch + 1} = {who}" for ch, who in record.audio.channel_map.items())
            + "."
        )
    info(
        f"Imported {seconds:.1f} s into session {record.session_id}. The original file(s) were "
        "not changed: delete them securely once you have checked the import."
    )
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    study = open_study(args)
    record = load_session(study, args.session)
    if not record.segments:
        raise UsageError(f"Session {record.session_id} has no audio yet.")
    audio = load_timeline(study, record)
    export_audio(audio, record.audio.sample_rate, args.out)
    print(
        f"warning: {args.out} holds the participants' voices UNENCRYPTED. Keep it safe and "
        "delete it securely when done.",
        file=sys.stderr,
    )
    return 0
