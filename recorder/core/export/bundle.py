"""Age bundles: the export's files zipped in memory, then encrypted with pyrage.

To a passphrase (scrypt) or to X25519 recipients (``age1...``); the standard ``age`` tool
opens both (``age -d -o export.zip FILE.age``, then unzip). Inside: the format's files, a
``manifest.json`` (file names, sizes, SHA-256; no content) and a ``README.txt``.
Opening a bundle says clearly what is wrong: not an age file, passphrase vs key, wrong
passphrase, no matching key, or damage.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import re
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

import pyrage
from pyrage import passphrase as age_passphrase
from pyrage import x25519

from recorder.core.errors import UsageError
from recorder.core.export.document import OutFile
from recorder.core.export.errors import (
    BadKey,
    CorruptedExport,
    NotAnAgeFile,
    WrongExportPassphrase,
    WrongIdentity,
    WrongProtection,
)

log = logging.getLogger(__name__)

AGE_MAGIC = b"age-encryption.org/v1\n"
ARMOR_MAGIC = b"-----BEGIN AGE ENCRYPTED FILE-----"
MANIFEST = "manifest.json"
README = "README.txt"
_RECIPIENT = re.compile(r"^age1[02-9ac-hj-np-z]{58}$")


# -- keys ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyPair:
    """An X25519 key pair: the public key to share, the secret key to keep."""

    public: str
    secret: str

    def identity_file(self) -> str:
        """The key file in the format ``age-keygen`` writes and ``age -i`` reads."""
        created = datetime.now(UTC).replace(microsecond=0).isoformat()
        return f"# created: {created}\n# public key: {self.public}\n{self.secret}\n"


def generate_key_pair() -> KeyPair:
    identity = x25519.Identity.generate()
    return KeyPair(str(identity.to_public()), str(identity))


def fingerprint(recipient: str) -> str:
    """A short, stable name for a public key (first 16 hex digits of its SHA-256)."""
    return "SHA256:" + hashlib.sha256(recipient.strip().encode("ascii")).hexdigest()[:16]


def parse_recipient(text: str) -> x25519.Recipient:
    value = text.strip()
    try:
        if not _RECIPIENT.match(value):
            raise pyrage.RecipientError("bad form")
        return x25519.Recipient.from_str(value)
    except pyrage.RecipientError:
        raise BadKey(
            f"{value[:12]}... is not an age public key."
            if len(value) > 12
            else f"{value!r} is not an age public key.",
            hint="A public key starts with age1 and is 62 characters long "
            "(python main.py keygen prints one).",
        ) from None


def read_identities(text: str) -> list[x25519.Identity]:
    """The secret keys in a key file (``AGE-SECRET-KEY-1...`` lines; comments ignored)."""
    found = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        try:
            found.append(x25519.Identity.from_str(line))
        except pyrage.IdentityError:
            raise BadKey(
                "The key file holds a line that is not an age secret key.",
                hint="Use the file written by 'python main.py keygen' or age-keygen.",
            ) from None
    if not found:
        raise BadKey("The key file holds no secret key (AGE-SECRET-KEY-1...).")
    return found


def load_identity_file(path: Path) -> list[x25519.Identity]:
    try:
        return read_identities(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"Cannot read the key file {path}: {exc}.") from None


# -- packing ------------------------------------------------------------------------------


def _safe_name(name: str) -> str:
    pure = PurePosixPath(name)
    if pure.is_absolute() or ".." in pure.parts or not name or "\\" in name:
        raise CorruptedExport(f"The export holds an unsafe file name {name!r}.")
    return name


def manifest(files: list[OutFile], info: dict[str, Any]) -> dict[str, Any]:
    return {
        "format": "interview-recorder-bundle",
        "version": 1,
        **info,
        "files": [
            {"name": f.name, "size": len(f.data), "sha256": hashlib.sha256(f.data).hexdigest()}
            for f in files
        ],
    }


def readme(info: dict[str, Any]) -> str:
    status = (
        "DE-IDENTIFIED transcripts"
        if info.get("transcript") == "de-identified"
        else "IDENTIFIABLE transcripts (reviewed, not de-identified): handle as personal data"
    )
    audio = "\nThe bundle contains AUDIO: voices identify people." if info.get("audio") else ""
    return (
        "Interview Recorder export\n"
        "=========================\n\n"
        f"Format: {info.get('export_format')}\nContent: {status}.{audio}\n"
        f"Sessions: {', '.join(info.get('sessions', []))}\nMade: {info.get('created_at')}\n\n"
        "manifest.json lists every file with its SHA-256. Keep this material encrypted at "
        "rest and delete it when your analysis no longer needs it.\n"
    )


def pack(files: list[OutFile], info: dict[str, Any]) -> bytes:
    """A zip (in memory) of ``files`` plus the manifest and README."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for f in files:
            archive.writestr(_safe_name(f.name), f.data)
        archive.writestr(MANIFEST, json.dumps(manifest(files, info), indent=2) + "\n")
        archive.writestr(README, readme(info))
    return out.getvalue()


def unpack(data: bytes) -> list[OutFile]:
    """The files of a decrypted bundle, checked against its manifest."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            files = [OutFile(_safe_name(n), archive.read(n)) for n in archive.namelist()]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, EOFError) as exc:
        raise CorruptedExport(f"The decrypted export is not a readable archive ({exc}).") from None
    by_name = {f.name: f for f in files}
    if MANIFEST not in by_name:
        raise CorruptedExport("The export has no manifest.json.")
    try:
        listed = json.loads(by_name[MANIFEST].data)["files"]
    except (ValueError, KeyError, TypeError):
        raise CorruptedExport("The export's manifest.json is damaged.") from None
    for entry in listed:
        f = by_name.get(str(entry.get("name")))
        if f is None or hashlib.sha256(f.data).hexdigest() != entry.get("sha256"):
            raise CorruptedExport(f"{entry.get('name')} does not match the manifest.")
    return files


# -- encryption ---------------------------------------------------------------------------


def encrypt_to_passphrase(data: bytes, passphrase: str) -> bytes:
    if not passphrase:
        raise UsageError("An export passphrase cannot be empty.")
    return bytes(age_passphrase.encrypt(data, passphrase))


def encrypt_to_recipients(data: bytes, recipients: list[str]) -> bytes:
    if not recipients:
        raise UsageError("Give at least one recipient (an age1... public key).")
    return bytes(pyrage.encrypt(data, [parse_recipient(r) for r in recipients]))


def stanza_types(data: bytes) -> list[str]:
    """The recipient stanza types in an age header (``scrypt``, ``X25519``, ...)."""
    if data.startswith(ARMOR_MAGIC):
        raise NotAnAgeFile(
            "This is an ASCII-armored age file; Interview Recorder writes binary ones.",
            hint="Decrypt it with: age -d FILE",
        )
    if not data.startswith(AGE_MAGIC):
        raise NotAnAgeFile("This file is not an age-encrypted export.")
    types = []
    for line in data[len(AGE_MAGIC) : len(AGE_MAGIC) + 64 * 1024].split(b"\n"):
        if line.startswith(b"---"):
            break
        if line.startswith(b"-> "):
            types.append(line[3:].split(b" ", 1)[0].decode("ascii", "replace"))
    if not types:
        raise CorruptedExport("The export's age header is damaged (no recipients).")
    return types


def decrypt_with_passphrase(data: bytes, passphrase: str) -> bytes:
    types = stanza_types(data)
    if "scrypt" not in types:
        raise WrongProtection(
            "This export is encrypted to public keys, not to a passphrase.",
            hint="Open it with your key file: --identity KEYFILE.",
        )
    try:
        return bytes(age_passphrase.decrypt(data, passphrase))
    except pyrage.DecryptError as exc:
        if "decryption failed" in str(exc).lower():
            raise WrongExportPassphrase("The passphrase does not open this export.") from None
        raise CorruptedExport(
            "The export is damaged or was altered; it cannot be opened."
        ) from None


def decrypt_with_identities(data: bytes, identities: list[x25519.Identity]) -> bytes:
    types = stanza_types(data)
    if "X25519" not in types:
        raise WrongProtection(
            "This export is protected by a passphrase, not by a key.",
            hint="Open it with --passphrase.",
        )
    try:
        return bytes(pyrage.decrypt(data, identities))
    except pyrage.DecryptError as exc:
        if "no matching keys" in str(exc).lower():
            raise WrongIdentity("None of your keys can open this export.") from None
        raise CorruptedExport(
            "The export is damaged or was altered; it cannot be opened."
        ) from None
