"""Every way a stored file can be damaged gives a typed error, never garbage."""

from __future__ import annotations

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recorder.core import errors
from recorder.core.container import (
    CHUNK_CIPHERTEXT,
    TRAILER_BYTES,
    context_for,
    prefix_bytes,
    seal,
    unseal,
)
from recorder.core.crypto import CHUNK_PLAINTEXT, STREAM_HEADER, generate_key

KEY = generate_key()
STUDY = "a" * 32
OTHER_STUDY = "b" * 32
CTX = context_for("study", STUDY, "sessions/S-AAAA0/audio-000.irf")
PLAINTEXT = os.urandom(CHUNK_PLAINTEXT * 3 + 1000)  # three full chunks and a short final one
SEALED = seal(KEY, CTX, PLAINTEXT)
PREFIX = len(prefix_bytes(CTX))
BODY_START = PREFIX + STREAM_HEADER


def chunk_start(i: int) -> int:
    return BODY_START + i * CHUNK_CIPHERTEXT


N_CHUNKS = 4  # 3 full + final
STREAM_END = len(SEALED) - TRAILER_BYTES


def expect(data: bytes, error: type[errors.IntegrityError], context: str = CTX) -> None:
    with pytest.raises(error) as info:
        unseal(KEY, context, data, path="f.irf")
    assert "f.irf" in str(info.value)


@pytest.mark.parametrize("size", [0, 1, CHUNK_PLAINTEXT - 1, CHUNK_PLAINTEXT, 100_000])
def test_round_trip(size: int) -> None:
    data = os.urandom(size)
    assert unseal(KEY, CTX, seal(KEY, CTX, data)) == data


def test_empty_file() -> None:
    expect(b"", errors.EmptyFile)


def test_not_our_file() -> None:
    expect(b"RIFF\x00\x00\x00\x00WAVEfmt " + bytes(100), errors.NotOurFile)


CUTS = sorted(
    {3, PREFIX - 1, PREFIX, BODY_START - 1, BODY_START}
    | {chunk_start(i) for i in range(1, N_CHUNKS)}  # at every chunk boundary
    | {chunk_start(i) + 100 for i in range(N_CHUNKS)}  # inside every chunk
    | {STREAM_END, STREAM_END + 5, len(SEALED) - 1}  # in the trailer
)


@pytest.mark.parametrize("cut", CUTS)
def test_truncation_anywhere_is_truncated_with_the_intact_length(cut: int) -> None:
    with pytest.raises(errors.Truncated) as info:
        unseal(KEY, CTX, SEALED[:cut], path="f.irf")
    recoverable = info.value.recoverable_bytes
    assert recoverable <= len(PLAINTEXT)
    whole_chunks_before_cut = max(0, (cut - BODY_START) // CHUNK_CIPHERTEXT)
    assert recoverable >= min(whole_chunks_before_cut, 3) * CHUNK_PLAINTEXT


def _flip(pos: int) -> bytes:
    damaged = bytearray(SEALED)
    damaged[pos] ^= 0x01
    return bytes(damaged)


@pytest.mark.parametrize(
    ("where", "pos"),
    [
        ("format version", 4),
        ("context length", 6),
        ("context text", PREFIX - 3),
        ("stream header", PREFIX + 10),
        ("first chunk body", BODY_START + 50),
        ("middle chunk body", chunk_start(2) + 7000),
        ("tag of a middle chunk", chunk_start(2) - 1),
        ("tag of the final chunk", STREAM_END - 1),
        ("end marker", STREAM_END + 2),
        ("stated length", len(SEALED) - 1),
    ],
)
def test_a_flipped_bit_is_tampering(where: str, pos: int) -> None:
    expect(_flip(pos), errors.Tampered)


def test_a_flipped_bit_in_the_magic_is_a_foreign_file() -> None:
    expect(_flip(0), errors.NotOurFile)


def _chunks() -> list[bytes]:
    return [SEALED[chunk_start(i) : chunk_start(i + 1)] for i in range(3)]


def test_reordered_chunks_are_tampering() -> None:
    c = _chunks()
    swapped = SEALED[:BODY_START] + c[1] + c[0] + c[2] + SEALED[chunk_start(3) :]
    expect(swapped, errors.Tampered)


def test_a_duplicated_chunk_is_tampering() -> None:
    c = _chunks()
    doubled = SEALED[:BODY_START] + c[0] + c[1] + c[1] + c[2] + SEALED[chunk_start(3) :]
    expect(doubled, errors.Tampered)


def test_a_duplicated_chunk_with_a_forged_length_is_still_tampering() -> None:
    c = _chunks()
    stream = (
        SEALED[PREFIX:BODY_START] + c[0] + c[1] + c[1] + c[2] + SEALED[chunk_start(3) : STREAM_END]
    )
    forged = SEALED[:PREFIX] + stream + b"IREC-END" + len(stream).to_bytes(8, "big")
    expect(forged, errors.Tampered)


def test_a_file_from_another_session_is_misplaced() -> None:
    other = seal(KEY, context_for("study", STUDY, "sessions/S-BBBB0/audio-000.irf"), PLAINTEXT)
    with pytest.raises(errors.Misplaced, match="sessions/S-BBBB0"):
        unseal(KEY, CTX, other, path="f.irf")


def test_a_file_from_another_study_is_misplaced() -> None:
    other_ctx = context_for("study", OTHER_STUDY, "sessions/S-AAAA0/audio-000.irf")
    with pytest.raises(errors.Misplaced, match="another study"):
        unseal(generate_key(), CTX, seal(generate_key(), other_ctx, PLAINTEXT), path="f.irf")


def test_a_file_of_another_role_is_misplaced() -> None:
    other = seal(KEY, context_for("study", STUDY, "sessions/S-AAAA0/transcript.irf"), b"{}")
    expect(other, errors.Misplaced)


def test_a_forged_context_does_not_decrypt() -> None:
    """Rewriting another session's file header to claim this place fails authentication."""
    other_ctx = context_for("study", STUDY, "sessions/S-BBBB0/audio-000.irf")
    other = seal(KEY, other_ctx, PLAINTEXT)
    forged = prefix_bytes(CTX) + other[len(prefix_bytes(other_ctx)) :]
    expect(forged, errors.Tampered)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_any_single_byte_change_is_detected(data: st.DataObject) -> None:
    small = seal(KEY, CTX, b"participant registry " * 50)
    pos = data.draw(st.integers(0, len(small) - 1))
    value = data.draw(st.integers(0, 255).filter(lambda v: v != small[pos]))
    damaged = small[:pos] + bytes([value]) + small[pos + 1 :]
    with pytest.raises(errors.IntegrityError):
        unseal(KEY, CTX, damaged)
