"""Short, random, typo-resistant study IDs such as ``P-7KQ2M`` and ``S-XD4H9``.

Four random symbols from Crockford's base-32 alphabet (no I, L, O or U) and a Luhn mod-32
check symbol, which catches every single mistyped symbol and almost every swap of two
neighbours. Reading is forgiving: case, spaces, dashes and the look-alikes O->0, I/L->1 are
accepted. IDs are drawn with ``secrets``: never sequential, never derived from a person.
"""

from __future__ import annotations

import secrets
from collections.abc import Container

from recorder.core.errors import UsageError

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
RANDOM_SYMBOLS = 4
PARTICIPANT = "P"
SESSION = "S"


def _check_symbol(payload: str) -> str:
    """Luhn mod N over base 32."""
    n = len(ALPHABET)
    total = 0
    factor = 2
    for ch in reversed(payload):
        addend = factor * _VALUE[ch]
        total += addend // n + addend % n
        factor = 1 if factor == 2 else 2
    return ALPHABET[(n - total % n) % n]


def _valid(payload_and_check: str) -> bool:
    return _check_symbol(payload_and_check[:-1]) == payload_and_check[-1]


def new_id(prefix: str, taken: Container[str] = ()) -> str:
    """A fresh random ID with ``prefix`` that is not in ``taken``."""
    while True:
        payload = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_SYMBOLS))
        candidate = f"{prefix}-{payload}{_check_symbol(payload)}"
        if candidate not in taken:
            return candidate


def parse_id(text: str, prefix: str) -> str:
    """Normalise what a person typed into a canonical ID, or raise ``UsageError``."""
    kind = "participant" if prefix == PARTICIPANT else "session"
    cleaned = text.strip().upper().replace(" ", "").replace("-", "")
    if len(cleaned) == len(prefix) + RANDOM_SYMBOLS + 1 and cleaned.startswith(prefix):
        cleaned = cleaned[len(prefix) :]
    cleaned = cleaned.translate(_LOOKALIKES)
    if len(cleaned) != RANDOM_SYMBOLS + 1 or any(ch not in _VALUE for ch in cleaned):
        raise UsageError(
            f"{text!r} is not a {kind} ID.",
            hint=f"{kind.capitalize()} IDs look like {prefix}-7KQ2M.",
        )
    if not _valid(cleaned):
        raise UsageError(
            f"{text!r} is not a valid {kind} ID (its check symbol does not match: "
            "probably a typo).",
            hint="Check each character against the ID on record.",
        )
    return f"{prefix}-{cleaned}"
