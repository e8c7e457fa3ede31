"""Transcribing stored sessions with the real engines in a real worker process.

What is heard (words, their times, the silence skipped, progress through real speech) is
checked with the real built-in model (whisper tiny.en, faster-whisper int8) on real human
speech with known speech onsets (tests/real_speech.py). Cancel runs on both engines (random
weights on openai-whisper, the real model on faster-whisper); a killed worker on a random-weight
checkpoint (tests/checkpoints.py): there only the process and the session matter.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from recorder.core.errors import Cancelled
from recorder.core.jobs import CancelToken, Progress
from recorder.core.session import SessionState
from recorder.core.sessions import load_session
from recorder.core.transcribe import models, vad
from recorder.core.transcribe.pipeline import transcribe_session
from recorder.core.transcribe.service import Transcriber
from recorder.core.transcribe.transcript import (
    has_transcript,
    load_transcript,
    render_text,
    transcript_path,
)
from recorder.core.transcribe.work_queue import QueuedJob, TranscriptionQueue
from recorder.core.transcribe.worker import TranscriptionWorker, WorkerCrashed
from tests.conftest import StudyPair, wait_until
from tests.real_model import RANDOM_FAST, REAL, Weights, onset_errors, text_of, words_of
from tests.real_speech import interview_mix, wer
from tests.sessions_with_audio import RATE, stopped_session, write_wav
from tests.virtual_audio import speech

#: Three speakers, with a long silence after the first answer (the detector skips it).
CLIPS = ["librispeech_1688-142285-0002", "vctk_p226_008", "librispeech_367-130732-0004"]
#: Ten clips, eight speakers, ~80 s of talk.
LONG_TALK = [
    "librispeech_3080-5032-0001",
    "vctk_p226_008",
    "librispeech_533-1066-0001",
    "vctk_p228_005",
    "librispeech_3005-163389-0009",
    "ljspeech_LJ001-0010",
    "librispeech_367-130732-0002",
    "vctk_p225_023",
    "librispeech_533-1066-0007",
    "vctk_p227_023",
]


@pytest.fixture(scope="module")
def worker(builtin: Weights) -> Iterator[TranscriptionWorker]:
    """The real built-in model, loaded once for the module."""
    with TranscriptionWorker(builtin.spec) as running:
        running.start()
        yield running


@pytest.fixture(scope="module")
def voice(tmp_path_factory: pytest.TempPathFactory) -> np.ndarray:
    out = tmp_path_factory.mktemp("voice") / "voice.wav"
    return speech("How would your team respond to this call tonight?", out)


def interview(tmp_path: Path, voice: np.ndarray, gap_s: float = 12.0) -> Path:
    """Speech, a long silence, speech again: like a participant reading a vignette."""
    gap = np.zeros(round(gap_s * RATE), dtype=np.float32)
    return write_wav(tmp_path / "interview.wav", np.concatenate([voice, gap, voice]))


def test_a_session_becomes_a_sealed_transcript_tied_to_its_prompts(
    study_pair: StudyPair, tmp_path: Path, worker: TranscriptionWorker, builtin: Weights
) -> None:
    mix = interview_mix(CLIPS, [12.0, 3.0])  # ~32 s: an answer, 12 s of silence, two more
    second_prompt_s = mix.turns[1].start_s - 2.0  # in the silence before the second speaker
    wav = write_wav(tmp_path / "interview.wav", mix.audio)
    record = stopped_session(study_pair, wav, prompts_at=[second_prompt_s])
    seen: list[Progress] = []
    transcript = transcribe_session(
        study_pair.study,  # type: ignore[arg-type]
        record.session_id,
        builtin.source,
        worker,
        options=REAL,
        progress=seen.append,
    )
    study = study_pair.study
    assert load_session(study, record.session_id).state is SessionState.TRANSCRIBED  # type: ignore[arg-type]
    stored = load_transcript(study, record.session_id)  # type: ignore[arg-type]
    assert stored == transcript
    # provenance: the model's package, file hash, engine and arithmetic, the options, the VAD
    p = stored.provenance
    assert (p.model_name, p.model_official, p.device) == ("tiny.en", True, "cpu")
    assert p.model_package == f"{models.BUILTIN_PACKAGE} {models.BUILTIN_VERSION}"
    assert p.model_sha256 == models.BUILTIN_SHA256
    assert (p.engine, p.compute_type, p.mode) == ("faster-whisper", "int8", "after")
    assert p.engine_version.startswith("faster-whisper ") and p.options["beam_size"] == 5
    assert p.vad["detector"] == "silero"
    # most of the 12-s silence skipped, and no speech
    silence_s = len(mix.audio) / RATE - sum(t.end_s - t.start_s for t in mix.turns)
    assert 8.0 < p.vad["skipped_seconds"] <= silence_s, (p.vad, silence_s)
    # the words: what the three speakers said, each answer under the prompt on screen
    assert stored.language == "en"
    heard = text_of(stored.segments)
    assert wer(mix.text, heard) <= 0.10, heard
    before = text_of(s for s in stored.segments if s.prompt_index == 0)
    after = text_of(s for s in stored.segments if s.prompt_index == 1)
    assert "so silly" in before.lower() and "so silly" not in after.lower(), (before, after)
    # TODO(prompts): assert wer(mix.turns[1].text + " " + mix.turns[2].text, after) <= 0.10 once
    # a segment spanning a prompt change is split there (see the xfail test below): whisper
    # may now hear all three answers, across the joints, as one segment starting under prompt 0
    # times on the session timeline: each answer's first word at its known speech onset
    errors = onset_errors(words_of(stored.segments), mix.turns)
    assert all(abs(e) <= 0.3 for e in errors), errors
    total_s = record.audio_frames / RATE
    silence = (mix.turns[0].end_s + 0.5, mix.turns[1].start_s - 0.5)
    for seg in stored.segments:
        assert 0 <= seg.start <= seg.end <= total_s + 0.01
        assert seg.start_sample == round(seg.start * RATE)
        assert all(seg.start - 0.01 <= w.start <= w.end <= seg.end + 0.01 for w in seg.words)
        assert seg.speaker == ""  # single channel: unassigned until review
        expected = 1 if seg.start_sample >= round(second_prompt_s * RATE) else 0
        assert seg.prompt_index == expected
        # nothing starts in the 12-s silence: no segment, no word heard there
        assert not silence[0] < seg.start < silence[1], seg
        assert not [w for w in seg.words if silence[0] < w.start < silence[1]], seg
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


@pytest.mark.parametrize("weights", ["micro", "builtin"])
def test_cancel_stops_the_worker_and_leaves_the_session_as_it_was(
    study_pair: StudyPair,
    tmp_path: Path,
    voice: np.ndarray,
    weights: str,
    request: pytest.FixtureRequest,
) -> None:
    """Cancel on both engines: openai-whisper (random weights) and faster-whisper with the real
    model, whose decoding runs in native threads."""
    model: Weights = request.getfixturevalue(weights)
    if weights == "micro":
        talk = np.tile(voice, 30)  # about a minute and a half of speech
    else:  # real speech (a sentence said 30 times over sends whisper into its retries)
        talk = interview_mix(LONG_TALK, [0.5] * len(LONG_TALK)).audio  # ~80 s
    record = stopped_session(study_pair, write_wav(tmp_path / "long.wav", talk))
    cancel = CancelToken()
    outcome: list[BaseException] = []
    started = threading.Event()
    # random weights: 64 tokens a window (~4 s each here) leaves windows to go after the first
    # progress; no voice-activity detection (the neural detector costs seconds, tells nothing)
    options = replace(RANDOM_FAST, sample_len=64) if weights == "micro" else REAL

    def run() -> None:
        try:
            transcribe_session(
                study_pair.study,  # type: ignore[arg-type]
                record.session_id,
                model.source,
                solo,
                options=options,
                detector=None,
                progress=lambda p: started.set() if "elapsed" in p.message else None,
                cancel=cancel,
            )
        except BaseException as exc:
            outcome.append(exc)

    solo = TranscriptionWorker(model.spec)
    thread = threading.Thread(target=run)
    thread.start()
    assert started.wait(120), "no progress from the worker"
    pid = solo.pid
    cancel.cancel()
    thread.join(30)
    assert outcome and isinstance(outcome[0], Cancelled), outcome
    assert not solo.alive and pid is not None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    after = load_session(study_pair.study, record.session_id)  # type: ignore[arg-type]
    assert after.state is SessionState.STOPPED
    assert not has_transcript(study_pair.study, record.session_id)  # type: ignore[arg-type]


def test_a_killed_worker_is_reported_and_the_session_can_be_transcribed_again(
    study_pair: StudyPair, tmp_path: Path, voice: np.ndarray, micro: Weights
) -> None:
    record = stopped_session(study_pair, interview(tmp_path, voice, gap_s=1.0))
    doomed = TranscriptionWorker(micro.spec)
    doomed.start()
    assert doomed.pid is not None
    os.kill(doomed.pid, signal.SIGKILL)
    with pytest.raises(WorkerCrashed) as caught:
        transcribe_session(
            study_pair.study,  # type: ignore[arg-type]
            record.session_id,
            micro.source,
            doomed,
            options=RANDOM_FAST,
            detector=None,
        )
    assert "signal 9" in str(caught.value) and "intact" in str(caught.value)
    assert load_session(study_pair.study, record.session_id).state is SessionState.STOPPED  # type: ignore[arg-type]
    with TranscriptionWorker(micro.spec) as fresh:
        transcribe_session(
            study_pair.study,  # type: ignore[arg-type]
            record.session_id,
            micro.source,
            fresh,
            options=RANDOM_FAST,
            detector=None,
        )
    assert has_transcript(study_pair.study, record.session_id)  # type: ignore[arg-type]


def test_the_queue_survives_a_restart_and_resumes_interrupted_work(
    study_pair: StudyPair,
    tmp_path: Path,
    voice: np.ndarray,
    worker: TranscriptionWorker,
    builtin: Weights,
) -> None:
    first = stopped_session(study_pair, interview(tmp_path, voice, gap_s=0.5))
    second = stopped_session(study_pair, interview(tmp_path, voice, gap_s=0.5))
    queue = TranscriptionQueue(study_pair.study)  # type: ignore[arg-type]
    for record in (first, second):
        queue.add(QueuedJob(record.session_id, models.BUILTIN))
    cancel = CancelToken()

    def transcribe(job: QueuedJob, token: CancelToken | None) -> None:
        if job.session_id == first.session_id and not cancel.cancelled:
            cancel.cancel()  # the app quits while the first session is being transcribed
        if token is not None:
            token.check()
        transcribe_session(
            study_pair.study,  # type: ignore[arg-type]
            job.session_id,
            builtin.source,
            worker,
            options=REAL,
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
    """Officer on the left channel, interviewer on the right, at known times. No model here:
    words are laid exactly where the voices were played, so the real audio and the real
    attribution code alone decide (test_paired_transcription checks it with the real model)."""
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


@pytest.mark.xfail(
    strict=True,
    reason="recorder/core/transcribe/pipeline.py build_transcript/_with_prompt: a segment gets "
    "the prompt on screen at its start, and a segment that spans a prompt change is not split "
    "there, so every word after the change is filed under the previous prompt (seen with the "
    "real model: three answers joined across VAD joints came back as one segment)",
)
def test_an_answer_given_after_the_prompt_changed_is_under_the_new_prompt(
    study_pair: StudyPair, tmp_path: Path
) -> None:
    """No model: whisper's result is laid out by hand, one segment across the change."""
    from recorder.core.sessions import load_protocol_of
    from recorder.core.transcribe.pipeline import build_transcript, session_audio
    from recorder.core.transcribe.transcript import Provenance

    wav = write_wav(tmp_path / "quiet.wav", np.zeros(30 * RATE, dtype=np.float32))
    record = stopped_session(study_pair, wav, prompts_at=[10.0])

    def word(start: float, text: str) -> dict[str, object]:
        return {"start": start, "end": start + 0.4, "word": text, "probability": 0.9}

    words = [word(1.0, " I"), word(1.5, " call"), word(20.0, " we"), word(20.5, " wait")]
    segment = {"start": 1.0, "end": 20.9, "text": " I call we wait", "words": words,
               "avg_logprob": -0.2, "no_speech_prob": 0.01, "compression_ratio": 1.1}  # fmt: skip
    speech = [[RATE, 2 * RATE], [20 * RATE, 21 * RATE]]
    raw = {"language": "en", "segments": [segment], "speech": speech, "regions": speech}
    study = study_pair.study
    transcript = build_transcript(
        record,
        load_protocol_of(study, record),  # type: ignore[arg-type]
        raw,
        session_audio(study, record),  # type: ignore[arg-type]
        Provenance("tiny.en", models.BUILTIN_SHA256, True, "", "cpu"),
    )
    under = {i: [w.text for s in transcript.segments if s.prompt_index == i for w in s.words]
             for i in (0, 1)}  # fmt: skip
    assert under == {0: [" I", " call"], 1: [" we", " wait"]}


def test_worker_reports_progress_in_order(worker: TranscriptionWorker) -> None:
    mix = interview_mix(LONG_TALK[:4], [0.5] * 3)  # ~36 s: more than one whisper window
    seen: list[float] = []
    result = worker.transcribe(mix.audio, REAL, detector=None, progress=seen.append)
    wait_until(lambda: bool(seen))
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) >= 2
    assert result["regions"] == [[0, len(mix.audio)]]
    heard = " ".join(s["text"] for s in result["segments"])
    assert wer(mix.text, heard) <= 0.10, heard


@pytest.mark.xfail(
    strict=True,
    reason="recorder/core/transcribe/service.py Transcriber.run_job hands one progress callback "
    "to prepare() (model.bin's SHA256 check, 0-100 %) and to transcribe_session (0-100 %): on "
    "a model's first use the bar fills while the model is checked, then starts again at 0",
)
def test_a_first_model_check_and_the_transcription_share_one_progress_bar(
    study_pair: StudyPair, tmp_path: Path, voice: np.ndarray, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # model.bin's hash not known yet
    record = stopped_session(study_pair, interview(tmp_path, voice, gap_s=0.5))
    cancel = CancelToken()
    seen: list[Progress] = []

    def progress(_session_id: str, report: Progress) -> None:
        seen.append(report)
        if report.message.startswith("Decrypting"):  # the model is checked: enough seen
            cancel.cancel()

    transcriber = Transcriber(study_pair.study, progress=progress)  # type: ignore[arg-type]
    try:
        with pytest.raises(Cancelled):
            transcriber.run_job(QueuedJob(record.session_id, models.BUILTIN), cancel)
    finally:
        transcriber.close()
    assert any("SHA256" in p.message for p in seen)  # the first check was shown
    fractions = [p.fraction for p in seen]
    assert fractions == sorted(fractions), [(round(p.fraction, 2), p.message) for p in seen]


@pytest.mark.xfail(
    strict=True,
    reason="recorder/core/transcribe/engine.py Engine.transcribe: in a window under 30 s, "
    "tiny.en (through our pipeline and in plain faster-whisper alike) ends after the first "
    "answer, so the second answer (speech detected at 7.4-13.1 s) gets no words: nothing "
    "decodes again the detected speech left without words, and the answer is lost",
)
def test_every_answer_the_detector_heard_gets_its_words(worker: TranscriptionWorker) -> None:
    mix = interview_mix(["vctk_p228_024", "librispeech_367-130732-0004"], [1.0], lead_s=0.25)
    result = worker.transcribe(mix.audio, REAL, detector=vad.DEFAULT_DETECTOR)
    words = [(w["start"], w["end"]) for s in result["segments"] for w in s["words"]]
    speech = [(a / RATE, b / RATE) for a, b in result["speech"]]
    assert len(speech) == 2, speech  # both answers were heard
    for start, end in speech:
        assert any(a < end and b > start for a, b in words), (start, end, words[-1])
    heard = " ".join(s["text"] for s in result["segments"])
    assert wer(mix.text, heard) <= 0.10, heard
