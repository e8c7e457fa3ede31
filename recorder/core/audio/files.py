"""Audio files on the user's disk: import a handheld recorder's file, export on request.

Import reads the file (WAV, FLAC, OGG, and MP3 where libsndfile supports it) and seals it
into segment files; the original is left untouched. Export writes decrypted audio only when
the user explicitly asks for it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from recorder.core.audio.pcm import PcmFormat, from_float
from recorder.core.audio.segments import SegmentInfo, SegmentWriter, segment_name
from recorder.core.errors import RecorderError, UsageError
from recorder.core.jobs import CancelToken, Progress
from recorder.core.vault import Vault

log = logging.getLogger(__name__)

BLOCK_FRAMES = 65_536
EXPORT_FORMATS = {".wav": "WAV", ".flac": "FLAC"}


def _soundfile() -> Any:
    try:
        import soundfile
    except OSError as exc:
        raise RecorderError(
            "The audio file library (libsndfile) is not installed.",
            hint="Install it: sudo apt-get install libsndfile1 (or run bash .ci/setup.sh).",
        ) from exc
    return soundfile


def probe(path: Path) -> tuple[int, int, int]:
    """(sample rate, channels, frames) of an audio file; a clear error if unreadable."""
    sf = _soundfile()
    try:
        info = sf.info(str(path))
    except (RuntimeError, sf.LibsndfileError) as exc:
        raise UsageError(
            f"{path.name} is not an audio file this app can read.",
            hint="Use WAV, FLAC or OGG (MP3 where supported); convert it first if needed.",
        ) from exc
    except FileNotFoundError:
        raise UsageError(f"{path} does not exist.") from None
    return int(info.samplerate), int(info.channels), int(info.frames)


def import_files(
    vault: Vault,
    session_dir: str,
    paths: list[Path],
    *,
    progress: Callable[[Progress], None] | None = None,
    cancel: CancelToken | None = None,
) -> list[SegmentInfo]:
    """Seal each file as a segment, one after another on the session timeline."""
    sf = _soundfile()
    probes = [probe(p) for p in paths]
    rates = {rate for rate, _, _ in probes}
    channels = {ch for _, ch, _ in probes}
    if len(channels) > 1:
        raise UsageError(
            "The files have different channel counts; import them as separate sessions."
        )
    timeline_rate = probes[0][0]
    total = sum(frames for _, _, frames in probes) or 1
    done = 0
    segments: list[SegmentInfo] = []
    start = 0
    for index, (path, (rate, ch, _)) in enumerate(zip(paths, probes, strict=True)):
        relpath = f"{session_dir}/{segment_name(index)}"
        writer = SegmentWriter(vault, relpath, PcmFormat(rate, ch))
        try:
            with sf.SoundFile(str(path)) as f:
                while True:
                    if cancel is not None:
                        cancel.check()
                    block = f.read(BLOCK_FRAMES, dtype="float32", always_2d=True)
                    if not len(block):
                        break
                    writer.write(from_float(block).tobytes())
                    done += len(block)
                    if progress is not None:
                        progress(Progress(done / total, f"Encrypting {path.name}"))
            frames = writer.close()
        except BaseException:
            writer.abandon()
            vault.path(relpath + ".partial").unlink(missing_ok=True)
            raise
        segments.append(SegmentInfo(segment_name(index), rate, ch, start, frames))
        start += round(frames * timeline_rate / rate)
    if len(rates) > 1:
        log.info("imported files with different sample rates; they are resampled on playback")
    return segments


def export_audio(audio: np.ndarray[Any, Any], rate: int, out: Path) -> None:
    """Write decrypted audio to ``out`` (.wav or .flac) — only on the user's explicit request."""
    fmt = EXPORT_FORMATS.get(out.suffix.lower())
    if fmt is None:
        raise UsageError(
            f"Cannot export to {out.suffix or 'a file without extension'}.",
            hint="Use a .wav or .flac file name.",
        )
    sf = _soundfile()
    try:
        sf.write(str(out), audio, rate, format=fmt, subtype="PCM_16")
    except (RuntimeError, OSError) as exc:
        raise RecorderError(f"Could not write {out}: {exc}") from exc
