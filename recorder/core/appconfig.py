"""Per-user app settings that identify nobody: the last input device, recent study folders,
the idle-lock delay.

Stored as plain JSON in the user's config folder (``$XDG_CONFIG_HOME/interview-recorder``,
``~/Library/Application Support/...`` or ``%APPDATA%``). Nothing here may name a participant
or describe a study: folder paths and device names only.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from recorder.core.errors import RecorderError

#: ``recorder.core.vault.HEADER_NAME``, repeated so the start page need not load the crypto.
VAULT_HEADER = "vault.json"

log = logging.getLogger(__name__)

APP_DIR = "interview-recorder"
#: How many recent studies the start window lists.
MAX_RECENT = 8
DEFAULT_IDLE_LOCK_MINUTES = 10
MAX_IDLE_LOCK_MINUTES = 240


def config_dir() -> Path:
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA", Path.home() / "AppData" / "Roaming"))
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / APP_DIR


def data_dir() -> Path:
    """Per-user app data too large or too machine-bound for settings (whisper models).

    ``$XDG_DATA_HOME/interview-recorder`` (``~/.local/share/...``), ``~/Library/Application
    Support/...`` or ``%LOCALAPPDATA%``: local, not roaming, because models are gigabytes.
    """
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / APP_DIR


def _path() -> Path:
    return config_dir() / "settings.json"


def load() -> dict[str, Any]:
    try:
        data = json.loads(_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def save(changes: dict[str, Any]) -> None:
    """Merge ``changes`` into the settings; failures are logged, never fatal."""
    data = {**load(), **changes}
    try:
        _path().parent.mkdir(parents=True, exist_ok=True)
        from recorder.core.atomic import atomic_write  # not at import: the start page is fast

        atomic_write(_path(), json.dumps(data, indent=2).encode("utf-8"))
    except (OSError, RecorderError):
        log.warning("could not save the app settings")


def last_input_device() -> str | None:
    value = load().get("last_input_device")
    return value if isinstance(value, str) and value else None


def remember_input_device(name: str) -> None:
    save({"last_input_device": name})


# -- recent studies -------------------------------------------------------------------------


@dataclass(frozen=True)
class RecentStudy:
    """A study folder opened before, with the code map folder used alongside it."""

    folder: Path
    codemap_folder: Path | None
    #: The study folder still holds a vault (``vault.json``).
    exists: bool


def _same_place(path: Path) -> str:
    """The key two spellings of one folder share: the resolved absolute path."""
    try:
        return str(path.expanduser().resolve())
    except (OSError, RuntimeError):  # unreadable or a symlink loop: compare as given
        return str(path.absolute())


def _stored_recent() -> list[tuple[str, str | None]]:
    """The well-formed (folder, codemap) entries, most recent first, without duplicates."""
    raw = load().get("recent_studies")
    entries: list[tuple[str, str | None]] = []
    seen: set[str] = set()
    for item in raw if isinstance(raw, list) else []:
        if not isinstance(item, dict):
            continue
        folder, codemap = item.get("folder"), item.get("codemap")
        if not isinstance(folder, str) or not folder:
            continue
        if codemap is not None and not (isinstance(codemap, str) and codemap):
            continue
        key = _same_place(Path(folder))
        if key not in seen:
            seen.add(key)
            entries.append((folder, codemap))
    return entries[:MAX_RECENT]


def _save_recent(entries: list[tuple[str, str | None]]) -> None:
    save({"recent_studies": [{"folder": f, "codemap": c} for f, c in entries[:MAX_RECENT]]})


def recent_studies() -> list[RecentStudy]:
    """Study folders opened recently, most recent first (at most eight)."""
    return [
        RecentStudy(
            folder=Path(folder),
            codemap_folder=Path(codemap) if codemap is not None else None,
            exists=(Path(folder) / VAULT_HEADER).is_file(),
        )
        for folder, codemap in _stored_recent()
    ]


def remember_study(study_folder: Path, codemap_folder: Path | None) -> None:
    """Put a study folder (and its code map folder, if known) first in the recent list."""
    key = _same_place(study_folder)
    stored = _stored_recent()
    known = next((c for f, c in stored if _same_place(Path(f)) == key), None)
    codemap = _same_place(codemap_folder) if codemap_folder is not None else known
    rest = [(f, c) for f, c in stored if _same_place(Path(f)) != key]
    _save_recent([(key, codemap), *rest])
    log.debug("remembered a recent study (%d listed)", min(len(rest) + 1, MAX_RECENT))


def forget_study(study_folder: Path) -> None:
    """Take a study folder off the recent list (nothing happens if it is not there)."""
    key = _same_place(study_folder)
    entries = _stored_recent()
    kept = [(f, c) for f, c in entries if _same_place(Path(f)) != key]
    if len(kept) != len(entries):
        _save_recent(kept)


# -- idle lock --------------------------------------------------------------------------------


def idle_lock_minutes() -> int:
    """Minutes without input before an unlocked study locks itself; 0 means never."""
    value = load().get("idle_lock_minutes")
    if isinstance(value, bool) or not isinstance(value, int):
        return DEFAULT_IDLE_LOCK_MINUTES
    return _clamp_minutes(value)


def set_idle_lock_minutes(minutes: int) -> None:
    """Store the idle-lock delay, clamped to 0 (never) .. 240 minutes."""
    save({"idle_lock_minutes": _clamp_minutes(minutes)})


def _clamp_minutes(minutes: int) -> int:
    return max(0, min(MAX_IDLE_LOCK_MINUTES, int(minutes)))


#: The whisper model used until the user picks one: the built-in English model (tiny.en),
#: installed with the app, so a fresh install transcribes offline at once and keeps up live.
DEFAULT_MODEL = "built-in"
#: The transcription engine until the user picks one: "auto" is faster-whisper on the CPU and
#: on CUDA, openai-whisper on Apple's GPU.
DEFAULT_ENGINE = "auto"


def transcription_model() -> str:
    """The whisper model (a name or a model file's path) last chosen on this computer."""
    value = load().get("transcription_model")
    return value if isinstance(value, str) and value else DEFAULT_MODEL


def set_transcription_model(name_or_path: str) -> None:
    save({"transcription_model": name_or_path})


def live_transcription() -> bool:
    """Transcribe sessions while they are recorded (on unless the user switched it off)."""
    return bool(load().get("live_transcription", True))


def set_live_transcription(on: bool) -> None:
    save({"live_transcription": bool(on)})


def transcription_engine() -> str:
    """The transcription engine chosen on this computer ("auto", or an engine's name)."""
    value = load().get("transcription_engine")
    return value if isinstance(value, str) and value else DEFAULT_ENGINE


def set_transcription_engine(engine: str) -> None:
    save({"transcription_engine": engine})


def use_vocabulary() -> bool:
    """Let whisper hear the study vocabulary (off unless switched on: with the built-in model
    it raises glossary recall at some cost in word error rate)."""
    return bool(load().get("use_vocabulary", False))


def set_use_vocabulary(on: bool) -> None:
    save({"use_vocabulary": bool(on)})
