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
        intact = _unfinished_length(vault, relpath, target)
        return Finding(
            relpath,
            "truncated",
            f"{relpath}: an unfinished recording (the app stopped while recording); "
            f"{_describe_audio(vault, relpath, target, intact)} intact, to be sealed with "
            "'recover'.",
            intact,
        )
    return Finding(relpath, "unexpected", f"{relpath}: not an Interview Recorder file; remove it.")


def _unfinished_length(vault: Vault, relpath: str, target: str) -> int:
    """Authentic plaintext bytes in an unfinished recording (sealed for ``target``)."""
    total = 0
    try:
        for chunk in vault.iter_chunks(relpath, sealed_for=target, allow_unfinished=True):
            total += len(chunk)
    except Truncated as exc:
        return exc.recoverable_bytes
    except RecorderError:
        return total
    return total


def _describe_audio(vault: Vault, relpath: str, target: str, intact: int) -> str:
    """``"12.3 s of audio"`` when the segment header is readable, else a byte count."""
    from recorder.core.audio.pcm import HEADER_BYTES, parse_header

    try:
        first = next(vault.iter_chunks(relpath, sealed_for=target, allow_unfinished=True))
        fmt = parse_header(first[:HEADER_BYTES])
    except (RecorderError, StopIteration):
        return f"{intact:,} bytes"
    return f"{max(0, intact - HEADER_BYTES) / (fmt.sample_rate * fmt.frame_bytes):.1f} s of audio"
