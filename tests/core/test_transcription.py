"""Transcribing stored sessions with the real whisper code in a real worker process.

The checkpoint has random weights (no weights can be downloaded here), so these tests assert
structure, never recognised text: where segments fall, what they are tied to, what is sealed,
how cancel and a killed worker behave, and that the queue survives a restart.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from recorder.core.errors import Cancelled
from recorder.core.jobs import CancelToken, Progress
from recorder.core.session import SessionState
from recorder.core.sessions import load_session
from recorder.core.transcribe.engine import Options
from recorder.core.transcribe.pipeline import ModelChoice, transcribe_session
from recorder.core.transcribe.transcript import (
    has_transcript,
    load_transcript,
    render_text,
    transcript_path,
)
from recorder.core.transcribe.work_queue import QueuedJob, TranscriptionQueue
from recorder.core.transcribe.worker import TranscriptionWorker, WorkerCrashed
from tests.conftest import StudyPair, wait_until
from tests.sessions_with_audio import RATE, stopped_session, write_wav
from tests.virtual_audio import speech

FAST = Options(temperature=(0.0,), sample_len=12)


@pytest.fixture(scope="module")
def worker(micro_checkpoint: Path) -> Iterator[TranscriptionWorker]:
    with TranscriptionWorker(str(micro_checkpoint)) as running:
        running.start()
        yield running


@pytest.fixture(scope="module")
def voice(tmp_path_factory: pytest.TempPathFactory) -> np.ndarray:
    out = tmp_path_factory.mktemp("voice") / "voice.wav"
    return speech("How would your team respond to this call tonight?", out)


def choice(path: Path) -> ModelChoice:
    return ModelChoice("micro.en", str(path), "0" * 64, official=False)


def interview(tmp_path: Path, voice: np.ndarray, gap_s: float = 12.0) -> Path:
    """Speech, a long silence, speech again: like a participant reading a vignette."""
    gap = np.zeros(round(gap_s * RATE), dtype=np.float32)
    return write_wav(tmp_path / "interview.wav", np.concatenate([voice, gap, voice]))


def test_a_session_becomes_a_sealed_transcript_tied_to_its_prompts(
    study_pair: StudyPair,
    tmp_path: Path,
    voice: np.ndarray,
    worker: TranscriptionWorker,
    micro_checkpoint: Path,
) -> None:
    wav = interview(tmp_path, voice)
    second_prompt_s = len(voice) / RATE + 6.0
    record = stopped_session(study_pair, wav, prompts_at=[second_prompt_s])
    seen: list[Progress] = []
    transcript = transcribe_session(
        study_pair.study,  # type: ignore[arg-type]
        record.session_id,
        choice(micro_checkpoint),
        worker,
        options=FAST,
        progress=seen.append,
    )
    study = study_pair.study
    assert load_session(study, record.session_id).state is SessionState.TRANSCRIBED  # type: ignore[arg-type]
    stored = load_transcript(study, record.session_id)  # type: ignore[arg-type]
    assert stored == transcript
    # provenance: the model's identity, whisper's version, the options, the silence skipped
    p = stored.provenance
    assert (p.model_name, p.model_official, p.device) == ("micro.en", False, "cpu")
    assert p.whisper_version and p.options["temperature"] == [0.0]
    assert p.vad["skipped_seconds"] > 8.0  # most of the 12-s silence was never transcribed
    # segments lie on the session timeline, sample indices at the session's rate
    total_s = record.audio_frames / RATE
    assert stored.segments and stored.language == "en"
    for seg in stored.segments:
        assert 0 <= seg.start <= seg.end <= total_s + 0.01
        assert seg.start_sample == round(seg.start * RATE)
        assert all(seg.start - 0.01 <= w.start <= w.end <= seg.end + 0.01 for w in seg.words)
        assert seg.speaker == ""  # single channel: unassigned until review
        expected = 1 if seg.start_sample >= round(second_prompt_s * RATE) else 0
        assert seg.prompt_index == expected
    assert [s.prompt_index for s in stored.sections] == [0, 1]
    assert stored.sections[0].title and "## " + stored.sections[0].title in render_text(stored)
    # progress went forward to the end, with audio position, elapsed time and time left
    fractions = [x.fraction for x in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert any("of audio" in x.message and "elapsed" in x.message for x in seen)
    # sealed: no segment text appears in the file on disk
    raw = study.vault.path(transcript_path(study, record.session_id)).read_bytes()  # type: ignore[attr-defined]
    for seg in stored.segments:
        if len(seg.text) > 6:
            assert seg.text.encode() not in raw


def test_cancel_stops_the_worker_and_leaves_the_session_as_it_was(
    study_pair: StudyPair, tmp_path: Path, voice: np.ndarray, micro_checkpoint: Path
) -> None:
    talk = np.tile(voice, 30)  # about a minute and a half of speech
    record = stopped_session(study_pair, write_wav(tmp_path / "long.wav", talk))
    cancel = CancelToken()
    outcome: list[BaseException] = []
    started = threading.Event()

    def run() -> None:
        try:
            transcribe_session(
                study_pair.study,  # type: ignore[arg-type]
                record.session_id,
                choice(micro_checkpoint),
                solo,
                options=Options(temperature=(0.0,)),
                progress=lambda p: started.set() if "elapsed" in p.message else None,
                cancel=cancel,
            )
        except BaseException as exc:
            outcome.append(exc)

    solo = TranscriptionWorker(str(micro_checkpoint))
    thread = threading.Thread(target=run)
    thread.start()
    assert started.wait(120), "no progress from the worker"
    pid = solo.pid
    cancel.cancel()
    thread.join(30)
    assert isinstance(outcome[0], Cancelled)
    assert not solo.alive and pid is not None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    after = load_session(study_pair.study, record.session_id)  # type: ignore[arg-type]
    assert after.state is SessionState.STOPPED
    assert not has_transcript(study_pair.study, record.session_id)  # type: ignore[arg-type]


def test_a_killed_worker_is_reported_and_the_session_can_be_transcribed_again(
    study_pair: StudyPair, tmp_path: Path, voice: np.ndarray, micro_checkpoint: Path
) -> None:
    record = stopped_session(study_pair, interview(tmp_path, voice, gap_s=1.0))
    doomed = TranscriptionWorker(str(micro_checkpoint))
    doomed.start()
    assert doomed.pid is not None
    os.kill(doomed.pid, signal.SIGKILL)
    with pytest.raises(WorkerCrashed) as caught:
        transcribe_session(
            study_pair.study,  # type: ignore[arg-type]
            record.session_id,
            choice(micro_checkpoint),
            doomed,
            options=FAST,
        )
    assert "signal 9" in str(caught.value) and "intact" in str(caught.value)
    assert load_session(study_pair.study, record.session_id).state is SessionState.STOPPED  # type: ignore[arg-type]
    with TranscriptionWorker(str(micro_checkpoint)) as fresh:
        transcribe_session(
            study_pair.study,  # type: ignore[arg-type]
            record.session_id,
            choice(micro_checkpoint),
            fresh,
            options=FAST,
        )
    assert has_transcript(study_pair.study, record.session_id)  # type: ignore[arg-type]


def test_the_queue_survives_a_restart_and_resumes_interrupted_work(
    study_pair: StudyPair,
    tmp_path: Path,
    voice: np.ndarray,
    worker: TranscriptionWorker,
    micro_checkpoint: Path,
) -> None:
    first = stopped_session(study_pair, interview(tmp_path, voice, gap_s=0.5))
    second = stopped_session(study_pair, interview(tmp_path, voice, gap_s=0.5))
    queue = TranscriptionQueue(study_pair.study)  # type: ignore[arg-type]
    for record in (first, second):
        queue.add(QueuedJob(record.session_id, str(micro_checkpoint)))
    cancel = CancelToken()

    def transcribe(job: QueuedJob, token: CancelToken | None) -> None:
        if job.session_id == first.session_id and not cancel.cancelled:
            cancel.cancel()  # the app quits while the first session is being transcribed
        if token is not None:
            token.check()
        transcribe_session(
            study_pair.study,  # type: ignore[arg-type]
            job.session_id,
            choice(micro_checkpoint),
            worker,
            options=FAST,
        )

    with pytest.raises(Cancelled):
        list(queue.run(transcribe, cancel=cancel))
    # "restart": a new queue object reads the sealed file and finishes both
    reopened = TranscriptionQueue(study_pair.study)  # type: ignore[arg-type]
    assert [j.session_id for j in reopened.pending()] == [first.session_id, second.session_id]
    done = [(job.session_id, error) for job, error in reopened.run(transcribe)]
    assert done == [(first.session_id, None), (second.session_id, None)]
    assert reopened.jobs() == []
    assert all(has_transcript(study_pair.study, r.session_id) for r in (first, second))  # type: ignore[arg-type]


def test_two_channels_attribute_each_word_to_the_speaker_whose_channel_carries_it(
    study_pair: StudyPair, tmp_path: Path, voice: np.ndarray
) -> None:
    """Officer on the left channel, interviewer on the right, at known times. Random weights
    put words anywhere, so the words are laid where the voices were played (the real audio
    and the real attribution code decide; the test knows who was played where)."""
    from recorder.core.transcribe.speakers import attribute_speakers
    from recorder.core.transcribe.transcript import Segment, Word

    n = len(voice)
    gap = round(0.5 * RATE)
    stereo = np.zeros((2 * n + gap, 2), dtype=np.float32)
    stereo[:n, 0] = voice  # officer: left, first
    stereo[n + gap :, 1] = voice  # interviewer: right, second
    stereo[:n, 1] += voice * 0.05  # bleed into the other microphone
    stereo[n + gap :, 0] += voice * 0.05
    record = stopped_session(
        study_pair,
        write_wav(tmp_path / "paired.wav", stereo),
        roles=("police", "social-work"),
        channel_map={0: "p0", 1: "interviewer"},
    )
    officer = record.participants[0].participant_id
    first_s, second_s = n / RATE, (n + gap) / RATE
    words = (
        Word(0.2, first_s - 0.2, " first", 0.9),
        Word(second_s + 0.2, second_s + first_s - 0.2, " second", 0.9),
    )
    mixed = Segment(0.2, words[-1].end, 0, 0, "first second", words=words)
    out = attribute_speakers((mixed,), stereo, RATE, record.audio.channel_map, RATE)
    assert [(s.speaker, s.text) for s in out] == [(officer, " first"), ("interviewer", " second")]
    assert out[1].start_sample == round(words[1].start * RATE)


def test_worker_reports_progress_in_order(worker: TranscriptionWorker, voice: np.ndarray) -> None:
    long = np.tile(voice, 12)  # over 30 s: more than one whisper window
    seen: list[float] = []
    result = worker.transcribe(long, FAST, detector=None, progress=seen.append)
    wait_until(lambda: bool(seen))
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) >= 2
    assert result["regions"] == [[0, len(long)]]
