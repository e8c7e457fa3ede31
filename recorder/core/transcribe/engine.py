"""The whisper call itself, run inside the worker process (it imports whisper and torch).

Voice-activity detection hands it the stretches worth transcribing; they are joined into one
compact signal with short silent joints, transcribed in one ``model.transcribe()`` call (so
whisper's 30-s windows stay full), and every time is mapped back to the session timeline.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from recorder.core.audio.pcm import FloatArray
from recorder.core.transcribe.joined import RATE, Region, join, mapped_segment

log = logging.getLogger(__name__)

__all__ = ["RATE", "Engine", "Options", "Region"]


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
    #: Text whisper hears as if it had been said before: the study's vocabulary (glossary and
    #: vignette names), so "co-responder" or "CIT" are spelled as the study spells them.
    initial_prompt: str | None = None
    #: The same vocabulary as hotwords (faster-whisper only; openai-whisper ignores it).
    hotwords: str | None = None

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
        if self.initial_prompt:
            kwargs["initial_prompt"] = self.initial_prompt
        return kwargs


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
            "segments": [mapped_segment(segment, joined) for segment in result["segments"]],
            **found,
        }
