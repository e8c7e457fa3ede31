"""CSV: one row per turn, for spreadsheets and statistics tools (UTF-8 with a BOM so Excel
reads the encoding; RFC 4180 quoting)."""

from __future__ import annotations

import csv
import io

from recorder.core.export.document import ExportDocument, OutFile, blocks, section_title

COLUMNS = (
    "session_id",
    "session_kind",
    "date_band",
    "transcript",
    "section_number",
    "section_item",
    "section_title",
    "turn",
    "speaker",
    "speaker_role",
    "start_seconds",
    "end_seconds",
    "text",
)


def rows(doc: ExportDocument) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for session in doc.sessions:
        roles = {p.participant_id: p.role for p in session.people}
        for number, block in enumerate(blocks(session.transcript), start=1):
            section = block.section
            for turn_no, turn in enumerate(block.turns, start=1):
                out.append(
                    {
                        "session_id": session.session_id,
                        "session_kind": session.kind,
                        "date_band": session.date_band,
                        "transcript": "de-identified" if session.deidentified else "identifiable",
                        "section_number": str(number),
                        "section_item": section.item_id if section else "",
                        "section_title": section_title(section),
                        "turn": str(turn_no),
                        "speaker": turn.speaker or "unassigned",
                        "speaker_role": roles.get(turn.speaker, turn.speaker or "unassigned"),
                        "start_seconds": f"{turn.start:.3f}",
                        "end_seconds": f"{turn.end:.3f}",
                        "text": turn.text,
                    }
                )
    return out


def csv_text(doc: ExportDocument) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows(doc))
    return buffer.getvalue()


def render(doc: ExportDocument) -> list[OutFile]:
    return [OutFile("turns.csv", csv_text(doc).encode("utf-8-sig"))]


def preview(doc: ExportDocument) -> str:
    return csv_text(doc)
