"""The review document: edits, undo/redo, storage beside the untouched machine transcript,
the corrections diff and finishing a review through the session state machine."""

from __future__ import annotations

from dataclasses import replace

import pytest

from recorder.core.errors import UsageError
from recorder.core.review.corrections import corrections, render_corrections
from recorder.core.review.document import ReviewDocument
from recorder.core.review.storage import finish_review, open_review, save_review
from recorder.core.review.waveform import peaks
from recorder.core.review.words import realign, word_spans
from recorder.core.session import INTERVIEWER, SessionState
from recorder.core.sessions import load_session
from recorder.core.transcribe.transcript import TranscriptKind, load_transcript, save_transcript
from tests.conftest import StudyPair
from tests.review_data import OFFICER, interview, transcript, turn


def small() -> ReviewDocument:
    segments = (
        turn(0.0, "Can you walk me through it?", prompt=0),
        turn(3.0, "I would slow everything down and talk to her.", prompt=0, unsure=(2,)),
        turn(7.0, "Would you call anyone else?", prompt=1),
        turn(10.0, "The crisis team if they are on shift.", prompt=1),
        turn(14.0, "What would change your mind?", prompt=2),
    )
    return ReviewDocument(transcript("S-TEST1", segments, sections=3))


def test_editing_text_keeps_the_timing_of_unchanged_words() -> None:
    doc = small()
    before = doc.segments[1]
    doc.edit_text(1, "I would slow everything right down and talk to her.")
    after = doc.segments[1]
    assert after.text == "I would slow everything right down and talk to her."
    assert [w.text.strip() for w in after.words] == after.text.split()
    assert after.words[0] == before.words[0]
    assert after.words[-1].start == before.words[-1].start
    assert after.words[4].probability == 1.0  # typed: certain
    assert "low-confidence" in after.flags  # word 2 is still whisper's unsure word
    doc.edit_text(1, "I would calm everything right down and talk to her.")
    assert "low-confidence" not in doc.segments[1].flags  # the unsure word was corrected
    assert doc.machine.segments[1] == before


def test_split_goes_by_word_time_and_merge_joins_back() -> None:
    doc = small()
    original = doc.segments[1]
    offset = original.text.index("and")
    change = doc.split(1, offset)
    assert (change.start, change.removed, change.inserted) == (1, 1, 2)
    one, two = doc.segments[1:3]
    assert one.text == "I would slow everything down"
    assert two.text == "and talk to her."
    assert two.start == original.words[5].start == one.end
    assert two.start_sample == round(two.start * 16_000)
    assert len(one.words) + len(two.words) == len(original.words)
    with pytest.raises(UsageError):
        doc.split(1, 0)
    doc.merge(1)
    assert doc.segments[1].text == original.text
    assert doc.segments[1].words == original.words
    with pytest.raises(UsageError):
        doc.merge(len(doc) - 1)


def test_undo_and_redo_walk_back_and_forth() -> None:
    doc = small()
    start = doc.segments
    seen = []
    doc.subscribe(seen.append)
    doc.edit_text(0, "Could you walk me through it?")
    doc.split(1, 8)
    doc.set_verified(0)
    assert doc.undo_label == "Mark verified"
    while doc.can_undo:
        doc.undo()
    assert doc.segments == start
    assert not doc.can_undo and doc.can_redo
    doc.redo()
    assert doc.segments[0].text == "Could you walk me through it?"
    doc.set_speaker(0, INTERVIEWER)
    assert not doc.can_redo  # a new edit drops the redo stack
    assert len(seen) == 3 + 3 + 1 + 1
    assert doc.revision == len(seen)


def test_bulk_speaker_runs_to_the_next_marker() -> None:
    doc = small()
    doc.set_speaker_to_marker(2, OFFICER)
    assert [s.speaker for s in doc.segments] == ["", "", OFFICER, OFFICER, ""]
    doc.set_speaker_to_marker(0, INTERVIEWER)
    assert [s.speaker for s in doc.segments][:2] == [INTERVIEWER, INTERVIEWER]
    doc.undo()
    assert [s.speaker for s in doc.segments][:2] == ["", ""]


def test_next_flag_skips_verified_turns_and_wraps() -> None:
    doc = small()
    assert doc.next_flag(-1) == 1
    assert doc.next_flag(1) == 1  # the only one: wraps back to itself
    doc.set_verified(1)
    assert doc.next_flag(0) is None
    assert doc.turn_at(8.0) == 2 and doc.turn_at(-1.0) is None


def test_word_spans_and_realign_without_word_timings() -> None:
    seg = turn(0.0, "One two, three.")
    assert [seg.text[a:b] for a, b in word_spans(seg)] == ["One", "two,", "three."]
    assert realign(replace(seg, words=()), "One two") == ()


def test_review_saves_beside_the_machine_transcript_and_reopens(study_pair: StudyPair) -> None:
    study = study_pair.study
    machine = interview("S-AAAA1", words=200)
    save_transcript(study, machine)  # type: ignore[arg-type]
    doc = open_review(study, "S-AAAA1")  # type: ignore[arg-type]
    assert doc.transcript == machine
    doc.edit_text(0, "Edited by a person.")
    save_review(study, doc.transcript)  # type: ignore[arg-type]
    again = open_review(study, "S-AAAA1")  # type: ignore[arg-type]
    assert again.segments[0].text == "Edited by a person."
    assert again.machine == machine
    stored = load_transcript(study, "S-AAAA1", TranscriptKind.MACHINE)  # type: ignore[arg-type]
    assert stored == machine
    raw = (study_pair.study_dir / "sessions" / "S-AAAA1" / "reviewed.json").read_bytes()  # type: ignore[operator]
    assert b"Edited by a person" not in raw  # sealed


def test_corrections_survive_splits_and_speaker_changes() -> None:
    doc = small()
    doc.edit_text(1, "I would calm everything down and talk to him.")
    doc.split(1, doc.segments[1].text.index("and"))
    doc.set_speaker(0, INTERVIEWER)
    result = corrections(doc.machine, doc.transcript)
    by_index = {t.index: t for t in result.turns}
    assert set(by_index) == {0, 1, 2}
    assert [(c.before, c.after) for c in by_index[1].changes] == [("slow", "calm")]
    assert [(c.before, c.after) for c in by_index[2].changes] == [("her.", "him.")]
    assert by_index[0].speaker_changed and not by_index[0].changes
    assert result.words_changed == 2
    text = render_corrections(result, doc.transcript.speakers)
    assert "'slow' -> 'calm'" in text
    assert "speaker: Unassigned speaker -> Interviewer" in text


def test_finishing_needs_every_turn_verified_and_marks_the_session(
    study_pair: StudyPair, tmp_path: object
) -> None:
    import numpy as np

    from recorder.core.sessions import open_controller
    from tests.sessions_with_audio import stopped_session, write_wav

    wav = write_wav(tmp_path / "a.wav", np.zeros(16_000, dtype=np.float32))  # type: ignore[operator]
    record = stopped_session(study_pair, wav)
    open_controller(study_pair.study, record.session_id).mark_transcribed()  # type: ignore[arg-type]
    machine = interview(record.session_id, words=60)
    save_transcript(study_pair.study, machine)  # type: ignore[arg-type]
    doc = open_review(study_pair.study, record.session_id)  # type: ignore[arg-type]
    with pytest.raises(UsageError):
        finish_review(study_pair.study, doc)  # type: ignore[arg-type]
    doc.verify_all()
    assert finish_review(study_pair.study, doc) is SessionState.REVIEWED  # type: ignore[arg-type]
    state = load_session(study_pair.study, record.session_id).state  # type: ignore[arg-type]
    assert state is SessionState.REVIEWED
    assert finish_review(study_pair.study, doc) is SessionState.REVIEWED  # type: ignore[arg-type]


def test_peaks_are_normalised() -> None:
    import numpy as np

    audio = np.concatenate([np.zeros(100), np.full(100, 0.5)]).astype(np.float32)
    assert peaks(audio, 4) == [0.0, 0.0, 1.0, 1.0]
    assert peaks(audio[:0], 4) == []
