"""The headless commands as a user runs them: exit codes, messages, no tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import add_participant_cli, run_cli

GROUPS = [
    [],
    ["study"],
    ["study", "create"],
    ["participant"],
    ["participant", "add"],
    ["participant", "list"],
    ["participant", "edit"],
    ["participant", "withdraw"],
    ["consent"],
    ["consent", "record"],
    ["incentive", "give"],
    ["verify"],
    ["passphrase"],
    ["passphrase", "change"],
]


@pytest.mark.parametrize("words", GROUPS, ids=lambda w: " ".join(w) or "top")
def test_help_on_every_level(words: list[str], cli_env: dict[str, str]) -> None:
    done = run_cli(*words, "--help", env=cli_env)
    assert done.returncode == 0 and "usage:" in done.stdout


@pytest.fixture
def study(tmp_path: Path, cli_env: dict[str, str]) -> tuple[Path, Path]:
    s, c = tmp_path / "study", tmp_path / "codemap"
    done = run_cli("study", "create", s, "--codemap", c, "--title", "T", env=cli_env)
    assert done.returncode == 0, done.stderr
    return s, c


def no_traceback(text: str) -> bool:
    return "Traceback" not in text


def test_full_headless_workflow(study: tuple[Path, Path], cli_env: dict[str, str]) -> None:
    s, c = study
    add = add_participant_cli(s, c, "Ana Lima", "social-work", cli_env)
    pid = add.stdout.strip()
    assert add.returncode == 0 and pid.startswith("P-")
    assert (
        run_cli(
            "consent",
            "record",
            s,
            "--codemap",
            c,
            "--participant",
            pid,
            "--form-version",
            "2026-01",
            "--item",
            "participate",
            env=cli_env,
        ).returncode
        == 0
    )
    edit = run_cli(
        "participant",
        "edit",
        s,
        "--codemap",
        c,
        "--participant",
        pid,
        "--email",
        "ana@example.org",
        env=cli_env,
    )
    assert edit.returncode == 0, edit.stderr
    listing = run_cli("participant", "list", s, "--codemap", c, env=cli_env)
    assert "Ana Lima" in listing.stdout and "ana@example.org" in listing.stdout
    assert "v2026-01" in listing.stdout
    assert (
        run_cli(
            "incentive",
            "give",
            s,
            "--codemap",
            c,
            "--participant",
            pid,
            "--description",
            "$10 gift card",
            env=cli_env,
        ).returncode
        == 0
    )
    wd = run_cli("participant", "withdraw", s, "--codemap", c, "--participant", pid, env=cli_env)
    assert wd.returncode == 2 and "Not confirmed" in wd.stderr  # no terminal, no --yes
    wd = run_cli(
        "participant", "withdraw", s, "--codemap", c, "--participant", pid, "--yes", env=cli_env
    )
    assert wd.returncode == 0, wd.stderr
    assert "withdrawn" in run_cli("participant", "list", s, env=cli_env).stdout
    ok = run_cli("verify", s, "--codemap", c, env=cli_env)
    assert ok.returncode == 0 and "intact" in ok.stderr


def test_wrong_passphrase_exit_1_nothing_written(
    study: tuple[Path, Path], cli_env: dict[str, str]
) -> None:
    s, c = study
    before = sorted((p, p.stat().st_mtime_ns) for p in s.rglob("*"))
    env = {**cli_env, "RECORDER_STUDY_PASSPHRASE": "wrong wrong wrong"}
    done = run_cli(
        "participant", "add", s, "--codemap", c, "--name", "X", "--role", "police", env=env
    )
    assert done.returncode == 1
    assert "does not unlock" in done.stderr and no_traceback(done.stderr)
    assert sorted((p, p.stat().st_mtime_ns) for p in s.rglob("*")) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["participant", "add", "{s}", "--codemap", "{c}", "--name", "X", "--role", "chef"],
            "Unknown role",
        ),
        (
            ["participant", "edit", "{s}", "--codemap", "{c}", "--participant", "P-12345"],
            "not a valid participant ID",
        ),
        (["participant", "list", "{s}/nope"], "No study vault"),
        (["study", "create", "{s}", "--codemap", "{c}2"], "not empty"),
        (
            [
                "consent",
                "record",
                "{s}",
                "--codemap",
                "{s}",
                "--participant",
                "P-0000",
                "--form-version",
                "1",
            ],
            "not a codemap folder",
        ),
    ],
)
def test_user_errors_are_sentences(
    study: tuple[Path, Path], cli_env: dict[str, str], args: list[str], message: str
) -> None:
    s, c = study
    done = run_cli(*[a.format(s=s, c=c) for a in args], env=cli_env)
    assert done.returncode in (1, 2)
    assert message in done.stderr and no_traceback(done.stderr)


def test_usage_errors_exit_2(cli_env: dict[str, str]) -> None:
    assert run_cli("participant", "add", env=cli_env).returncode == 2
    assert run_cli("no-such-command", env=cli_env).returncode == 2


def test_missing_passphrase_without_terminal(study: tuple[Path, Path], cli_env: dict[str, str]):  # type: ignore[no-untyped-def]
    s, _ = study
    env = {k: v for k, v in cli_env.items() if k != "RECORDER_STUDY_PASSPHRASE"}
    done = run_cli("participant", "list", s, env=env)
    assert done.returncode == 2 and "No study passphrase given" in done.stderr


def test_passphrase_files_and_change(
    study: tuple[Path, Path], cli_env: dict[str, str], tmp_path: Path
) -> None:
    s, c = study
    env = {k: v for k, v in cli_env.items() if not k.startswith("RECORDER_") or "WEAK" in k}
    old, new = tmp_path / "old.txt", tmp_path / "new.txt"
    old.write_text(cli_env["RECORDER_CODEMAP_PASSPHRASE"] + "\n")
    new.write_text("the fresh code map words\n")
    done = run_cli(
        "passphrase", "change", c, "--passphrase-file", old, "--new-passphrase-file", new, env=env
    )
    assert done.returncode == 0, done.stderr
    listing = run_cli(
        "participant",
        "list",
        s,
        "--codemap",
        c,
        "--codemap-passphrase-file",
        new,
        env={**env, "RECORDER_STUDY_PASSPHRASE": cli_env["RECORDER_STUDY_PASSPHRASE"]},
    )
    assert listing.returncode == 0, listing.stderr
    short = tmp_path / "short.txt"
    short.write_text("abc\n")
    done = run_cli(
        "passphrase", "change", c, "--passphrase-file", new, "--new-passphrase-file", short, env=env
    )
    assert done.returncode == 2 and "too short" in done.stderr


def test_verify_reports_damage_with_exit_1(
    study: tuple[Path, Path], cli_env: dict[str, str]
) -> None:
    s, c = study
    reg = s / "registry.irf"
    reg.write_bytes(reg.read_bytes()[:-40])
    done = run_cli("verify", s, "--codemap", c, env=cli_env)
    assert done.returncode == 1
    assert done.stdout.startswith("truncated") and "registry.irf" in done.stdout


def test_verify_names_weakened_kdf_parameters(
    study: tuple[Path, Path], cli_env: dict[str, str]
) -> None:
    s, _ = study
    env = {k: v for k, v in cli_env.items() if k != "RECORDER_TEST_ONLY_WEAK_KDF"}
    header = json.loads((s / "vault.json").read_text())
    assert header["kdf"]["memory_kib"] < 64 * 1024  # a test vault: weak by construction
    done = run_cli("verify", s, env=env)
    assert done.returncode == 1 and "vault.json" in done.stdout and "weaker" in done.stdout


def test_protocol_check_and_show(cli_env: dict[str, str], tmp_path: Path) -> None:
    ok = run_cli("protocol", "check", env=cli_env)
    assert ok.returncode == 0 and "valid" in ok.stderr
    paired = run_cli("protocol", "show", "--kind", "paired", env=cli_env)
    assert paired.returncode == 0
    order = [line.split()[2] for line in paired.stdout.splitlines() if line.strip()[:1].isdigit()]
    assert order[:4] == ["role-experience", "department-response", "first-priorities", "follow-up"]
    assert order.index("team-brief") < order.index("mental-health") < order.index("collaboration")
    assert order.count("mental-health") == 2  # part 1 and its escalation
    broken = tmp_path / "broken.yaml"
    broken.write_text("format: interview-recorder-protocol\nversion: 1\nid: x\ntitel: y\n")
    bad = run_cli("protocol", "check", broken, env=cli_env)
    assert bad.returncode == 1 and f"{broken}:4:1:" in bad.stderr and "title" in bad.stderr
    assert no_traceback(bad.stderr)
    missing = run_cli("protocol", "check", tmp_path / "nope.yaml", env=cli_env)
    assert missing.returncode == 1 and no_traceback(missing.stderr)


def test_study_status_and_sessions(study: tuple[Path, Path], cli_env: dict[str, str]) -> None:
    s, c = study
    pid = add_participant_cli(s, c, "Ana Lima", "police", cli_env).stdout.strip()
    consent = run_cli(
        "consent",
        "record",
        s,
        "--codemap",
        c,
        "--participant",
        pid,
        "--form-version",
        "2026-01",
        env=cli_env,
    )
    assert consent.returncode == 0 and "participate, audio-recording" in consent.stderr
    bad_item = run_cli(
        "consent",
        "record",
        s,
        "--codemap",
        c,
        "--participant",
        pid,
        "--form-version",
        "2026-01",
        "--item",
        "sing",
        env=cli_env,
    )
    assert bad_item.returncode == 2 and "Items of this form" in bad_item.stderr
    status = run_cli("study", "status", s, env=cli_env)
    assert status.returncode == 0 and "Individual, police" in status.stdout
    assert "0 / 10" in status.stdout
    listing = run_cli("session", "list", s, env=cli_env)
    assert listing.returncode == 0 and listing.stdout.startswith("SESSION")
    missing = run_cli("session", "show", s, "--session", "S-ABCD", env=cli_env)
    assert missing.returncode == 2 and no_traceback(missing.stderr)
