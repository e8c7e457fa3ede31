"""Real human speech for tests and benchmarks: the clips in ``../shared/speech`` (LibriSpeech,
VCTK, LJ Speech, an AMI meeting excerpt; see its SOURCES.md), their reference transcripts,
interview-like mixes with known speech onsets, and word error rate.

Tests that need the clips skip where the folder is absent (``speech_dir()``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

RATE = 16_000
ROOT = Path(__file__).resolve().parent.parent
SPEECH = ROOT.parent / "shared" / "speech"

Audio = npt.NDArray[np.float32]


def speech_dir() -> Path:
    """The shared speech folder; skips the calling test when it is absent."""
    if not (SPEECH / "manifest.tsv").is_file():
        import pytest

        pytest.skip(f"the shared speech clips are not at {SPEECH}")
    return SPEECH


@dataclass(frozen=True)
class Clip:
    name: str
    speaker: str
    audio: Audio  # float32, mono, 16 kHz
    text: str  # the reference transcript

    @property
    def seconds(self) -> float:
        return len(self.audio) / RATE


def clip_names() -> list[str]:
    """Every single-speaker clip, in manifest order (the AMI meeting excerpt left out)."""
    rows = (speech_dir() / "manifest.tsv").read_text(encoding="utf-8").splitlines()[1:]
    return [r.split("\t")[0].removesuffix(".wav") for r in rows if not r.startswith("ami_")]


def load_clip(name: str) -> Clip:
    """A clip at 16 kHz float32 (resampled if stored at another rate), with its reference."""
    import soundfile as sf

    folder = speech_dir()
    data, rate = sf.read(str(folder / f"{name}.wav"), dtype="float32", always_2d=True)
    audio = data.mean(axis=1).astype(np.float32)
    if rate != RATE:
        from scipy.signal import resample_poly

        g = np.gcd(int(rate), RATE)
        audio = resample_poly(audio, RATE // g, int(rate) // g).astype(np.float32)
    rows = (folder / "manifest.tsv").read_text(encoding="utf-8").splitlines()[1:]
    speaker = next((r.split("\t")[4] for r in rows if r.startswith(f"{name}.wav")), "")
    text = (folder / f"{name}.txt").read_text(encoding="utf-8").strip()
    return Clip(name, speaker, audio, text)


def normalise(text: str) -> list[str]:
    """SOURCES.md's normalisation: NFKC, lower case, '_' dropped, hyphens/dashes/slashes to
    spaces, every other punctuation mark (apostrophes too) removed."""
    text = unicodedata.normalize("NFKC", text).lower().replace("_", "")
    text = re.sub(r"[-\u2010-\u2015/]", " ", text)
    text = "".join(c for c in text if c.isalnum() or c.isspace())
    return text.split()


def edit_distance(ref: list[str], hyp: list[str]) -> int:
    """Word-level Levenshtein distance."""
    previous = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        current = [i]
        for j, h in enumerate(hyp, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (r != h)))
        previous = current
    return previous[-1]


def wer(reference: str, hypothesis: str) -> float:
    """Word error rate after ``normalise``."""
    ref = normalise(reference)
    return edit_distance(ref, normalise(hypothesis)) / max(1, len(ref))


@dataclass(frozen=True)
class Turn:
    """One clip placed in a mix: where its speech starts and ends, and what it says."""

    clip: str
    start_s: float
    end_s: float
    text: str
    gain_db: float = 0.0


@dataclass(frozen=True)
class Mix:
    audio: Audio
    turns: tuple[Turn, ...]

    @property
    def text(self) -> str:
        return " ".join(t.text for t in self.turns)


def speech_onset(audio: Audio, threshold_db: float = -35.0) -> float:
    """Seconds to the first 10-ms frame within ``threshold_db`` of the clip's loudest frame:
    where the speech in a clean clip starts (clips carry some leading silence)."""
    frame = RATE // 100
    n = len(audio) // frame
    energy = (audio[: n * frame].reshape(n, frame) ** 2).mean(axis=1) + 1e-12
    level = 10 * np.log10(energy)
    loud = np.flatnonzero(level >= level.max() + threshold_db)
    return float(loud[0] * frame / RATE) if len(loud) else 0.0


def speech_offset(audio: Audio, threshold_db: float = -35.0) -> float:
    """Seconds to the end of the last loud frame (see ``speech_onset``)."""
    reversed_onset = speech_onset(audio[::-1].copy(), threshold_db)
    return len(audio) / RATE - reversed_onset


def interview_mix(
    names: list[str],
    pauses_s: list[float],
    *,
    gains_db: list[float] | None = None,
    lead_s: float = 1.0,
    noise_db: float | None = -60.0,
    seed: int = 0,
) -> Mix:
    """Clips one after another with the given pauses between them (``pauses_s[i]`` after clip
    ``i``), each at its gain, over faint room noise: an interview with known speech times."""
    rng = np.random.default_rng(seed)
    parts: list[Audio] = [np.zeros(round(lead_s * RATE), dtype=np.float32)]
    turns: list[Turn] = []
    at = lead_s
    for i, name in enumerate(names):
        clip = load_clip(name)
        gain = (gains_db or [0.0] * len(names))[i]
        audio = (clip.audio * 10 ** (gain / 20)).astype(np.float32)
        onset, offset = speech_onset(clip.audio), speech_offset(clip.audio)
        turns.append(Turn(name, at + onset, at + offset, clip.text, gain))
        parts.append(audio)
        at += clip.seconds
        pause = pauses_s[i] if i < len(pauses_s) else 0.0
        parts.append(np.zeros(round(pause * RATE), dtype=np.float32))
        at += pause
    mix = np.concatenate(parts)
    if noise_db is not None:
        mix = mix + rng.standard_normal(len(mix)).astype(np.float32) * 10 ** (noise_db / 20)
    return Mix(np.clip(mix, -1, 1).astype(np.float32), tuple(turns))
