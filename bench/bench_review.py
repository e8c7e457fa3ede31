"""Review editor: open a 2-hour transcript (~20,000 words, ~2,500 turns) and page through it,
against an empty transcript (and a short one) measured in the same run.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_review.py [--runs 5] [--pages 40]

"Open" is reading the sealed transcript from the study vault, building the page and painting
it once. "Page down" is one PageDown key press in the turn list followed by a synchronous
repaint of the viewport. Runs alternate the transcripts so machine noise hits them alike;
medians are printed with the ratio to the empty transcript.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["RECORDER_TEST_ONLY_WEAK_KDF"] = "1"  # a throwaway study: speed over strength

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402


def main() -> int:
    from recorder.core.enrolment import create_study
    from recorder.core.review.storage import open_review
    from recorder.core.transcribe.transcript import save_transcript
    from recorder.ui.review.playback import PlaybackModel
    from recorder.ui.review.review_page import ReviewPage
    from recorder.ui.theme import apply_theme
    from tests.review_data import interview

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pages", type=int, default=40)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv)
    apply_theme(app, dark=False)  # type: ignore[arg-type]
    tmp = Path(tempfile.mkdtemp(prefix="bench-review-"))
    study, _codemap = create_study(tmp / "s", tmp / "c", "bench passphrase 1", "bench pass 2")
    cases = {
        "empty": interview("S-EMPTY", words=0),
        "short (300 words)": interview("S-SHORT", words=300, max_words=8),
        "2 h (20,000 words)": interview("S-LONG2", words=20_000, max_words=8),
    }
    for transcript in cases.values():
        save_transcript(study, transcript)
    opens: dict[str, list[float]] = {name: [] for name in cases}
    pages: dict[str, list[float]] = {name: [] for name in cases}
    for _run in range(args.runs):
        for name, transcript in cases.items():
            start = time.perf_counter()
            document = open_review(study, transcript.session_id)
            page = ReviewPage(study, document, PlaybackModel())
            page.resize(1280, 800)
            page.show()
            app.processEvents()
            page.list.viewport().repaint()
            opens[name].append(time.perf_counter() - start)
            page.list.setFocus()
            for _ in range(args.pages):
                start = time.perf_counter()
                QTest.keyClick(page.list, Qt.Key.Key_PageDown)
                page.list.viewport().repaint()
                pages[name].append(time.perf_counter() - start)
            page.shutdown()
            page.deleteLater()
            app.processEvents()
    turns = {name: len(t.segments) for name, t in cases.items()}
    words = {name: sum(len(s.text.split()) for s in t.segments) for name, t in cases.items()}
    base_open = statistics.median(opens["empty"])
    base_page = statistics.median(pages["empty"])
    print(f"review editor, {args.runs} runs, {args.pages} page-downs per run, 1280x800")
    for name in cases:
        o, p = statistics.median(opens[name]), statistics.median(pages[name])
        worst = max(pages[name])
        print(
            f"{name:>20}: {turns[name]:>5} turns {words[name]:>6} words | open "
            f"{o * 1000:7.1f} ms ({o / base_open:5.2f}x empty) | page down "
            f"{p * 1000:6.2f} ms median, {worst * 1000:6.2f} ms worst "
            f"({p / base_page:5.2f}x empty)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
