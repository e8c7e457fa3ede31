"""A stored, stopped session with hand-made REVIEWED and DEIDENTIFIED transcripts, for the
export tests, and a way to type a passphrase into the real ``age`` CLI (it reads /dev/tty).

The de-identified transcript is built by hand: recorder.core.deid (being written in
parallel) has no ``apply``/``deidentify_session`` yet, so the placeholders below stand in
for its output ("[P-7KQ2, police]", "[PERSON-1]", "[EMAIL]", "[PHONE]").
"""

from __future__ import annotations

import os
import pty
import select
import shutil
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from recorder.core.audio.files import import_files
from recorder.core.enrolment import enrol
from recorder.core.model import Identity
from recorder.core.protocol import SessionKind
from recorder.core.session import INTERVIEWER, AudioSettings, SessionRecord
from recorder.core.sessions import create_session, load_protocol_of, open_controller, study_protocol
from recorder.core.study import Study
from recorder.core.transcribe.sections import sections_of
from recorder.core.transcribe.speakers import speaker_labels
from recorder.core.transcribe.transcript import (
    Provenance,
    Segment,
    Transcript,
    TranscriptKind,
    Word,
    save_transcript,
)
from tests.conftest import StudyPair
from tests.sessions_with_audio import RATE, write_wav

PEOPLE = (
    Identity(
        "Dana Ramirez",
        email="dana.ramirez@riverside.example",
        phone="+1 555 014 2277",
        agency="Riverside PD",
        nicknames=("Dee",),
    ),
    Identity(
        "Samuel Okafor",
        email="s.okafor@county-cps.example",
        phone="(555) 019-8841",
        agency="County CPS",
    ),
)
ROLES = ("police", "social-work")
SECONDS = 9.0


@dataclass
class Made:
    record: SessionRecord
    people: list[str]
    reviewed: Transcript
    deidentified: Transcript


def _words(text: str, start: float, end: float) -> tuple[Word, ...]:
    parts = text.split()
    step = (end - start) / max(1, len(parts))
    return tuple(
        Word(start + i * step, start + (i + 1) * step, " " + w, 0.9) for i, w in enumerate(parts)
    )


def make_session(pair: StudyPair, tmp: Path, *, paired: bool = False) -> Made:
    """Enrol one (or two) people, record ~9 s of tone as a session with three prompts, and
    seal a reviewed and a de-identified transcript."""
    study: Study = pair.study  # type: ignore[assignment]
    settings = study.settings
    if "years-band" not in settings.shared_attributes:
        study.save_settings(replace(settings, shared_attributes=("years-band",)))
    count = 2 if paired else 1
    people = [
        enrol(study, pair.codemap, PEOPLE[i], ROLES[i],  # type: ignore[arg-type]
              attributes={"years-band": "10-19"}).participant_id
        for i in range(count)
    ]  # fmt: skip
    t = np.arange(round(SECONDS * RATE)) / RATE
    tone = (0.1 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
    wav = write_wav(tmp / f"tone-{people[0]}.wav", tone)
    protocol = study_protocol(study)
    kind = SessionKind.PAIRED if paired else SessionKind.INDIVIDUAL
    record = create_session(study, protocol, kind, people)
    segments = import_files(study.vault, study.session_dir(record.session_id), [wav])
    ctl = open_controller(study, record.session_id)
    ctl.set_audio(AudioSettings("test", RATE, 1))
    for segment in segments:
        ctl.record_segment(segment)
    ctl.confirm_consent(dict.fromkeys(people, True))
    now = [0]
    ctl.set_clock(lambda: now[0])
    ctl.start_recording()
    for step, seconds in enumerate((3.0, 6.0), start=1):
        now[0] = round(seconds * RATE)
        ctl.jump_to(step)
    now[0] = ctl.record.audio_frames
    ctl.stop()
    record = ctl.record
    protocol = load_protocol_of(study, record)
    sections = sections_of(record, protocol)
    who = people[-1]
    name, email, phone = PEOPLE[0].name, PEOPLE[0].email, PEOPLE[0].phone
    placeholder = f"[{people[0]}, police]"
    lines = [
        (0.2, 1.4, INTERVIEWER, f"Thanks for coming, {name}. Could you read the first card?",
         f"Thanks for coming, {placeholder}. Could you read the first card?"),
        (1.5, 2.8, who, f"Sure. You can reach me at {email} or {phone} later.",
         "Sure. You can reach me at [EMAIL] or [PHONE] later."),
        (3.2, 4.5, INTERVIEWER, "What would you do first on this call?",
         "What would you do first on this call?"),
        (4.6, 5.8, who, "I'd ring Sergeant Whitlock & ask <her> about the history.",
         "I'd ring [PERSON-1] & ask <her> about the history."),
        (6.3, 8.6, who, f"Then Dee — that's me, {name} — would go in alone.",
         f"Then {placeholder} — that's me, {placeholder} — would go in alone."),
    ]  # fmt: skip
    reviewed, deidentified = [], []
    for start, end, speaker, text, safe in lines:
        base = Segment(start, end, round(start * RATE), round(end * RATE), text,
                       words=_words(text, start, end), speaker=speaker, verified=True,
                       prompt_index=next(s.prompt_index for s in reversed(sections)
                                         if s.start_sample <= round(start * RATE)))  # fmt: skip
        reviewed.append(base)
        deidentified.append(replace(base, text=safe))  # words left stale on purpose
    provenance = Provenance("micro.en", "0" * 64, False, "20250625", "cpu", {"language": "en"})
    made = []
    for kind_, segs in (
        (TranscriptKind.REVIEWED, reviewed),
        (TranscriptKind.DEIDENTIFIED, deidentified),
    ):
        transcript = Transcript(record.session_id, "en", RATE, tuple(segs), sections,
                                speaker_labels(record, protocol), provenance)  # fmt: skip
        save_transcript(study, transcript, kind_)
        made.append(transcript)
    return Made(record, people, made[0], made[1])


def identifying_strings() -> list[str]:
    """Names, nicknames, e-mail addresses and phone numbers of every code-map entry used."""
    out: list[str] = []
    for person in PEOPLE:
        out += [person.name, *person.name.split(), person.email, person.phone, *person.nicknames]
        out.append("".join(ch for ch in person.phone if ch.isdigit()))
    out.append("Whitlock")
    return out


AGE = shutil.which("age")


def age_decrypt_with_passphrase(path: Path, out: Path, passphrase: str) -> tuple[int, str]:
    """Run ``age -d`` in a pseudo-terminal and type the passphrase at its prompt."""
    assert AGE is not None
    pid, fd = pty.fork()
    if pid == 0:  # the child: age reads the passphrase from its terminal
        os.execv(AGE, [AGE, "-d", "-o", str(out), str(path)])
    seen = b""
    typed = False
    while True:
        ready, _, _ = select.select([fd], [], [], 60)
        if not ready:
            os.kill(pid, 9)
            break
        try:
            chunk = os.read(fd, 1024)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
        if not typed and b"passphrase" in seen.lower():
            os.write(fd, passphrase.encode() + b"\n")
            typed = True
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), seen.decode(errors="replace")


def age_decrypt_with_identity(path: Path, out: Path, key: Path) -> subprocess.CompletedProcess[str]:
    assert AGE is not None
    return subprocess.run(
        [AGE, "-d", "-i", str(key), "-o", str(out), str(path)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
