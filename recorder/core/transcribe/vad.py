"""Voice-activity detection: where the speech is, which stretches to transcribe, where to cut.

Three detectors, each turning float32 mono audio into sorted, non-overlapping speech regions
(``[start, end)`` sample indices):

- ``energy``: pure numpy. The 200-4000 Hz level of 20-ms frames against an adaptive noise
  floor (a low percentile per second, the minimum of those over a sliding 10 s), entered 9 dB
  above the floor, held while 4 dB above it, with a hangover.
- ``webrtc``: the WebRTC GMM detector (``webrtcvad-wheels``) on 30-ms frames.
- ``silero``: the Silero neural detector (``silero-vad``, its TorchScript model, which ships
  inside the wheel) on 32-ms windows. Run window by window an hour takes ~35 s; here the audio
  is cut into up to 256 consecutive parts run as one batch (each first hears the second before
  it), so an hour takes ~1 s on two cores.

The default, ``silero``, was chosen with ``bench/bench_vad.py`` (docs/PERFORMANCE.md, issue 6):
over six simulated interviews in eight noise conditions it damaged 1 of 4,680 utterances
(``webrtc`` 20, ``energy`` 304) and skipped 80% of the long silence (``webrtc`` 61%, under
50% in loud room noise; ``energy`` 77%, but it lost up to 13% of a soft voice's speech).
A library that is missing at run time falls back to ``energy`` with a logged warning. Nothing
here logs audio content; libraries (and torch) are imported only when a detector needs them.
"""

from __future__ import annotations

import logging
import threading
import warnings
from typing import Any

import numpy as np
import numpy.typing as npt

from recorder.core.audio.pcm import FloatArray

log = logging.getLogger(__name__)

Region = tuple[int, int]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

DETECTORS: tuple[str, ...] = ("energy", "webrtc", "silero")
DEFAULT_DETECTOR = "silero"

#: Speech runs are widened by this much before and after (hangover), so weak onsets and
#: trailing consonants stay inside the region.
HANG_BEFORE_S = 0.1
HANG_AFTER_S = 0.3

# energy
ENERGY_FRAME_S = 0.02
SPEECH_BAND_HZ = (200.0, 4000.0)
FLOOR_BLOCK_S = 1.0
FLOOR_PERCENTILE = 10.0
FLOOR_SPAN_S = 10.0
ENTER_DB = 9.0
STAY_DB = 4.0
#: No threshold goes below this, so digital silence and dither never count as speech.
MIN_THRESHOLD_DBFS = -70.0
_DB_FLOOR = -120.0
_FFT_CHUNK = 4096  # frames per FFT batch

# webrtc
WEBRTC_RATES = (8000, 16000, 32000, 48000)
WEBRTC_FRAME_S = 0.03
WEBRTC_MODE = 2  # aggressiveness 0-3; higher skips more noise and loses more quiet speech

# silero
SILERO_RATE = 16_000
SILERO_WINDOW = 512  # samples per probability at 16 kHz (32 ms)
#: Speech probability that starts a region, and that keeps it going. Below silero's own 0.5 and
#: 0.35: at 0.4/0.25 a one-word answer 4 dB under room noise was lost. Set on bench seeds 6-8
#: (27 runs, nothing lost, ~1% less silence skipped); held-out seeds 9-11 lost 1 utterance.
SILERO_ENTER = 0.3
SILERO_STAY = 0.15
#: ``cut_point`` is stricter about pauses: a false pause cuts a word in two, a missed one only
#: waits for the next. At 0.3/0.15, 3 of 4,217 live cuts (bench seeds 6-9) fell inside soft
#: speech near 0 dB SNR; at 0.15/0.08 none did, with 1% fewer cuts (none in seeds 10-11 either).
SILERO_CUT_ENTER = 0.15
SILERO_CUT_STAY = 0.08
#: Silero's probability already takes ~0.2 s to fall after speech: a shorter hangover.
SILERO_HANG_AFTER_S = 0.1
SILERO_STREAMS = 256
#: Windows of preceding audio each parallel stream hears before its own part (1 s), so its
#: recurrent state has settled when its results start to count.
SILERO_WARMUP = 32

_warned: set[str] = set()
_silero_lock = threading.Lock()
_silero_model: Any = None


def detect_speech(
    audio: npt.NDArray[np.floating[Any]], rate: int = 16_000, *, detector: str = DEFAULT_DETECTOR
) -> list[Region]:
    """Speech regions of float32 mono ``audio`` in [-1, 1], sorted and non-overlapping."""
    if detector not in DETECTORS:
        raise ValueError(f"unknown detector {detector!r}; choose one of {', '.join(DETECTORS)}")
    samples = np.asarray(audio, dtype=np.float32)
    if samples.ndim != 1:
        raise ValueError(f"expected mono audio of shape (n,), got shape {samples.shape}")
    if rate <= 0:
        raise ValueError(f"sample rate must be positive, got {rate}")
    return _detect(samples, rate, detector, for_cut=False)


def _detect(samples: FloatArray, rate: int, detector: str, *, for_cut: bool) -> list[Region]:
    if not len(samples):
        return []
    if detector == "webrtc":
        try:
            return _webrtc(samples, rate)
        except ImportError as exc:
            _fall_back("webrtc", exc)
    elif detector == "silero":
        try:
            if for_cut:
                return _silero(samples, rate, SILERO_CUT_ENTER, SILERO_CUT_STAY)
            return _silero(samples, rate, SILERO_ENTER, SILERO_STAY)
        except ImportError as exc:
            _fall_back("silero", exc)
    return _energy(samples, rate)


def regions_to_transcribe(
    regions: list[Region],
    total: int,
    rate: int = 16_000,
    *,
    min_silence_s: float = 2.0,
    pad_s: float = 0.4,
) -> list[Region]:
    """Stretches worth transcribing: speech joined across silences shorter than
    ``min_silence_s``, each padded by ``pad_s``; silences of ``min_silence_s`` or more are left
    out, and so is the silence before the first speech and after the last beyond ``pad_s``
    (transcribed from 0, whisper placed a first word spoken at 1.9 s at 0)."""
    min_gap = round(min_silence_s * rate)
    pad = round(pad_s * rate)
    merged: list[list[int]] = []
    for first, last in sorted(regions):
        start, end = max(0, first), min(total, last)
        if end <= start:
            continue
        if merged and start - merged[-1][1] < min_gap:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out: list[Region] = []
    for first, last in merged:
        start, end = max(0, first - pad), min(total, last + pad)
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def cut_point(
    audio: npt.NDArray[np.floating[Any]],
    rate: int = 16_000,
    *,
    min_pause_s: float = 0.6,
    detector: str = DEFAULT_DETECTOR,
) -> int | None:
    """The middle of the last pause of at least ``min_pause_s`` in ``audio`` (one still
    running at the end counts once it is that long), or None: a place to cut live audio
    without cutting a word."""
    samples = np.asarray(audio, dtype=np.float32)
    total = len(samples)
    detect_speech(samples[:0], rate, detector=detector)  # the same argument checks
    regions = _detect(samples, rate, detector, for_cut=True)
    min_pause = max(1, round(min_pause_s * rate))
    edges = [0, *(edge for region in regions for edge in region), total]
    for i in range(len(edges) - 2, -1, -2):
        start, end = edges[i], edges[i + 1]
        if end - start >= min_pause:
            return (start + end) // 2
    return None


def _fall_back(detector: str, exc: ImportError) -> None:
    if detector not in _warned:
        _warned.add(detector)
        log.warning("VAD %r is not available (%s); using the energy detector", detector, exc)


# --- shared helpers ----------------------------------------------------------------------


def _runs(mask: BoolArray) -> tuple[IntArray, IntArray]:
    """Starts and ends (exclusive) of the True runs in ``mask``."""
    padded = np.concatenate(([False], mask, [False])).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return edges[0::2].astype(np.int64), edges[1::2].astype(np.int64)


def _hysteresis(score: npt.NDArray[Any], stay: Any, enter: Any) -> BoolArray:
    """Runs where ``score >= stay`` that somewhere reach ``score >= enter``."""
    held: BoolArray = score >= stay
    starts, ends = _runs(held)
    out = np.zeros(len(score), dtype=bool)
    if not len(starts):
        return out
    entered = np.logical_and(score >= enter, held)
    keep = np.logical_or.reduceat(entered, starts)
    for start, end in zip(starts[keep], ends[keep], strict=True):
        out[start:end] = True
    return out


def _to_regions(
    mask: BoolArray, hop: float, total: int, rate: int, after_s: float = HANG_AFTER_S
) -> list[Region]:
    """Frame decisions (one per ``hop`` samples) -> sample regions with the hangover."""
    starts, ends = _runs(mask)
    if not len(starts):
        return []
    first = np.maximum(0, np.floor(starts * hop - HANG_BEFORE_S * rate)).astype(np.int64)
    last = np.minimum(total, np.ceil(ends * hop + after_s * rate)).astype(np.int64)
    out: list[Region] = []
    for start, end in zip(first.tolist(), last.tolist(), strict=True):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        elif end > start:
            out.append((start, end))
    return out


def _to_rate(samples: FloatArray, rate: int, target: int) -> FloatArray:
    from recorder.core.audio.pcm import resample

    return resample(samples, rate, target)


def _scale(regions: list[Region], factor: float, total: int) -> list[Region]:
    """Regions found at another sample rate, mapped back to the caller's samples."""
    out: list[Region] = []
    for start, end in regions:
        first, last = int(np.floor(start * factor)), min(total, int(np.ceil(end * factor)))
        if out and first <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], last))
        elif last > first:
            out.append((first, last))
    return out


# --- energy ------------------------------------------------------------------------------


def band_dbfs(samples: FloatArray, frame: int, rate: int) -> npt.NDArray[np.float64]:
    """Level in dBFS of the speech band (``SPEECH_BAND_HZ``) in consecutive ``frame``-sample
    frames; leaving out the band below 200 Hz keeps hum and rumble from counting as speech."""
    n_frames = -(-len(samples) // frame)
    padded = np.zeros(n_frames * frame, dtype=np.float32)
    padded[: len(samples)] = samples
    frames = padded.reshape(n_frames, frame)
    window = np.hanning(frame).astype(np.float32)
    freqs = np.fft.rfftfreq(frame, 1 / rate)
    low, high = SPEECH_BAND_HZ
    band = (freqs >= low) & (freqs <= high)
    power = np.empty(n_frames, dtype=np.float64)
    for first in range(0, n_frames, _FFT_CHUNK):  # in chunks: bounded memory, cache-sized
        spectrum = np.fft.rfft(frames[first : first + _FFT_CHUNK] * window, axis=1)[:, band]
        power[first : first + _FFT_CHUNK] = np.square(spectrum.real).sum(axis=1) + np.square(
            spectrum.imag
        ).sum(axis=1)
    power *= 2 / (frame * float(window @ window))
    level: npt.NDArray[np.float64] = 10 * np.log10(np.maximum(power, 1e-12))
    return np.maximum(level, _DB_FLOOR)


def noise_floor(level: npt.NDArray[np.float64], frames_per_block: int, span: int) -> Any:
    """Per-frame noise floor: a low percentile of each block of frames, then the minimum
    over ``span`` blocks centred on each block (so long speech does not lift it)."""
    n_blocks = -(-len(level) // frames_per_block)
    blocks = np.full(n_blocks * frames_per_block, np.nan)
    blocks[: len(level)] = level
    per_block = np.nanpercentile(blocks.reshape(n_blocks, frames_per_block), FLOOR_PERCENTILE, 1)
    half = span // 2
    edged = np.pad(per_block, half, mode="edge")
    floor = np.lib.stride_tricks.sliding_window_view(edged, 2 * half + 1).min(axis=1)
    return np.repeat(floor, frames_per_block)[: len(level)]


def _energy(samples: FloatArray, rate: int) -> list[Region]:
    frame = max(1, round(ENERGY_FRAME_S * rate))
    level = band_dbfs(samples, frame, rate)
    frames_per_block = max(1, round(FLOOR_BLOCK_S / ENERGY_FRAME_S))
    span = max(1, round(FLOOR_SPAN_S / FLOOR_BLOCK_S))
    floor = noise_floor(level, frames_per_block, span)
    enter = np.maximum(floor + ENTER_DB, MIN_THRESHOLD_DBFS)
    stay = enter - (ENTER_DB - STAY_DB)
    return _to_regions(_hysteresis(level, stay, enter), frame, len(samples), rate)


# --- webrtc ------------------------------------------------------------------------------


def _webrtc(samples: FloatArray, rate: int) -> list[Region]:
    import webrtcvad

    from recorder.core.audio.pcm import from_float

    work_rate = rate if rate in WEBRTC_RATES else 16_000
    work = samples if work_rate == rate else _to_rate(samples, rate, work_rate)
    frame = round(WEBRTC_FRAME_S * work_rate)
    n_frames = -(-len(work) // frame)
    pcm = np.zeros(n_frames * frame, dtype=np.int16)
    pcm[: len(work)] = from_float(work)
    data = pcm.tobytes()
    vad = webrtcvad.Vad(WEBRTC_MODE)
    step = frame * 2
    is_speech = vad.is_speech
    mask = np.fromiter(
        (is_speech(data[i : i + step], work_rate) for i in range(0, len(data), step)),
        dtype=bool,
        count=n_frames,
    )
    regions = _to_regions(mask, frame, len(work), work_rate)
    if work_rate == rate:
        return regions
    return _scale(regions, rate / work_rate, len(samples))


# --- silero ------------------------------------------------------------------------------


def _import_silero() -> Any:
    """``silero_vad``, imported without its side effect: on import it sets torch to one
    thread for the whole process (whisper in the same worker would then run on one core)."""
    import torch

    threads = torch.get_num_threads()
    import silero_vad

    if torch.get_num_threads() != threads:
        torch.set_num_threads(threads)
    return silero_vad


def _load_silero() -> Any:
    """The TorchScript model bundled in the silero-vad wheel (loaded once per process)."""
    global _silero_model  # noqa: PLW0603 - one model per process, loaded on first use
    if _silero_model is None:
        silero_vad = _import_silero()
        with warnings.catch_warnings():  # its loader uses APIs deprecated in torch/importlib
            warnings.simplefilter("ignore", DeprecationWarning)
            _silero_model = silero_vad.load_silero_vad(onnx=False)
    return _silero_model


def speech_probabilities(samples: FloatArray) -> npt.NDArray[np.float32]:
    """Silero's speech probability for each 512-sample window of 16 kHz ``samples``.

    The audio is split into up to ``SILERO_STREAMS`` consecutive parts run as one batch;
    each part first hears the ``SILERO_WARMUP`` windows before it, whose results are dropped.
    """
    import torch

    n_windows = -(-len(samples) // SILERO_WINDOW)
    streams = max(1, min(SILERO_STREAMS, n_windows // SILERO_WARMUP))
    per_stream = -(-n_windows // streams)
    steps = per_stream + SILERO_WARMUP
    padded = np.zeros((SILERO_WARMUP + streams * per_stream) * SILERO_WINDOW, dtype=np.float32)
    padded[SILERO_WARMUP * SILERO_WINDOW :][: len(samples)] = samples
    windows = torch.from_numpy(padded.reshape(-1, SILERO_WINDOW))
    first = torch.arange(streams) * per_stream  # each stream's first window (its warm-up)
    out = np.empty((streams, steps), dtype=np.float32)
    # The lock keeps the model's recurrent state to one caller at a time.
    with _silero_lock, torch.inference_mode():
        model = _load_silero()
        model.reset_states()
        for step in range(steps):
            out[:, step] = model(windows[first + step], SILERO_RATE)[:, 0].numpy()
        model.reset_states()
    probabilities: npt.NDArray[np.float32] = out[:, SILERO_WARMUP:].reshape(-1)[:n_windows]
    return probabilities


def _silero(samples: FloatArray, rate: int, enter: float, stay: float) -> list[Region]:
    _import_silero()  # on every call: a missing package (or torch) -> the energy fallback
    work = samples if rate == SILERO_RATE else _to_rate(samples, rate, SILERO_RATE)
    probabilities = speech_probabilities(work)
    mask = _hysteresis(probabilities, stay, enter)
    regions = _to_regions(mask, SILERO_WINDOW, len(work), SILERO_RATE, SILERO_HANG_AFTER_S)
    if rate == SILERO_RATE:
        return regions
    return _scale(regions, rate / SILERO_RATE, len(samples))
