"""The study home opens the review editor and the export dialog (menu, keys and buttons)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from recorder.core.sessions import open_controller
from recorder.core.study import Study
from recorder.core.transcribe.transcript import TranscriptKind, load_transcript, save_transcript
from recorder.ui.export_dialog import ExportDialog
from recorder.ui.review.review_page import ReviewPage
from tests.conftest import StudyPair
from tests.export_helpers import make_session
from tests.ui.helpers import open_study_unlocked, show_main_window

pytestmark = [pytest.mark.gui]


def transcribed_session(pair: StudyPair, tmp_path: Path) -> str:
    """A session with a machine transcript (the reviewed text stands in for whisper's)."""
    study: Study = pair.study  # type: ignore[assignment]
    made = make_session(pair, tmp_path)
    session_id = made.record.session_id
    save_transcript(study, made.reviewed, TranscriptKind.MACHINE)
    open_controller(study, session_id).mark_transcribed()
    return session_id


def test_review_opens_from_the_study_home_and_goes_back(
    qtbot: QtBot, study_pair: StudyPair, tmp_path: Path
) -> None:
    session_id = transcribed_session(study_pair, tmp_path)
    window = show_main_window(qtbot)
    open_study_unlocked(qtbot, window, study_pair.study_dir)
    home = window.home
    assert home is not None
    home.select_sessions([session_id])
    assert home.review_button.isEnabled()

    window.review_action.trigger()

    page = window.review
    assert isinstance(page, ReviewPage)
    assert window.stack.currentWidget() is page
    assert not window.help_action.isEnabled()  # the page binds F1 itself
    assert not window.review_action.isEnabled()
    page.closed.emit()
    assert window.review is None and window.stack.currentWidget() is home
    assert window.help_action.isEnabled()
    study: Study = study_pair.study  # type: ignore[assignment]
    assert load_transcript(study, session_id).segments  # the machine transcript is untouched


def test_review_needs_one_transcribed_session(
    qtbot: QtBot, study_pair: StudyPair, tmp_path: Path
) -> None:
    made = make_session(study_pair, tmp_path)  # stopped, never transcribed
    window = show_main_window(qtbot)
    open_study_unlocked(qtbot, window, study_pair.study_dir)
    home = window.home
    assert home is not None
    home.select_sessions([made.record.session_id])
    assert not home.review_button.isEnabled()
    window.review_action.trigger()
    assert window.review is None


def test_export_opens_with_the_selected_sessions(
    qtbot: QtBot, study_pair: StudyPair, tmp_path: Path
) -> None:
    made = make_session(study_pair, tmp_path)
    window = show_main_window(qtbot)
    open_study_unlocked(qtbot, window, study_pair.study_dir)
    home = window.home
    assert home is not None
    home.select_sessions([made.record.session_id])

    window.export_action.trigger()

    dialog = home.dialog
    assert isinstance(dialog, ExportDialog)
    qtbot.waitUntil(dialog.isVisible)
    dialog.reject()
