"""``python main.py transcribe`` and ``transcript show`` as a user runs them (real whisper code
in a real worker process, a random-weight checkpoint: structure only, never the words)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import StudyPair, run_cli
from tests.sessions_with_audio import RATE, stopped_session, write_wav
from tests.virtual_audio import speech


@pytest.fixture
def env(cli_env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        cli_env[name] = str(tmp_path / name.lower())
    return cli_env


def test_transcribe_then_show_as_text_and_json(
    study_pair: StudyPair, tmp_path: Path, env: dict[str, str], micro_checkpoint: Path
) -> None:
    voice = speech("Tell me about the last crisis call you attended.", tmp_path / "v.wav")
    audio = np.concatenate([voice, np.zeros(RATE * 3, dtype=np.float32), voice])
    record = stopped_session(study_pair, write_wav(tmp_path / "s.wav", audio), prompts_at=[2.0])
    study = study_pair.study_dir
    args = ["--session", record.session_id, "--model", micro_checkpoint]
    refused = run_cli("transcribe", study, *args, env=env)
    assert refused.returncode == 1
    assert "official" in refused.stderr and "--allow-unofficial-model" in refused.stderr
    assert "Traceback" not in refused.stderr

    done = run_cli(
        "transcribe", study, *args, "--allow-unofficial-model", "--greedy", "--max-tokens", "8",
        env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert f"Session {record.session_id}: transcribed (CPU" in done.stderr

    shown = run_cli("transcript", "show", study, "--session", record.session_id, env=env)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("## ")
    as_json = run_cli(
        "transcript", "show", study, "--session", record.session_id, "--format", "json", env=env
    )
    data = json.loads(as_json.stdout)
    assert data["session_id"] == record.session_id
    assert data["provenance"]["model_official"] is False
    assert data["provenance"]["options"]["sample_len"] == 8
    assert [s["prompt_index"] for s in data["sections"]] == [0, 1]

    listed = run_cli("session", "list", study, env=env)
    assert "transcribed" in listed.stdout
    again = run_cli("transcribe", study, "--all", env=env)
    assert again.returncode == 0 and "Nothing to transcribe" in again.stderr


def test_unknown_model_and_missing_transcript_are_sentences(
    study_pair: StudyPair, tmp_path: Path, env: dict[str, str]
) -> None:
    audio = np.zeros(RATE, dtype=np.float32)
    record = stopped_session(study_pair, write_wav(tmp_path / "s.wav", audio))
    study = study_pair.study_dir
    shown = run_cli("transcript", "show", study, "--session", record.session_id, env=env)
    assert shown.returncode == 1 and "no transcript yet" in shown.stderr
    unknown = run_cli(
        "transcribe", study, "--session", record.session_id, "--model", "tinyy", env=env
    )
    assert unknown.returncode != 0 and "tiny" in unknown.stderr
    assert "Traceback" not in unknown.stderr
    from recorder.core.transcribe.work_queue import TranscriptionQueue

    assert TranscriptionQueue(study_pair.study).jobs() == []  # type: ignore[arg-type]
