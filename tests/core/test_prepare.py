"""From a choice of model, engine and device to what the worker loads (prepare.py): the engine
picked for the device, its arithmetic, the built-in model's spec, and refusals said before any
work is done."""

from __future__ import annotations

from pathlib import Path

import pytest

from recorder.core.errors import UsageError
from recorder.core.transcribe import models
from recorder.core.transcribe.engine import ENGINES, EngineSpec
from recorder.core.transcribe.prepare import (
    ENGINE_CHOICES,
    Prepared,
    compute_type,
    pick_engine,
    prepare,
)


@pytest.fixture(autouse=True)
def own_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The models folder (and its remembered hashes) under tmp_path, never the user's."""
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(name, str(tmp_path / name.lower()))


def test_an_unknown_engine_is_refused_with_the_valid_names() -> None:
    assert ENGINE_CHOICES == ("auto", "faster-whisper", "openai-whisper")
    assert ENGINES[0] == "faster-whisper"  # the default first
    for wrong in ("whisperx", "faster_whisper", ""):
        with pytest.raises(UsageError, match="Unknown transcription engine") as caught:
            pick_engine(wrong, "cpu")
        assert caught.value.hint == "Choose one of: auto, faster-whisper, openai-whisper."


def test_auto_picks_faster_whisper_except_on_apples_gpu() -> None:
    assert pick_engine("auto", "cpu") == "faster-whisper"
    assert pick_engine("auto", "cuda") == "faster-whisper"
    assert pick_engine("auto", "mps") == "openai-whisper"
    assert pick_engine(" Faster-Whisper ", "cpu") == "faster-whisper"  # as typed
    assert pick_engine("openai-whisper", "cpu") == "openai-whisper"
    with pytest.raises(UsageError, match="cannot use Apple's GPU") as caught:
        pick_engine("faster-whisper", "mps")
    assert "openai-whisper" in caught.value.hint and "cpu" in caught.value.hint


def test_each_engine_runs_in_the_arithmetic_its_device_does_best() -> None:
    assert compute_type("faster-whisper", "cpu") == "int8"
    assert compute_type("openai-whisper", "cpu") == "float32"
    assert compute_type("faster-whisper", "cuda") == "float16"
    assert compute_type("openai-whisper", "cuda") == "float16"


def test_the_built_in_model_is_prepared_for_faster_whisper_on_the_cpu() -> None:
    prepared = prepare("built-in", "auto", "cpu")
    source = prepared.source
    assert (source.name, source.official, source.format) == ("tiny.en", True, models.CT2_FORMAT)
    assert source.package == f"{models.BUILTIN_PACKAGE} {models.BUILTIN_VERSION}"
    assert prepared == Prepared(
        source,
        EngineSpec(
            "faster-whisper",
            str(models.builtin_folder()),
            "cpu",
            "int8",
            models.lookup("tiny.en").alignment_heads,
        ),
    )


def test_refusals_come_before_any_work() -> None:
    with pytest.raises(UsageError, match="English only") as caught:
        prepare("built-in", "auto", "cpu", language="de")
    assert "multilingual" in caught.value.hint
    assert prepare("built-in", "auto", "cpu", language="EN").spec.engine == "faster-whisper"
    with pytest.raises(UsageError, match="Unknown transcription engine"):
        prepare("built-in", "whisperx", "cpu")
    with pytest.raises(UsageError, match="Unknown device"):
        prepare("built-in", "auto", "tpu")


def test_a_checkpoint_is_prepared_for_openai_whisper_as_it_is(micro_checkpoint: Path) -> None:
    prepared = prepare(str(micro_checkpoint), "openai-whisper", "cpu", allow_unofficial=True)
    assert not prepared.source.official and prepared.source.format == models.OPENAI_FORMAT
    assert prepared.spec == EngineSpec("openai-whisper", str(micro_checkpoint.resolve()), "cpu")
    assert prepared.spec.compute_type == "float32" and prepared.spec.alignment_heads == b""


def test_a_model_in_the_other_engines_format_is_converted_once(
    micro_checkpoint: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from recorder.core.transcribe import convert

    checkpoint = prepare(str(micro_checkpoint), "auto", "cpu", allow_unofficial=True)
    assert checkpoint.source.format == models.OPENAI_FORMAT and not checkpoint.source.official
    assert (checkpoint.spec.engine, checkpoint.spec.compute_type) == ("faster-whisper", "int8")
    assert (Path(checkpoint.spec.model_path) / "model.bin").is_file()

    built_in = prepare("built-in", "openai-whisper", "cpu")
    assert built_in.source.format == models.CT2_FORMAT
    assert (built_in.spec.engine, built_in.spec.compute_type) == ("openai-whisper", "float32")
    assert Path(built_in.spec.model_path).is_file()
    assert built_in.spec.alignment_heads == models.lookup("tiny.en").alignment_heads

    def no_conversion(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("converted again")

    monkeypatch.setattr(convert, "ct2_to_openai", no_conversion)
    monkeypatch.setattr(convert, "openai_to_ct2", no_conversion)
    again = prepare("built-in", "openai-whisper", "cpu")
    assert again == built_in  # the cached conversion
