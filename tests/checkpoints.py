"""Random-weight whisper checkpoints: the real loading and decoding code, no downloaded weights.

Real-size ``tiny``/``base``/``small`` have the official models' shapes (valid for speed
benchmarks); ``micro`` is a two-layer toy that keeps tests fast. Tests assert structure,
never recognised text.
"""

from __future__ import annotations

from pathlib import Path

#: name -> (state width, heads, layers)
SIZES = {
    "micro": (64, 2, 2),
    "tiny": (384, 6, 4),
    "base": (512, 8, 6),
    "small": (768, 12, 12),
    "medium": (1024, 16, 24),
}


def make_checkpoint(
    path: Path, size: str = "micro", *, english: bool = True, seed: int = 0
) -> Path:
    """Write a random-weight checkpoint of ``size`` to ``path`` (reused if already there)."""
    if path.exists():
        return path
    import torch
    from whisper.model import ModelDimensions, Whisper

    width, heads, layers = SIZES[size]
    dims = ModelDimensions(
        n_mels=80, n_audio_ctx=1500, n_audio_state=width, n_audio_head=heads,
        n_audio_layer=layers, n_vocab=51864 if english else 51865, n_text_ctx=448,
        n_text_state=width, n_text_head=heads, n_text_layer=layers,
    )  # fmt: skip
    model = Whisper(dims)
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():  # whisper leaves some weights uninitialised (torch.empty)
        for parameter in model.parameters():
            parameter.copy_(torch.randn(parameter.shape, generator=generator) * 0.05)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    torch.save({"dims": dims.__dict__, "model_state_dict": model.state_dict()}, partial)
    partial.replace(path)
    return path
