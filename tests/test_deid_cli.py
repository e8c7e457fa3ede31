"""``deidentify`` and ``redact`` from the command line (in-process, real vaults)."""

from __future__ import annotations

from pathlib import Path

import pytest

from recorder.cli import run
from recorder.core.codemap import CodeMap
from recorder.core.deid.store import has_review, load_review
from recorder.core.session import SessionState
from recorder.core.sessions import load_session
from recorder.core.study import Study
from recorder.core.transcribe.transcript import TranscriptKind, has_transcript, load_transcript
from tests.conftest import CODEMAP_PASS, STUDY_PASS, StudyPair
from tests.deid_sessions import transcribed_session


@pytest.fixture
def passphrases(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RECORDER_STUDY_PASSPHRASE", STUDY_PASS)
    monkeypatch.setenv("RECORDER_CODEMAP_PASSPHRASE", CODEMAP_PASS)


def _reopen(pair: StudyPair) -> tuple[Study, CodeMap]:
    study = Study.open(pair.study_dir, STUDY_PASS)
    return study, CodeMap.open(pair.codemap_dir, CODEMAP_PASS, study_id=study.study_id)


def test_deidentify_without_accept_all_saves_a_pending_review(
    study_pair: StudyPair, passphrases: None, capsys: pytest.CaptureFixture[str]
) -> None:
    sid = transcribed_session(study_pair, reviewed=True)
    argv = ["deidentify", str(study_pair.study_dir), "--codemap", str(study_pair.codemap_dir)]
    assert run([*argv, "--session", sid]) == 0
    out = capsys.readouterr().out
    assert "participant" in out and "candidate" in out
    assert "Delaney" not in out and "Dana" not in out  # no identifying text unless asked
    study, codemap = _reopen(study_pair)
    assert has_review(codemap, sid)
    assert not has_transcript(study, sid, TranscriptKind.DEIDENTIFIED)
    assert run([*argv, "--session", sid, "--show-text"]) == 0
    assert "Delaney" in capsys.readouterr().out


def test_deidentify_accept_all_writes_the_transcript(
    study_pair: StudyPair, passphrases: None, capsys: pytest.CaptureFixture[str]
) -> None:
    sid = transcribed_session(study_pair, reviewed=True)
    argv = ["deidentify", str(study_pair.study_dir), "--codemap", str(study_pair.codemap_dir)]
    assert run([*argv, "--session", sid, "--accept-all"]) == 0
    out = capsys.readouterr().out
    assert "de-identified" in out and "Ramirez" not in out
    study, codemap = _reopen(study_pair)
    text = " ".join(
        s.text for s in load_transcript(study, sid, TranscriptKind.DEIDENTIFIED).segments
    )
    assert "Ramirez" not in text and "[PHONE]" in text and "ten years" in text
    assert load_session(study, sid).state is SessionState.DEIDENTIFIED
    assert load_review(codemap, sid).accepted()


def test_deidentify_unknown_session_fails_cleanly(
    study_pair: StudyPair, passphrases: None, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["deidentify", str(study_pair.study_dir), "--codemap", str(study_pair.codemap_dir)]
    assert run([*argv, "--session", "S-0000"]) == 2
    assert "error:" in capsys.readouterr().err


def test_redact_prints_redacted_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = tmp_path / "interview.txt"
    text.write_text(
        "Officer Ramires told me Dee was there. Email dana dot ramirez at gmail dot com.\n"
        "Rosa stayed calm. I will call Okafor on 555-0142.\n",
        encoding="utf-8",
    )
    names = tmp_path / "names.txt"
    names.write_text("Dana Ramirez|Dee\n# a comment\nRosa Lind\n", encoding="utf-8")
    keep = tmp_path / "keep.txt"
    keep.write_text("Rosa\n", encoding="utf-8")
    assert run(["redact", str(text), "--names-file", str(names), "--keep-file", str(keep)]) == 0
    out = capsys.readouterr()
    assert out.out == (
        "Officer [PERSON-1] told me [PERSON-1] was there. Email [EMAIL].\n"
        "Rosa stayed calm. I will call Okafor on [PHONE].\n"
    )
    assert "1 candidate" in out.err


def test_redact_reports_missing_and_undecodable_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    names = tmp_path / "names.txt"
    names.write_text("Dana Ramirez\n", encoding="utf-8")
    assert run(["redact", str(tmp_path / "nope.txt"), "--names-file", str(names)]) == 2
    assert "does not exist" in capsys.readouterr().err
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("Ramírez".encode("latin-1"))
    assert run(["redact", str(bad), "--names-file", str(names)]) == 2
    err = capsys.readouterr().err
    assert "not UTF-8" in err and "hint:" in err
    assert run(["redact", str(bad), "--names-file", str(tmp_path / "none.txt")]) == 2
