"""Common English vocabulary: words that are usually written in lower case.

Read at first use from the byte-pair vocabulary of GPT-2 that ships with whisper
(``whisper/assets/gpt2.tiktoken``; found on disk, whisper and torch are not imported): a word is
common when its lower-case token is at least roughly as frequent as its capitalised one (rank
< 2.5 x the capitalised rank). That keeps "will", "grace", "hope", "river" and "brown" and drops
most given names and surnames ("john", "david", "jack"). Used to tell a name from an ordinary
word; nothing here identifies anyone.
"""

from __future__ import annotations

import base64
import importlib.util
import logging
from functools import cache
from pathlib import Path

log = logging.getLogger(__name__)

#: A lower-case token this many times rarer than its capitalised form is a name, not a word.
RANK_RATIO = 2.5


def vocabulary_file() -> Path | None:
    """whisper's GPT-2 vocabulary, located without importing whisper."""
    spec = importlib.util.find_spec("whisper")
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "assets" / "gpt2.tiktoken"
    return path if path.is_file() else None


@cache
def common_words() -> frozenset[str]:
    """Lower-case common words (empty, with a warning, if whisper is not installed)."""
    path = vocabulary_file()
    if path is None:
        log.warning("whisper's vocabulary is missing: every capitalised word is a candidate name")
        return frozenset()
    ranks: dict[str, int] = {}
    with path.open("rb") as lines:
        for line in lines:
            token, rank = line.split()
            text = base64.b64decode(token)
            if text.startswith(b" ") and text[1:].isalpha() and text[1:].isascii():
                ranks[text[1:].decode()] = int(rank)
    return frozenset(
        word
        for word, rank in ranks.items()
        if len(word) > 1
        and word.islower()
        and rank < RANK_RATIO * ranks.get(word.capitalize(), rank + 1)
    )
