"""Renders a de-identified DOCX export to docs/screenshots/export-docx.png (needs soffice and
pdftoppm: apt-get install libreoffice-writer-nogui poppler-utils).

    .venv/bin/python docs/screenshots/render_docx.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ["RECORDER_TEST_ONLY_WEAK_KDF"] = "1"  # a demo study: speed over strength

from recorder.core.enrolment import create_study  # noqa: E402
from recorder.core.export.document import DateBand  # noqa: E402
from recorder.core.export.selection import ExportOptions, load_document  # noqa: E402
from recorder.core.export.service import render_files  # noqa: E402
from tests.conftest import StudyPair  # noqa: E402
from tests.export_helpers import make_session  # noqa: E402


def main() -> None:
    work = Path(tempfile.mkdtemp())
    study, codemap = create_study(
        work / "s", work / "c", "study pass phrase", "codemap pass phrase", title="Demo"
    )
    made = make_session(StudyPair(work / "s", work / "c", study, codemap), work, paired=True)
    options = ExportOptions("docx", (made.record.session_id,), date_band=DateBand.QUARTER)
    docx = next(f for f in render_files(load_document(study, options), "docx"))
    (work / "t.docx").write_bytes(docx.data)
    soffice = ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(work)]
    subprocess.run([*soffice, str(work / "t.docx")], check=True, capture_output=True)
    out = ROOT / "docs/screenshots/export-docx"
    pdftoppm = ["pdftoppm", "-png", "-r", "90", "-singlefile"]
    subprocess.run([*pdftoppm, str(work / "t.pdf"), str(out)], check=True)
    print("saved docs/screenshots/export-docx.png")


if __name__ == "__main__":
    main()
