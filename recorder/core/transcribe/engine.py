"""The whisper call itself, run inside the worker process (it imports whisper and torch).

Voice-activity detection hands it the stretches worth transcribing; they are joined into one
compact signal with short silent joints, transcribed in one ``model.transcribe()`` call (so
whisper's 30-s windows stay full), and every time is mapped back to the session timeline.
"""

from __future__ import annotations

import bisect
import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from recorder.core.audio.pcm import FloatArray

log = logging.getLogger(__name__)

RATE = 16_000  # whisper's sample rate
#: Silence put between two joined stretches, so whisper hears a pause there.
JOINT_S = 0.2

Region = tuple[int, int]


@dataclass(frozen=True)
class Options:
    """Decoding options, recorded in the transcript's provenance."""

    language: str | None = None
    #: whisper's fallback temperatures; (0.0,) is greedy only (used with random test weights).
    temperature: tuple[float, ...] = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
    word_timestamps: bool = True
    condition_on_previous_text: bool = True
    beam_size: int | None = None
    #: Tokens per window; None is whisper's default (224). Small values keep tests fast.
    sample_len: int | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["temperature"] = list(self.temperature)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Options:
        fields = dict(data)
        fields["temperature"] = tuple(float(t) for t in fields.get("temperature", (0.0,)))
        return cls(**fields)

    def transcribe_kwargs(self, fp16: bool) -> dict[str, Any]:
        """Keyword arguments for ``whisper`` ``model.transcribe``."""
        kwargs: dict[str, Any] = {
            "language": self.language,
            "temperature": self.temperature if len(self.temperature) > 1 else self.temperature[0],
            "word_timestamps": self.word_timestamps,
            "condition_on_previous_text": self.condition_on_previous_text,
            "fp16": fp16,
            "verbose": False,  # drives the per-window progress bar we replace
        }
        if self.beam_size is not None:
            kwargs["beam_size"] = self.beam_size
        if self.sample_len is not None:
            kwargs["sample_len"] = self.sample_len
        return kwargs


@dataclass(frozen=True)
class Joined:
    """Stretches of a signal joined into one, with the map back to the original."""

    audio: FloatArray
    #: (start in ``audio``, start in the original, length), in samples.
    pieces: tuple[tuple[int, int, int], ...]

    def original_seconds(self, seconds: float, *, is_end: bool = False) -> float:
        """Map a time in the joined signal to the original timeline."""
        sample = seconds * RATE
        starts = [piece[0] for piece in self.pieces]
        # the last piece starting at or before ``sample`` (strictly before, for an end time)
        found = (bisect.bisect_left if is_end else bisect.bisect_right)(starts, sample)
        joined_start, original_start, length = self.pieces[max(0, found - 1)]
        offset = min(max(sample - joined_start, 0.0), float(length))
        return (original_start + offset) / RATE


def join(audio: FloatArray, regions: Sequence[Region]) -> Joined:
    """Join ``regions`` of ``audio`` with a short silence between them."""
    if not regions:
        return Joined(np.zeros(0, dtype=np.float32), ((0, 0, 0),))
    gap = np.zeros(round(JOINT_S * RATE), dtype=np.float32)
    parts: list[FloatArray] = []
    pieces: list[tuple[int, int, int]] = []
    at = 0
    for start, end in regions:
        if parts:
            parts.append(gap)
            at += len(gap)
        parts.append(audio[start:end])
        pieces.append((at, start, end - start))
        at += end - start
    return Joined(np.concatenate(parts).astype(np.float32, copy=False), tuple(pieces))


class _ProgressBar:
    """Stands in for the tqdm bar whisper draws per 30-s window, reporting a fraction."""

    report: Callable[[float], None] = staticmethod(lambda _f: None)

    def __init__(self, *_args: Any, total: float = 0, **_kwargs: Any) -> None:
        self.total = max(float(total), 1.0)
        self.done = 0.0

    def __enter__(self) -> _ProgressBar:
        return self

    def __exit__(self, *_exc: object) -> None:
        return None

    def update(self, n: float) -> None:
        self.done += n
        type(self).report(min(1.0, self.done / self.total))


class Engine:
    """A loaded whisper model."""

    def __init__(
        self, model_path: str, device: str, fp16: bool, alignment_heads: bytes = b""
    ) -> None:
        import whisper

        self.device = device
        self.fp16 = fp16 and device != "cpu"
        self.whisper_version = str(getattr(whisper, "__version__", ""))
        # Loaded on the CPU first: an official model loaded from a path gets whisper's default
        # word-timing heads, so its own tuned heads go in here; and the heads are a sparse
        # tensor, which cannot move to Apple's MPS, so they are made dense before moving.
        model = whisper.load_model(model_path, device="cpu")
        if alignment_heads:
            model.set_alignment_heads(alignment_heads)
        if device != "cpu":
            if device == "mps":
                model.alignment_heads = model.alignment_heads.to_dense()
            model = model.to(device)
        self.model = model
        self.multilingual = bool(self.model.is_multilingual)
        log.info("model loaded on %s (fp16=%s)", device, self.fp16)

    def transcribe(
        self,
        audio: FloatArray,
        detector: str | None,
        options: Options,
        progress: Callable[[float], None],
    ) -> dict[str, Any]:
        """Transcribe mono 16 kHz ``audio``, skipping long silences unless ``detector`` is None.

        Returns ``{"language", "segments", "speech", "regions"}``: times on ``audio``'s
        timeline, the detected speech and the stretches transcribed (sample ranges). The
        detector runs here, in the worker, because the neural one needs torch.
        """
        if detector is None:
            speech = regions = [(0, len(audio))]
        else:
            from recorder.core.transcribe import vad

            speech = vad.detect_speech(audio, RATE, detector=detector)
            regions = vad.regions_to_transcribe(speech, len(audio), RATE)
        found = {"speech": [list(r) for r in speech], "regions": [list(r) for r in regions]}
        joined = join(audio, regions)
        if len(joined.audio) == 0:
            return {"language": options.language or "", "segments": [], **found}
        kwargs = options.transcribe_kwargs(self.fp16)
        if not self.multilingual:
            kwargs["language"] = "en"
        module = sys.modules["whisper.transcribe"]
        original = module.tqdm.tqdm
        bar = type("Bar", (_ProgressBar,), {"report": staticmethod(progress)})
        module.tqdm.tqdm = bar
        try:
            result = self.model.transcribe(joined.audio, **kwargs)
        finally:
            module.tqdm.tqdm = original
        return {
            "language": str(result.get("language") or ""),
            "segments": [_mapped(segment, joined) for segment in result["segments"]],
            **found,
        }


def _mapped(segment: dict[str, Any], joined: Joined) -> dict[str, Any]:
    words: list[dict[str, Any]] = [
        {
            "start": joined.original_seconds(float(w["start"])),
            "end": joined.original_seconds(float(w["end"]), is_end=True),
            "word": str(w["word"]),
            "probability": float(w["probability"]),
        }
        for w in segment.get("words") or []
    ]
    start = joined.original_seconds(float(segment["start"]))
    end = joined.original_seconds(float(segment["end"]), is_end=True)
    if words:  # a segment spans its words (a joint may sit inside a segment)
        start = min(start, float(words[0]["start"]))
        end = max(end, float(words[-1]["end"]))
    return {
        "start": start,
        "end": max(end, start),
        "text": str(segment["text"]),
        "words": words,
        "avg_logprob": float(segment["avg_logprob"]),
        "no_speech_prob": float(segment["no_speech_prob"]),
        "compression_ratio": float(segment["compression_ratio"]),
    }
