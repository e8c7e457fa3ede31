"""``python main.py transcribe`` and ``transcript show`` as a user runs them: the real worker
process and the app's default model (the built-in real tiny.en on faster-whisper) on real
human speech, so the words are checked under the prompt they were said at; an unofficial model
file (a random-weight checkpoint: only its acceptance and provenance are checked)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import StudyPair, run_cli
from tests.real_model import onset_errors, silence_before
from tests.real_speech import interview_mix, wer
from tests.sessions_with_audio import RATE, stopped_session, write_wav


@pytest.fixture
def env(cli_env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        cli_env[name] = str(tmp_path / name.lower())
    return cli_env


def said(section: str) -> str:
    """The words under a heading of ``transcript show``: "[00:00] Speaker: words" lines."""
    lines = section.splitlines()[1:]
    return " ".join(line.split(": ", 1)[1] for line in lines if line.startswith("["))


def test_transcribe_then_show_as_text_and_json(
    study_pair: StudyPair, tmp_path: Path, env: dict[str, str]
) -> None:
    mix = interview_mix(["vctk_p228_005", "librispeech_3080-5032-0001"], [3.0])  # ~18 s
    second_prompt_s = mix.turns[1].start_s - 1.5
    record = stopped_session(
        study_pair, write_wav(tmp_path / "s.wav", mix.audio), prompts_at=[second_prompt_s]
    )
    study = study_pair.study_dir
    done = run_cli("transcribe", study, "--session", record.session_id, "--greedy", env=env)
    assert done.returncode == 0, done.stderr
    assert f"Session {record.session_id}: transcribed (faster-whisper, CPU" in done.stderr

    shown = run_cli("transcript", "show", study, "--session", record.session_id, env=env)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("## ")
    first, second = shown.stdout.split("\n## ")  # one heading per prompt
    assert wer(mix.text, f"{said(first)} {said(second)}") <= 0.15, shown.stdout
    assert said(first).startswith("She can"), first  # the first answer under the first prompt
    # TODO(prompts): assert wer(mix.turns[1].text, said(second)) <= 0.15 once a segment that
    # spans a prompt change is split there (test_transcription.py, xfail): whisper may hear
    # both answers as one segment, which then lies wholly under the first prompt
    as_json = run_cli(
        "transcript", "show", study, "--session", record.session_id, "--format", "json", env=env
    )
    data = json.loads(as_json.stdout)
    assert data["session_id"] == record.session_id
    assert [s["prompt_index"] for s in data["sections"]] == [0, 1]
    p = data["provenance"]
    assert (p["model_name"], p["model_official"]) == ("tiny.en", True)
    assert (p["engine"], p["compute_type"]) == ("faster-whisper", "int8")
    assert p["options"]["temperature"] == [0.0] and p["options"]["beam_size"] is None  # --greedy
    words = [w for s in data["segments"] for w in s["words"]]
    assert words and all(s["prompt_index"] in (0, 1) for s in data["segments"])
    errors = onset_errors([(w[0], w[1], w[2]) for w in words], mix.turns)  # [start, end, text, p]
    # TODO(timing): tighten to all(abs(e) <= 0.3 for e in errors) once a first word is no longer
    # placed early in the leading silence (vad.py/joined.py); seen: "She" 0.33 s early. Until
    # then: never after the onset + 0.3 s, never before the silence that precedes the answer.
    early = silence_before(mix.turns)
    assert all(-gap <= e <= 0.3 for e, gap in zip(errors, early, strict=True)), errors

    listed = run_cli("session", "list", study, env=env)
    assert "transcribed" in listed.stdout
    again = run_cli("transcribe", study, "--all", env=env)
    assert again.returncode == 0 and "Nothing to transcribe" in again.stderr


def test_an_unofficial_model_file_is_used_only_when_allowed_and_recorded_as_such(
    study_pair: StudyPair, tmp_path: Path, env: dict[str, str], micro_checkpoint: Path
) -> None:
    audio = np.zeros(RATE * 3, dtype=np.float32)
    audio[RATE : 2 * RATE] = np.sin(np.arange(RATE) * 0.05).astype(np.float32) * 0.3
    record = stopped_session(study_pair, write_wav(tmp_path / "s.wav", audio))
    study = study_pair.study_dir
    args = ["--session", record.session_id, "--model", micro_checkpoint]
    refused = run_cli("transcribe", study, *args, env=env)
    assert refused.returncode == 1
    assert "official" in refused.stderr and "--allow-unofficial-model" in refused.stderr
    assert "Traceback" not in refused.stderr

    done = run_cli(
        "transcribe", study, *args, "--allow-unofficial-model", "--engine", "openai-whisper",
        "--greedy", "--max-tokens", "8", env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert f"Session {record.session_id}: transcribed (openai-whisper, CPU" in done.stderr
    as_json = run_cli(
        "transcript", "show", study, "--session", record.session_id, "--format", "json", env=env
    )
    p = json.loads(as_json.stdout)["provenance"]
    assert (p["model_name"], p["model_official"], p["model_package"]) == ("micro.en", False, "")
    assert (p["engine"], p["compute_type"]) == ("openai-whisper", "float32")
    assert p["options"]["sample_len"] == 8


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
