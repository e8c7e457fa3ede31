"""``python main.py export``, ``export open``, ``export list`` and ``keygen`` as a user runs
them (child processes, real pyrage, the real age CLI)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from tests.conftest import StudyPair, run_cli
from tests.export_helpers import AGE, age_decrypt_with_identity, make_session

needs_age = pytest.mark.skipif(
    AGE is None, reason="the age CLI is not installed (apt-get install age)"
)


@pytest.fixture
def env(cli_env: dict[str, str]) -> dict[str, str]:
    cli_env["RECORDER_EXPORT_PASSPHRASE"] = "an export passphrase"
    return cli_env


@needs_age
def test_keygen_export_to_recipient_open_and_list(
    study_pair: StudyPair, tmp_path: Path, env: dict[str, str]
) -> None:
    made = make_session(study_pair, tmp_path)
    key = tmp_path / "me.key"
    gen = run_cli("keygen", "--out", key, env=env)
    assert gen.returncode == 0, gen.stderr
    public = gen.stdout.strip()
    assert public.startswith("age1") and public in key.read_text()
    assert key.stat().st_mode & 0o077 == 0
    assert run_cli("keygen", "--out", key, env=env).returncode == 2  # never overwrites

    out = tmp_path / "study.age"
    done = run_cli(
        "export", study_pair.study_dir, "--session", made.record.session_id, "--format",
        "qdpx", "--recipient", public, "--out", out, env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "de-identified" in done.stderr and "Recipients: SHA256:" in done.stderr
    age = age_decrypt_with_identity(out, tmp_path / "x.zip", key)
    assert age.returncode == 0, age.stderr
    assert "interview-export.qdpx" in zipfile.ZipFile(tmp_path / "x.zip").namelist()

    opened = run_cli("export", "open", out, "--identity", key, "--out", tmp_path / "got", env=env)
    assert opened.returncode == 0, opened.stderr
    assert (tmp_path / "got" / "interview-export.qdpx").exists()

    listed = run_cli("export", "list", study_pair.study_dir, env=env)
    assert listed.returncode == 0 and "qdpx" in listed.stdout and "SHA256:" in listed.stdout
    assert made.record.session_id in listed.stdout


def test_passphrase_export_and_open_and_clear_errors(
    study_pair: StudyPair, tmp_path: Path, env: dict[str, str]
) -> None:
    made = make_session(study_pair, tmp_path)
    sid = made.record.session_id
    out = tmp_path / "t.age"
    done = run_cli(
        "export", study_pair.study_dir, "--all", "--format", "txt", "--passphrase", "--out", out,
        env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    opened = run_cli("export", "open", out, "--passphrase", "--out", tmp_path / "o", env=env)
    assert opened.returncode == 0, opened.stderr
    assert (tmp_path / "o" / f"{sid}.speakers.txt").exists()

    env_wrong = dict(env, RECORDER_EXPORT_PASSPHRASE="wrong")
    wrong = run_cli("export", "open", out, "--passphrase", "--out", tmp_path / "w", env=env_wrong)
    assert wrong.returncode == 1 and "passphrase does not open" in wrong.stderr
    assert not (tmp_path / "w").exists() and "Traceback" not in wrong.stderr
    other_key = tmp_path / "k"
    run_cli("keygen", "--out", other_key, env=env)
    mixed = run_cli(
        "export", "open", out, "--identity", other_key, "--out", tmp_path / "m", env=env
    )
    assert mixed.returncode == 1 and "protected by a passphrase" in mixed.stderr
    notage = tmp_path / "plain.age"
    notage.write_text("hello")
    bad = run_cli("export", "open", notage, "--passphrase", "--out", tmp_path / "n", env=env)
    assert bad.returncode == 1 and "not an age-encrypted export" in bad.stderr


def test_identifiable_audio_and_plaintext_need_explicit_choices(
    study_pair: StudyPair, tmp_path: Path, env: dict[str, str]
) -> None:
    made = make_session(study_pair, tmp_path)
    sid = made.record.session_id
    base = ["export", study_pair.study_dir, "--session", sid, "--format", "json"]
    refused = run_cli(*base, "--identifiable", "--passphrase", "--out", tmp_path / "a.age", env=env)
    assert refused.returncode == 2 and "--confirm-identifiable" in refused.stderr
    assert not (tmp_path / "a.age").exists()
    no_audio = run_cli(*base, "--include-audio", "--passphrase", "--out", tmp_path / "b", env=env)
    assert no_audio.returncode == 2 and "--confirm-audio" in no_audio.stderr
    unprotected = run_cli(*base, "--out", tmp_path / "c.age", env=env)
    assert unprotected.returncode == 2 and "--plaintext" in unprotected.stderr

    plain = run_cli(
        *base, "--identifiable", "--confirm-identifiable", "--include-audio", "--confirm-audio",
        "--plaintext", "--out", tmp_path / "plain.zip", env=env,
    )  # fmt: skip
    assert plain.returncode == 0, plain.stderr
    assert "WARNING: a plaintext export is NOT encrypted" in plain.stderr
    names = zipfile.ZipFile(tmp_path / "plain.zip").namelist()
    assert {"export.json", f"{sid}.flac", "manifest.json", "README.txt"} <= set(names)
    assert b"Dana Ramirez" in zipfile.ZipFile(tmp_path / "plain.zip").read("export.json")

    # without a de-identified transcript: the hint names the command that makes one
    study = study_pair.study
    study.vault.path(f"sessions/{sid}/deidentified.json").unlink()  # type: ignore[attr-defined]
    missing = run_cli(*base, "--passphrase", "--out", tmp_path / "d.age", env=env)
    assert missing.returncode == 1
    assert f"deidentify STUDY_DIR --codemap CODEMAP_DIR --session {sid}" in missing.stderr
