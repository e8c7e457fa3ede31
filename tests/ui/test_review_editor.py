"""The review editor with the real core: a stored, transcribed session in a real study vault,
the real player on the virtual PulseAudio device, autosave through the real vault."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QTextLayout
from pytestqt.qtbot import QtBot

from recorder.core.deid import Category
from recorder.core.review.storage import open_review
from recorder.core.session import INTERVIEWER, SessionState
from recorder.core.sessions import load_session, open_controller
from recorder.core.transcribe.transcript import (
    TranscriptKind,
    has_transcript,
    load_transcript,
    save_transcript,
)
from recorder.ui.review.playback import PlaybackModel
from recorder.ui.review.review_page import ReviewPage, open_review_page
from recorder.ui.review.turns_model import MARKS_ROLE
from tests.conftest import StudyPair
from tests.review_data import OFFICER, transcript, turn
from tests.sessions_with_audio import RATE, stopped_session, write_wav
from tests.ui.helpers import answer

pytestmark = [pytest.mark.gui]

TURNS = (
    ("Can you walk me through it?", 0.0, 0),
    ("I would slow everything down and talk to her.", 1.6, 0),
    ("Would you call anyone else at that point?", 3.2, 1),
    ("The crisis team if they are on shift.", 4.8, 1),
    ("What would change your mind?", 6.4, 2),
)


@pytest.fixture
def session_id(study_pair: StudyPair, tmp_path: Path) -> str:
    """A stopped, transcribed session (8 s of tone) with a five-turn machine transcript."""
    t = np.arange(RATE * 8) / RATE
    wav = write_wav(tmp_path / "tone.wav", (0.2 * np.sin(2 * np.pi * 220 * t)).astype(np.float32))
    record = stopped_session(study_pair, wav)
    open_controller(study_pair.study, record.session_id).mark_transcribed()  # type: ignore[arg-type]
    segments = tuple(
        turn(at, text, prompt=prompt, word_s=0.2, unsure=(1,) if i == 3 else ())
        for i, (text, at, prompt) in enumerate(TURNS)
    )
    save_transcript(study_pair.study, transcript(record.session_id, segments, sections=3))  # type: ignore[arg-type]
    return record.session_id


def shown(qtbot: QtBot, page: ReviewPage) -> ReviewPage:
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    qtbot.waitExposed(page)
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow, timeout=5000)
    page.list.setFocus()
    return page


@pytest.fixture
def page(qtbot: QtBot, study_pair: StudyPair, session_id: str) -> Iterator[ReviewPage]:
    """The editor without audio (playback is not needed for editing)."""
    doc = open_review(study_pair.study, session_id)  # type: ignore[arg-type]
    editor = shown(qtbot, ReviewPage(study_pair.study, doc, PlaybackModel()))  # type: ignore[arg-type]
    yield editor
    editor.shutdown()


@pytest.fixture
def playing_page(
    qtbot: QtBot, pulse: object, study_pair: StudyPair, session_id: str
) -> Iterator[ReviewPage]:
    """The editor with its audio decrypted and the real player on the virtual device."""
    editor = shown(qtbot, open_review_page(study_pair.study, session_id))  # type: ignore[arg-type]
    qtbot.waitUntil(lambda: editor.playback.ready, timeout=10000)
    yield editor
    editor.shutdown()


def key(qtbot: QtBot, page: ReviewPage, sequence: str) -> None:
    """Press a key combination the way a user does, on the focused widget."""
    from PySide6.QtGui import QKeySequence
    from PySide6.QtWidgets import QApplication

    combo = QKeySequence(sequence)[0]
    target = QApplication.focusWidget() or page
    qtbot.keyClick(target, combo.key(), combo.keyboardModifiers())


def word_point(page: ReviewPage, row: int, word: int) -> QPoint:
    """Where word ``word`` of turn ``row`` is drawn in the list's viewport."""
    from recorder.core.review.words import word_spans

    index = page.model.index(row, 0)
    page.list.scrollTo(index)
    _body, area = page.delegate.rects(page.list.visualRect(index), index)
    segment = page.document.segments[row]
    start, end = word_spans(segment)[word]
    layout: QTextLayout = page.delegate._layout(segment.text, area.width())
    line = layout.lineForTextPosition(start)
    x = (line.cursorToX(start)[0] + line.cursorToX(end)[0]) / 2
    return QPoint(area.left() + round(x), area.top() + round(line.y() + line.height() / 2))


# -- playback -----------------------------------------------------------------------------------


@pytest.mark.audio
def test_playback_highlights_and_follows_the_turn_being_played(
    qtbot: QtBot, playing_page: ReviewPage
) -> None:
    page = playing_page
    assert page.current_row == 0
    page.playback.seek(TURNS[1][1] - 0.3, play=True)
    qtbot.waitUntil(lambda: page.model.playing_row == 1, timeout=5000)
    qtbot.waitUntil(lambda: page.model.playing_row == 2, timeout=5000)
    assert page.current_row == 2  # the selection follows
    assert page.model.playing_word >= 0
    page.player.follow.setChecked(False)
    qtbot.waitUntil(lambda: page.model.playing_row == 3, timeout=5000)
    assert page.current_row == 2  # not followed any more: stays where the reviewer is
    key(qtbot, page, "Ctrl+Space")
    qtbot.waitUntil(lambda: not page.playback.playing, timeout=2000)
    at = page.playback.position_s
    key(qtbot, page, "Ctrl+B")
    qtbot.waitUntil(lambda: abs(page.playback.position_s - max(0.0, at - 5)) < 0.1, timeout=2000)


@pytest.mark.audio
def test_clicking_a_word_plays_from_that_word(qtbot: QtBot, playing_page: ReviewPage) -> None:
    page = playing_page
    target = page.document.segments[3].words[4]  # "they"
    seen: list[float] = []
    page.playback.position_changed.connect(seen.append)
    qtbot.mouseClick(page.list.viewport(), Qt.MouseButton.LeftButton, pos=word_point(page, 3, 4))
    assert page.playback.playing
    assert seen and abs(seen[0] - target.start) < 0.02  # seeked to the word
    qtbot.waitUntil(lambda: page.playback.position_s > target.start + 0.3, timeout=5000)
    assert page.model.playing_row == 3 and page.current_row == 3
    # a click beside the text plays the turn from its start
    index = page.model.index(1, 0)
    rect = page.list.visualRect(index)
    seen.clear()
    qtbot.mouseClick(
        page.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.topLeft() + QPoint(20, 14)
    )
    assert seen and abs(seen[0] - TURNS[1][1]) < 0.02


# -- editing ------------------------------------------------------------------------------------


def edit_current(qtbot: QtBot, page: ReviewPage, text: str) -> None:
    key(qtbot, page, "Return")
    editor = page.delegate.editor
    assert editor is not None and editor.hasFocus()
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    key(qtbot, page, "Return")
    assert page.delegate.editor is None


def test_edits_autosave_encrypted_and_survive_reopening(
    qtbot: QtBot, page: ReviewPage, study_pair: StudyPair, session_id: str
) -> None:
    study = study_pair.study
    key(qtbot, page, "Down")
    assert page.current_row == 1
    edit_current(qtbot, page, "I would slow everything right down and talk to her.")
    assert page.document.segments[1].text == "I would slow everything right down and talk to her."
    assert page.save_state.text() == "Unsaved changes…"
    qtbot.waitUntil(lambda: page.autosave.state == "saved", timeout=5000)  # ~1.5 s debounce
    assert has_transcript(study, session_id, TranscriptKind.REVIEWED)  # type: ignore[arg-type]
    raw = (study_pair.study_dir / "sessions" / session_id / "reviewed.json").read_bytes()
    assert b"right down" not in raw  # sealed by the vault
    reopened = open_review(study, session_id)  # type: ignore[arg-type]
    assert reopened.segments[1].text.endswith("right down and talk to her.")
    machine = load_transcript(study, session_id)  # type: ignore[arg-type]
    assert machine.segments[1].text == TURNS[1][0]  # the machine transcript is untouched

    key(qtbot, page, "Ctrl+Z")
    assert page.document.segments[1].text == TURNS[1][0]
    key(qtbot, page, "Ctrl+Shift+Z")
    assert "right down" in page.document.segments[1].text
    key(qtbot, page, "Ctrl+Z")
    page.shutdown()  # closing flushes at once
    assert open_review(study, session_id).segments[1].text == TURNS[1][0]  # type: ignore[arg-type]


def test_split_at_the_cursor_and_merge_back(qtbot: QtBot, page: ReviewPage) -> None:
    key(qtbot, page, "Down")
    key(qtbot, page, "Return")
    editor = page.delegate.editor
    assert editor is not None
    cursor = editor.textCursor()
    cursor.setPosition(TURNS[1][0].index("and"))
    editor.setTextCursor(cursor)
    key(qtbot, page, "Ctrl+Shift+S")
    assert [s.text for s in page.document.segments[1:3]] == [
        "I would slow everything down",
        "and talk to her.",
    ]
    assert page.model.rowCount() == 6 and page.current_row == 2
    assert page.document.segments[2].start == page.document.segments[1].words[-1].end + 0.02
    key(qtbot, page, "Up")
    key(qtbot, page, "Ctrl+Shift+M")
    assert page.document.segments[1].text == TURNS[1][0]
    assert page.model.rowCount() == 5


def test_speaker_for_one_turn_and_in_bulk_to_the_next_marker(
    qtbot: QtBot, page: ReviewPage
) -> None:
    assert [k for k, _ in page.speaker_choices()][:2] == [INTERVIEWER, OFFICER]
    key(qtbot, page, "Alt+2")  # the officer, from turn 1 up to the next prompt marker
    assert [s.speaker for s in page.document.segments] == [OFFICER, OFFICER, "", "", ""]
    assert page.current_row == 2  # ready for the next section
    key(qtbot, page, "Alt+1")
    assert [s.speaker for s in page.document.segments][2:] == [INTERVIEWER, INTERVIEWER, ""]
    assert page.current_row == 4
    key(qtbot, page, "Up")
    key(qtbot, page, "Up")
    key(qtbot, page, "Ctrl+2")  # one turn only
    assert [s.speaker for s in page.document.segments][2:] == [OFFICER, INTERVIEWER, ""]
    menu = page.speaker_menu.actions()
    menu[0].trigger()  # the menu does the same as the keys
    assert page.document.segments[2].speaker == INTERVIEWER
    key(qtbot, page, "Ctrl+Z")
    assert page.document.segments[2].speaker == OFFICER


def test_verify_turns_next_flag_and_the_whole_transcript(
    qtbot: QtBot, page: ReviewPage, study_pair: StudyPair, session_id: str
) -> None:
    key(qtbot, page, "Ctrl+Return")
    assert page.document.segments[0].verified and page.current_row == 1
    assert page.progress.text().startswith("1 of 5")
    key(qtbot, page, "F8")
    assert page.current_row == 3  # the turn with an unsure word
    key(qtbot, page, "Ctrl+Return")
    key(qtbot, page, "F8")
    assert "Nothing left to check" in page.message.text()
    page.finish_button.click()
    answer(qtbot, "Mark all verified")
    assert page.document.all_verified
    state = load_session(study_pair.study, session_id).state  # type: ignore[arg-type]
    assert state is SessionState.REVIEWED
    stored = open_review(study_pair.study, session_id)  # type: ignore[arg-type]
    assert all(s.verified for s in stored.segments)


# -- de-identification review -------------------------------------------------------------------

NAMED = (
    ("Can you tell me who you called first?", 0.0, 0),
    ("I called Dana Ramirez at Riverside PD straight away.", 1.6, 0),
    ("And then?", 3.2, 1),
    ("Dana Ramirez came over with the crisis team from Millbrook.", 4.8, 1),
)


@pytest.fixture
def named_session(study_pair: StudyPair, tmp_path: Path) -> str:
    """A transcribed, reviewed session whose text names someone in the code map."""
    from recorder.core.enrolment import enrol
    from recorder.core.model import Identity

    enrol(
        study_pair.study,
        study_pair.codemap,
        Identity("Dana Ramirez", agency="Riverside PD"),
        "police",
    )  # type: ignore[arg-type]
    wav = write_wav(tmp_path / "quiet.wav", np.zeros(RATE * 7, dtype=np.float32))
    record = stopped_session(study_pair, wav)
    open_controller(study_pair.study, record.session_id).mark_transcribed()  # type: ignore[arg-type]
    segments = tuple(turn(at, text, prompt=prompt, word_s=0.15) for text, at, prompt in NAMED)
    save_transcript(study_pair.study, transcript(record.session_id, segments, sections=2))  # type: ignore[arg-type]
    return record.session_id


@pytest.fixture
def redaction_page(qtbot: QtBot, study_pair: StudyPair, named_session: str) -> Iterator[ReviewPage]:
    doc = open_review(study_pair.study, named_session)  # type: ignore[arg-type]
    editor = shown(
        qtbot,
        ReviewPage(study_pair.study, doc, PlaybackModel(), codemap=study_pair.codemap),  # type: ignore[arg-type]
    )
    editor.redactions_button.click()
    qtbot.waitUntil(
        lambda: editor.redactions is not None and editor.redactions.ready, timeout=10000
    )
    yield editor
    editor.shutdown()


def decisions(page: ReviewPage) -> dict[str, str]:
    assert page.redactions is not None
    return {p.text: p.decision.value for p in page.redactions.proposals()}


def test_redactions_are_highlighted_and_accepted_or_rejected_by_key(
    qtbot: QtBot, redaction_page: ReviewPage, study_pair: StudyPair, named_session: str
) -> None:
    from recorder.core.deid.store import has_review, load_review

    page = redaction_page
    assert page.redactions is not None and page.redaction_panel is not None
    found = decisions(page)
    assert {"Dana Ramirez", "Riverside PD"} <= set(found)
    assert set(found.values()) == {"proposed"}
    first = page.current_proposal()
    assert first is not None and first.segment == 1 and page.current_row == 1
    marks = page.model.data(page.model.index(1, 0), MARKS_ROLE)
    assert (first.start, first.end, "current") in marks  # highlighted in the turn
    key(qtbot, page, "A")
    assert page.redactions.review is not None
    assert page.redactions.review.proposal(first.id).decision.value == "accepted"
    second = page.current_proposal()
    assert second is not None and second.id != first.id  # moved on to the next one
    key(qtbot, page, "R")
    assert page.redactions.review.proposal(second.id).decision.value == "rejected"
    stored = load_review(study_pair.codemap, named_session)  # type: ignore[arg-type]
    assert stored.proposal(first.id).decision.value == "accepted"  # kept in the code map
    assert has_review(study_pair.codemap, named_session)  # type: ignore[arg-type]
    key(qtbot, page, "Ctrl+Return")  # verifying still works; editing the text does not
    key(qtbot, page, "Ctrl+Shift+M")
    assert "Close the redactions" in page.message.text()
    assert page.model.rowCount() == len(NAMED)


def test_apply_to_all_occurrences_add_a_selection_and_create_the_deidentified_text(
    qtbot: QtBot, redaction_page: ReviewPage, study_pair: StudyPair, named_session: str
) -> None:
    page = redaction_page
    panel = page.redaction_panel
    assert panel is not None and page.redactions is not None
    dana = [p for p in page.redactions.proposals() if p.text == "Dana Ramirez"]
    assert len(dana) == 2
    panel.select(dana[0].id)
    panel.everywhere.setChecked(True)
    key(qtbot, page, "A")
    assert [page.redactions.review.proposal(p.id).decision.value for p in dana] == [  # type: ignore[union-attr]
        "accepted",
        "accepted",
    ]
    page.list.go_to(3)
    key(qtbot, page, "Return")  # opens the turn read-only, for selecting
    editor = page.delegate.editor
    assert editor is not None and editor.isReadOnly()
    text = NAMED[3][0]
    cursor = editor.textCursor()
    cursor.setPosition(text.index("Millbrook"))
    cursor.setPosition(text.index("Millbrook") + len("Millbrook"), cursor.MoveMode.KeepAnchor)
    editor.setTextCursor(cursor)
    panel.category.setCurrentIndex(panel.category.findData(Category.PLACE.value))
    key(qtbot, page, "D")
    added = [p for p in page.redactions.proposals() if p.text == "Millbrook"]
    assert len(added) == 1 and added[0].source == "manual" and added[0].decision.value == "accepted"
    with qtbot.waitSignal(page.deidentified, timeout=10000):
        panel.create_button.click()
    clean = load_transcript(study_pair.study, named_session, TranscriptKind.DEIDENTIFIED)  # type: ignore[arg-type]
    words = " ".join(s.text for s in clean.segments)
    assert "Dana" not in words and "Millbrook" not in words
    assert page.document.segments[1].text == NAMED[1][0]  # the reviewed text is untouched
