"""Typed errors of exporting and of opening an export bundle."""

from __future__ import annotations

from recorder.core.errors import IntegrityError, RecorderError, WrongPassphrase


class ExportError(RecorderError):
    """An export could not be made as asked."""


class NotAnAgeFile(RecorderError):
    """The file given to ``export open`` is not in the age format."""

    hint = "Check the file name: an encrypted export ends in .age."


class WrongExportPassphrase(WrongPassphrase):
    """The passphrase does not open this export."""

    hint = "Check the passphrase the sender gave you (it is case-sensitive)."


class WrongIdentity(RecorderError):
    """None of the given secret keys matches a recipient of this export."""

    hint = (
        "Use the key file whose public key (age1...) the sender encrypted to; "
        "ask the sender which public key they used."
    )


class WrongProtection(RecorderError):
    """A passphrase was given for a key-encrypted export, or a key for a passphrase one."""


class BadKey(RecorderError):
    """A public key or a secret-key file that is not a valid age X25519 key."""


class CorruptedExport(IntegrityError):
    """The export was damaged or altered after it was made."""

    kind = "corrupted"
    hint = "Ask the sender for a fresh copy of the export."


class QdpxError(RecorderError):
    """A .qdpx project that breaks the REFI-QDA rules this app relies on."""
