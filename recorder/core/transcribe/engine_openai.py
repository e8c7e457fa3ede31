"""openai-whisper, the reference engine (PyTorch); imported in the worker process only."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

from recorder.core.audio.pcm import FloatArray
from recorder.core.transcribe.engine import EngineSpec, Options

log = logging.getLogger(__name__)


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


class OpenAIWhisper:
    """A whisper checkpoint loaded with openai-whisper."""

    def __init__(self, spec: EngineSpec, threads: int | None) -> None:
        import torch
        import whisper

        if threads:
            torch.set_num_threads(threads)
        self.device = spec.device
        self.fp16 = spec.compute_type == "float16" and spec.device != "cpu"
        self.version = str(getattr(whisper, "__version__", ""))
        # Loaded on the CPU first: a model loaded from a path gets whisper's default
        # word-timing heads, so its own tuned heads go in here; and the heads are a sparse
        # tensor, which cannot move to Apple's MPS, so they are made dense before moving.
        model = whisper.load_model(spec.model_path, device="cpu")
        if spec.alignment_heads:
            model.set_alignment_heads(spec.alignment_heads)
        if spec.device != "cpu":
            if spec.device == "mps":
                model.alignment_heads = model.alignment_heads.to_dense()
            model = model.to(spec.device)
        self.model = model
        self.multilingual = bool(model.is_multilingual)

    def set_threads(self, threads: int) -> None:
        import torch

        torch.set_num_threads(threads)

    def decode(
        self, audio: FloatArray, options: Options, progress: Callable[[float], None]
    ) -> tuple[str, list[dict[str, Any]]]:
        module = sys.modules["whisper.transcribe"]
        original = module.tqdm.tqdm
        module.tqdm.tqdm = type("Bar", (_ProgressBar,), {"report": staticmethod(progress)})
        try:
            result = self.model.transcribe(audio, **options.openai_kwargs(self.fp16))
        finally:
            module.tqdm.tqdm = original
        return str(result.get("language") or ""), list(result["segments"])
