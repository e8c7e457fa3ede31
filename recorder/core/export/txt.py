"""Plain-text transcripts: a readable one and MAXQDA's speaker-prefixed variant.

``S-XXXXX.txt``: a header, each prompt as a heading, ``[hh:mm:ss] Speaker: text``.
``S-XXXXX.speakers.txt``: one paragraph per turn as ``P-7KQ2 (police): text``, which MAXQDA's
focus-group import reads as speakers (section titles stay plain paragraphs).
"""

from __future__ import annotations

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


def plain_text(session: ExportSession, doc: ExportDocument) -> str:
    """The readable transcript of one session."""
    lines = header_lines(session, doc)
    if doc.member_check:
        lines += ["", MEMBER_CHECK_NOTE]
    for block in blocks(session.transcript):
        lines += ["", f"## {section_title(block.section)}", ""]
        for turn in block.turns:
            label = session.speaker_label(turn.speaker)
            lines.append(f"[{timestamp(turn.start)}] {label}: {turn.text}")
    return "\n".join(lines) + "\n"


def speaker_text(session: ExportSession) -> str:
    """Speaker-prefixed paragraphs (MAXQDA focus-group import), blank line between them."""
    paragraphs: list[str] = []
    for block in blocks(session.transcript):
        paragraphs.append(section_title(block.section))
        paragraphs += [f"{session.speaker_name(t.speaker)}: {t.text}" for t in block.turns]
    return "\n\n".join(paragraphs) + "\n"


def render(doc: ExportDocument) -> list[OutFile]:
    files: list[OutFile] = []
    for session in doc.sessions:
        files.append(OutFile(f"{session.session_id}.txt", plain_text(session, doc).encode()))
        files.append(OutFile(f"{session.session_id}.speakers.txt", speaker_text(session).encode()))
    return files


def preview(doc: ExportDocument) -> str:
    return plain_text(doc.sessions[0], doc) if doc.sessions else ""
