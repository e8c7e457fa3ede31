"""Where passphrases come from: a file, an environment variable, or a prompt (never argv)."""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path

from recorder.core.errors import UsageError

STUDY_ENV = "RECORDER_STUDY_PASSPHRASE"
CODEMAP_ENV = "RECORDER_CODEMAP_PASSPHRASE"
NEW_ENV = "RECORDER_NEW_PASSPHRASE"


def _from_file(path: str) -> str:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"Cannot read the passphrase file {path}: {exc.strerror}.") from None
    return text.splitlines()[0] if text else ""


def _interactive() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def _scripted(what: str, file: str | None, env: str) -> str | None:
    """A passphrase from a file or the environment; ``None`` means: ask at the terminal."""
    if file:
        return _from_file(file)
    if env in os.environ:
        return os.environ[env]
    if not _interactive():
        raise UsageError(
            f"No {what} passphrase given.",
            hint=f"Type it at a prompt, or for scripts use a passphrase file or ${env}.",
        )
    return None


def get_passphrase(what: str, file: str | None, env: str) -> str:
    """An existing passphrase for ``what`` ("study" or "code-map")."""
    scripted = _scripted(what, file, env)
    return (
        scripted if scripted is not None else getpass.getpass(f"{what.capitalize()} passphrase: ")
    )


def get_new_passphrase(what: str, file: str | None, env: str) -> str:
    """A new passphrase for ``what``: from a file or env, or typed twice at a prompt."""
    scripted = _scripted(f"new {what}", file, env)
    if scripted is not None:
        return scripted
    first = getpass.getpass(f"New {what} passphrase: ")
    second = getpass.getpass(f"Repeat the new {what} passphrase: ")
    if first != second:
        raise UsageError("The two passphrases differ.", hint="Run the command again.")
    return first
