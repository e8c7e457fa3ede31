"""Per-user app settings that identify nobody: the last input device, recent study folders.

Stored as plain JSON in the user's config folder (``$XDG_CONFIG_HOME/interview-recorder``,
``~/Library/Application Support/...`` or ``%APPDATA%``). Nothing here may name a participant
or describe a study: folder paths and device names only.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

from recorder.core.atomic import atomic_write
from recorder.core.errors import RecorderError

log = logging.getLogger(__name__)

APP_DIR = "interview-recorder"


def config_dir() -> Path:
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA", Path.home() / "AppData" / "Roaming"))
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
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
        atomic_write(_path(), json.dumps(data, indent=2).encode("utf-8"))
    except (OSError, RecorderError):
        log.warning("could not save the app settings")


def last_input_device() -> str | None:
    value = load().get("last_input_device")
    return value if isinstance(value, str) and value else None


def remember_input_device(name: str) -> None:
    save({"last_input_device": name})
