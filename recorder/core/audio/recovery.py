"""Recovery of recordings interrupted by a crash or power loss.

An unfinished segment (``audio-NNN.irf.partial``) holds authenticated chunks but no final
chunk. Recovery re-seals every authentic byte into ``audio-NNN.irf`` (through a temp file and
an atomic rename), removes the partial file, and marks the session: segment ``recovered``,
state stopped with a STOP marker at the end of the saved audio.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace

from recorder.core.atomic import TEMP_MARKER, fsync_dir, os_error
from recorder.core.audio.pcm import HEADER_BYTES, parse_header
from recorder.core.audio.segments import PARTIAL, SegmentInfo
from recorder.core.errors import RecorderError, Truncated
from recorder.core.jobs import CancelToken, Progress
from recorder.core.session import Marker, MarkerKind, SessionState, StateChange, now_iso
from recorder.core.sessions import load_session, save_session
from recorder.core.study import Study

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Unfinished:
    session_id: str
    relpath: str  # the .partial file


@dataclass(frozen=True)
class RecoveryReport:
    session_id: str
    file: str
    seconds_saved: float


def find_unfinished(study: Study) -> list[Unfinished]:
    """Every interrupted recording in the study."""
    found = []
    for session_id in study.session_ids():
        folder = study.vault.path(study.session_dir(session_id))
        for path in sorted(folder.glob(f"*.irf{PARTIAL}")):
            found.append(Unfinished(session_id, f"{study.session_dir(session_id)}/{path.name}"))
    return found


def recover_study(
    study: Study,
    *,
    progress: Callable[[Progress], None] | None = None,
    cancel: CancelToken | None = None,
) -> list[RecoveryReport]:
    """Recover every interrupted recording; returns what was saved."""
    todo = find_unfinished(study)
    reports = []
    for n, item in enumerate(todo):
        if cancel is not None:
            cancel.check()
        if progress is not None:
            progress(Progress(n / len(todo), f"Recovering recording {n + 1} of {len(todo)}"))
        reports.append(recover_segment(study, item))
    if progress is not None:
        progress(Progress(1.0, "Recovered"))
    return reports


def recover_segment(study: Study, item: Unfinished) -> RecoveryReport:
    """Re-seal the authentic part of one unfinished segment and update its session."""
    vault = study.vault
    final = item.relpath[: -len(PARTIAL)]
    final_path = vault.path(final)
    tmp = final_path.with_name(f".{final_path.name}{TEMP_MARKER}{secrets.token_hex(4)}")
    total = 0
    try:
        with open(tmp, "xb") as out:
            writer = vault.open_stream_writer(final, out)
            try:
                for chunk in vault.iter_chunks(
                    item.relpath, sealed_for=final, allow_unfinished=True
                ):
                    writer.write(chunk)
                    total += len(chunk)
            except Truncated:
                pass  # the cut itself; everything before it was written
            writer.close()
            out.flush()
            os.fsync(out.fileno())
        if total < HEADER_BYTES:
            tmp.unlink(missing_ok=True)
            vault.path(item.relpath).unlink()
            log.warning("an interrupted recording held no audio; removed it")
            return RecoveryReport(item.session_id, final, 0.0)
        os.replace(tmp, final_path)
        vault.path(item.relpath).unlink()
        fsync_dir(final_path.parent)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise os_error(exc, final_path) from exc
    except RecorderError:
        tmp.unlink(missing_ok=True)
        raise
    fmt = parse_header(vault.read_bytes(final)[:HEADER_BYTES], path=final)
    frames = (total - HEADER_BYTES) // fmt.frame_bytes
    _mark_session(
        study, item.session_id, final.rsplit("/", 1)[-1], fmt.sample_rate, fmt.channels, frames
    )
    log.info("recovered an interrupted recording")
    return RecoveryReport(item.session_id, final, frames / fmt.sample_rate)


def _mark_session(
    study: Study, session_id: str, file: str, rate: int, channels: int, frames: int
) -> None:
    record = load_session(study, session_id)
    known = {s.file: s for s in record.segments}
    start = known[file].start_sample if file in known else record.audio_frames
    record = record.with_segment(SegmentInfo(file, rate, channels, start, frames, recovered=True))
    record = replace(record, recovered=True)
    if record.state in (SessionState.RECORDING, SessionState.PAUSED):
        end = record.audio_frames
        stop = Marker(MarkerKind.STOP, sample=end, wall_time=now_iso(), text="recovered")
        record = replace(
            record,
            state=SessionState.STOPPED,
            markers=(*record.markers, stop),
            history=(*record.history, StateChange(SessionState.STOPPED, now_iso())),
        )
    save_session(study, record)
