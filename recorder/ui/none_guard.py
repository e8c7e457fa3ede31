"""A guard against a PySide6 6.12 reference-count bug on CPython < 3.12.

Measured here (PySide6 6.12.0, CPython 3.11.7): every call of a wrapped C++ method that
returns ``void`` (``QPainter.setPen``, ``QObject.setObjectName``, ...) drops one reference
to ``None`` that it never took. ``None`` starts with a few thousand references, so a view that
paints often (a waveform, a list repainted 20 times a second during playback) soon makes
CPython abort with "none_dealloc: deallocating None". CPython 3.12 makes ``None`` immortal;
this gives 3.11 the same property by adding a very large reference count once.
"""

from __future__ import annotations

import ctypes
import logging
import sys

log = logging.getLogger(__name__)

_HEADROOM = 1 << 40
_done = [False]


def keep_none_alive() -> None:
    """Make ``None`` effectively immortal (once per process; a no-op on CPython >= 3.12)."""
    if _done[0] or sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return
    _done[0] = True
    ctypes.c_ssize_t.from_address(id(None)).value += _HEADROOM
    log.debug("None made immortal against a PySide reference-count bug")
