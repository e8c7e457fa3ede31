"""The transcription engine, run inside the worker process: one interface, two backends.

openai-whisper (the reference, PyTorch) and faster-whisper (CTranslate2: int8 on the CPU,
float16 on CUDA) both produce the same result: segments with per-word times and
probabilities, whisper's quality figures and the language. Voice-activity detection hands the
engine the stretches worth transcribing; they are joined into one compact signal
(:mod:`~recorder.core.transcribe.joined`), decoded in one call so whisper's 30-s windows stay
full, and every time is mapped back to the session timeline.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from typing import Any, Protocol

from recorder.core.audio.pcm import FloatArray
from recorder.core.transcribe.joined import RATE, Region, join, mapped_segment

log = logging.getLogger(__name__)

__all__ = ["ENGINES", "RATE", "Engine", "EngineSpec", "Options", "Region"]

OPENAI = "openai-whisper"
FASTER = "faster-whisper"
#: The engines, the default first.
ENGINES = (FASTER, OPENAI)


class LanguageNotSupported(ValueError):
    """An English-only model was asked for another language."""


@dataclass(frozen=True)
class EngineSpec:
    """What the worker loads: an engine and a model file in that engine's format."""

    engine: str
    #: An openai-whisper checkpoint (.pt) or a CTranslate2 model folder.
    model_path: str
    device: str = "cpu"
    #: faster-whisper: int8, float16, float32...; openai-whisper: float16 or float32.
    compute_type: str = "float32"
    #: whisper's word-timing attention heads (its base85 form); empty: the engine's default.
    alignment_heads: bytes = b""


@dataclass(frozen=True)
class Options:
    """Decoding options, recorded in the transcript's provenance."""

    language: str | None = None
    #: whisper's fallback temperatures; (0.0,) is greedy only (used with random test weights).
    temperature: tuple[float, ...] = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
    word_timestamps: bool = True
    #: Each 30-s window hears the previous one's text (whisper's default). Measured on real
    #: interview-like speech, turning it off raised the word error rate (docs/PERFORMANCE.md).
    condition_on_previous_text: bool = True
    #: Beam width (whisper's own command line uses 5); None decodes greedily.
    beam_size: int | None = 5
    #: Tokens per window; None is whisper's default (224). Small values keep tests fast.
    sample_len: int | None = None
    #: Text whisper hears as if it had been said before the recording (at its start only).
    initial_prompt: str | None = None
    #: The study vocabulary (glossary terms, the vignettes' names), heard before every 30-s
    #: window so "co-responder" or "CIT" are spelled as the study spells them: faster-whisper's
    #: hotwords; openai-whisper gets them as an initial prompt carried to every window.
    hotwords: str | None = None
    #: Use the study vocabulary (see ``vocabulary.with_vocabulary``); off by default, because
    #: with tiny.en it trades word error rate for glossary recall (docs/PERFORMANCE.md).
    use_vocabulary: bool = False

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["temperature"] = list(self.temperature)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Options:
        fields = dict(data)
        fields["temperature"] = tuple(float(t) for t in fields.get("temperature", (0.0,)))
        return cls(**fields)

    def openai_kwargs(self, fp16: bool) -> dict[str, Any]:
        """Keyword arguments for openai-whisper's ``model.transcribe``."""
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
        elif self.hotwords:  # openai-whisper has no hotwords: the same words before every window
            kwargs["initial_prompt"] = self.hotwords
            kwargs["carry_initial_prompt"] = True
        return kwargs

    def faster_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for faster-whisper's ``WhisperModel.transcribe`` (same meaning)."""
        kwargs: dict[str, Any] = {
            "language": self.language,
            "temperature": list(self.temperature),
            "word_timestamps": self.word_timestamps,
            "condition_on_previous_text": self.condition_on_previous_text,
            "beam_size": self.beam_size or 1,
            "initial_prompt": self.initial_prompt or None,
            "hotwords": self.hotwords or None,
            "vad_filter": False,  # our own detector has already chosen the stretches
        }
        if self.sample_len is not None:
            kwargs["max_new_tokens"] = self.sample_len
        return kwargs


class Backend(Protocol):
    """A loaded model of one engine (see :mod:`engine_openai` and :mod:`engine_ct2`)."""

    version: str
    multilingual: bool

    def decode(
        self, audio: FloatArray, options: Options, progress: Callable[[float], None]
    ) -> tuple[str, list[dict[str, Any]]]:
        """(language, whisper-style segment dicts) for mono 16 kHz ``audio``."""

    def set_threads(self, threads: int) -> None:
        """Use ``threads`` CPU threads from now on."""


def load_backend(spec: EngineSpec, threads: int | None) -> Backend:
    """Load ``spec``'s model with its engine (imports that engine: slow, worker only)."""
    if spec.engine == FASTER:
        from recorder.core.transcribe.engine_ct2 import FasterWhisper

        return FasterWhisper(spec, threads)
    if spec.engine == OPENAI:
        from recorder.core.transcribe.engine_openai import OpenAIWhisper

        return OpenAIWhisper(spec, threads)
    raise ValueError(f"unknown engine {spec.engine!r}; choose one of {', '.join(ENGINES)}")


class Engine:
    """A loaded model: voice-activity detection, joining, decoding and the time map."""

    def __init__(self, spec: EngineSpec, threads: int | None = None) -> None:
        self.spec = spec
        self.backend = load_backend(spec, threads)
        self.version = self.backend.version
        self.multilingual = self.backend.multilingual
        log.info("%s model loaded on %s (%s)", spec.engine, spec.device, spec.compute_type)

    def set_threads(self, threads: int) -> None:
        self.backend.set_threads(threads)

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
        if not self.multilingual and options.language not in (None, "", "en"):
            raise LanguageNotSupported(
                f"This model understands English only; it cannot transcribe {options.language!r}."
            )
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
        if not self.multilingual:
            options = replace(options, language="en")
        language, segments = self.backend.decode(joined.audio, options, progress)
        return {
            "language": language,
            "segments": [mapped_segment(segment, joined) for segment in segments],
            **found,
        }
