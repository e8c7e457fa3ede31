"""DOCX: a clean, readable transcript per session (python-docx, built in memory).

A title, a table of facts (study IDs, session kind, date band if chosen, status), each prompt
as a heading, and one paragraph per turn: timestamp, speaker label in bold, the words.
A member-checking transcript adds the request to edit, clarify and elaborate.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime

import docx
from docx.enum.text import WD_BREAK
from docx.shared import Pt, RGBColor

from recorder.core.export.document import (
    MEMBER_CHECK_NOTE,
    ExportDocument,
    ExportSession,
    OutFile,
    blocks,
    header_lines,
    section_title,
    timestamp,
)

GREY = RGBColor(0x6B, 0x6B, 0x6B)


def _title(doc: ExportDocument) -> str:
    return "Your interview transcript" if doc.member_check else "Interview transcript"


def session_docx(session: ExportSession, doc: ExportDocument) -> bytes:
    """The DOCX file of one session, as bytes."""
    document = docx.Document()
    props = document.core_properties
    props.author = "Interview Recorder"
    props.last_modified_by = ""
    props.comments = ""
    props.title = f"{_title(doc)} {session.session_id}"
    props.created = props.modified = datetime.now(UTC).replace(microsecond=0, tzinfo=None)
    normal = document.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(11)

    status = "de-identified" if session.deidentified else "IDENTIFIABLE"
    page_header = document.sections[0].header.paragraphs[0]
    page_header.text = f"{session.session_id} · {status} transcript"
    page_header.runs[0].font.color.rgb = GREY
    page_header.runs[0].font.size = Pt(9)

    document.add_heading(f"{_title(doc)} — {session.session_id}", level=1)
    facts = [line.split(": ", 1) for line in header_lines(session, doc)]
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"  # no header band: every row is a fact
    for name, value in facts:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = name, value
        cells[0].paragraphs[0].runs[0].bold = True
    if doc.member_check:
        note = document.add_paragraph()
        note.add_run(MEMBER_CHECK_NOTE).italic = True
    for block in blocks(session.transcript):
        document.add_heading(section_title(block.section), level=2)
        if not block.turns:
            empty = document.add_paragraph().add_run("(no speech)")
            empty.italic = True
        for turn in block.turns:
            paragraph = document.add_paragraph()
            paragraph.paragraph_format.space_after = Pt(6)
            stamp = paragraph.add_run(f"[{timestamp(turn.start)}]  ")
            stamp.font.color.rgb = GREY
            stamp.font.size = Pt(9)
            paragraph.add_run(f"{session.speaker_label(turn.speaker)}:").bold = True
            paragraph.add_run(f" {turn.text}")
    end = document.add_paragraph()
    end.add_run().add_break(WD_BREAK.LINE)
    end.add_run("End of transcript.").italic = True
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def render(doc: ExportDocument) -> list[OutFile]:
    return [OutFile(f"{s.session_id}.docx", session_docx(s, doc)) for s in doc.sessions]


def preview(doc: ExportDocument) -> str:
    """An outline of the first session's document (what the first page shows)."""
    if not doc.sessions:
        return ""
    session = doc.sessions[0]
    lines = [f"# {_title(doc)} — {session.session_id}", ""]
    lines += [f"  {line}" for line in header_lines(session, doc)]
    if doc.member_check:
        lines += ["", f"  {MEMBER_CHECK_NOTE}"]
    for block in blocks(session.transcript):
        lines += ["", f"## {section_title(block.section)}"]
        lines += [
            f"  [{timestamp(t.start)}] **{session.speaker_label(t.speaker)}:** {t.text}"
            for t in block.turns
        ]
    return "\n".join(lines) + "\n"
