"""From a choice of model, engine and device to what the worker loads.

The one place that decides how a transcription runs, shared by the CLI, the desktop app and
live transcription: the model is resolved and hash-checked (:mod:`models`), the engine and
its compute type picked for the device, and the model converted into that engine's format
when it comes in the other one (cached, see :mod:`convert`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from recorder.core.errors import UsageError
from recorder.core.jobs import CancelToken
from recorder.core.transcribe import models
from recorder.core.transcribe.engine import ENGINES, FASTER, OPENAI, EngineSpec

log = logging.getLogger(__name__)

#: What ``--engine`` accepts.
ENGINE_CHOICES = ("auto", *ENGINES)


@dataclass(frozen=True)
class Prepared:
    """A model ready to load: its provenance, and what the worker loads."""

    source: models.ModelSource
    spec: EngineSpec


def pick_engine(choice: str, device: str) -> str:
    """The engine for ``choice`` on ``device``: auto is faster-whisper unless on Apple's GPU."""
    key = choice.strip().lower()
    if key not in ENGINE_CHOICES:
        raise UsageError(
            f"Unknown transcription engine {choice!r}.",
            hint=f"Choose one of: {', '.join(ENGINE_CHOICES)}.",
        )
    if key == "auto":
        return OPENAI if device == "mps" else FASTER
    if key == FASTER and device == "mps":
        raise UsageError(
            "faster-whisper cannot use Apple's GPU (MPS).",
            hint="Choose the engine openai-whisper, or the device cpu.",
        )
    return key


def compute_type(engine: str, device: str) -> str:
    """int8 for faster-whisper on the CPU, float16 on a GPU, float32 for whisper on the CPU."""
    if device == "cpu":
        return "int8" if engine == FASTER else "float32"
    return "float16"


def check_language(source: models.ModelSource, language: str | None) -> None:
    """Refuse a language an English-only model cannot transcribe (said before any work)."""
    if language and language.lower() != "en" and source.english_only:
        raise UsageError(
            f"The model {source.label} understands English only; it cannot transcribe "
            f"{language!r}.",
            hint="Leave the language out (or choose en), or pick a multilingual model: "
            "python main.py model list.",
        )


def prepare(
    model: str,
    engine: str = "auto",
    device: str = "auto",
    *,
    language: str | None = None,
    allow_unofficial: bool = False,
    progress: models.ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> Prepared:
    """Resolve ``model``, pick the engine and device, convert the model if the engine needs
    its other format; raises ``RecorderError`` subclasses with hints for the user."""
    source = models.resolve(model, allow_unofficial=allow_unofficial, progress=progress)
    check_language(source, language)
    pick_engine(engine, "cpu")  # a wrong engine name is said before the device is probed
    where, _fp16 = models.pick_device(device)
    chosen = pick_engine(engine, where)
    wanted = models.CT2_FORMAT if chosen == FASTER else models.OPENAI_FORMAT
    path = source.path
    if source.format != wanted:
        from recorder.core.transcribe import convert

        path = convert.ensure_format(
            source.path, source.sha256, wanted, progress=progress, cancel=cancel
        )
    spec = EngineSpec(chosen, str(path), where, compute_type(chosen, where), source.alignment_heads)
    log.info("transcription: %s on %s (%s)", chosen, where, spec.compute_type)
    return Prepared(source, spec)
