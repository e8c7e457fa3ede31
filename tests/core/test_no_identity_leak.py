"""No byte of any identity reaches the study folder or the temp directory.

The study is built through the real CLI in child processes whose TMPDIR is a folder this
test owns, so anything written to a temp file would be found.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from recorder.core.codemap import CodeMap
from recorder.core.study import Study
from tests.conftest import CODEMAP_PASS, STUDY_PASS, run_cli

PEOPLE = [
    ("Dana Ramírez-Okafor", "police", "dana.ramirez@metro-pd.example", "+1 (555) 201-7788"),
    ("Siobhán Nguyen", "social-work", "s.nguyen@familyservices.example", "555-867-5309"),
    ("Marcus O'Leary", "police", "moleary@county.example", "07700 900123"),
]
EXTRA = ["Sergeant Pepperidge", "Riverside Precinct", "Oakmont Family Centre"]


def encodings(text: str) -> list[bytes]:
    forms = {text, text.lower(), text.upper()}
    return [f.encode(enc) for f in forms for enc in ("utf-8", "utf-16-le", "utf-16-be")]


def all_bytes(folder: Path) -> list[tuple[Path, bytes]]:
    return [(p, p.read_bytes()) for p in folder.rglob("*") if p.is_file()]


def test_identities_never_reach_the_study_folder_or_temp(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {**cli_env, "TMPDIR": str(tmp), "TEMP": str(tmp), "TMP": str(tmp)}
    study_dir, codemap_dir = tmp_path / "study", tmp_path / "usb" / "codemap"
    assert run_cli("study", "create", study_dir, "--codemap", codemap_dir, env=env).returncode == 0
    ids = []
    for name, role, email, phone in PEOPLE:
        first = name.split(" ", 1)[0]
        done = run_cli(
            "participant",
            "add",
            study_dir,
            "--codemap",
            codemap_dir,
            "--name",
            name,
            "--role",
            role,
            "--email",
            email,
            "--phone",
            phone,
            "--agency",
            EXTRA[1],
            "--nickname",
            first[:3],
            "--demographic",
            "years_in_role=12",
            env=env,
        )
        assert done.returncode == 0, done.stderr
        ids.append(done.stdout.strip())
        consent = run_cli(
            "consent",
            "record",
            study_dir,
            "--codemap",
            codemap_dir,
            "--participant",
            ids[-1],
            "--form-version",
            "2026-01",
            "--item",
            "participate",
            "--interviewer",
            "Interviewer Quimby",
            env=env,
        )
        assert consent.returncode == 0, consent.stderr
    listing = run_cli("participant", "list", study_dir, "--codemap", codemap_dir, env=env)
    assert all(name in listing.stdout for name, *_ in PEOPLE)  # the code map does hold them

    codemap = CodeMap.open(
        codemap_dir, CODEMAP_PASS, study_id=Study.open(study_dir, STUDY_PASS).study_id
    )
    codemap.set_redaction_terms(EXTRA)

    secrets_ = [s for person in PEOPLE for s in person if s not in ("police", "social-work")]
    secrets_ += [n.split(" ")[0] for n, *_ in PEOPLE] + [n.split(" ")[-1] for n, *_ in PEOPLE]
    secrets_ += [*EXTRA, "Interviewer Quimby", "metro-pd", "201-7788", "867-5309"]
    files = all_bytes(study_dir) + all_bytes(tmp)
    assert files, "the study folder should hold files"
    for secret in secrets_:
        for needle in encodings(secret):
            for path, data in files:
                assert needle not in data, f"{secret!r} found in {path}"
    # The code map itself is encrypted too.
    for path, data in all_bytes(codemap_dir):
        assert b"Dana" not in data and b"dana" not in data, path


def test_the_study_passphrase_alone_cannot_list_identities(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    study_dir, codemap_dir = tmp_path / "study", tmp_path / "codemap"
    run_cli("study", "create", study_dir, "--codemap", codemap_dir, env=cli_env)
    name = PEOPLE[0][0]
    run_cli(
        "participant",
        "add",
        study_dir,
        "--codemap",
        codemap_dir,
        "--name",
        name,
        "--role",
        "police",
        env=cli_env,
    )
    # Every file the study key can decrypt, decrypted: no identity in any of it.
    study = Study.open(study_dir, STUDY_PASS)
    for relpath in study.vault.sealed_files():
        plaintext = study.vault.read_bytes(relpath)
        assert name.encode() not in plaintext
        json.loads(plaintext)
    # The CLI with the study passphrase but a wrong code-map passphrase shows no names.
    env = {**cli_env, "RECORDER_CODEMAP_PASSPHRASE": STUDY_PASS}
    done = run_cli("participant", "list", study_dir, "--codemap", codemap_dir, env=env)
    assert done.returncode == 1 and name not in done.stdout + done.stderr
    plain = run_cli("participant", "list", study_dir, env=cli_env)
    assert plain.returncode == 0 and name not in plain.stdout


@pytest.mark.parametrize("inside", ["codemap-in-study", "study-in-codemap"])
def test_the_code_map_cannot_live_inside_the_study(
    tmp_path: Path, cli_env: dict[str, str], inside: str
) -> None:
    study_dir = tmp_path / "s"
    codemap_dir = study_dir / "codemap" if inside == "codemap-in-study" else tmp_path / "c"
    if inside == "study-in-codemap":
        study_dir = codemap_dir / "study"
    done = run_cli("study", "create", study_dir, "--codemap", codemap_dir, env=cli_env)
    assert done.returncode == 2 and "inside" in done.stderr
    assert not study_dir.exists() or not any(study_dir.iterdir())
