"""Transcribe a stored session: decrypt its audio into memory, skip silences, run whisper in
the worker process, and seal a transcript tied to prompts, speakers and review flags."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from recorder.core.audio.pcm import FloatArray
from recorder.core.audio.timeline import load_timeline
from recorder.core.durations import clock
from recorder.core.errors import InvalidTransition, RecorderError
from recorder.core.jobs import CancelToken, Progress
from recorder.core.protocol import Protocol
from recorder.core.session import SessionRecord, SessionState, now_iso
from recorder.core.sessions import load_protocol_of, load_session, open_controller
from recorder.core.study import Study
from recorder.core.transcribe import vad
from recorder.core.transcribe.engine import RATE, Options, Region
from recorder.core.transcribe.flags import NO_SPEECH, flag_segment, placeholder, unheard_speech
from recorder.core.transcribe.joined import fit_to_speech
from recorder.core.transcribe.models import ModelSource
from recorder.core.transcribe.sections import prompt_at, sections_of
from recorder.core.transcribe.speakers import attribute_speakers, speaker_labels
from recorder.core.transcribe.transcript import (
    Provenance,
    Section,
    Segment,
    Transcript,
    Word,
    save_transcript,
)
from recorder.core.transcribe.vocabulary import with_vocabulary
from recorder.core.transcribe.worker import TranscriptionWorker

log = logging.getLogger(__name__)

#: Sessions in these states have audio that can be transcribed (again).
TRANSCRIBABLE = frozenset({SessionState.STOPPED, SessionState.TRANSCRIBED})


@dataclass(frozen=True)
class SessionAudio:
    """A session's audio in memory at 16 kHz: all channels and a mono mix."""

    channels: FloatArray
    mono: FloatArray

    @property
    def seconds(self) -> float:
        return len(self.mono) / RATE


def check_transcribable(record: SessionRecord) -> None:
    """Raise a clear error unless the session's interview is over and not yet reviewed."""
    if record.state in TRANSCRIBABLE:
        if not record.segments:
            raise RecorderError(f"Session {record.session_id} has no audio to transcribe.")
        return
    if record.state in (SessionState.REVIEWED, SessionState.DEIDENTIFIED):
        raise InvalidTransition(
            f"Session {record.session_id} has a reviewed transcript; transcribing it again "
            "would replace the reviewed text.",
            hint="Export or de-identify the reviewed transcript instead.",
        )
    raise InvalidTransition(
        f"Session {record.session_id} is {record.state.value}: only a finished recording "
        "can be transcribed.",
        hint="Stop the recording first (or recover it: python main.py recover STUDY_DIR).",
    )


def session_audio(study: Study, record: SessionRecord) -> SessionAudio:
    """Decrypt the session's audio into memory, resampled to whisper's 16 kHz."""
    channels = load_timeline(study, record, rate=RATE)
    mono = np.ascontiguousarray(channels.mean(axis=1), dtype=np.float32)
    return SessionAudio(channels, mono)


def build_transcript(
    record: SessionRecord,
    protocol: Protocol,
    raw: dict[str, Any],
    audio: SessionAudio,
    provenance: Provenance,
) -> Transcript:
    """Whisper's output, tied to prompts, attributed to speakers and flagged for review.

    Times are first fitted to the detector's speech (no word starts in a long pause; a word
    whisper placed wholly in one flags its turn), and speech the detector heard where whisper
    wrote nothing becomes an ``[inaudible]`` turn flagged for review.
    """
    rate = record.audio.sample_rate
    sections = sections_of(record, protocol)
    speech = [(int(a), int(b)) for a, b in raw.get("speech", [(0, len(audio.mono))])]
    detected = "speech" in raw and provenance.vad.get("detector", "off") != "off"
    segments = _heard_segments(raw["segments"], speech if detected else [], rate)
    segments = attribute_speakers(segments, audio.channels, RATE, record.audio.channel_map, rate)
    finished = tuple(
        flag_segment(
            _with_prompt(segment, sections),
            _overlap(speech, round(segment.start * RATE), round(segment.end * RATE)),
        )
        for segment in segments
    )
    return Transcript(
        session_id=record.session_id,
        language=str(raw.get("language", "")),
        sample_rate=rate,
        segments=finished,
        sections=sections,
        speakers=speaker_labels(record, protocol),
        provenance=provenance,
    )


def _heard_segments(
    raw_segments: list[dict[str, Any]], speech: list[Region], rate: int
) -> tuple[Segment, ...]:
    """Whisper's segments fitted to ``speech``, with ``[inaudible]`` turns where it wrote
    nothing over detected speech, in time order (``speech`` empty: no detector ran)."""
    segments = [
        replace(_segment(s, rate), flags=(NO_SPEECH,) if s.get("words_in_silence") else ())
        for s in fit_to_speech(raw_segments, speech)
        if str(s["text"]).strip()
    ]
    unheard = unheard_speech([(a / RATE, b / RATE) for a, b in speech], segments)
    if unheard:
        log.info("%d stretch(es) of speech with no words: flagged for review", len(unheard))
    segments += [placeholder(start, end, rate) for start, end in unheard]
    return tuple(sorted(segments, key=lambda s: (s.start, s.end)))


def _segment(raw: dict[str, Any], rate: int) -> Segment:
    """A segment at the precision it is stored with (milliseconds), so stored == built."""
    start, end = round(float(raw["start"]), 3), round(float(raw["end"]), 3)
    return Segment(
        start=start,
        end=end,
        start_sample=round(start * rate),
        end_sample=round(end * rate),
        text=str(raw["text"]).strip(),
        words=tuple(
            Word(
                round(float(w["start"]), 3),
                round(float(w["end"]), 3),
                str(w["word"]),
                round(float(w["probability"]), 4),
            )
            for w in raw.get("words", [])
        ),
        avg_logprob=round(float(raw["avg_logprob"]), 4),
        no_speech_prob=round(float(raw["no_speech_prob"]), 4),
        compression_ratio=round(float(raw["compression_ratio"]), 4),
    )


def _with_prompt(segment: Segment, sections: tuple[Section, ...]) -> Segment:
    return replace(segment, prompt_index=prompt_at(sections, segment.start_sample))


def _overlap(speech: list[Region], start: int, end: int) -> float:
    """The fraction of [start, end) inside speech regions."""
    if end <= start:
        return 1.0
    inside = sum(max(0, min(e, end) - max(s, start)) for s, e in speech)
    return inside / (end - start)


class Eta:
    """Elapsed time and an estimate of the time left, from the fraction done."""

    def __init__(self) -> None:
        self.started = time.monotonic()

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def remaining(self, fraction: float) -> float | None:
        if fraction <= 0.02:
            return None
        return self.elapsed() * (1 - fraction) / fraction


def describe_progress(fraction: float, total_s: float, eta: Eta) -> str:
    """ "2:10 of 10:00 of audio · 0:40 elapsed · about 2:30 left" """
    text = f"{clock(fraction * total_s)} of {clock(total_s)} of audio · {clock(eta.elapsed())}"
    left = eta.remaining(fraction)
    return text + " elapsed" + (f" · about {clock(left)} left" if left is not None else "")


def transcribe_session(
    study: Study,
    session_id: str,
    model: ModelSource,
    worker: TranscriptionWorker,
    *,
    options: Options | None = None,
    detector: str | None = vad.DEFAULT_DETECTOR,
    progress: Callable[[Progress], None] | None = None,
    cancel: CancelToken | None = None,
) -> Transcript:
    """Transcribe a finished session and seal its transcript; the session becomes transcribed.

    ``worker`` may be shared between sessions (the model stays loaded). ``detector`` None
    transcribes every second of the audio (no voice-activity detection).
    """
    options = options or Options()
    report = progress or (lambda _p: None)
    record = load_session(study, session_id)
    check_transcribable(record)
    protocol = load_protocol_of(study, record)
    options = with_vocabulary(options, study, protocol)
    report(Progress(0.0, "Decrypting the audio into memory"))
    audio = session_audio(study, record)
    if cancel is not None:
        cancel.check()
    if not worker.alive:
        report(Progress(0.02, "Loading the model"))
        worker.start(cancel)
    eta = Eta()

    def on_fraction(fraction: float) -> None:
        report(Progress(0.03 + 0.95 * fraction, describe_progress(fraction, audio.seconds, eta)))

    report(Progress(0.03, "Finding the speech"))
    raw = worker.transcribe(
        audio.mono, options, detector=detector, progress=on_fraction, cancel=cancel
    )
    transcribed = sum(int(b) - int(a) for a, b in raw["regions"]) / RATE
    log.info(
        "transcribed a session: %.0f s of audio, %.0f s skipped as silence",
        audio.seconds,
        audio.seconds - transcribed,
    )
    provenance = provenance_of(
        model, worker, options, detector, audio.seconds, transcribed, "after"
    )
    transcript = build_transcript(record, protocol, raw, audio, provenance)
    report(Progress(0.99, "Sealing the transcript"))
    seal_transcript(study, record, transcript)
    report(Progress(1.0, "Transcribed"))
    return transcript


def provenance_of(
    model: ModelSource,
    worker: TranscriptionWorker,
    options: Options,
    detector: str | None,
    audio_s: float,
    transcribed_s: float,
    mode: str,
) -> Provenance:
    """How a transcript was made: the model file, the engine, the options, the detector."""
    return Provenance(
        model_name=model.name,
        model_sha256=model.sha256,
        model_official=model.official,
        engine_version=worker.engine_version,
        device=worker.device,
        options=options.to_json(),
        vad={
            "detector": detector or "off",
            "skipped_seconds": round(audio_s - transcribed_s, 2),
            "audio_seconds": round(audio_s, 2),
        },
        mode=mode,
        created_at=now_iso(),
        engine=worker.spec.engine,
        compute_type=worker.spec.compute_type,
        model_package=model.package,
    )


def seal_transcript(study: Study, record: SessionRecord, transcript: Transcript) -> None:
    """Seal the machine transcript; a stopped session becomes transcribed."""
    save_transcript(study, transcript)
    if record.state is SessionState.STOPPED:
        open_controller(study, record.session_id).mark_transcribed()
