"""The contract for long operations: a progress callback and a cancel token.

Every long operation in the core takes ``progress: Callable[[Progress], None]`` and a
``CancelToken`` and raises ``Cancelled`` when asked to stop. The GUI turns these into signals.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from recorder.core.errors import Cancelled


@dataclass(frozen=True)
class Progress:
    """How far an operation is (0.0-1.0) and what it is doing, in words for a person."""

    fraction: float
    message: str = ""


class CancelToken:
    """Thread-safe cancellation flag, checked by long operations at safe points."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        """Raise ``Cancelled`` if cancellation was requested."""
        if self._event.is_set():
            raise Cancelled("Cancelled.")
