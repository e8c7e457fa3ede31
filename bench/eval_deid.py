"""De-identification against the annotated evaluation set (tests/data/deid).

Scores what ``deidentify --accept-all`` applies (code map, redaction list, patterns) per
category: recall (leaks are the misses), precision (over-redactions are the rest), decoys
kept, and how many identifiers unknown to the code map the candidate detector flags. Then
times ``propose`` on a transcript of about 20,000 words (best of three).

    .venv/bin/python bench/eval_deid.py            # table, then every leak and over-redaction
    .venv/bin/python bench/eval_deid.py --brief    # table only
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from recorder.core.deid.evalset import load_eval_set  # noqa: E402
from recorder.core.deid.proposals import propose  # noqa: E402
from recorder.core.deid.scoring import format_report, score_cases  # noqa: E402
from recorder.core.protocol import load_default_protocol  # noqa: E402

DATA = ROOT / "tests" / "data" / "deid"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--brief", action="store_true", help="the table only")
    parser.add_argument("--data", type=Path, default=DATA, help="an evaluation set folder")
    args = parser.parse_args()
    cases = load_eval_set(args.data, load_default_protocol())
    score = score_cases(cases)
    words = sum(len(s.text.split()) for c in cases for s in c.transcript.segments)
    print(f"{len(cases)} transcripts, {words} words, from {args.data}")
    print(format_report(score, details=not args.brief))
    segments = []
    while sum(len(s.text.split()) for s in segments) < 20_000:
        for case in cases:
            segments += case.transcript.segments
    big = cases[0].transcript.with_segments(tuple(segments))
    propose(big, cases[0].known)  # compile the name index once
    best = min(_timed(lambda: propose(big, cases[0].known)) for _ in range(3))
    total = sum(len(s.text.split()) for s in segments)
    print(f"\npropose on {total} words ({len(segments)} segments): {best:.3f} s")
    return 0


def _timed(fn: object) -> float:
    started = time.perf_counter()
    fn()  # type: ignore[operator]
    return time.perf_counter() - started


if __name__ == "__main__":
    raise SystemExit(main())
