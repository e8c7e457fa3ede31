"""Screenshots of the review editor and the redaction review, from the real page under Xvfb.

    xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python docs/screenshots/take_review.py

A throwaway demo study (fictional people, test-only fast key derivation), a session recorded
from synthetic speech, and a transcript built directly (no whisper), played on the virtual
PulseAudio device from the tests so the waveform and the playing turn are real.
"""

from __future__ import annotations

import os
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ["RECORDER_TEST_ONLY_WEAK_KDF"] = "1"  # a demo study: speed over strength

from recorder.ui.none_guard import keep_none_alive  # noqa: E402

keep_none_alive()

from PySide6.QtWidgets import QApplication  # noqa: E402
from take import shoot, wait  # noqa: E402  (the shared screenshot helpers)

TURNS = (
    ("Can you walk me through what you would do first when you arrive at the door?", "i"),
    (
        "I would start by slowing everything down. Nobody is in immediate danger, so I would "
        "talk to her through the door, ask her name and tell her who we are.",
        "p",
    ),
    ("And would you call anyone else at that point?", "i"),
    (
        "Probably the crisis team, if they are on shift. I'd ring Sam Okafor at County CPS; "
        "she usually knows the family from Millbrook.",
        "p",
    ),
    ("What would change your mind about going in?", "i"),
    (
        "If I heard anything that sounded like someone was hurt, or if the child said he was "
        "scared, then the waiting stops and we go in together.",
        "p",
    ),
    ("How long would you wait before deciding that?", "i"),
    (
        "It depends on what she tells me. Ten minutes, maybe twenty. Last spring Dana Ramirez "
        "and I waited most of an hour on Elm Street and it was the right call.",
        "p",
    ),
)


def demo(tmp: Path) -> tuple[object, object, str]:
    """A study, its code map with two enrolled people, one transcribed session."""
    from recorder.core.enrolment import create_study, enrol
    from recorder.core.model import Identity
    from recorder.core.session import INTERVIEWER
    from recorder.core.sessions import open_controller
    from recorder.core.transcribe.transcript import save_transcript
    from tests.conftest import StudyPair
    from tests.review_data import speakers, transcript, turn
    from tests.sessions_with_audio import stopped_session
    from tests.virtual_audio import speech

    study, codemap = create_study(
        tmp / "study", tmp / "codemap", "demo study pass", "demo codemap pass", title="Demo"
    )
    enrol(study, codemap, Identity("Dana Ramirez", agency="Riverside PD"), "police")
    enrol(study, codemap, Identity("Sam Okafor", agency="County CPS"), "social-work")
    wav = tmp / "speech.wav"
    speech(" ".join(text for text, _ in TURNS) * 4, wav)
    record = stopped_session(StudyPair(tmp, tmp, study, codemap), wav)
    open_controller(study, record.session_id).mark_transcribed()
    officer = record.participants[0].participant_id
    segments = []
    at = 0.0
    for n in range(40):
        text, who = TURNS[n % len(TURNS)]
        unsure = (4,) if n % 5 == 3 else ()
        flags = ("repetition",) if n == 9 else ()
        seg = turn(at, text, prompt=min(3, n // 10), word_s=0.36, unsure=unsure, flags=flags)
        seg = replace(seg, speaker=INTERVIEWER if who == "i" else officer, verified=n < 3)
        segments.append(seg)
        at = seg.end + 0.5
    labels = speakers()
    labels[officer] = f"Police officer {officer}"
    labels.pop("P-7KX2", None)
    made = replace(transcript(record.session_id, tuple(segments)), speakers=labels)
    save_transcript(study, made)
    return study, codemap, record.session_id


def main() -> int:
    from recorder.ui.review.review_page import open_review_page
    from recorder.ui.theme import apply_theme
    from tests.virtual_audio import VirtualPulse

    tmp = Path(tempfile.mkdtemp(prefix="shots-review-"))
    pulse = VirtualPulse()
    os.environ.update(pulse.env)
    pulse.start()
    try:
        app = QApplication(sys.argv)
        apply_theme(app, dark=os.environ.get("RECORDER_THEME") == "dark")
        study, codemap, session_id = demo(tmp)
        page = open_review_page(study, session_id, codemap)  # type: ignore[arg-type]
        page.resize(1280, 800)
        page.show()
        wait(lambda: page.playback.ready)
        page.playback.seek(page.document.segments[3].words[6].start)
        page.list.go_to(3)
        page.list.setFocus()
        shoot("review", widget=page)
        page.redactions_button.click()
        wait(lambda: page.redactions is not None and page.redactions.ready)
        page.decide(__import__("recorder.core.deid", fromlist=["Decision"]).Decision.ACCEPTED)
        shoot("redaction", widget=page)
        page.shutdown()
    finally:
        pulse.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
