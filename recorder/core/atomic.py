"""Atomic small-file writes: temp file, fsync, rename, fsync of the directory.

A crash (even ``kill -9`` or power loss) at any moment leaves either the old file or the new
one, never a mix. Temp files start with a dot and end in ``.tmp-XXXXXXXX``; a leftover one is
harmless (its content is already encrypted) and is removed by ``remove_stale_temps``.
"""

from __future__ import annotations

import errno
import logging
import os
import secrets
from pathlib import Path

from recorder.core.errors import DiskFull, RecorderError

log = logging.getLogger(__name__)

TEMP_MARKER = ".tmp-"


def fsync_dir(folder: Path) -> None:
    """Make a rename or create inside ``folder`` durable."""
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    except OSError:  # some file systems (e.g. on Windows) cannot fsync a directory
        pass
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically and durably (owner-only permissions)."""
    tmp = path.with_name(f".{path.name}{TEMP_MARKER}{secrets.token_hex(4)}")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise os_error(exc, path) from exc


def os_error(exc: OSError, path: Path) -> RecorderError:
    """Turn an ``OSError`` into a typed, actionable error (no participant data in it)."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return DiskFull(f"The disk is full; {path.name} could not be saved.")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return RecorderError(
            f"No permission to write in {path.parent}.",
            hint="Check that the folder is writable and the drive is not read-only.",
        )
    return RecorderError(
        f"Could not write {path.name}: {exc.strerror or exc}.",
        hint="Check that the drive is still connected and try again.",
    )


def remove_stale_temps(folder: Path) -> int:
    """Delete temp files left behind by interrupted atomic writes; return how many."""
    removed = 0
    for tmp in folder.rglob(f".*{TEMP_MARKER}*"):
        if tmp.is_file():
            tmp.unlink(missing_ok=True)
            removed += 1
    if removed:
        log.info("removed %d leftover temporary file(s)", removed)
    return removed
