"""All cryptography lives here: Argon2id key derivation, key wrapping, Cobblestone-128 streams.

This is the only module that imports ``cryptography``. Every stored byte goes through
Cobblestone-128 (C2SP chunked streaming AEAD: 16 KiB chunks, truncation and reordering are
detected), with a ``context`` that binds the ciphertext to where it belongs.
"""

from __future__ import annotations

import base64
import logging
import math
import os
import secrets
import time
from dataclasses import dataclass
from typing import Any

from cryptography.cobblestone import Cobblestone128Decryptor, Cobblestone128Encryptor
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

from recorder.core.errors import KdfParametersRejected, WrongPassphrase

log = logging.getLogger(__name__)

KEY_BYTES = 16
#: Plaintext bytes per Cobblestone chunk; each chunk adds a 16-byte tag.
CHUNK_PLAINTEXT = 16384
CHUNK_TAG = 16
CHUNK_CIPHERTEXT = CHUNK_PLAINTEXT + CHUNK_TAG
#: Cobblestone writes this many header bytes before the first chunk.
STREAM_HEADER = 56

#: Test-only switch: allows (and creates) cheap KDF parameters so the suite runs fast.
#: Never set it for real studies; the app logs a warning when it is on.
WEAK_KDF_ENV = "RECORDER_TEST_ONLY_WEAK_KDF"

SALT_BYTES = 16
_DEFAULT_MEMORY_KIB = 256 * 1024
_DEFAULT_ITERATIONS = 3
_DEFAULT_LANES = 4
_TARGET_SECONDS = 0.75


def weak_kdf_allowed() -> bool:
    """True only when the explicit test-only environment switch is set."""
    return os.environ.get(WEAK_KDF_ENV) == "1"


@dataclass(frozen=True)
class KdfBounds:
    """The range of Argon2id parameters a vault header may carry."""

    min_memory_kib: int
    max_memory_kib: int
    min_iterations: int
    max_iterations: int
    max_lanes: int = 16


PRODUCTION_BOUNDS = KdfBounds(64 * 1024, 4 * 1024 * 1024, 3, 64)
TEST_BOUNDS = KdfBounds(8, 4 * 1024 * 1024, 1, 64)


def kdf_bounds() -> KdfBounds:
    """Bounds in force: production, unless the test-only switch is on."""
    return TEST_BOUNDS if weak_kdf_allowed() else PRODUCTION_BOUNDS


@dataclass(frozen=True)
class KdfParams:
    """Argon2id parameters as stored (in plaintext) in a vault header."""

    salt: bytes
    memory_kib: int
    iterations: int
    lanes: int

    def to_json(self) -> dict[str, Any]:
        return {
            "algorithm": "argon2id",
            "salt": base64.b64encode(self.salt).decode("ascii"),
            "memory_kib": self.memory_kib,
            "iterations": self.iterations,
            "lanes": self.lanes,
        }

    @classmethod
    def from_json(cls, data: object) -> KdfParams:
        """Parse and bounds-check stored parameters; raise ``KdfParametersRejected``."""
        if not isinstance(data, dict) or data.get("algorithm") != "argon2id":
            raise KdfParametersRejected("The vault's key-derivation settings are not Argon2id.")
        try:
            salt = base64.b64decode(data["salt"], validate=True)
            params = cls(
                salt=salt,
                memory_kib=_strict_int(data["memory_kib"]),
                iterations=_strict_int(data["iterations"]),
                lanes=_strict_int(data["lanes"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise KdfParametersRejected(
                "The vault's key-derivation settings are malformed."
            ) from exc
        params.check()
        return params

    def check(self, bounds: KdfBounds | None = None) -> None:
        """Raise ``KdfParametersRejected`` unless every parameter is inside the bounds."""
        b = bounds or kdf_bounds()
        problems = []
        if not 16 <= len(self.salt) <= 64:
            problems.append(f"salt of {len(self.salt)} bytes")
        if self.memory_kib < b.min_memory_kib:
            problems.append(f"memory {self.memory_kib} KiB is weaker than {b.min_memory_kib} KiB")
        if self.memory_kib > b.max_memory_kib:
            problems.append(f"memory {self.memory_kib} KiB exceeds {b.max_memory_kib} KiB")
        if not b.min_iterations <= self.iterations <= b.max_iterations:
            problems.append(
                f"{self.iterations} passes (allowed {b.min_iterations}-{b.max_iterations})"
            )
        if not 1 <= self.lanes <= b.max_lanes:
            problems.append(f"{self.lanes} lanes (allowed 1-{b.max_lanes})")
        if self.memory_kib < 8 * self.lanes:
            problems.append("memory below 8 KiB per lane")
        if problems:
            raise KdfParametersRejected(
                "The vault's key-derivation settings are outside safe bounds: "
                + "; ".join(problems)
                + "."
            )


def _strict_int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("expected an integer")
    return value


def default_kdf_params(*, calibrate: bool = True) -> KdfParams:
    """Fresh parameters for a new key: 256 MiB, passes calibrated to about 0.75 s here."""
    salt = secrets.token_bytes(SALT_BYTES)
    if weak_kdf_allowed():
        log.warning("test-only weak key derivation in use: never use this for real data")
        return KdfParams(salt, memory_kib=64, iterations=1, lanes=1)
    iterations = _DEFAULT_ITERATIONS
    if calibrate:
        probe = KdfParams(salt, _DEFAULT_MEMORY_KIB, _DEFAULT_ITERATIONS, _DEFAULT_LANES)
        per_pass = math.inf
        for _ in range(2):  # the first run pays for page faults; keep the warm one
            started = time.perf_counter()
            derive_key(b"calibration", probe)
            per_pass = min(per_pass, (time.perf_counter() - started) / _DEFAULT_ITERATIONS)
        iterations = min(12, max(_DEFAULT_ITERATIONS, math.ceil(_TARGET_SECONDS / per_pass)))
    return KdfParams(salt, _DEFAULT_MEMORY_KIB, iterations, _DEFAULT_LANES)


def derive_key(passphrase: bytes, params: KdfParams) -> bytes:
    """Argon2id: passphrase -> 16-byte key-encryption key."""
    params.check()
    kdf = Argon2id(
        salt=params.salt,
        length=KEY_BYTES,
        iterations=params.iterations,
        lanes=params.lanes,
        memory_cost=params.memory_kib,
    )
    return kdf.derive(passphrase)


def passphrase_bytes(passphrase: str) -> bytes:
    """Passphrases are NFC-normalised UTF-8, so the same text typed anywhere gives one key."""
    import unicodedata

    return unicodedata.normalize("NFC", passphrase).encode("utf-8")


def generate_key() -> bytes:
    """A new random Cobblestone-128 key."""
    return bytes(Cobblestone128Encryptor.generate_key())


def encrypt_message(key: bytes, context: bytes, plaintext: bytes) -> bytes:
    """Encrypt a small message as one complete Cobblestone stream."""
    enc = Cobblestone128Encryptor(key, context)
    return bytes(enc.update(plaintext)) + bytes(enc.finalize())


def decrypt_message(key: bytes, context: bytes, ciphertext: bytes) -> bytes:
    """Decrypt a whole message; raises ``InvalidTag`` on any damage (callers classify it)."""
    dec = Cobblestone128Decryptor(key, context)
    return bytes(dec.update(ciphertext)) + bytes(dec.finalize())


def wrap_key(kek: bytes, key: bytes, context: bytes) -> bytes:
    """Encrypt a vault key under a passphrase-derived key."""
    return encrypt_message(kek, context, key)


def unwrap_key(kek: bytes, wrapped: bytes, context: bytes) -> bytes:
    """Recover a vault key; a wrong passphrase raises ``WrongPassphrase``."""
    try:
        key = decrypt_message(kek, context, wrapped)
    except InvalidTag:
        raise WrongPassphrase("That passphrase does not unlock this vault.") from None
    if len(key) != KEY_BYTES:
        raise WrongPassphrase("That passphrase does not unlock this vault.")
    return key


class StreamEncryptor:
    """Incremental encryption: ``update`` returns ciphertext for each completed chunk."""

    def __init__(self, key: bytes, context: bytes) -> None:
        self._enc = Cobblestone128Encryptor(key, context)

    def update(self, data: bytes) -> bytes:
        return bytes(self._enc.update(data))

    def finalize(self) -> bytes:
        return bytes(self._enc.finalize())


class StreamDecryptor:
    """Incremental decryption that tells the caller *where* authentication failed.

    ``update`` releases plaintext for every authenticated chunk and raises ``ChunkRejected``
    with the index of the first chunk that fails (exact when fed one chunk at a time);
    ``finalize`` raises ``EndRejected`` if the stream has no valid final chunk (cut short, or
    its last chunk altered).
    """

    def __init__(self, key: bytes, context: bytes) -> None:
        self._dec = Cobblestone128Decryptor(key, context)
        self.released = 0

    def update(self, data: bytes) -> bytes:
        try:
            out = bytes(self._dec.update(data))
        except InvalidTag:
            raise ChunkRejected(self.released // CHUNK_PLAINTEXT) from None
        self.released += len(out)
        return out

    def finalize(self) -> bytes:
        try:
            out = bytes(self._dec.finalize())
        except InvalidTag:
            raise EndRejected(self.released) from None
        self.released += len(out)
        return out


class ChunkRejected(Exception):
    """Internal: chunk ``index`` failed authentication (tampered, reordered or misplaced)."""

    def __init__(self, index: int) -> None:
        super().__init__(index)
        self.index = index


class EndRejected(Exception):
    """Internal: no authentic final chunk; ``released`` plaintext bytes were authentic."""

    def __init__(self, released: int) -> None:
        super().__init__(released)
        self.released = released
