"""Screenshots of every screen, taken from the real app under Xvfb at 1280x800.

    xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python docs/screenshots/take.py

Uses a throwaway demo study (fictional people, test-only fast key derivation) and the virtual
PulseAudio microphone from the tests, with speech playing so the level meters move. The
transcription shots run the real queue and whisper worker on a random-weight checkpoint (made by
tests/checkpoints.py; no model is downloaded), so the progress is real and the text meaningless.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
os.environ["RECORDER_TEST_ONLY_WEAK_KDF"] = "1"  # a demo study: speed over strength

from recorder.ui.none_guard import keep_none_alive  # noqa: E402

keep_none_alive()

from PySide6.QtCore import QEventLoop, Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

STUDY_PASS, CODEMAP_PASS = "demo study passphrase", "demo code-map passphrase"
PEOPLE = (("Dana Ramirez", "police", "Riverside PD"), ("Sam Okafor", "social-work", "County CPS"))


def settle(ms: int = 400) -> None:
    """Let Qt lay out and paint."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait(condition: object, ms: int = 20000) -> None:
    """Let Qt run until ``condition()`` holds (the scripts' only way to wait)."""
    for _ in range(ms // 50):
        if condition():  # type: ignore[operator]
            return
        settle(50)
    raise SystemExit("timed out waiting for the window")


def shoot(name: str, *, widget: QWidget | None = None) -> None:
    settle()
    screen = QApplication.primaryScreen()
    image = widget.grab() if widget is not None else screen.grabWindow(0)
    image.save(str(OUT / f"{name}.png"))
    print(f"saved docs/screenshots/{name}.png")


def demo_study(tmp: Path, wav: Path) -> tuple[Path, list[str], str, list[str]]:
    """A study with three enrolled participants (two consented), a recording cut off by a
    crash, and three sessions imported from ``wav`` (recorded, ready to transcribe)."""
    from recorder.core.enrolment import create_study, enrol, record_consent
    from recorder.core.importing import import_session
    from recorder.core.model import Identity
    from recorder.core.protocol import SessionKind
    from recorder.core.sessions import create_session, study_protocol

    study, codemap = create_study(
        tmp / "study", tmp / "codemap", STUDY_PASS, CODEMAP_PASS, title="Crisis response teams"
    )
    protocol = study_protocol(study)
    ids = []
    for name, role, agency in PEOPLE:
        entry = enrol(study, codemap, Identity(name, agency=agency), role)
        items = tuple(i.key for i in protocol.consent.items)
        record_consent(codemap, entry.participant_id, protocol.consent.form_version, items)
        ids.append(entry.participant_id)
    extra = enrol(study, codemap, Identity("Lee Chen", agency="Riverside PD"), "police")
    ids.append(extra.participant_id)
    crashed = create_session(study, protocol, SessionKind.INDIVIDUAL, [ids[0]])
    recorded = []
    for kind, people in (
        (SessionKind.INDIVIDUAL, [ids[1]]),
        (SessionKind.PAIRED, ids[:2]),
        (SessionKind.INDIVIDUAL, [ids[0]]),
    ):
        record = create_session(study, protocol, kind, people, interviewer="JD")
        import_session(study, record.session_id, dict.fromkeys(people, True), [wav])
        recorded.append(record.session_id)
    return tmp / "study", ids, crashed.session_id, recorded


def leave_unfinished(study: object, session_id: str) -> object:
    """A recording cut off by a crash: a segment that was never finished (kept open)."""
    from recorder.core.audio.pcm import PcmFormat
    from recorder.core.audio.segments import SegmentWriter

    writer = SegmentWriter(
        study.vault,  # type: ignore[attr-defined]
        f"{study.session_dir(session_id)}/audio-000.irf",  # type: ignore[attr-defined]
        PcmFormat(16_000, 1),
    )
    writer.write(bytes(2 * 16_000 * 40))
    writer.sync()
    return writer


def main() -> int:
    from recorder.core import appconfig
    from tests.virtual_audio import VirtualPulse, speech

    tmp = Path(tempfile.mkdtemp(prefix="shots-"))
    os.environ["XDG_CONFIG_HOME"] = str(tmp / "config")
    os.environ["XDG_DATA_HOME"] = str(tmp / "data")  # the models folder
    os.environ["XDG_CACHE_HOME"] = str(tmp / "cache")  # where whisper looks for models
    pulse = VirtualPulse()
    os.environ.update(pulse.env)
    os.environ["XDG_CONFIG_HOME"] = str(tmp / "config")
    pulse.start()
    wav = tmp / "speech.wav"
    speech(
        "I would start by slowing everything down. Nobody is in immediate danger, so I "
        "would talk to her through the door, ask her name, and tell her who we are. " * 6,
        wav,
    )
    stop_playing = threading.Event()

    def play() -> None:
        while not stop_playing.is_set():
            try:
                pulse.play(wav)
            except subprocess.CalledProcessError:
                return  # the daemon stopped: the screenshots are done

    threading.Thread(target=play, daemon=True).start()
    try:
        return shoot_all(tmp, appconfig)
    finally:
        stop_playing.set()
        pulse.stop()


def shoot_transcription(window: object, tmp: Path, sessions: list[str]) -> None:
    """The transcription panel mid-job (one waiting, one failed) and the model window."""
    from recorder.core import appconfig
    from recorder.core.transcribe import models
    from recorder.ui.home_page import HomePage
    from tests.checkpoints import make_checkpoint

    home = window.home  # type: ignore[attr-defined]
    assert isinstance(home, HomePage)
    checkpoint = make_checkpoint(tmp / "models" / "micro.en.pt")
    models.use_model_file(checkpoint, allow_unofficial=True)
    appconfig.set_transcription_model(str(checkpoint))
    home.transcription.show_model()
    runner = home.runner
    runner.enqueue([sessions[2]], "small.en")  # not on this computer: it fails at once
    home.select_sessions(sessions[:2])
    home.transcribe()
    for _ in range(900):  # until whisper has reported a window and the time left is known
        if "left" in runner.message:
            break
        settle(200)
    home.select_sessions([sessions[1]])
    shoot("transcription")
    runner.cancel()
    while runner.running:
        settle(100)
    home.choose_model()
    dialog = home.dialog
    while "will run on" not in dialog.device.text():  # type: ignore[union-attr]
        settle(100)
    dialog.select("base.en")  # type: ignore[union-attr]
    shoot("models")
    dialog.close()  # type: ignore[union-attr]
    window.statusBar().clearMessage()  # type: ignore[attr-defined]


def shoot_all(tmp: Path, appconfig: object) -> int:  # noqa: PLR0915
    from recorder.core.codemap import CodeMap
    from recorder.core.study import Study
    from recorder.ui.main_window import MainWindow
    from recorder.ui.new_session_dialog import NewSessionDialog
    from recorder.ui.theme import apply_theme

    app = QApplication.instance() or QApplication(sys.argv)
    dark = os.environ.get("RECORDER_THEME") == "dark"
    apply_theme(app, dark=dark)  # type: ignore[arg-type]
    suffix = "-dark" if dark else ""
    folder, ids, crashed, recorded = demo_study(tmp, tmp / "speech.wav")
    appconfig.remember_study(folder, tmp / "codemap")  # type: ignore[attr-defined]
    window = MainWindow()
    window.setWindowFlag(Qt.WindowType.FramelessWindowHint)
    window.setGeometry(0, 0, 1280, 800)
    window.show()
    if not dark:
        shoot("start")
        window.create_study()
        dialog = window.dialog
        dialog.study_pass.edit.setText("harbour lantern quietly 42")  # type: ignore[attr-defined]
        dialog.codemap_pass.edit.setText("password1")  # type: ignore[attr-defined]
        shoot("create-study")
        dialog.close()  # type: ignore[union-attr]
        window.open_study(folder, tmp / "codemap")
        window.dialog.passphrase.edit.setText(STUDY_PASS)  # type: ignore[union-attr]
        shoot("unlock")
        window.dialog.close()  # type: ignore[union-attr]
    study = Study.open(folder, STUDY_PASS)
    unfinished = leave_unfinished(study, crashed) if not dark else None
    window._study_unlocked(study)
    if unfinished is not None:
        shoot("recovery")
        window.recover()
        while window.recovery is not None:
            settle(100)
        for box in QApplication.topLevelWidgets():
            if box.isVisible() and box is not window:
                box.close()
    window._codemap_unlocked(CodeMap.open(tmp / "codemap", CODEMAP_PASS, study_id=study.study_id))
    assert window.home is not None
    window.home.select_participant(ids[0])
    shoot(f"home{suffix}")
    if not dark:
        window.home.edit_participant()
        shoot("participant")
        window.home.dialog.close()  # type: ignore[attr-defined]
        window.home.record_consent()
        consent = window.home.dialog
        for row in list(consent.items.values())[:3]:  # type: ignore[attr-defined]
            row.setCheckState(Qt.CheckState.Checked)
        shoot("consent")
        consent.close()  # type: ignore[attr-defined]
        shoot_transcription(window, tmp, recorded)
    window.home.new_session()
    new = window.home.dialog
    assert isinstance(new, NewSessionDialog)
    new.paired.setChecked(True)
    new.people[0].setCurrentIndex(new.people[0].findData(ids[0]))
    new.people[1].setCurrentIndex(new.people[1].findData(ids[1]))
    settle(1200)
    if not dark:
        shoot("new-session")
    new.submit()
    console = window.console
    assert console is not None
    console.participant_window.hide()
    console.start()
    for _ in range(12):
        console.model.next()
    console.model.add_note("P2 describes a co-responder call from last winter")
    console.free_notes.setPlainText(
        "Quiet room; both participants engaged. Break after vignette 2."
    )
    settle(2500)
    settle(3000)  # the virtual device delivers its first audio after about two seconds
    shoot(f"console{suffix}")
    if not dark:
        pw = console.participant_window
        pw.setWindowFlag(Qt.WindowType.FramelessWindowHint)
        pw.setGeometry(0, 0, 1280, 800)
        pw.show()
        shoot("participant-window")
        pw.hide()
    console.stop()
    loop = QEventLoop()
    console.model.finalised.connect(loop.quit)
    loop.exec()
    window.close_console()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
