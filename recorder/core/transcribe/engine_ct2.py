"""faster-whisper: whisper on CTranslate2 (int8 on the CPU, float16 on CUDA); worker only."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from recorder.core.audio.pcm import FloatArray
from recorder.core.transcribe.engine import RATE, EngineSpec, Options

log = logging.getLogger(__name__)


class FasterWhisper:
    """A CTranslate2 whisper model folder loaded with faster-whisper."""

    def __init__(self, spec: EngineSpec, threads: int | None) -> None:
        import faster_whisper

        self.spec = spec
        self.version = f"faster-whisper {faster_whisper.__version__}"
        self.threads = threads or 0
        self._limit_torch(self.threads)
        self.model = self._load(self.threads)
        self.multilingual = bool(self.model.model.is_multilingual)

    def _load(self, threads: int) -> Any:
        from faster_whisper import WhisperModel

        return WhisperModel(
            self.spec.model_path,
            device=self.spec.device,
            compute_type=self.spec.compute_type,
            cpu_threads=threads,
        )

    @staticmethod
    def _limit_torch(threads: int) -> None:
        """The voice-activity detector runs on torch in this process: give it the same
        threads as the engine (left at every core, its spinning threads starved live
        transcription on a busy 2-core machine)."""
        if threads:
            import torch

            torch.set_num_threads(threads)

    def set_threads(self, threads: int) -> None:
        """CTranslate2 fixes its thread count when a model is loaded: load it again."""
        self._limit_torch(threads)
        if threads != self.threads:
            self.model = self._load(threads)
            self.threads = threads

    def decode(
        self, audio: FloatArray, options: Options, progress: Callable[[float], None]
    ) -> tuple[str, list[dict[str, Any]]]:
        pieces, info = self.model.transcribe(audio, **options.faster_kwargs())
        total = max(len(audio) / RATE, 1e-6)
        segments: list[dict[str, Any]] = []
        for piece in pieces:  # a generator: decoding happens as it is consumed
            segments.append(
                {
                    "start": float(piece.start),
                    "end": float(piece.end),
                    "text": str(piece.text),
                    "words": [
                        {
                            "start": float(w.start),
                            "end": float(w.end),
                            "word": str(w.word),
                            "probability": float(w.probability),
                        }
                        for w in piece.words or []
                    ],
                    "avg_logprob": float(piece.avg_logprob),
                    "no_speech_prob": float(piece.no_speech_prob),
                    "compression_ratio": float(piece.compression_ratio),
                }
            )
            progress(min(1.0, float(piece.end) / total))
        progress(1.0)
        return str(info.language or ""), segments
