"""Study IDs: random, short, typo-resistant."""

from __future__ import annotations

import pytest

from recorder.core import ids
from recorder.core.errors import UsageError


def test_shape_and_randomness() -> None:
    drawn = [ids.new_id(ids.PARTICIPANT) for _ in range(500)]
    assert all(len(i) == 7 and i.startswith("P-") for i in drawn)
    assert len(set(drawn)) > 490  # about a million possible IDs
    assert sorted(drawn) != drawn  # not sequential


def test_taken_ids_are_never_returned() -> None:
    taken = {ids.new_id(ids.PARTICIPANT) for _ in range(50)}
    assert all(ids.new_id(ids.PARTICIPANT, taken) not in taken for _ in range(200))


def test_reading_is_forgiving() -> None:
    pid = ids.new_id(ids.PARTICIPANT)
    messy = " " + pid.lower().replace("-", " ").replace("0", "o").replace("1", "l") + " "
    assert ids.parse_id(messy, ids.PARTICIPANT) == pid
    assert ids.parse_id(pid[2:], ids.PARTICIPANT) == pid


def test_every_single_typo_is_caught() -> None:
    for _ in range(40):
        body = ids.new_id(ids.PARTICIPANT)[2:]
        for pos in range(len(body)):
            for ch in ids.ALPHABET:
                if ch != body[pos]:
                    with pytest.raises(UsageError, match="typo"):
                        ids.parse_id(body[:pos] + ch + body[pos + 1 :], ids.PARTICIPANT)


@pytest.mark.parametrize("text", ["", "P-", "P-12", "P-12345678", "P-AB!CD", "hello"])
def test_garbage_is_a_usage_error(text: str) -> None:
    with pytest.raises(UsageError):
        ids.parse_id(text, ids.PARTICIPANT)
