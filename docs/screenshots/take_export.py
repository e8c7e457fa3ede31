"""A screenshot of the export dialog, from the real dialog under Xvfb.

    xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python docs/screenshots/take_export.py

A throwaway demo study (fictional people, test-only fast key derivation) with three sessions
made by the export tests' helper: two de-identified, one reviewed but not de-identified yet
(the warning). The preview shows the first page of the DOCX export.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ["RECORDER_TEST_ONLY_WEAK_KDF"] = "1"  # a demo study: speed over strength

from recorder.ui.none_guard import keep_none_alive  # noqa: E402

keep_none_alive()

from PySide6.QtWidgets import QApplication  # noqa: E402
from take import shoot, wait  # noqa: E402  (the shared screenshot helpers)


def demo(tmp: Path) -> tuple[object, list[str]]:
    """A study with three sessions; the last is reviewed but not de-identified."""
    from recorder.core.enrolment import create_study
    from tests.conftest import StudyPair
    from tests.export_helpers import make_session

    study, codemap = create_study(
        tmp / "study", tmp / "codemap", "demo study pass", "demo codemap pass", title="Demo"
    )
    pair = StudyPair(tmp / "study", tmp / "codemap", study, codemap)
    made = [
        make_session(pair, tmp),
        make_session(pair, tmp, paired=True),
        make_session(pair, tmp),
    ]
    last = made[-1].record.session_id
    study.vault.path(f"sessions/{last}/deidentified.json").unlink()  # reviewed, not de-identified
    return study, [m.record.session_id for m in made]


def main() -> int:
    from recorder.ui.export_dialog import ExportDialog
    from recorder.ui.theme import apply_theme

    tmp = Path(tempfile.mkdtemp(prefix="shots-export-"))
    home = tmp / "researcher"
    home.mkdir()
    os.environ["HOME"] = str(home)  # the suggested file lands in a throwaway home
    app = QApplication(sys.argv)
    apply_theme(app, dark=os.environ.get("RECORDER_THEME") == "dark")
    study, sessions = demo(tmp)
    dialog = ExportDialog(study, sessions)  # type: ignore[arg-type]
    dialog.resize(1260, 790)
    dialog.show()
    wait(lambda: dialog.sessions.ready)
    wait(lambda: dialog.preview.shown_format == "docx" and not dialog.preview.busy)
    dialog.protection.passphrase.edit.setText("lantern orchard velvet compass")
    dialog.protection.passphrase2.edit.setText("lantern orchard velvet compass")
    dialog.sessions.tree.setFocus()
    shoot("export", widget=dialog)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
