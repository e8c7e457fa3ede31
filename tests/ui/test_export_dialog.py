"""The export dialog with the real core: real study vaults, sessions with real reviewed and
de-identified transcripts (tests/export_helpers.py), real pyrage, and the core's own opener
reading back what the dialog wrote. No mocks, no sleeps: every wait is on a signal or a
condition."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from recorder.core.export.bundle import fingerprint
from recorder.core.export.log import list_exports
from recorder.core.export.service import open_bundle
from recorder.core.study import Study
from recorder.ui.export_dialog import ExportDialog
from recorder.ui.export_history import ExportHistoryDialog
from recorder.ui.export_sessions import STATUS_COLUMN
from tests.conftest import StudyPair
from tests.export_helpers import Made, identifying_strings, make_session
from tests.ui.helpers import answer, choose, click

pytestmark = [pytest.mark.gui]


PASS = "lantern orchard velvet compass"


@pytest.fixture(autouse=True)
def own_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Suggested file names point into a throwaway home folder."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))


@pytest.fixture
def made(study_pair: StudyPair, tmp_path: Path) -> Made:
    return make_session(study_pair, tmp_path)


def study_of(pair: StudyPair) -> Study:
    return pair.study  # type: ignore[return-value]


def not_deidentified(pair: StudyPair, tmp_path: Path) -> Made:
    """A second session, reviewed but not de-identified."""
    other = make_session(pair, tmp_path)
    sid = other.record.session_id
    study_of(pair).vault.path(f"sessions/{sid}/deidentified.json").unlink()
    return other


def open_dialog(qtbot: QtBot, pair: StudyPair, session_ids: list[str]) -> ExportDialog:
    dialog = ExportDialog(study_of(pair), session_ids)
    qtbot.addWidget(dialog)
    dialog.resize(1240, 780)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.sessions.ready, timeout=10000)
    return dialog


def status_cell(dialog: ExportDialog, session_id: str) -> str:
    tree = dialog.sessions.tree
    for i in range(tree.topLevelItemCount()):
        item = tree.topLevelItem(i)
        if item is not None and item.text(0) == session_id:
            return item.text(STATUS_COLUMN)
    raise AssertionError(f"{session_id} is not listed")


def wait_preview(qtbot: QtBot, dialog: ExportDialog, fmt: str) -> str:
    preview = dialog.preview
    qtbot.waitUntil(lambda: preview.shown_format == fmt and not preview.busy, timeout=10000)
    return preview.text()


def type_passphrase(qtbot: QtBot, dialog: ExportDialog) -> None:
    qtbot.keyClicks(dialog.protection.passphrase.edit, PASS)
    qtbot.keyClicks(dialog.protection.passphrase2.edit, PASS)


def export(qtbot: QtBot, dialog: ExportDialog, out: Path) -> list[int]:
    """Set the output path, press Export, wait for ``exported``; the progress values seen."""
    dialog.out.setText(str(out))
    seen: list[int] = []
    dialog.progress.valueChanged.connect(seen.append)
    assert dialog.blocker() == "", dialog.blocker()
    with qtbot.waitSignal(dialog.exported, timeout=30000):
        click(qtbot, dialog.export_button)
    return seen


def history_rows(qtbot: QtBot, dialog: ExportDialog) -> list[list[str]]:
    click(qtbot, dialog.history_button)
    history = dialog.history
    assert isinstance(history, ExportHistoryDialog)
    qtbot.waitUntil(history.isVisible, timeout=5000)
    rows = history.history.rows()
    history.accept()
    return rows


def test_selection_shows_each_status_and_a_warning_that_says_what_to_do(
    qtbot: QtBot, study_pair: StudyPair, made: Made, tmp_path: Path
) -> None:
    other = not_deidentified(study_pair, tmp_path)
    good, bad = made.record.session_id, other.record.session_id
    dialog = open_dialog(qtbot, study_pair, [good, bad])

    assert set(dialog.sessions.checked()) == {good, bad}
    assert status_cell(dialog, good) == "✓ De-identified"
    assert status_cell(dialog, bad) == "⚠ Not de-identified"
    warning = dialog.sessions.warning
    assert warning.isVisible()
    text = warning.text()
    assert bad in text and good not in text
    assert "cannot be exported de-identified" in text and "Redactions" in text
    assert not dialog.export_button.isEnabled()
    assert "cannot be exported as chosen" in dialog.problem.text()
    # the preview shows the session that can be exported
    assert good in (wait_preview(qtbot, dialog, "docx") + dialog.preview.caption.text())

    # unticking the unready session lifts the warning
    dialog.sessions.set_checked([good])
    assert not warning.isVisible() and dialog.sessions.problems() == {}
    assert dialog.blocker() == "Type a passphrase for the export (twice)."

    # the identifiable transcript asks first; declining changes nothing
    dialog.sessions.set_checked([good, bad])
    click(qtbot, dialog.identifiable)
    assert "identifies participants" in answer(qtbot, "Cancel")
    assert not dialog.identifiable.isChecked() and warning.isVisible()
    click(qtbot, dialog.identifiable)
    answer(qtbot, "Export identifiable transcripts")
    assert dialog.identifiable.isChecked()
    assert status_cell(dialog, bad) == "✓ Reviewed (identifiable)"
    assert not warning.isVisible()
    assert dialog.risk.isVisible() and "IDENTIFIABLE" in dialog.risk.text()
    # unticking a risky choice needs no question
    click(qtbot, dialog.identifiable)
    assert not dialog.identifiable.isChecked() and warning.isVisible()


def test_the_preview_follows_the_format_and_is_de_identified(
    qtbot: QtBot, study_pair: StudyPair, made: Made
) -> None:
    sid = made.record.session_id
    dialog = open_dialog(qtbot, study_pair, [sid])
    docx = wait_preview(qtbot, dialog, "docx")
    assert f"Interview transcript — {sid}" in docx and "[EMAIL]" in docx
    assert "DOCX" in dialog.preview.caption.text()
    choose(dialog.format, "srt")
    srt = wait_preview(qtbot, dialog, "srt")
    assert "-->" in srt and srt != docx
    choose(dialog.format, "txt")
    txt = wait_preview(qtbot, dialog, "txt")
    assert txt.startswith(f"Session: {sid}") and "Transcript: de-identified" in txt
    for text in (docx, srt, txt):
        for term in identifying_strings():
            assert term not in text, term
    # the suggested file name follows the format
    assert dialog.out.text().endswith("-txt.age")
    # nothing ticked: the preview says what to do
    dialog.sessions.set_checked([])
    qtbot.waitUntil(lambda: dialog.preview.shown_format == "", timeout=5000)
    assert "Tick one or more sessions" in dialog.preview.text()


def test_a_passphrase_export_opens_with_the_core_and_is_listed(
    qtbot: QtBot, study_pair: StudyPair, made: Made, tmp_path: Path
) -> None:
    sid = made.record.session_id
    dialog = open_dialog(qtbot, study_pair, [sid])
    type_passphrase(qtbot, dialog)
    assert dialog.protection.passphrase.advice is not None
    assert dialog.protection.passphrase.advice.text().startswith("Strong")
    out = tmp_path / "to-colleague.age"
    seen = export(qtbot, dialog, out)

    assert seen == sorted(seen) and seen[-1] == dialog.progress.maximum() == 1000
    assert dialog.progress.isVisible() and not dialog.cancel_button.isVisible()
    assert str(out) in dialog.problem.text() and f"{sid}.docx" in dialog.problem.text()
    assert out.read_bytes().startswith(b"age-encryption.org/v1\n-> scrypt ")
    files = {f.name: f.data for f in open_bundle(out.read_bytes(), passphrase=PASS)}
    assert set(files) == {f"{sid}.docx", "manifest.json", "README.txt"}
    assert b"DE-IDENTIFIED" in files["README.txt"]
    (record,) = list_exports(study_of(study_pair))
    assert (record.export_format, record.transcript, record.protection) == (
        "docx", "de-identified", "passphrase",
    )  # fmt: skip

    (row,) = history_rows(qtbot, dialog)
    assert row[1:5] == ["DOCX", "De-identified", "Passphrase", sid]
    assert row[5] == "—"


def test_a_recipient_export_to_a_key_pair_made_in_the_app(
    qtbot: QtBot, study_pair: StudyPair, made: Made, tmp_path: Path
) -> None:
    sid = made.record.session_id
    dialog = open_dialog(qtbot, study_pair, [sid])
    panel = dialog.protection
    click(qtbot, panel.use_recipients)
    assert panel.pages.currentIndex() == 1
    qtbot.keyClicks(panel.recipients, "age1notakey")
    assert "Line 1 is not an age public key" in panel.recipients_state.text()
    assert not dialog.export_button.isEnabled()
    panel.recipients.clear()

    click(qtbot, panel.keygen_button)
    keys = panel.keypair_dialog
    assert keys is not None
    qtbot.waitUntil(keys.isVisible, timeout=5000)
    key_file = tmp_path / "my-key.txt"
    keys.path.setText(str(key_file))
    with qtbot.waitSignal(keys.generated, timeout=5000) as made_key:
        click(qtbot, keys.generate_button)
    public = made_key.args[0]
    assert public.startswith("age1") and keys.key.text() == public
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert f"# public key: {public}" in key_file.read_text()
    click(qtbot, keys.copy_button)
    assert QGuiApplication.clipboard().text() == public
    click(qtbot, keys.use_button)
    keys.accept()
    assert panel.keys() == [public] and fingerprint(public) in panel.recipients_state.text()
    # a second key file is never written over the first
    again = panel.generate_key_pair()
    again.path.setText(str(key_file))
    click(qtbot, again.generate_button)
    assert "exists already" in again.problem.text() and again.public == ""
    again.reject()

    choose(dialog.format, "csv")
    out = tmp_path / "for-me.age"
    export(qtbot, dialog, out)
    files = {f.name for f in open_bundle(out.read_bytes(), identities_text=key_file.read_text())}
    assert files == {"turns.csv", "manifest.json", "README.txt"}
    (record,) = list_exports(study_of(study_pair))
    assert record.recipients == (fingerprint(public),)
    (row,) = history_rows(qtbot, dialog)
    assert row[1] == "CSV" and row[3] == "Public keys" and row[5] == fingerprint(public)


def test_an_identifiable_export_needs_its_confirmation(
    qtbot: QtBot, study_pair: StudyPair, made: Made, tmp_path: Path
) -> None:
    sid = made.record.session_id
    dialog = open_dialog(qtbot, study_pair, [sid])
    click(qtbot, dialog.identifiable)
    answer(qtbot, "Cancel")
    assert not dialog.identifiable.isChecked()
    click(qtbot, dialog.identifiable)
    answer(qtbot, "Export identifiable transcripts")
    assert dialog.identifiable.isChecked()
    txt = ""
    choose(dialog.format, "txt")
    txt = wait_preview(qtbot, dialog, "txt")
    assert "IDENTIFIABLE" in txt and "(identifiable)" in dialog.preview.caption.text()
    type_passphrase(qtbot, dialog)
    out = tmp_path / "identifiable.age"
    export(qtbot, dialog, out)
    files = {f.name: f.data for f in open_bundle(out.read_bytes(), passphrase=PASS)}
    assert b"IDENTIFIABLE" in files["README.txt"]
    assert made.reviewed.segments[0].text.encode() in files[f"{sid}.txt"]
    (record,) = list_exports(study_of(study_pair))
    assert record.transcript == "identifiable"
    (row,) = history_rows(qtbot, dialog)
    assert row[2] == "IDENTIFIABLE"


def test_plaintext_needs_its_confirmation_and_writes_a_folder(
    qtbot: QtBot, study_pair: StudyPair, made: Made, tmp_path: Path
) -> None:
    sid = made.record.session_id
    dialog = open_dialog(qtbot, study_pair, [sid])
    click(qtbot, dialog.plaintext)
    assert "anyone who gets these files can read them" in answer(qtbot, "Cancel")
    assert not dialog.plaintext.isChecked() and dialog.protection.kind() == "passphrase"
    click(qtbot, dialog.plaintext)
    answer(qtbot, "Write unencrypted files")
    assert dialog.protection.kind() == "plaintext" and "NO encryption" in dialog.risk.text()
    assert not dialog.out.text().endswith(".age")
    choose(dialog.format, "json")
    out = tmp_path / "plain"
    export(qtbot, dialog, out)
    assert sorted(p.name for p in out.iterdir()) == ["README.txt", "export.json", "manifest.json"]
    (row,) = history_rows(qtbot, dialog)
    assert row[3] == "NOT encrypted"


def test_a_member_check_holds_only_that_participants_sessions(
    qtbot: QtBot, study_pair: StudyPair, made: Made, tmp_path: Path
) -> None:
    other = make_session(study_pair, tmp_path)  # someone else's interview
    mine, theirs = made.record.session_id, other.record.session_id
    dialog = open_dialog(qtbot, study_pair, [mine, theirs])
    click(qtbot, dialog.member)
    assert "Choose the participant" in dialog.blocker()
    choose(dialog.member_pick, made.people[0])
    assert dialog.sessions.checked() == [mine]
    assert f"member-check-{made.people[0]}" in dialog.out.text()
    choose(dialog.format, "txt")
    txt = wait_preview(qtbot, dialog, "txt")
    assert f"Member check for: {made.people[0]}" in txt and "edit, clarify or elaborate" in txt
    type_passphrase(qtbot, dialog)
    export(qtbot, dialog, tmp_path / "member.age")
    (record,) = list_exports(study_of(study_pair))
    assert record.member_check == made.people[0] and record.sessions == (mine,)


def test_cancel_writes_nothing_and_records_nothing(
    qtbot: QtBot, study_pair: StudyPair, made: Made, tmp_path: Path
) -> None:
    dialog = open_dialog(qtbot, study_pair, [made.record.session_id])
    type_passphrase(qtbot, dialog)
    out = tmp_path / "cancelled.age"
    dialog.out.setText(str(out))
    task = dialog.start()
    assert task is not None and dialog.cancel_button.isVisible()
    assert not dialog.export_button.isEnabled() and not dialog.sessions.isEnabled()
    with qtbot.waitSignal(task.finished, timeout=30000):
        click(qtbot, dialog.cancel_button)  # before the scrypt step ends: caught before writing
    assert "cancelled" in dialog.problem.text() and not out.exists()
    assert list_exports(study_of(study_pair)) == []
    assert dialog.export_button.isEnabled() and dialog.sessions.isEnabled()
    assert dialog.sessions.tree.topLevelItem(0) is not None
    assert dialog.sessions.tree.topLevelItem(0).checkState(0) == Qt.CheckState.Checked  # type: ignore[union-attr]
