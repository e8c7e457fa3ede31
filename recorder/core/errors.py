"""Typed errors. Every user-facing failure is a ``RecorderError`` with a human message and a hint.

The CLI and the GUI show ``str(error)`` and ``error.hint``; neither ever shows a traceback for
these. Messages never contain participant data or transcript text.
"""

from __future__ import annotations


class RecorderError(Exception):
    """Base class of every error the user can cause or fix."""

    #: What the user can do next; shown under the message.
    hint: str = ""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        if hint is not None:
            self.hint = hint


class UsageError(RecorderError):
    """A command or dialog was given something that cannot work (bad ID, missing option)."""


class NotFound(RecorderError):
    """A participant, session or file that was asked for does not exist."""


# --- vaults and keys -------------------------------------------------------------------------


class VaultError(RecorderError):
    """A vault folder is missing, of the wrong kind, or unusable."""


class NotAVault(VaultError):
    """The folder holds no vault of the expected kind."""

    hint = "Check the folder path; a study folder contains a file named vault.json."


class VaultExists(VaultError):
    """Creating a vault where one (or other data) already exists."""

    hint = "Choose an empty or new folder."


class WrongVault(VaultError):
    """A code map that belongs to another study, or a study opened as a code map."""


class UnsupportedVersion(VaultError):
    """Written by a newer (or unknown) version of Interview Recorder."""

    hint = "Update Interview Recorder to open this folder."


class WrongPassphrase(RecorderError):
    """The passphrase does not unlock the vault."""

    hint = "Check the passphrase (it is case-sensitive) and try again."


class KdfParametersRejected(VaultError):
    """Key-derivation parameters outside safe bounds: weakened, oversized or malformed."""

    hint = (
        "The vault header was altered or damaged. Restore vault.json from a backup; "
        "do not type your passphrase into a vault you do not trust."
    )


# --- stored files ----------------------------------------------------------------------------


class IntegrityError(RecorderError):
    """A stored file failed authentication or is incomplete. ``path`` names it."""

    #: One word for the kind of damage, used in ``verify`` lines.
    kind: str = "damaged"

    def __init__(self, message: str, *, path: str = "", hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.path = path


class EmptyFile(IntegrityError):
    """The file has no bytes at all."""

    kind = "empty"
    hint = "Restore the file from a backup."


class Truncated(IntegrityError):
    """The file ends early. Every byte before the cut is authentic and can be recovered."""

    kind = "truncated"
    hint = "Restore the file from a backup; recordings can be recovered with 'recover'."

    def __init__(self, message: str, *, path: str = "", recoverable_bytes: int = 0) -> None:
        super().__init__(message, path=path)
        self.recoverable_bytes = recoverable_bytes


class Tampered(IntegrityError):
    """Authentication failed: bytes were changed, reordered, duplicated or the header damaged."""

    kind = "tampered"
    hint = "The file was modified or corrupted. Restore it from a backup."


class Misplaced(IntegrityError):
    """An authentic file that belongs to another study, session or role."""

    kind = "misplaced"
    hint = "The file was copied or moved from elsewhere. Put the right file back."


class NotOurFile(IntegrityError):
    """The file is not an Interview Recorder file at all."""

    kind = "foreign"
    hint = "Remove the file or restore the original from a backup."


# --- sessions and protocols ------------------------------------------------------------------


class InvalidTransition(RecorderError):
    """A session was asked to do something its current state does not allow."""


class ConsentMissing(RecorderError):
    """Recording was asked for before every participant has a consent record."""

    hint = "Record consent for every participant first (consent record ...)."


class ProtocolError(RecorderError):
    """A protocol file is malformed. Carries every problem found, each with its location."""

    def __init__(self, problems: list[ProtocolProblem]) -> None:
        self.problems = list(problems)
        lines = [str(p) for p in self.problems]
        super().__init__("\n".join(lines) if lines else "invalid protocol")


class ProtocolProblem:
    """One located protocol problem: ``file:line:column: message``."""

    def __init__(self, file: str, line: int, column: int, message: str) -> None:
        self.file = file
        self.line = line
        self.column = column
        self.message = message

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"

    def __repr__(self) -> str:
        return f"ProtocolProblem({self!s})"


class Cancelled(RecorderError):
    """A long operation was cancelled by the user."""


class DeviceError(RecorderError):
    """An audio device is missing, busy or failed."""


class DiskFull(RecorderError):
    """No space left where a file had to be written."""

    hint = "Free some disk space, or move the study folder to a larger drive."


class UnofficialModel(RecorderError):
    """A whisper checkpoint that is not an official model, offered without confirmation."""

    hint = (
        "Use it only if you trust where it came from, and confirm: add "
        "--allow-unofficial-model (the app asks). Transcripts made with it record it as an "
        "unofficial model, with its SHA256."
    )
