"""The study vocabulary dialog: from the Study menu, a plain list to add to and remove from,
saved into the study on Save only."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from recorder.core.protocol import load_default_protocol
from recorder.core.study import Study
from recorder.core.transcribe import vocabulary
from recorder.ui.main_window import MainWindow
from recorder.ui.vocabulary_dialog import VocabularyDialog
from tests.conftest import StudyPair
from tests.ui.helpers import click, create_study

pytestmark = pytest.mark.gui


def test_add_remove_and_save(qtbot: QtBot, study_pair: StudyPair) -> None:
    study = study_pair.study
    assert isinstance(study, Study)
    protocol = load_default_protocol()
    dialog = VocabularyDialog(study, protocol)
    qtbot.addWidget(dialog)
    dialog.show()
    defaults = list(vocabulary.default_terms(protocol))
    assert dialog.terms() == defaults  # a new study starts with its protocol's defaults
    assert dialog.preview.text().startswith("co-responder, ")  # the hotwords whisper hears
    assert "Tomasz" in dialog.preview.text()  # and the vignettes' names

    qtbot.keyClicks(dialog.entry, "  Harrowgate   Crisis Connect ")
    qtbot.keyClick(dialog.entry, Qt.Key.Key_Return)
    assert dialog.terms()[-1] == "Harrowgate Crisis Connect"
    assert dialog.entry.text() == ""
    assert "Harrowgate Crisis Connect" in dialog.preview.text()

    qtbot.keyClicks(dialog.entry, "cit")  # already there as "CIT"
    click(qtbot, dialog.add_button)
    assert "already" in dialog.problem.text()
    assert dialog.terms().count("CIT") == 1 and "cit" not in dialog.terms()
    dialog.entry.clear()
    qtbot.keyClicks(dialog.entry, "a, b")
    click(qtbot, dialog.add_button)
    assert "comma" in dialog.problem.text()
    dialog.entry.clear()

    dialog.list.clearSelection()
    assert not dialog.remove_button.isEnabled()
    dialog.list.setCurrentRow(dialog.terms().index("DV"))
    click(qtbot, dialog.remove_button)
    assert "DV" not in dialog.terms()
    assert not vocabulary.is_stored(study)  # nothing is saved before Save

    with qtbot.waitSignal(dialog.saved) as saved:
        click(qtbot, dialog.ok)
    expected = [t for t in defaults if t != "DV"] + ["Harrowgate Crisis Connect"]
    assert saved.args == [len(expected)]
    assert list(vocabulary.glossary(study)) == expected
    assert list(vocabulary.glossary(Study.open(study_pair.study_dir, "correct horse study"))) == (
        expected
    )


def test_defaults_and_the_size_limit(qtbot: QtBot, study_pair: StudyPair) -> None:
    study = study_pair.study
    assert isinstance(study, Study)
    vocabulary.set_glossary(study, [f"T{n:02d}" for n in range(vocabulary.MAX_TERMS)])
    dialog = VocabularyDialog(study, load_default_protocol())
    qtbot.addWidget(dialog)
    assert len(dialog.terms()) == vocabulary.MAX_TERMS
    qtbot.keyClicks(dialog.entry, "one too many")
    click(qtbot, dialog.add_button)
    assert f"at most {vocabulary.MAX_TERMS}" in dialog.problem.text()
    assert len(dialog.terms()) == vocabulary.MAX_TERMS
    click(qtbot, dialog.defaults_button)
    assert dialog.terms() == list(vocabulary.default_terms(load_default_protocol()))
    dialog.reject()
    assert len(vocabulary.glossary(study)) == vocabulary.MAX_TERMS  # Cancel keeps the old list


def test_reachable_from_the_study_menu(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    assert not window.vocabulary_action.isEnabled()  # no study open yet
    create_study(qtbot, window, tmp_path)
    assert window.vocabulary_action.isEnabled()
    window.vocabulary_action.trigger()
    assert window.home is not None
    dialog = window.home.dialog
    assert isinstance(dialog, VocabularyDialog)
    dialog.list.setCurrentRow(0)
    click(qtbot, dialog.remove_button)
    click(qtbot, dialog.ok)
    assert window.home.dialog is None
    assert "sessions transcribed from now on" in window.statusBar().currentMessage()
