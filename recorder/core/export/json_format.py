"""JSON: everything in one document (``export.json``), schema in docs/export-json-schema.md.

Word timings are kept only where the words still spell the segment's text: after
de-identification the text changes, and stale words would put redacted names back.
The model is named by its file name and SHA-256 only (a path could name a person's home).
"""

from __future__ import annotations

import json
from typing import Any

from recorder.core.export.document import (
    ExportDocument,
    ExportSession,
    OutFile,
    audio_name,
    blocks,
)
from recorder.core.transcribe.transcript import Provenance, Segment

FORMAT = "interview-recorder-export"
VERSION = 1


def _squash(text: str) -> str:
    return "".join(text.split()).casefold()


def words_match(segment: Segment) -> bool:
    """Do the segment's words spell its text (ignoring spaces and case)?"""
    return bool(segment.words) and _squash("".join(w.text for w in segment.words)) == _squash(
        segment.text
    )


def _segment(segment: Segment) -> dict[str, Any]:
    data = segment.to_json()
    if not words_match(segment):
        data["words"] = []
    return data


_PRIVATE_OPTIONS = ("initial_prompt", "prompt", "hotwords")


def _provenance(p: Provenance) -> dict[str, Any]:
    name = p.model_name.replace("\\", "/").rsplit("/", 1)[-1]
    return {
        "model_name": name,
        "model_sha256": p.model_sha256,
        "model_official": p.model_official,
        "model_package": p.model_package,
        "engine": p.engine,
        "engine_version": p.engine_version,
        "compute_type": p.compute_type,
        # the study vocabulary can hold local names: it stays in the study
        "options": {k: v for k, v in p.options.items() if k not in _PRIVATE_OPTIONS},
        "mode": p.mode,
    }


def session_json(session: ExportSession) -> dict[str, Any]:
    t = session.transcript
    return {
        "session_id": session.session_id,
        "kind": session.kind,
        "date_band": session.date_band,
        "transcript": "de-identified" if session.deidentified else "identifiable",
        "participants": [
            {
                "participant_id": p.participant_id,
                "role": p.role,
                "role_label": p.role_label,
                "attributes": dict(p.attributes),
            }
            for p in session.people
        ],
        "language": t.language,
        "sample_rate": t.sample_rate,
        "speakers": dict(t.speakers),
        "sections": [s.to_json() for s in t.sections],
        "segments": [_segment(s) for s in t.segments],
        "turns": [
            {
                "section": t.sections.index(block.section) if block.section else None,
                "speaker": turn.speaker,
                "start": round(turn.start, 3),
                "end": round(turn.end, 3),
                "text": turn.text,
            }
            for block in blocks(t)
            for turn in block.turns
        ],
        "provenance": _provenance(t.provenance),
        "audio_file": audio_name(session) if session.audio is not None else None,
    }


def document_json(doc: ExportDocument) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": VERSION,
        "created_at": doc.created_at,
        "deidentified": doc.deidentified,
        "member_check": doc.member_check or None,
        "shared_attributes": list(doc.shared_attributes),
        "sessions": [session_json(s) for s in doc.sessions],
    }


def json_text(doc: ExportDocument) -> str:
    return json.dumps(document_json(doc), ensure_ascii=False, indent=2) + "\n"


def render(doc: ExportDocument) -> list[OutFile]:
    return [OutFile("export.json", json_text(doc).encode())]


def preview(doc: ExportDocument) -> str:
    return json_text(doc)
