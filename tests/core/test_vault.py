"""Vault keys: wrapping, wrong passphrases, passphrase changes, KDF parameter bounds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from recorder.core import crypto, errors
from recorder.core.codemap import CodeMap
from recorder.core.study import Study
from recorder.core.vault import HEADER_NAME, Vault, VaultKind
from tests.conftest import CODEMAP_PASS, STUDY_PASS, StudyPair


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_round_trip(tmp_path: Path) -> None:
    vault = Vault.create(tmp_path / "v", VaultKind.STUDY, "a good passphrase")
    vault.write_json("notes/a.irf", {"text": "Grüße, 東京 🎙"})
    again = Vault.open(tmp_path / "v", VaultKind.STUDY, "a good passphrase")
    assert again.read_json("notes/a.irf") == {"text": "Grüße, 東京 🎙"}
    assert again.sealed_files() == ["notes/a.irf"]


def test_wrong_passphrase_is_refused_and_writes_nothing(study_pair: StudyPair) -> None:
    before = snapshot(study_pair.study_dir)
    with pytest.raises(errors.WrongPassphrase):
        Study.open(study_pair.study_dir, "not the passphrase")
    with pytest.raises(errors.WrongPassphrase):
        CodeMap.open(study_pair.codemap_dir, STUDY_PASS, study_id=study_pair.study.study_id)
    assert snapshot(study_pair.study_dir) == before


def test_passphrase_change_rewraps_without_reencrypting(study_pair: StudyPair) -> None:
    vault = Vault.open(study_pair.study_dir, VaultKind.STUDY, STUDY_PASS)
    data_before = {k: v for k, v in snapshot(study_pair.study_dir).items() if k != HEADER_NAME}
    old_header = (study_pair.study_dir / HEADER_NAME).read_text()
    vault.change_passphrase("a brand new passphrase")
    assert (study_pair.study_dir / HEADER_NAME).read_text() != old_header
    assert {k: v for k, v in snapshot(study_pair.study_dir).items() if k != HEADER_NAME} == (
        data_before
    )
    with pytest.raises(errors.WrongPassphrase):
        Study.open(study_pair.study_dir, STUDY_PASS)
    assert Study.open(study_pair.study_dir, "a brand new passphrase").settings.title == (
        "Crisis response"
    )


def test_codemap_change_leaves_the_study_passphrase_alone(study_pair: StudyPair) -> None:
    cm = Vault.open(study_pair.codemap_dir, VaultKind.CODEMAP, CODEMAP_PASS)
    cm.change_passphrase("new code map words")
    Study.open(study_pair.study_dir, STUDY_PASS)
    CodeMap.open(study_pair.codemap_dir, "new code map words", study_id=study_pair.study.study_id)


def test_swapped_folders_are_named(study_pair: StudyPair) -> None:
    with pytest.raises(errors.WrongVault, match="codemap folder, not a study"):
        Study.open(study_pair.codemap_dir, CODEMAP_PASS)


def test_a_code_map_of_another_study_is_refused(tmp_path: Path, study_pair: StudyPair) -> None:
    from recorder.core.enrolment import create_study

    other, _ = create_study(tmp_path / "s2", tmp_path / "c2", "study two pass", "codemap two p")
    with pytest.raises(errors.WrongVault, match="another study"):
        CodeMap.open(study_pair.codemap_dir, CODEMAP_PASS, study_id=other.study_id)


def test_missing_or_damaged_header(tmp_path: Path, study_pair: StudyPair) -> None:
    with pytest.raises(errors.NotAVault):
        Study.open(tmp_path / "nothing-here", STUDY_PASS)
    (study_pair.study_dir / HEADER_NAME).write_text("{ not json")
    with pytest.raises(errors.NotAVault, match="damaged"):
        Study.open(study_pair.study_dir, STUDY_PASS)


def test_newer_format_version_is_named(study_pair: StudyPair) -> None:
    path = study_pair.study_dir / HEADER_NAME
    header = json.loads(path.read_text())
    header["version"] = 7
    path.write_text(json.dumps(header))
    with pytest.raises(errors.UnsupportedVersion):
        Study.open(study_pair.study_dir, STUDY_PASS)


def _edit_kdf(folder: Path, **changes: object) -> None:
    path = folder / HEADER_NAME
    header = json.loads(path.read_text())
    header["kdf"].update(changes)
    path.write_text(json.dumps(header))


@pytest.mark.parametrize(
    "changes",
    [
        {"memory_kib": 8},  # weakened
        {"iterations": 1, "memory_kib": 64 * 1024},  # weakened
        {"memory_kib": 64 * 1024 * 1024},  # oversized: 64 GiB would exhaust memory
        {"iterations": 100_000, "memory_kib": 64 * 1024},  # oversized: hours of work
        {"lanes": 0, "memory_kib": 64 * 1024},
        {"salt": "AAAA", "memory_kib": 64 * 1024},  # 3-byte salt
        {"memory_kib": "lots"},  # malformed
        {"algorithm": "pbkdf2"},
    ],
)
def test_unsafe_kdf_parameters_are_rejected_before_deriving(
    study_pair: StudyPair, monkeypatch: pytest.MonkeyPatch, changes: dict[str, object]
) -> None:
    monkeypatch.delenv(crypto.WEAK_KDF_ENV)  # production bounds
    _edit_kdf(study_pair.study_dir, **{"iterations": 3, **changes})
    with pytest.raises(errors.KdfParametersRejected):
        Study.open(study_pair.study_dir, STUDY_PASS)


def test_the_test_vault_is_itself_refused_under_production_bounds(
    study_pair: StudyPair, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(crypto.WEAK_KDF_ENV)
    with pytest.raises(errors.KdfParametersRejected, match="weaker"):
        Study.open(study_pair.study_dir, STUDY_PASS)


def test_default_parameters_are_within_production_bounds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(crypto.WEAK_KDF_ENV)
    params = crypto.default_kdf_params(calibrate=False)
    params.check(crypto.PRODUCTION_BOUNDS)
    assert params.memory_kib >= 64 * 1024 and params.iterations >= 3


def test_passphrases_are_unicode_normalised(tmp_path: Path) -> None:
    composed, decomposed = "caf\u00e9 passphrase", "cafe\u0301 passphrase"
    Vault.create(tmp_path / "v", VaultKind.STUDY, composed)
    Vault.open(tmp_path / "v", VaultKind.STUDY, decomposed)


def test_creating_over_existing_data_is_refused(tmp_path: Path) -> None:
    (tmp_path / "v").mkdir()
    (tmp_path / "v" / "thesis.docx").write_text("x")
    with pytest.raises(errors.VaultExists):
        Vault.create(tmp_path / "v", VaultKind.STUDY, "a good passphrase")
