"""A vault: a folder whose files are sealed under one random key, wrapped by a passphrase.

``vault.json`` is the only plaintext file. It holds a format marker, the version, the kind
(``study`` or ``codemap``), random IDs, the Argon2id parameters and salt, and the wrapped key.
Everything else is a sealed file (see ``container``) bound to this vault's ID and its own path.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from recorder.core import crypto
from recorder.core.atomic import atomic_write, os_error, remove_stale_temps
from recorder.core.container import SealedWriter, context_for, iter_plaintext, seal
from recorder.core.errors import (
    NotAVault,
    NotFound,
    RecorderError,
    UnsupportedVersion,
    VaultExists,
    WrongVault,
)

log = logging.getLogger(__name__)

HEADER_NAME = "vault.json"
FORMAT = "interview-recorder-vault"
VERSION = 1
SEALED_SUFFIX = ".irf"
JSON_PADDING = 1024


class VaultKind(StrEnum):
    """What a vault holds: a study (pseudonymous) or a code map (identities)."""

    STUDY = "study"
    CODEMAP = "codemap"


@dataclass(frozen=True)
class VaultHeader:
    """The plaintext header: nothing in it identifies a person or describes the study."""

    kind: VaultKind
    vault_id: str
    kdf: crypto.KdfParams
    wrapped_key: bytes
    #: For a code map: the vault ID of the study it belongs to.
    study_id: str | None = None

    def wrap_context(self) -> bytes:
        parts = ["interview-recorder", "keywrap", str(VERSION), self.kind.value, self.vault_id]
        if self.study_id:
            parts.append(self.study_id)
        return "/".join(parts).encode("ascii")

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "format": FORMAT,
            "version": VERSION,
            "kind": self.kind.value,
            "vault_id": self.vault_id,
            "kdf": self.kdf.to_json(),
            "wrapped_key": base64.b64encode(self.wrapped_key).decode("ascii"),
        }
        if self.study_id:
            data["study_id"] = self.study_id
        return data

    @classmethod
    def from_json(cls, data: object, folder: Path) -> VaultHeader:
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise NotAVault(f"{folder} is not an Interview Recorder folder.")
        if data.get("version") != VERSION:
            raise UnsupportedVersion(
                f"{folder} was written by another version of Interview Recorder "
                f"(format version {data.get('version')!r})."
            )
        try:
            kind = VaultKind(data["kind"])
            vault_id = _check_id(data["vault_id"])
            study_id = _check_id(data["study_id"]) if "study_id" in data else None
            wrapped = base64.b64decode(data["wrapped_key"], validate=True)
        except (KeyError, ValueError, TypeError) as exc:
            raise NotAVault(f"{folder}/{HEADER_NAME} is damaged.") from exc
        kdf = crypto.KdfParams.from_json(data.get("kdf"))
        return cls(kind, vault_id, kdf, wrapped, study_id)


def _check_id(value: object) -> str:
    if not isinstance(value, str) or len(value) != 32:
        raise ValueError("bad id")
    int(value, 16)
    return value


def new_vault_id() -> str:
    """A random 128-bit vault ID (hex)."""
    return secrets.token_hex(16)


def read_header(folder: Path, kind: VaultKind | None = None) -> VaultHeader:
    """Read and check ``vault.json``; with ``kind``, insist on that kind of vault."""
    path = folder / HEADER_NAME
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        what = f"{kind.value} " if kind else ""
        raise NotAVault(f"No {what}vault in {folder} (it has no {HEADER_NAME}).") from None
    except OSError as exc:
        raise os_error(exc, path) from exc
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise NotAVault(f"{path} is damaged (not valid JSON).") from None
    header = VaultHeader.from_json(data, folder)
    if kind is not None and header.kind is not kind:
        raise WrongVault(
            f"{folder} is a {header.kind.value} folder, not a {kind.value} folder.",
            hint="Check that the study folder and the code-map folder were not swapped.",
        )
    return header


class Vault:
    """An unlocked vault: reads and writes sealed files under its key."""

    def __init__(self, folder: Path, header: VaultHeader, key: bytes) -> None:
        self.folder = folder
        self.header = header
        self._key = key

    # -- lifecycle ----------------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        folder: Path,
        kind: VaultKind,
        passphrase: str,
        *,
        study_id: str | None = None,
        kdf: crypto.KdfParams | None = None,
    ) -> Vault:
        """Create a new vault in ``folder`` (which must be absent or empty)."""
        if folder.exists() and any(folder.iterdir()):
            raise VaultExists(f"{folder} is not empty.")
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise os_error(exc, folder / HEADER_NAME) from exc
        key = crypto.generate_key()
        params = kdf or crypto.default_kdf_params()
        header = VaultHeader(kind, new_vault_id(), params, b"", study_id)
        header = _wrapped(header, key, passphrase)
        _write_header(folder, header)
        log.info("created %s vault", kind.value)
        return cls(folder, header, key)

    @classmethod
    def open(cls, folder: Path, kind: VaultKind, passphrase: str) -> Vault:
        """Unlock a vault; a wrong passphrase raises ``WrongPassphrase`` and writes nothing."""
        header = read_header(folder, kind)
        kek = crypto.derive_key(crypto.passphrase_bytes(passphrase), header.kdf)
        key = crypto.unwrap_key(kek, header.wrapped_key, header.wrap_context())
        vault = cls(folder, header, key)
        remove_stale_temps(folder)
        return vault

    def change_passphrase(self, new_passphrase: str) -> None:
        """Rewrap the vault key under a new passphrase (fresh salt); data is not re-encrypted."""
        fresh = replace(self.header, kdf=crypto.default_kdf_params())
        self.header = _wrapped(fresh, self._key, new_passphrase)
        _write_header(self.folder, self.header)
        log.info("changed the passphrase of a %s vault", self.header.kind.value)

    @property
    def vault_id(self) -> str:
        return self.header.vault_id

    # -- sealed files ---------------------------------------------------------------------------

    def context(self, relpath: str) -> str:
        """The context that binds the file at ``relpath`` to this vault."""
        return context_for(self.header.kind.value, self.header.vault_id, relpath)

    def path(self, relpath: str) -> Path:
        pure = PurePosixPath(relpath)
        if pure.is_absolute() or ".." in pure.parts or not relpath:
            raise ValueError(f"bad relative path {relpath!r}")
        return self.folder.joinpath(*pure.parts)

    def write_bytes(self, relpath: str, plaintext: bytes) -> None:
        """Seal ``plaintext`` and write it atomically at ``relpath``."""
        path = self.path(relpath)
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise os_error(exc, path) from exc
        atomic_write(path, seal(self._key, self.context(relpath), plaintext))

    def read_bytes(self, relpath: str) -> bytes:
        """Read and authenticate a sealed file; damage raises a typed ``IntegrityError``."""
        return b"".join(self.iter_chunks(relpath))

    def iter_chunks(
        self, relpath: str, *, allow_unfinished: bool = False, sealed_for: str | None = None
    ) -> Iterator[bytes]:
        """Stream the authenticated plaintext of a (possibly large) sealed file.

        ``sealed_for`` names the path the file was sealed for when it lies elsewhere (an
        unfinished recording ``x.irf.partial`` is sealed for ``x.irf``).
        """
        path = self.path(relpath)
        try:
            f = path.open("rb")
        except FileNotFoundError:
            raise NotFound(f"{relpath} is missing from {self.folder}.") from None
        except OSError as exc:
            raise os_error(exc, path) from exc
        with f:
            size = os.fstat(f.fileno()).st_size
            yield from iter_plaintext(
                self._key,
                self.context(sealed_for or relpath),
                f,
                size,
                path=relpath,
                allow_unfinished=allow_unfinished,
            )

    def write_json(self, relpath: str, document: object) -> None:
        """Seal a JSON document (UTF-8) atomically.

        The text is padded with spaces (which JSON ignores) to a multiple of 1 KiB, so a
        file's size says little about how many entries it holds.
        """
        text = json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        raw = text.encode("utf-8")
        padded = raw + b" " * (-len(raw) % JSON_PADDING)
        self.write_bytes(relpath, padded)

    def read_json(self, relpath: str) -> Any:
        """Read a sealed JSON document."""
        raw = self.read_bytes(relpath)
        try:
            return json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:  # authentic but unreadable
            raise RecorderError(
                f"{relpath} is authentic but not readable by this version.",
                hint="Update Interview Recorder.",
            ) from exc

    def exists(self, relpath: str) -> bool:
        return self.path(relpath).exists()

    def open_stream_writer(self, relpath: str, out: BinaryIO) -> SealedWriter:
        """A streaming writer for a large sealed file (recordings); the caller owns ``out``."""
        return SealedWriter(out, self._key, self.context(relpath))

    def sealed_files(self) -> list[str]:
        """Relative POSIX paths of every sealed file in the vault, sorted."""
        found = []
        for path in self.folder.rglob(f"*{SEALED_SUFFIX}"):
            if path.is_file() and not path.name.startswith("."):
                found.append(path.relative_to(self.folder).as_posix())
        return sorted(found)


def _wrapped(header: VaultHeader, key: bytes, passphrase: str) -> VaultHeader:
    kek = crypto.derive_key(crypto.passphrase_bytes(passphrase), header.kdf)
    wrapped = crypto.wrap_key(kek, key, header.wrap_context())
    return replace(header, wrapped_key=wrapped)


def _write_header(folder: Path, header: VaultHeader) -> None:
    text = json.dumps(header.to_json(), indent=2) + "\n"
    atomic_write(folder / HEADER_NAME, text.encode("ascii"))
