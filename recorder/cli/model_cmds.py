"""``model list``, ``model download`` and ``model use``: the whisper models on this computer."""

from __future__ import annotations

import argparse
from pathlib import Path

from recorder.cli.common import info, table
from recorder.cli.progress_bar import ProgressBar
from recorder.core import appconfig
from recorder.core.errors import RecorderError
from recorder.core.transcribe import models
from recorder.core.transcribe.engine import ENGINES
from recorder.core.transcribe.prepare import compute_type, pick_engine


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    model = sub.add_parser(
        "model",
        help="list, download or add whisper models for transcription",
        description="Whisper models for local transcription: list them with their size, memory "
        "need and a speed estimate for this computer; download one (needs internet); or add a "
        "model file copied from another computer (offline machines).",
    )
    model_sub = model.add_subparsers(dest="model_command", metavar="COMMAND", required=True)

    listing = model_sub.add_parser(
        "list",
        help="the models: size, memory, estimated speed here, installed or not",
        description="List the official whisper models with their download size, memory need "
        "(published figures, approximate), an estimated speed on this computer and whether "
        "each is installed; then the device transcription would use.",
    )
    listing.add_argument(
        "--device",
        choices=models.DEVICE_CHOICES,
        default="auto",
        help="estimate speeds for this device (default: the one transcription would use)",
    )
    listing.add_argument(
        "--engine",
        choices=ENGINES,
        help="estimate speeds for this engine (default: the one transcription would use)",
    )
    listing.set_defaults(handler=cmd_list)

    download = model_sub.add_parser(
        "download",
        help="download a model (needs internet) into the app's models folder",
        description="Download an official model with whisper's own downloader, which checks "
        "its SHA256. Offline, this stops at once and says how to bring the file in by hand.",
    )
    download.add_argument("name", metavar="NAME", help="e.g. base.en, small, turbo")
    download.set_defaults(handler=cmd_download)

    use = model_sub.add_parser(
        "use",
        help="add a model file copied from another computer (no internet needed)",
        description="Check a model file and make it usable. An official model's file (e.g. "
        "tiny.en.pt from ~/.cache/whisper on another computer) is checked against the official "
        "SHA256 and copied into the models folder. Any other checkpoint is accepted only with "
        "--allow-unofficial-model and is recorded as unofficial in every transcript.",
    )
    use.add_argument(
        "file",
        type=Path,
        metavar="FILE",
        help="the model file (.pt), or a CTranslate2 model folder (with model.bin)",
    )
    use.add_argument(
        "--allow-unofficial-model",
        action="store_true",
        help="accept a checkpoint that is not an official whisper model (recorded as such)",
    )
    use.set_defaults(handler=cmd_use)


def _where(name: str) -> str:
    path = models.installed(name)
    if path is None:
        return "no"
    return "yes" if path.parent == models.models_dir() else "yes (whisper cache)"


def cmd_list(args: argparse.Namespace) -> int:
    try:
        device, _fp16 = models.pick_device(args.device)
    except RecorderError as exc:  # e.g. torch missing: still list, with CPU estimates
        info(f"note: {exc}")
        device = "cpu"
    engine = pick_engine(args.engine or appconfig.transcription_engine(), device)
    tiny = models.lookup(models.BUILTIN)
    rows = [
        [
            f"{models.BUILTIN} ({tiny.name}, built in)",
            "English",
            f"installed with the app ({models.format_size(models.BUILTIN_BYTES)})",
            f"~{tiny.memory_gb:g} GB",
            models.format_speed(models.speed_estimate(tiny, device, engine)),
            "yes" if models.builtin_folder() is not None else "no (reinstall the app)",
        ]
    ]
    for entry in models.catalogue():
        rows.append(
            [
                entry.label,
                "English" if entry.english_only else "multilingual",
                models.format_size(entry.download_bytes),
                f"~{entry.memory_gb:g} GB",
                models.format_speed(models.speed_estimate(entry, device, engine)),
                _where(entry.name),
            ]
        )
    header = ["MODEL", "LANGUAGES", "DOWNLOAD", "MEMORY", "SPEED HERE (ESTIMATE)", "INSTALLED"]
    print(table(rows, header))
    print()
    print(
        f"Engine: {engine} ({compute_type(engine, device)}) on {models.describe_device(device)}."
    )
    print(
        "Sizes and memory are the published figures (approximate); speeds are estimates for "
        "continuous speech (above 1x keeps up with a live interview)."
    )
    print(f"Models folder: {models.models_dir()}")
    unofficial = models.unofficial_models()
    if unofficial:
        print()
        print("Accepted unofficial models (recorded as such in transcripts):")
        for source in unofficial:
            print(f"  {source.name}  {source.path}  sha256 {source.sha256}")
    return 0


def cmd_download(args: argparse.Namespace) -> int:
    entry = models.lookup(args.name)  # an unknown name fails before anything else
    bar = ProgressBar(entry.name)
    try:
        path = models.download(entry.name, progress=bar)
    finally:
        bar.finish()
    info(f"The model {entry.name} is ready ({path}); its SHA256 was checked.")
    return 0


def cmd_use(args: argparse.Namespace) -> int:
    bar = ProgressBar(args.file.name)
    use = models.use_model_folder if args.file.is_dir() else models.use_model_file
    try:
        source = use(args.file, allow_unofficial=args.allow_unofficial_model, progress=bar)
    finally:
        bar.finish()
    if source.official:
        info(
            f"{args.file.name} is the official {source.name} model (SHA256 checked). "
            f"It is in {source.path}; transcribe with --model {source.name}."
        )
    else:
        info(
            f"Accepted {args.file.name} as an UNOFFICIAL model (SHA256 {source.sha256}). "
            f"It stays at {source.path}; transcripts made with it record it as unofficial. "
            f"Transcribe with --model {source.path}."
        )
    return 0
