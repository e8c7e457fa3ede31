"""SRT and WebVTT captions: one cue per segment, speakers as prefixes (SRT) or voice tags
(WebVTT ``<v P-7KQ2 (police)>``), prompts as WebVTT ``NOTE`` blocks."""

from __future__ import annotations

from recorder.core.export.document import ExportDocument, ExportSession, OutFile, section_title
from recorder.core.transcribe.transcript import Segment

#: The shortest cue players show (a zero-length cue is dropped by most parsers).
MIN_CUE = 0.05


def _clock(seconds: float, sep: str) -> str:
    ms = max(0, round(seconds * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def _span(segment: Segment) -> tuple[float, float]:
    return segment.start, max(segment.end, segment.start + MIN_CUE)


def _one_line(text: str) -> str:
    """Cue text on one line (a blank line would end the cue; an arrow would start one)."""
    return " ".join(text.split()).replace("-->", "->")


def srt(session: ExportSession) -> str:
    cues: list[str] = []
    for segment in session.transcript.segments:
        text = _one_line(segment.text)
        if not text:
            continue
        start, end = _span(segment)
        cues.append(
            f"{len(cues) + 1}\n{_clock(start, ',')} --> {_clock(end, ',')}\n"
            f"{session.speaker_name(segment.speaker)}: {text}\n"
        )
    return "\n".join(cues)


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _voice(name: str) -> str:
    """A voice annotation may not hold ``>``, ``&`` or ``<``; study IDs never do."""
    return name.replace(">", "").replace("<", "").replace("&", "and")


def vtt(session: ExportSession) -> str:
    parts = ["WEBVTT", f"NOTE Session {session.session_id} ({session.kind})"]
    sections = sorted(session.transcript.sections, key=lambda s: s.start_sample)
    for segment in session.transcript.segments:
        while sections and sections[0].start_sample <= segment.start_sample:
            title = section_title(sections.pop(0)).replace("-->", "->")
            parts.append(f"NOTE {title}")
        text = _one_line(segment.text)
        if not text:
            continue
        start, end = _span(segment)
        voice = _voice(session.speaker_name(segment.speaker))
        parts.append(
            f"{_clock(start, '.')} --> {_clock(end, '.')}\n<v {voice}>{_vtt_escape(text)}</v>"
        )
    return "\n\n".join(parts) + "\n"


def render_srt(doc: ExportDocument) -> list[OutFile]:
    return [OutFile(f"{s.session_id}.srt", srt(s).encode()) for s in doc.sessions]


def render_vtt(doc: ExportDocument) -> list[OutFile]:
    return [OutFile(f"{s.session_id}.vtt", vtt(s).encode()) for s in doc.sessions]


def preview_srt(doc: ExportDocument) -> str:
    return srt(doc.sessions[0]) if doc.sessions else ""


def preview_vtt(doc: ExportDocument) -> str:
    return vtt(doc.sessions[0]) if doc.sessions else ""
