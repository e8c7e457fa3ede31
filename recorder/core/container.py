"""The sealed-file format every stored file uses.

Layout::

    "IREC" | version (1 byte) | context length (2 bytes, big-endian) | context (ASCII)
    Cobblestone-128 stream, with the whole prefix above as its context
    "IREC-END" | stream length (8 bytes, big-endian)

The context names the vault, the vault's random ID and the file's place in it, for example
``study/4f0c.../sessions/S-7KQ2M/audio-000.irf``. It is plaintext (random IDs only) so that a
file copied from another study or session can be named as such; it is also authenticated, so
editing it breaks decryption. The trailer tells a file that was cut short (trailer gone:
``Truncated``, with the authentic length that can be recovered) from one whose bytes were
changed (``Tampered``). A recording still being written has no trailer yet.
"""

from __future__ import annotations

import io
import re
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from recorder.core.crypto import (
    CHUNK_CIPHERTEXT,
    CHUNK_PLAINTEXT,
    CHUNK_TAG,
    STREAM_HEADER,
    ChunkRejected,
    EndRejected,
    StreamDecryptor,
    StreamEncryptor,
)
from recorder.core.errors import EmptyFile, Misplaced, NotOurFile, Tampered, Truncated

MAGIC = b"IREC"
VERSION = 1
_PREFIX_FIXED = struct.Struct(">4sBH")
TRAILER_MAGIC = b"IREC-END"
_TRAILER = struct.Struct(">8sQ")
TRAILER_BYTES = _TRAILER.size
MAX_CONTEXT = 1024


def context_for(vault_kind: str, vault_id: str, relpath: str) -> str:
    """The context string binding a file to its vault and place (POSIX relative path)."""
    return f"{vault_kind}/{vault_id}/{relpath}"


def prefix_bytes(context: str) -> bytes:
    """The plaintext prefix of a sealed file; also the Cobblestone context."""
    raw = context.encode("ascii")
    if len(raw) > MAX_CONTEXT:
        raise ValueError("context too long")
    return _PREFIX_FIXED.pack(MAGIC, VERSION, len(raw)) + raw


def seal(key: bytes, context: str, plaintext: bytes) -> bytes:
    """Encrypt ``plaintext`` as a complete sealed file."""
    buf = io.BytesIO()
    writer = SealedWriter(buf, key, context)
    writer.write(plaintext)
    writer.close()
    return buf.getvalue()


def unseal(key: bytes, context: str, data: bytes, *, path: str = "") -> bytes:
    """Decrypt a complete sealed file held in memory; damage raises a typed error."""
    return b"".join(iter_plaintext(key, context, io.BytesIO(data), len(data), path=path))


class SealedWriter:
    """Streams plaintext into a sealed file; ``close`` writes the final chunk and the trailer.

    Each ``write`` returns as soon as whole chunks are encrypted and handed to ``out``;
    the caller decides when to flush and fsync.
    """

    def __init__(self, out: BinaryIO, key: bytes, context: str) -> None:
        prefix = prefix_bytes(context)
        self._out = out
        self._enc = StreamEncryptor(key, prefix)
        self._stream_bytes = 0
        self.closed = False
        out.write(prefix)

    def write(self, plaintext: bytes) -> None:
        chunk = self._enc.update(plaintext)
        if chunk:
            self._out.write(chunk)
            self._stream_bytes += len(chunk)

    def close(self) -> None:
        if self.closed:
            return
        final = self._enc.finalize()
        self._out.write(final)
        self._stream_bytes += len(final)
        self._out.write(_TRAILER.pack(TRAILER_MAGIC, self._stream_bytes))
        self.closed = True


@dataclass(frozen=True)
class Prefix:
    """What a sealed file's plaintext prefix says about itself."""

    context: str
    size: int  # bytes of prefix


def read_prefix(head: bytes, file_size: int, *, path: str = "") -> Prefix:
    """Parse the plaintext prefix; raise a typed error if it is missing or malformed."""
    if file_size == 0:
        raise EmptyFile(f"{path or 'file'}: the file is empty.", path=path)
    if len(head) < _PREFIX_FIXED.size:
        if MAGIC.startswith(head[:4]):
            raise Truncated(f"{path}: cut short inside its header.", path=path)
        raise NotOurFile(f"{path}: not an Interview Recorder file.", path=path)
    magic, version, length = _PREFIX_FIXED.unpack_from(head)
    if magic != MAGIC:
        raise NotOurFile(f"{path}: not an Interview Recorder file.", path=path)
    if version != VERSION:
        raise Tampered(
            f"{path}: unknown file format version {version} (header damaged, "
            "or written by a newer Interview Recorder).",
            path=path,
        )
    end = _PREFIX_FIXED.size + length
    if len(head) < end:
        raise Truncated(f"{path}: cut short inside its header.", path=path)
    try:
        context = head[_PREFIX_FIXED.size : end].decode("ascii")
    except UnicodeDecodeError:
        raise Tampered(f"{path}: its header is damaged.", path=path) from None
    return Prefix(context, end)


_CONTEXT_SHAPE = re.compile(r"(study|codemap)/[0-9a-f]{32}/[A-Za-z0-9._/-]+\.irf")


def _wrong_context(
    key: bytes, stored: str, expected: str, f: BinaryIO, size: int, path: str
) -> Tampered | Misplaced:
    """A different context: a damaged header, or an authentic file from somewhere else.

    A file of this vault is proven misplaced by authenticating it under the context it
    states; one from another vault (another key) only by the shape of that context.
    """
    damaged = Tampered(f"{path}: its header is damaged.", path=path)
    if not _CONTEXT_SHAPE.fullmatch(stored):
        return damaged
    same_vault = stored.split("/", 2)[:2] == expected.split("/", 2)[:2]
    if same_vault:
        f.seek(0)
        try:
            for _ in iter_plaintext(key, stored, f, size, path=path):
                pass
        except Truncated:
            pass  # authentic as far as it goes
        except (Tampered, NotOurFile, EmptyFile, Misplaced):
            return damaged
    return _misplaced(stored, expected, path)


def _misplaced(stored: str, expected: str, path: str) -> Misplaced:
    s_parts = stored.split("/", 2)
    e_parts = expected.split("/", 2)
    if len(s_parts) != 3 or len(e_parts) != 3:
        return Misplaced(f"{path}: belongs elsewhere ({stored!r}).", path=path)
    if s_parts[0] != e_parts[0]:
        where = f"a {s_parts[0]} vault, not a {e_parts[0]}"
    elif s_parts[1] != e_parts[1]:
        where = f"another {s_parts[0]} (vault {s_parts[1][:8]}...)"
    else:
        where = f"{s_parts[2]} in this {s_parts[0]}"
    return Misplaced(f"{path}: this file was copied here from {where}.", path=path)


def _cut_trailer_bytes(tail: bytes) -> int:
    """How many trailing bytes are the start of a trailer that was cut short (0 if none)."""
    for k in range(min(len(tail), TRAILER_BYTES - 1), 3, -1):
        end = tail[-k:]
        if end[: len(TRAILER_MAGIC)] == TRAILER_MAGIC[: len(end)]:
            return k
    return 0


def _looks_like_damaged_trailer(tail: bytes, stream_len: int) -> bool:
    magic, stated = _TRAILER.unpack(tail)
    differing = sum(a != b for a, b in zip(magic, TRAILER_MAGIC, strict=True))
    return bool(stated == stream_len or differing <= 2)


def iter_plaintext(
    key: bytes,
    context: str,
    f: BinaryIO,
    size: int,
    *,
    path: str = "",
    allow_unfinished: bool = False,
) -> Iterator[bytes]:
    """Yield authenticated plaintext, one chunk at a time, then check the end.

    Raises (after yielding everything authentic before the damage): ``EmptyFile``,
    ``NotOurFile``, ``Misplaced``, ``Tampered``, or ``Truncated`` with ``recoverable_bytes``.
    With ``allow_unfinished`` a file without trailer and without final chunk (a recording
    being written, or cut by a crash) ends quietly after its last authentic chunk.
    """
    head = f.read(_PREFIX_FIXED.size + MAX_CONTEXT)
    prefix = read_prefix(head, size, path=path)
    if prefix.context != context:
        raise _wrong_context(key, prefix.context, context, f, size, path)
    f.seek(prefix.size)

    body = size - prefix.size
    has_trailer = False
    cut_trailer = 0
    if body >= TRAILER_BYTES + STREAM_HEADER + CHUNK_TAG:
        f.seek(size - TRAILER_BYTES)
        tail = f.read(TRAILER_BYTES)
        f.seek(prefix.size)
        magic, stated = _TRAILER.unpack(tail)
        stream_len = body - TRAILER_BYTES
        if magic == TRAILER_MAGIC:
            if stated != stream_len:
                raise Tampered(
                    f"{path}: its length does not match its end marker "
                    "(bytes were inserted, removed or duplicated).",
                    path=path,
                )
            has_trailer = True
        elif _looks_like_damaged_trailer(tail, stream_len):
            raise Tampered(f"{path}: its end marker is damaged.", path=path)
        else:
            cut_trailer = _cut_trailer_bytes(tail)
    stream_left = body - TRAILER_BYTES if has_trailer else body - cut_trailer

    dec = StreamDecryptor(key, prefix_bytes(context))
    total_chunks = max(1, -(-(stream_left - STREAM_HEADER) // CHUNK_CIPHERTEXT))
    want = STREAM_HEADER + CHUNK_CIPHERTEXT  # the first read also takes the stream header
    while stream_left > 0:
        data = f.read(min(stream_left, want))
        stream_left -= len(data)
        want = CHUNK_CIPHERTEXT
        try:
            out = dec.update(data)
        except ChunkRejected as bad:
            raise Tampered(
                f"{path}: chunk {bad.index + 1} of {total_chunks} failed authentication "
                "(altered, reordered or duplicated).",
                path=path,
            ) from None
        if out:
            yield out
        if not data:  # the file shrank while being read
            break
    try:
        out = dec.finalize()
    except EndRejected as end:
        if has_trailer:
            raise Tampered(f"{path}: its last chunk was altered.", path=path) from None
        if allow_unfinished:
            return
        raise Truncated(
            f"{path}: cut short; {end.released:,} bytes before the cut are intact.",
            path=path,
            recoverable_bytes=end.released,
        ) from None
    if out:
        yield out
    if not has_trailer:
        raise Truncated(
            f"{path}: its end marker is missing; all {dec.released:,} bytes are intact.",
            path=path,
            recoverable_bytes=dec.released,
        )


__all__ = [
    "CHUNK_CIPHERTEXT",
    "CHUNK_PLAINTEXT",
    "Prefix",
    "SealedWriter",
    "context_for",
    "iter_plaintext",
    "prefix_bytes",
    "read_prefix",
    "seal",
    "unseal",
]
