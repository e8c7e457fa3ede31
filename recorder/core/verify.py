"""Integrity check of a whole vault: every sealed file fully authenticated, nothing missing.

Used by ``python main.py verify`` and on opening a study. Each problem becomes one
``Finding`` (path, kind of damage, a sentence); an empty list means the vault is intact.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from recorder.core.atomic import TEMP_MARKER
from recorder.core.errors import IntegrityError, NotFound, RecorderError, Truncated
from recorder.core.jobs import CancelToken, Progress
from recorder.core.vault import HEADER_NAME, SEALED_SUFFIX, Vault

PARTIAL_SUFFIX = ".partial"
#: Files an operating system drops into any folder; not ours, not damage.
_OS_CLUTTER = {".DS_Store", "Thumbs.db", "desktop.ini"}


@dataclass(frozen=True)
class Finding:
    """One damaged, missing or unexpected file."""

    path: str
    kind: str
    message: str
    recoverable_bytes: int | None = None

    def line(self) -> str:
        return f"{self.kind:<10} {self.message}"


def verify_vault(
    vault: Vault,
    required: tuple[str, ...],
    *,
    progress: Callable[[Progress], None] | None = None,
    cancel: CancelToken | None = None,
) -> list[Finding]:
    """Authenticate every file of ``vault``; return one finding per problem."""
    findings: list[Finding] = []
    sealed = vault.sealed_files()
    for name in required:
        if name not in sealed:
            findings.append(Finding(name, "missing", f"{name}: the file is missing."))
    others = _other_files(vault)
    total = len(sealed) + len(others)
    for done, relpath in enumerate(sealed):
        if cancel is not None:
            cancel.check()
        if progress is not None:
            progress(Progress(done / max(total, 1), f"Checking file {done + 1} of {total}"))
        finding = check_file(vault, relpath)
        if finding is not None:
            findings.append(finding)
    for relpath in others:
        finding = _check_other(vault, relpath)
        if finding is not None:
            findings.append(finding)
    if progress is not None:
        progress(Progress(1.0, "Checked"))
    return findings


def check_file(vault: Vault, relpath: str, *, allow_unfinished: bool = False) -> Finding | None:
    """Authenticate one sealed file completely; ``None`` if it is intact."""
    try:
        for _ in vault.iter_chunks(relpath, allow_unfinished=allow_unfinished):
            pass
    except Truncated as exc:
        return Finding(relpath, exc.kind, str(exc), exc.recoverable_bytes)
    except IntegrityError as exc:
        return Finding(relpath, exc.kind, str(exc))
    except NotFound:
        return Finding(relpath, "missing", f"{relpath}: the file is missing.")
    except RecorderError as exc:
        return Finding(relpath, "unreadable", f"{relpath}: {exc}")
    return None


def _other_files(vault: Vault) -> list[str]:
    rest = []
    for path in vault.folder.rglob("*"):
        if not path.is_file() or path.name in _OS_CLUTTER or path.name == HEADER_NAME:
            continue
        relpath = path.relative_to(vault.folder).as_posix()
        if path.name.endswith(SEALED_SUFFIX) and not path.name.startswith("."):
            continue
        rest.append(relpath)
    return sorted(rest)


def _check_other(vault: Vault, relpath: str) -> Finding | None:
    if TEMP_MARKER in relpath.rsplit("/", 1)[-1]:
        return None  # an interrupted save; encrypted, and removed on the next unlock
    if relpath.endswith(SEALED_SUFFIX + PARTIAL_SUFFIX):
        target = relpath[: -len(PARTIAL_SUFFIX)]
        intact, amount = _unfinished_audio(vault, relpath, target)
        return Finding(
            relpath,
            "truncated",
            f"{relpath}: an unfinished recording (the app stopped while recording); "
            f"{amount} intact, to be sealed with 'recover'.",
            intact,
        )
    return Finding(relpath, "unexpected", f"{relpath}: not an Interview Recorder file; remove it.")


def _unfinished_audio(vault: Vault, relpath: str, target: str) -> tuple[int, str]:
    """One pass over an unfinished recording: (intact bytes, "12.3 s of audio" or a byte count)."""
    from recorder.core.audio.pcm import HEADER_BYTES, PcmFormat, parse_header

    intact = 0
    fmt: PcmFormat | None = None
    try:
        for chunk in vault.iter_chunks(relpath, sealed_for=target, allow_unfinished=True):
            if fmt is None:
                fmt = parse_header(chunk[:HEADER_BYTES])
            intact += len(chunk)
    except Truncated as exc:
        intact = exc.recoverable_bytes
    except RecorderError:
        pass
    if fmt is None:
        return intact, f"{intact:,} bytes"
    seconds = max(0, intact - HEADER_BYTES) / (fmt.sample_rate * fmt.frame_bytes)
    return intact, f"{seconds:.1f} s of audio"
