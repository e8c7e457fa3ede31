"""Whisper model files converted both ways, locally and tensor for tensor.

The two engines want different files: openai-whisper a PyTorch checkpoint (``.pt``:
``{"dims": ModelDimensions.__dict__, "model_state_dict": ...}``), faster-whisper a CTranslate2
folder (``model.bin``, ``config.json``, ``tokenizer.json``, ``vocabulary.json``). Either engine
runs either model: this module converts between the two without ``transformers`` or a network.

- ``read_ct2_model`` reads CTranslate2's ``model.bin`` (the layout written by
  ``ctranslate2.specs.model_spec.ModelSpec._serialize`` and read by ``src/models/model.cc``):
  a binary version, the spec's name and revision, the variables (name, shape, dtype, bytes) and
  the aliases (one variable stored under two names, e.g. the decoder's output projection).
- ``ct2_to_openai`` writes a checkpoint whose tensors are the CTranslate2 tensors themselves, in
  their stored dtype (float16 stays float16; whisper's ``load_state_dict`` casts). The fused
  attention projections are split: self-attention ``linear_0`` is query, key and value (whisper's
  key has no bias: the key's third of the fused bias is left out, as it changes no attention
  weight), cross-attention ``linear_0`` is the query and ``linear_1`` key and value.
- ``openai_to_ct2`` fills ``ctranslate2.specs.WhisperSpec`` with the same tensors and saves it,
  with ``config.json`` (alignment heads, language ids, suppressed tokens) and a
  ``tokenizer.json`` built from whisper's own vocabulary files (``gpt2.tiktoken``,
  ``multilingual.tiktoken``), so faster-whisper needs nothing from the Hugging Face hub.
- ``ensure_format`` converts once per model file and keeps the result in
  ``<models>/converted``, named by the source's SHA256, with a record of the SHA256 of every file
  it wrote; a damaged conversion is made again, never used.

Damaged or foreign files raise ``RecorderError`` naming the file, with a hint. torch,
ctranslate2 and whisper are imported only inside the functions that need them.
"""

from __future__ import annotations

import base64
import gzip
import io
import json
import logging
import os
import re
import secrets
import shutil
import struct
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from recorder.core.atomic import TEMP_MARKER, atomic_write, fsync_dir, os_error
from recorder.core.errors import RecorderError, UsageError
from recorder.core.jobs import CancelToken
from recorder.core.transcribe.models import (
    CT2_FORMAT,
    OPENAI_FORMAT,
    ProgressFn,
    _read_json,
    _Reporter,
    catalogue,
    file_sha256,
    models_dir,
    whisper_source,
)

log = logging.getLogger(__name__)

Array = npt.NDArray[Any]

#: The newest ``model.bin`` layout this reader knows (ctranslate2 4.x writes 6).
MAX_BINARY_VERSION = 6
#: CTranslate2's DataType enum order (include/ctranslate2/types.h), by type id.
CT2_DTYPES = ("float32", "int8", "int16", "int32", "float16", "bfloat16")
#: numpy has no bfloat16: such variables are returned as their raw 16-bit words.
_NUMPY_DTYPES: dict[str, np.dtype[Any]] = {
    "float32": np.dtype("<f4"),
    "int8": np.dtype("i1"),
    "int16": np.dtype("<i2"),
    "int32": np.dtype("<i4"),
    "float16": np.dtype("<f2"),
    "bfloat16": np.dtype("<u2"),
}
#: Before binary version 4 only the item size was stored (model.cc's old logic).
_OLD_ITEM_SIZES = {4: "float32", 2: "int16", 1: "int8"}
_MAX_RANK = 8
WHISPER_SPEC = "WhisperSpec"
#: CTranslate2's GELU activation id (common_spec.Activation), the one whisper uses.
_GELU = 3
#: Bumped when the output of a conversion changes, so older cached conversions are redone.
CONVERTER_VERSION = 1
CONVERTED = "converted"

_BAD_FOLDER_HINT = (
    "Copy the model folder again from where it came from (or reinstall the package that ships "
    "it), or choose another model."
)
_BAD_CHECKPOINT_HINT = (
    "Choose a whisper checkpoint (.pt) saved by whisper or by torch.save with 'dims' and "
    "'model_state_dict', or copy the file again if it was cut short."
)


# -- CTranslate2's model.bin --------------------------------------------------------------------


@dataclass
class Ct2Model:
    """What a ``model.bin`` holds. Variables are numpy arrays in their stored dtype (bfloat16
    as uint16 words; ``dtypes`` names the CTranslate2 type of each)."""

    path: Path
    binary_version: int
    spec: str
    revision: int
    shapes: dict[str, tuple[int, ...]] = field(default_factory=dict)
    dtypes: dict[str, str] = field(default_factory=dict)
    #: Every variable, or only the scalars when read with ``tensors=False``.
    variables: dict[str, Array] = field(default_factory=dict)
    #: alias -> the variable it names.
    aliases: dict[str, str] = field(default_factory=dict)

    def resolve(self, name: str) -> str:
        """The stored variable behind ``name`` (an alias, or the ``_scale`` of one)."""
        if name in self.aliases:
            return self.aliases[name]
        base, _, _ = name.rpartition("_scale")
        if name.endswith("_scale") and base in self.aliases:
            return self.aliases[base] + "_scale"
        return name

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.resolve(name) in self.shapes

    def get(self, name: str) -> Array:
        """A variable by name or alias; ``RecorderError`` if the file lacks it."""
        key = self.resolve(name)
        if key not in self.variables:
            if key in self.shapes:
                raise ValueError(f"{name} was not loaded (read with tensors=True)")
            raise _damaged(self.path, f"it has no variable {name}")
        return self.variables[key]

    def shape(self, name: str) -> tuple[int, ...]:
        key = self.resolve(name)
        if key not in self.shapes:
            raise _damaged(self.path, f"it has no variable {name}")
        return self.shapes[key]

    def dtype(self, name: str) -> str:
        return self.dtypes[self.resolve(name)]

    def scalar(self, name: str) -> int:
        value = self.get(name)
        if value.shape != ():
            raise _damaged(self.path, f"{name} is not a single number")
        return int(value)


def _damaged(path: Path, why: str) -> RecorderError:
    return RecorderError(
        f"The model file {path} is damaged or is not a CTranslate2 whisper model: {why}.",
        hint=_BAD_FOLDER_HINT,
    )


class _Short(Exception):
    """The file ended before a field it announces."""


class _BinReader:
    def __init__(self, f: io.BufferedReader, size: int) -> None:
        self.f = f
        self.size = size

    @property
    def left(self) -> int:
        return self.size - self.f.tell()

    def raw(self, n: int) -> bytes:
        data = self.f.read(n)
        if len(data) != n:
            raise _Short
        return data

    def number(self, fmt: str) -> int:
        value = struct.unpack("<" + fmt, self.raw(struct.calcsize("<" + fmt)))[0]
        return int(value)

    def string(self) -> str:
        data = self.raw(self.number("H"))
        return data.split(b"\0", 1)[0].decode("utf-8")

    def into(self, n: int) -> bytearray:
        if n > self.left:
            raise _Short
        buffer = bytearray(n)
        if self.f.readinto(buffer) != n:
            raise _Short
        return buffer


def model_bin_path(path: Path) -> Path:
    """``path/model.bin`` for a folder, else ``path`` itself."""
    return path / "model.bin" if path.is_dir() else path


def read_ct2_model(
    path: Path,
    *,
    tensors: bool = True,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> Ct2Model:
    """Read a CTranslate2 ``model.bin`` (or the folder holding it).

    With ``tensors=False`` only the names, shapes, dtypes, scalars and aliases are read (the
    tensors' bytes are skipped). Raises ``RecorderError`` naming the file for a missing,
    truncated or damaged file, or one written by a newer CTranslate2.
    """
    file = model_bin_path(Path(path))
    report = _Reporter(progress)
    try:
        with file.open("rb") as f:
            size = os.fstat(f.fileno()).st_size
            model = _parse(_BinReader(f, size), file, tensors, report, cancel)
    except FileNotFoundError as exc:
        raise RecorderError(
            f"There is no model file at {file}.",
            hint="Choose the folder that holds model.bin, config.json and tokenizer.json.",
        ) from exc
    except _Short as exc:
        raise _damaged(file, "it ends early (it was cut short)") from exc
    except UnicodeDecodeError as exc:
        raise _damaged(file, "a variable name is not text") from exc
    except OSError as exc:
        raise RecorderError(
            f"Cannot read the model file {file}: {exc.strerror or exc}.",
            hint="Check that the drive is connected and the file readable.",
        ) from exc
    return model


def _parse(
    r: _BinReader, file: Path, tensors: bool, report: _Reporter, cancel: CancelToken | None
) -> Ct2Model:
    version = r.number("I")
    if version == 0 or version > MAX_BINARY_VERSION:
        if 0 < version < 1000:
            raise RecorderError(
                f"The model file {file} was written by a newer CTranslate2 (binary version "
                f"{version}; this app reads up to {MAX_BINARY_VERSION}).",
                hint="Convert the model with the CTranslate2 version this app installs, or "
                "use the openai-whisper checkpoint instead.",
            )
        raise _damaged(file, "it does not start like a CTranslate2 model")
    spec, revision = ("", 1) if version < 2 else (r.string(), r.number("I"))
    model = Ct2Model(file, version, spec, revision)
    count = r.number("I")
    for _ in range(count):
        if cancel is not None:
            cancel.check()
        name = r.string()
        rank = r.number("B")
        if rank > _MAX_RANK:
            raise _damaged(file, f"the variable {name} has {rank} dimensions")
        shape = tuple(r.number("I") for _ in range(rank))
        if version >= 4:
            type_id = r.number("B")
            if type_id >= len(CT2_DTYPES):
                raise _damaged(file, f"the variable {name} has an unknown type ({type_id})")
            dtype = CT2_DTYPES[type_id]
            nbytes = r.number("I")
        else:
            item_size = r.number("B")
            if item_size not in _OLD_ITEM_SIZES:
                raise _damaged(file, f"the variable {name} has an unknown item size")
            dtype = _OLD_ITEM_SIZES[item_size]
            nbytes = r.number("I") * item_size
        np_dtype = _NUMPY_DTYPES[dtype]
        if nbytes != int(np.prod(shape, dtype=np.int64)) * np_dtype.itemsize:
            raise _damaged(file, f"the size of the variable {name} does not match its shape")
        if name in model.shapes:
            raise _damaged(file, f"the variable {name} is stored twice")
        model.shapes[name] = shape
        model.dtypes[name] = dtype
        if tensors or rank == 0:
            array = np.frombuffer(r.into(nbytes), dtype=np_dtype).reshape(shape)
            model.variables[name] = array
        else:
            if nbytes > r.left:
                raise _Short
            r.f.seek(nbytes, io.SEEK_CUR)
        report(r.f.tell() / max(1, r.size), f"Reading {file.parent.name}/{file.name}")
    if version >= 3:
        for _ in range(r.number("I")):
            alias, target = r.string(), r.string()
            if target not in model.shapes:
                raise _damaged(file, f"the alias {alias} names a missing variable {target}")
            model.aliases[alias] = target
    if r.left != 0:
        raise _damaged(file, f"{r.left} unexpected bytes follow the model")
    return model


# -- the mapping between the two layouts --------------------------------------------------------

#: One CTranslate2 variable and the whisper tensors stacked in it, row block by row block;
#: None is the key's bias, which whisper does not have (zero in a CTranslate2 file).
_Entry = tuple[str, tuple[str | None, ...]]


def _attention(ct2: str, whisper: str, *, cross: bool) -> list[_Entry]:
    w = whisper
    entries: list[_Entry] = [
        (f"{ct2}/layer_norm/gamma", (f"{w}_ln.weight",)),
        (f"{ct2}/layer_norm/beta", (f"{w}_ln.bias",)),
    ]
    if cross:
        entries += [
            (f"{ct2}/linear_0/weight", (f"{w}.query.weight",)),
            (f"{ct2}/linear_0/bias", (f"{w}.query.bias",)),
            (f"{ct2}/linear_1/weight", (f"{w}.key.weight", f"{w}.value.weight")),
            (f"{ct2}/linear_1/bias", (None, f"{w}.value.bias")),
            (f"{ct2}/linear_2/weight", (f"{w}.out.weight",)),
            (f"{ct2}/linear_2/bias", (f"{w}.out.bias",)),
        ]
    else:
        entries += [
            (
                f"{ct2}/linear_0/weight",
                (f"{w}.query.weight", f"{w}.key.weight", f"{w}.value.weight"),
            ),
            (f"{ct2}/linear_0/bias", (f"{w}.query.bias", None, f"{w}.value.bias")),
            (f"{ct2}/linear_1/weight", (f"{w}.out.weight",)),
            (f"{ct2}/linear_1/bias", (f"{w}.out.bias",)),
        ]
    return entries


def _ffn(ct2: str, whisper: str) -> list[_Entry]:
    return [
        (f"{ct2}/layer_norm/gamma", (f"{whisper}.mlp_ln.weight",)),
        (f"{ct2}/layer_norm/beta", (f"{whisper}.mlp_ln.bias",)),
        (f"{ct2}/linear_0/weight", (f"{whisper}.mlp.0.weight",)),
        (f"{ct2}/linear_0/bias", (f"{whisper}.mlp.0.bias",)),
        (f"{ct2}/linear_1/weight", (f"{whisper}.mlp.2.weight",)),
        (f"{ct2}/linear_1/bias", (f"{whisper}.mlp.2.bias",)),
    ]


def _mapping(n_audio_layer: int, n_text_layer: int) -> list[_Entry]:
    """Every CTranslate2 variable of a whisper model and the whisper tensors in it."""
    entries: list[_Entry] = [
        ("encoder/conv1/weight", ("encoder.conv1.weight",)),
        ("encoder/conv1/bias", ("encoder.conv1.bias",)),
        ("encoder/conv2/weight", ("encoder.conv2.weight",)),
        ("encoder/conv2/bias", ("encoder.conv2.bias",)),
        ("encoder/position_encodings/encodings", ("encoder.positional_embedding",)),
        ("encoder/layer_norm/gamma", ("encoder.ln_post.weight",)),
        ("encoder/layer_norm/beta", ("encoder.ln_post.bias",)),
        ("decoder/embeddings/weight", ("decoder.token_embedding.weight",)),
        ("decoder/position_encodings/encodings", ("decoder.positional_embedding",)),
        ("decoder/layer_norm/gamma", ("decoder.ln.weight",)),
        ("decoder/layer_norm/beta", ("decoder.ln.bias",)),
    ]
    for i in range(n_audio_layer):
        ct2, w = f"encoder/layer_{i}", f"encoder.blocks.{i}"
        entries += _attention(f"{ct2}/self_attention", f"{w}.attn", cross=False)
        entries += _ffn(f"{ct2}/ffn", w)
    for i in range(n_text_layer):
        ct2, w = f"decoder/layer_{i}", f"decoder.blocks.{i}"
        entries += _attention(f"{ct2}/self_attention", f"{w}.attn", cross=False)
        entries += _attention(f"{ct2}/attention", f"{w}.cross_attn", cross=True)
        entries += _ffn(f"{ct2}/ffn", w)
    return entries


DIM_NAMES = (
    "n_mels", "n_audio_ctx", "n_audio_state", "n_audio_head", "n_audio_layer",
    "n_vocab", "n_text_ctx", "n_text_state", "n_text_head", "n_text_layer",
)  # fmt: skip


def _expected_shapes(dims: dict[str, int]) -> dict[str, tuple[int, ...]]:
    """Every whisper tensor's shape for these dimensions (whisper.model's layout)."""
    a, t = dims["n_audio_state"], dims["n_text_state"]
    shapes: dict[str, tuple[int, ...]] = {
        "encoder.conv1.weight": (a, dims["n_mels"], 3),
        "encoder.conv1.bias": (a,),
        "encoder.conv2.weight": (a, a, 3),
        "encoder.conv2.bias": (a,),
        "encoder.positional_embedding": (dims["n_audio_ctx"], a),
        "encoder.ln_post.weight": (a,),
        "encoder.ln_post.bias": (a,),
        "decoder.token_embedding.weight": (dims["n_vocab"], t),
        "decoder.positional_embedding": (dims["n_text_ctx"], t),
        "decoder.ln.weight": (t,),
        "decoder.ln.bias": (t,),
    }

    def block(prefix: str, n: int, attentions: tuple[str, ...]) -> None:
        for name in attentions:
            for part in ("query", "key", "value", "out"):
                shapes[f"{prefix}.{name}.{part}.weight"] = (n, n)
                if part != "key":
                    shapes[f"{prefix}.{name}.{part}.bias"] = (n,)
            shapes[f"{prefix}.{name}_ln.weight"] = (n,)
            shapes[f"{prefix}.{name}_ln.bias"] = (n,)
        shapes[f"{prefix}.mlp.0.weight"] = (4 * n, n)
        shapes[f"{prefix}.mlp.0.bias"] = (4 * n,)
        shapes[f"{prefix}.mlp.2.weight"] = (n, 4 * n)
        shapes[f"{prefix}.mlp.2.bias"] = (n,)
        shapes[f"{prefix}.mlp_ln.weight"] = (n,)
        shapes[f"{prefix}.mlp_ln.bias"] = (n,)

    for i in range(dims["n_audio_layer"]):
        block(f"encoder.blocks.{i}", a, ("attn",))
    for i in range(dims["n_text_layer"]):
        block(f"decoder.blocks.{i}", t, ("attn", "cross_attn"))
    return shapes


def _count_layers(model: Ct2Model, prefix: str) -> int:
    pattern = re.compile(rf"^{prefix}/layer_(\d+)/")
    found = {int(m.group(1)) for name in model.shapes if (m := pattern.match(name))}
    if found != set(range(len(found))):
        raise _damaged(model.path, f"the {prefix}'s layers are not numbered 0 to {len(found) - 1}")
    return len(found)


def ct2_dimensions(model: Ct2Model) -> dict[str, int]:
    """whisper's ``ModelDimensions`` (as a dict) of a CTranslate2 whisper model: from the
    shapes and the head counts CTranslate2 stores (``encoder/num_heads``, ``decoder/num_heads``).
    """
    if model.spec != WHISPER_SPEC:
        what = f"a {model.spec}" if model.spec else "an old CTranslate2 model"
        raise RecorderError(
            f"The model file {model.path} is {what}, not a whisper model.",
            hint="Choose a faster-whisper (CTranslate2 whisper) model folder.",
        )
    conv1 = model.shape("encoder/conv1/weight")
    audio_pos = model.shape("encoder/position_encodings/encodings")
    embeddings = model.shape("decoder/embeddings/weight")
    text_pos = model.shape("decoder/position_encodings/encodings")
    if len(conv1) != 3 or len(audio_pos) != 2 or len(embeddings) != 2 or len(text_pos) != 2:
        raise _damaged(model.path, "its embeddings do not have the shapes of a whisper model")
    dims = {
        "n_mels": conv1[1],
        "n_audio_ctx": audio_pos[0],
        "n_audio_state": audio_pos[1],
        "n_audio_head": model.scalar("encoder/num_heads"),
        "n_audio_layer": _count_layers(model, "encoder"),
        "n_vocab": embeddings[0],
        "n_text_ctx": text_pos[0],
        "n_text_state": embeddings[1],
        "n_text_head": model.scalar("decoder/num_heads"),
        "n_text_layer": _count_layers(model, "decoder"),
    }
    _check_dims(dims, model.path)
    if "decoder/activation" in model and model.scalar("decoder/activation") != _GELU:
        raise _damaged(model.path, "its decoder is not whisper's (another activation)")
    return dims


def _check_dims(dims: dict[str, int], path: Path) -> None:
    problems = [k for k in DIM_NAMES if not isinstance(dims.get(k), int) or dims[k] <= 0]
    if not problems:
        for state, heads in (("n_audio_state", "n_audio_head"), ("n_text_state", "n_text_head")):
            if dims[state] % dims[heads]:
                problems.append(f"{state} {dims[state]} is not a multiple of {heads}")
    if problems:
        raise RecorderError(
            f"The model {path} has impossible whisper dimensions ({', '.join(problems)}).",
            hint="The file is damaged or is not a whisper model; choose another model.",
        )


def _wrong_shape(
    path: Path, name: str, shape: tuple[int, ...], want: tuple[int, ...]
) -> RecorderError:
    return RecorderError(
        f"The model {path} does not fit together: {name} has the shape {list(shape)} where its "
        f"dimensions call for {list(want)}.",
        hint="The file is damaged or is not a whisper model; choose another model.",
    )


# -- alignment heads (whisper's encoding <-> CTranslate2's config) ------------------------------


def encode_alignment_heads(
    pairs: list[tuple[int, int]] | list[list[int]], n_text_layer: int, n_text_head: int
) -> bytes:
    """whisper's encoding of word-timing heads: base85 of gzip of a bool array
    ``[n_text_layer, n_text_head]`` (as in ``whisper._ALIGNMENT_HEADS``)."""
    mask = np.zeros((n_text_layer, n_text_head), dtype=bool)
    for layer, head in pairs:
        if not (0 <= int(layer) < n_text_layer and 0 <= int(head) < n_text_head):
            raise ValueError(f"alignment head {layer}, {head} is outside the decoder")
        mask[int(layer), int(head)] = True
    return base64.b85encode(gzip.compress(mask.tobytes(), mtime=0))


def decode_alignment_heads(dump: bytes, n_text_layer: int, n_text_head: int) -> list[list[int]]:
    """``[[layer, head], ...]`` (CTranslate2's ``config.json``) from whisper's encoding."""
    mask = np.frombuffer(gzip.decompress(base64.b85decode(dump)), dtype=bool)
    if mask.size != n_text_layer * n_text_head:
        raise ValueError("the alignment heads are for another number of layers or heads")
    rows, cols = np.nonzero(mask.reshape(n_text_layer, n_text_head))
    return [[int(r), int(c)] for r, c in zip(rows, cols, strict=True)]


def default_alignment_heads(n_text_layer: int, n_text_head: int) -> list[list[int]]:
    """Every head of the decoder's second half: whisper's and CTranslate2's default."""
    layers = range(n_text_layer // 2, n_text_layer)
    return [[layer, head] for layer in layers for head in range(n_text_head)]


def ct2_alignment_heads(model_dir: Path) -> bytes:
    """The word-timing heads of a CTranslate2 whisper folder (``config.json``) in whisper's
    encoding, for ``Whisper.set_alignment_heads``; the default heads where it lists none."""
    model_dir = Path(model_dir)
    model = read_ct2_model(model_dir, tensors=False)
    dims = ct2_dimensions(model)
    layers, heads = dims["n_text_layer"], dims["n_text_head"]
    config = _read_json(model_dir / "config.json")
    pairs = config.get("alignment_heads")
    if not pairs:
        return encode_alignment_heads(default_alignment_heads(layers, heads), layers, heads)
    try:
        return encode_alignment_heads(pairs, layers, heads)
    except (TypeError, ValueError) as exc:
        raise RecorderError(
            f"The alignment heads in {model_dir / 'config.json'} do not fit the model.",
            hint=_BAD_FOLDER_HINT,
        ) from exc


# -- CTranslate2 -> openai-whisper --------------------------------------------------------------


def _tensor_of(model: Ct2Model, name: str) -> Any:
    """A CTranslate2 variable as a torch tensor in its stored dtype; quantized int8/int16
    weights (which whisper cannot hold) are dequantized to float32."""
    import torch

    array = model.get(name)
    dtype = model.dtype(name)
    if dtype == "bfloat16":
        return torch.from_numpy(array.view(np.int16).copy()).view(torch.bfloat16)
    if dtype in ("int8", "int16") and f"{name}_scale" in model:
        scale = model.get(f"{name}_scale").astype(np.float32)
        if scale.ndim == 1:
            scale = scale.reshape(-1, *([1] * (array.ndim - 1)))
        return torch.from_numpy(array.astype(np.float32) / scale)
    if dtype not in ("float32", "float16"):
        raise _damaged(model.path, f"the weights {name} are {dtype}, not numbers whisper uses")
    return torch.from_numpy(array)


def ct2_state_dict(
    model: Ct2Model, *, cancel: CancelToken | None = None
) -> tuple[dict[str, int], dict[str, Any]]:
    """whisper's dimensions and state dict from a CTranslate2 whisper model (read with its
    tensors): the same tensors, split where CTranslate2 fuses them."""
    dims = ct2_dimensions(model)
    want = _expected_shapes(dims)
    state: dict[str, Any] = {}
    dropped_key_bias = False
    for ct2_name, parts in _mapping(dims["n_audio_layer"], dims["n_text_layer"]):
        if cancel is not None:
            cancel.check()
        reference = next(p for p in parts if p is not None)
        rows = want[reference][0]
        fused = (rows * len(parts), *want[reference][1:])
        if model.shape(ct2_name) != fused:
            raise _wrong_shape(model.path, ct2_name, model.shape(ct2_name), fused)
        tensor = _tensor_of(model, ct2_name)
        for i, part in enumerate(parts):
            block = tensor[i * rows : (i + 1) * rows] if len(parts) > 1 else tensor
            if part is None:
                dropped_key_bias = dropped_key_bias or bool(block.float().abs().max() > 0)
            else:
                state[part] = block.clone() if len(parts) > 1 else block
    if dropped_key_bias:
        log.info(
            "%s: a non-zero key bias was left out (it changes no attention weight)", model.path
        )
    _check_tied_projection(model)
    return dims, state


def _check_tied_projection(model: Ct2Model) -> None:
    """whisper's output layer is its token embedding: a separate projection must equal it."""
    name = "decoder/projection/weight"
    if name in model and model.resolve(name) != "decoder/embeddings/weight":
        embeddings = "decoder/embeddings/weight"
        same = model.shape(name) == model.shape(embeddings)
        if same and model.resolve(name) in model.variables:
            same = np.array_equal(model.get(name), model.get(embeddings))
        if not same:
            raise RecorderError(
                f"The model {model.path} has an output layer separate from its token "
                "embedding, which openai-whisper cannot hold.",
                hint="Use this model with the faster-whisper engine.",
            )
    bias = "decoder/projection/bias"
    if bias in model and (bias not in model.variables or np.any(model.get(bias) != 0)):
        raise RecorderError(
            f"The model {model.path} has an output bias, which openai-whisper cannot hold.",
            hint="Use this model with the faster-whisper engine.",
        )


def ct2_to_openai(
    model_dir: Path,
    out_pt: Path,
    *,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> None:
    """Write an openai-whisper checkpoint (``out_pt``, replaced atomically) holding the tensors
    of the CTranslate2 whisper model in ``model_dir``, in their stored dtype.

    The checkpoint also carries the folder's word-timing heads (``alignment_heads``, whisper's
    encoding), which whisper ignores and ``openai_to_ct2`` reads back.
    """
    import torch

    model_dir, out_pt = Path(model_dir), Path(out_pt)
    model = read_ct2_model(model_dir, progress=_sub(progress, 0.0, 0.5), cancel=cancel)
    dims, state = ct2_state_dict(model, cancel=cancel)
    checkpoint: dict[str, Any] = {"dims": dims, "model_state_dict": state}
    if (model_dir / "config.json").is_file():
        checkpoint["alignment_heads"] = ct2_alignment_heads(model_dir)
    _report(progress, 0.6, f"Writing {out_pt.name}")
    _atomic_file(out_pt, lambda tmp: torch.save(checkpoint, tmp))
    _report(progress, 1.0, f"Wrote {out_pt.name}")


# -- openai-whisper -> CTranslate2 --------------------------------------------------------------


def load_checkpoint(pt_path: Path) -> tuple[dict[str, int], dict[str, Any], dict[str, Any]]:
    """(dims, state dict, the whole checkpoint) of a whisper ``.pt``, loaded with
    ``weights_only`` (no code in the file runs) and checked against whisper's layout."""
    import torch

    pt_path = Path(pt_path)
    if not pt_path.is_file():
        raise RecorderError(f"There is no model file at {pt_path}.", hint="Check the path.")
    try:
        checkpoint = torch.load(pt_path, map_location="cpu", weights_only=True)
    except Exception as exc:  # any parse failure of an untrusted file: pickle, zip, EOF...
        raise RecorderError(
            f"{pt_path.name} is not a whisper model checkpoint, or it is damaged "
            f"({type(exc).__name__}).",
            hint=_BAD_CHECKPOINT_HINT,
        ) from exc
    dims = checkpoint.get("dims") if isinstance(checkpoint, dict) else None
    state = checkpoint.get("model_state_dict") if isinstance(checkpoint, dict) else None
    if not isinstance(dims, dict) or not isinstance(state, dict):
        raise RecorderError(
            f"{pt_path.name} is not a whisper model checkpoint (it lacks 'dims' or "
            "'model_state_dict').",
            hint=_BAD_CHECKPOINT_HINT,
        )
    dims = {k: dims.get(k) for k in DIM_NAMES}
    _check_dims(dims, pt_path)
    for name, shape in _expected_shapes(dims).items():
        tensor = state.get(name)
        if not isinstance(tensor, torch.Tensor):
            raise RecorderError(
                f"{pt_path.name} is not a whole whisper checkpoint: it lacks {name}.",
                hint=_BAD_CHECKPOINT_HINT,
            )
        if tuple(tensor.shape) != shape:
            raise _wrong_shape(pt_path, name, tuple(tensor.shape), shape)
        if not tensor.is_floating_point():
            raise RecorderError(
                f"{pt_path.name}: {name} holds {tensor.dtype}, not floating-point weights.",
                hint=_BAD_CHECKPOINT_HINT,
            )
    return dims, state, checkpoint


def _whisper_vocabulary(n_vocab: int) -> tuple[dict[bytes, int], list[str], bool]:
    """(BPE ranks, special tokens in id order, multilingual) of whisper's tokenizer for a
    model with ``n_vocab`` tokens, from the files in whisper's wheel."""
    from whisper.tokenizer import LANGUAGES

    multilingual = n_vocab >= 51865
    name = "multilingual" if multilingual else "gpt2"
    asset = whisper_source().parent / "assets" / f"{name}.tiktoken"
    ranks: dict[bytes, int] = {}
    for line in asset.read_text(encoding="ascii").splitlines():
        if line:
            token, rank = line.split()
            ranks[base64.b64decode(token)] = int(rank)
    num_languages = n_vocab - 51765 - int(multilingual)
    specials = [  # whisper.tokenizer.get_encoding's list
        "<|endoftext|>",
        "<|startoftranscript|>",
        *[f"<|{code}|>" for code in list(LANGUAGES)[:num_languages]],
        "<|translate|>",
        "<|transcribe|>",
        "<|startoflm|>",
        "<|startofprev|>",
        "<|nospeech|>",
        "<|notimestamps|>",
        *[f"<|{i * 0.02:.2f}|>" for i in range(1501)],
    ]
    if len(ranks) + len(specials) != n_vocab or not 0 < num_languages <= len(LANGUAGES):
        raise RecorderError(
            f"A whisper model with {n_vocab} tokens is of no kind whisper knows.",
            hint="The file is damaged or is not a whisper model; choose another model.",
        )
    return ranks, specials, multilingual


def _byte_chars() -> dict[int, str]:
    """GPT-2's byte-to-character table (byte-level BPE, as ``tokenizers`` ByteLevel uses)."""
    printable = [*range(33, 127), *range(161, 173), *range(174, 256)]
    chars = dict(zip(printable, printable, strict=True))
    extra = 0
    for b in range(256):
        if b not in chars:
            chars[b] = 256 + extra
            extra += 1
    return {b: chr(c) for b, c in chars.items()}


def _merges(ranks: dict[bytes, int], cancel: CancelToken | None) -> list[tuple[bytes, bytes]]:
    """BPE merges that reproduce tiktoken: tiktoken joins any two neighbouring pieces whose
    join is a token, the lowest-ranked join first, so every split of a token into two tokens
    is a merge, ranked by the token (then by its halves' ranks)."""
    merges: list[tuple[int, int, int, bytes, bytes]] = []
    for n, (token, rank) in enumerate(ranks.items()):
        if cancel is not None and n % 8192 == 0:
            cancel.check()
        for i in range(1, len(token)):
            left, right = ranks.get(token[:i]), ranks.get(token[i:])
            if left is not None and right is not None:
                merges.append((rank, left, right, token[:i], token[i:]))
    merges.sort()
    return [(a, b) for _, _, _, a, b in merges]


def whisper_tokenizer_json(n_vocab: int, cancel: CancelToken | None = None) -> dict[str, Any]:
    """A ``tokenizers`` byte-level BPE tokenizer (``tokenizer.json``) equal to whisper's own
    tokenizer for a model with ``n_vocab`` tokens, made offline from whisper's files."""
    ranks, specials, _multilingual = _whisper_vocabulary(n_vocab)
    chars = _byte_chars()

    def text(token: bytes) -> str:
        return "".join(chars[b] for b in token)

    vocab = {text(token): rank for token, rank in ranks.items()}
    eot = len(ranks)
    vocab["<|endoftext|>"] = eot
    flags = {"single_word": False, "lstrip": False, "rstrip": False, "normalized": False}
    added = [
        {"id": eot + i, "content": token, **flags, "special": True}
        for i, token in enumerate(specials[: specials.index("<|notimestamps|>") + 1])
    ]

    def special(token: str) -> dict[str, Any]:
        return {"SpecialToken": {"id": token, "type_id": 0}}

    ids = {t: eot + i for i, t in enumerate(specials)}
    sot, no_ts, end = "<|startoftranscript|>", "<|notimestamps|>", "<|endoftext|>"
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added,
        "normalizer": None,
        "pre_tokenizer": {
            "type": "ByteLevel",
            "add_prefix_space": False,
            "trim_offsets": True,
            "use_regex": True,
        },
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [
                special(sot),
                special(no_ts),
                {"Sequence": {"id": "A", "type_id": 0}},
                special(end),
            ],
            "pair": [
                special(sot),
                special(no_ts),
                {"Sequence": {"id": "A", "type_id": 0}},
                {"Sequence": {"id": "B", "type_id": 1}},
                {"SpecialToken": {"id": end, "type_id": 1}},
            ],
            "special_tokens": {
                t: {"id": t, "ids": [ids[t]], "tokens": [t]} for t in (end, no_ts, sot)
            },
        },
        "decoder": {
            "type": "ByteLevel",
            "add_prefix_space": True,
            "trim_offsets": True,
            "use_regex": True,
        },
        "model": {
            "type": "BPE",
            "dropout": None,
            "unk_token": None,
            "continuing_subword_prefix": "",
            "end_of_word_suffix": "",
            "fuse_unk": False,
            "byte_fallback": False,
            # A piece that is a token stays whole, as in tiktoken (which checks this first).
            "ignore_merges": True,
            "vocab": vocab,
            "merges": [f"{text(a)} {text(b)}" for a, b in _merges(ranks, cancel)],
        },
    }


def whisper_vocabulary_tokens(n_vocab: int) -> list[str]:
    """Every token of the model's vocabulary in id order, as CTranslate2 lists them."""
    ranks, specials, _ = _whisper_vocabulary(n_vocab)
    chars = _byte_chars()
    tokens = [""] * len(ranks)
    for token, rank in ranks.items():
        tokens[rank] = "".join(chars[b] for b in token)
    return tokens + specials


def whisper_ct2_config(n_vocab: int, alignment_heads: list[list[int]]) -> dict[str, Any]:
    """CTranslate2's ``config.json`` for a whisper model: the ids of the language tokens, the
    tokens whisper suppresses (``suppress_tokens=-1``) and at the start (``suppress_blank``)."""
    from whisper.tokenizer import get_tokenizer

    _ranks, _specials, multilingual = _whisper_vocabulary(n_vocab)
    languages = n_vocab - 51765 - int(multilingual)
    tokenizer = get_tokenizer(multilingual, num_languages=languages)
    suppress = {  # whisper.decoding's _get_suppress_tokens
        *tokenizer.non_speech_tokens,
        tokenizer.transcribe,
        tokenizer.translate,
        tokenizer.sot,
        tokenizer.sot_prev,
        tokenizer.sot_lm,
        tokenizer.no_speech,
    }
    return {
        "alignment_heads": alignment_heads,
        "lang_ids": sorted(int(t) for t in tokenizer.all_language_tokens),
        "suppress_ids": sorted(int(t) for t in suppress if t is not None),
        "suppress_ids_begin": [*tokenizer.encode(" "), tokenizer.eot],
    }


def _set_variable(spec: Any, name: str, value: Any) -> None:
    from ctranslate2.specs import model_spec

    scope, _, attribute = name.rpartition("/")
    setattr(model_spec.index_spec(spec, scope), attribute, value)


def _checkpoint_heads(checkpoint: dict[str, Any], dims: dict[str, int]) -> list[list[int]] | None:
    dump = checkpoint.get("alignment_heads")
    if isinstance(dump, str):
        dump = dump.encode("ascii", "replace")
    if not isinstance(dump, bytes) or not dump:
        return None
    try:
        return decode_alignment_heads(dump, dims["n_text_layer"], dims["n_text_head"])
    except (ValueError, OSError, EOFError):
        log.warning("the checkpoint's alignment heads are unreadable; the default ones are used")
        return None


def openai_to_ct2(
    pt_path: Path,
    out_dir: Path,
    *,
    alignment_heads: bytes | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> None:
    """Write a CTranslate2 whisper folder (``out_dir``, which must not exist yet) holding the
    tensors of the openai-whisper checkpoint ``pt_path`` in their stored dtype, with
    ``config.json``, ``tokenizer.json`` and ``vocabulary.json`` for faster-whisper.

    ``alignment_heads`` (whisper's encoding) names the word-timing heads; without it those
    the checkpoint carries (see ``ct2_to_openai``) are used, else the default ones.
    """
    import torch
    from ctranslate2.specs import whisper_spec

    pt_path, out_dir = Path(pt_path), Path(out_dir)
    _report(progress, 0.0, f"Reading {pt_path.name}")
    dims, state, checkpoint = load_checkpoint(pt_path)
    layers, heads = dims["n_text_layer"], dims["n_text_head"]
    if alignment_heads:
        try:
            pairs: list[list[int]] | None = decode_alignment_heads(alignment_heads, layers, heads)
        except (ValueError, OSError, EOFError) as exc:
            raise UsageError("The alignment heads given do not fit this model.") from exc
    else:
        pairs = _checkpoint_heads(checkpoint, dims)
    spec = whisper_spec.WhisperSpec(dims["n_audio_layer"], dims["n_audio_head"], layers, heads)
    _report(progress, 0.2, f"Converting {pt_path.name}")
    for ct2_name, parts in _mapping(dims["n_audio_layer"], layers):
        if cancel is not None:
            cancel.check()
        reference = state[next(p for p in parts if p is not None)]
        blocks = [state[p] if p is not None else torch.zeros_like(reference) for p in parts]
        value = blocks[0] if len(blocks) == 1 else torch.cat(blocks)
        if value.dtype == torch.float64:  # CTranslate2 has no float64 (whisper never saves it)
            value = value.float()
        _set_variable(spec, ct2_name, value.contiguous())
    spec.decoder.projection.weight = spec.decoder.embeddings.weight  # tied: saved as an alias
    n_vocab = dims["n_vocab"]
    spec.register_vocabulary(whisper_vocabulary_tokens(n_vocab))
    config = whisper_ct2_config(n_vocab, pairs or default_alignment_heads(layers, heads))
    for key, value in config.items():
        setattr(spec.config, key, value)
    _report(progress, 0.4, "Building the tokenizer")
    tokenizer = json.dumps(whisper_tokenizer_json(n_vocab, cancel), ensure_ascii=False)
    if cancel is not None:
        cancel.check()
    try:
        spec.validate()
        spec.optimize(quantization=None)  # the alias for the tied projection; dtypes unchanged
    except ValueError as exc:
        raise RecorderError(
            f"{pt_path.name} cannot be converted for faster-whisper: {exc}",
            hint=_BAD_CHECKPOINT_HINT,
        ) from exc
    _report(progress, 0.7, f"Writing {out_dir.name}")

    def write(tmp: Path) -> None:
        tmp.mkdir()
        spec.save(str(tmp))
        (tmp / "tokenizer.json").write_text(tokenizer, encoding="utf-8")
        if dims["n_mels"] != 80:  # faster-whisper's feature extractor reads this
            features = {"feature_size": dims["n_mels"], "sampling_rate": 16000}
            features |= {"hop_length": 160, "chunk_length": 30, "n_fft": 400}
            (tmp / "preprocessor_config.json").write_text(json.dumps(features, indent=1))

    _atomic_folder(out_dir, write)
    _report(progress, 1.0, f"Wrote {out_dir.name}")


# -- writing, atomically ------------------------------------------------------------------------


def _report(progress: ProgressFn | None, fraction: float, message: str) -> None:
    _Reporter(progress)(fraction, message)


def _sub(progress: ProgressFn | None, start: float, end: float) -> ProgressFn | None:
    if progress is None:
        return None
    reporter = _Reporter(progress, start, end)
    return lambda p: reporter(p.fraction, p.message)


def _temp_name(path: Path) -> Path:
    return path.with_name(f".{path.name}{TEMP_MARKER}{secrets.token_hex(4)}")


def _fsync_tree(folder: Path) -> None:
    for file in folder.rglob("*"):
        if file.is_file():
            with file.open("rb") as f:
                os.fsync(f.fileno())
    fsync_dir(folder)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _atomic_file(path: Path, write: Callable[[Path], object]) -> None:
    """``write(tmp)`` then fsync and rename over ``path``; nothing is left on failure."""
    tmp = _temp_name(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write(tmp)
        with tmp.open("rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except OSError as exc:
        raise os_error(exc, path) from exc
    finally:
        _remove(tmp)


def _atomic_folder(path: Path, write: Callable[[Path], object]) -> None:
    """``write(tmp)`` fills a new folder, which is fsynced and renamed to ``path``."""
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise UsageError(
            f"{path} exists already; a converted model is written to a new folder.",
            hint="Choose a folder name that is not taken, or remove the old folder.",
        )
    tmp = _temp_name(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write(tmp)
        _fsync_tree(tmp)
        if path.is_dir():
            path.rmdir()  # empty (checked above)
        os.rename(tmp, path)
        fsync_dir(path.parent)
    except OSError as exc:
        raise os_error(exc, path) from exc
    finally:
        _remove(tmp)


# -- cached, verified conversions ---------------------------------------------------------------


def model_format(path: Path) -> str:
    """``ct2`` for a CTranslate2 folder, ``openai`` for a checkpoint file."""
    if path.is_dir():
        if (path / "model.bin").is_file():
            return CT2_FORMAT
        raise RecorderError(
            f"{path} is not a CTranslate2 whisper model folder (it has no model.bin).",
            hint="Choose the folder that holds model.bin, config.json and tokenizer.json.",
        )
    if path.is_file():
        return OPENAI_FORMAT
    raise RecorderError(f"There is no model file at {path}.", hint="Check the path.")


def converted_path(sha256: str, want: str) -> Path:
    """Where the conversion of the model with this SHA256 into format ``want`` is kept."""
    stem = sha256[:16]
    name = f"{stem}.pt" if want == OPENAI_FORMAT else f"{stem}-ct2"
    return models_dir() / CONVERTED / name


def _record_path(target: Path) -> Path:
    return target.with_name(f"{target.name}.json")


def _files_of(target: Path) -> Iterator[tuple[str, Path]]:
    if target.is_dir():
        for file in sorted(target.rglob("*")):
            if file.is_file():
                yield file.relative_to(target).as_posix(), file
    elif target.is_file():
        yield target.name, target


def _verified(
    target: Path, sha256: str, want: str, report: _Reporter, cancel: CancelToken | None
) -> bool:
    """Whether a kept conversion is whole: its record names this source and every file's
    size and SHA256 match (hashes cached by size and modification time)."""
    record = _read_json(_record_path(target))
    files = record.get("files")
    if (
        record.get("source_sha256") != sha256
        or record.get("format") != want
        or record.get("converter") != CONVERTER_VERSION
        or not isinstance(files, dict)
        or not files
        or not target.exists()
    ):
        return False
    base = target if target.is_dir() else target.parent
    for n, (name, entry) in enumerate(sorted(files.items())):
        file = base / name
        if not isinstance(entry, dict) or not file.is_file():
            return False
        if file.stat().st_size != entry.get("size"):
            return False
        if file_sha256(file, None, cancel) != entry.get("sha256"):
            return False
        report((n + 1) / len(files), f"Checking the converted model ({name})")
    return True


def _official_heads(sha256: str) -> bytes | None:
    try:
        return next((i.alignment_heads for i in catalogue() if i.sha256 == sha256), None)
    except RecorderError:
        return None


def ensure_format(
    path: Path,
    sha256: str,
    want: str,
    *,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> Path:
    """The model at ``path`` in format ``want`` (``openai`` or ``ct2``): ``path`` itself when it
    is in that format already, else its conversion, made once and kept in
    ``<models>/converted`` under the source's SHA256 (``sha256``: of the ``.pt``, or of the
    folder's ``model.bin``, already checked by the caller).

    A kept conversion is used only if every file it wrote still has its recorded SHA256; a
    damaged one is made again. Conversions are written under a temporary name and renamed.
    """
    path = Path(path)
    if want not in (OPENAI_FORMAT, CT2_FORMAT):
        raise UsageError(f"Unknown model format {want!r}.", hint="Choose openai or ct2.")
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise UsageError(f"{sha256!r} is not a SHA256 in hex.")
    if model_format(path) == want:
        return path
    target = converted_path(sha256, want)
    if _verified(target, sha256, want, _Reporter(progress, 0.0, 0.1), cancel):
        _report(progress, 1.0, "The converted model is ready")
        return target
    if target.exists() or _record_path(target).exists():
        log.warning("a kept model conversion is missing or damaged; it is made again")
        _remove(_record_path(target))
        _remove(target)
    started = time.perf_counter()
    tmp = _temp_name(target)
    convert_progress = _sub(progress, 0.1, 0.9)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if want == OPENAI_FORMAT:
            ct2_to_openai(path, tmp, progress=convert_progress, cancel=cancel)
        else:
            heads = _official_heads(sha256)
            openai_to_ct2(
                path, tmp, alignment_heads=heads, progress=convert_progress, cancel=cancel
            )
        _place(tmp, target)
    except OSError as exc:
        raise os_error(exc, target) from exc
    finally:
        _remove(tmp)
    files: dict[str, dict[str, Any]] = {}
    for name, file in _files_of(target):
        if cancel is not None:
            cancel.check()
        files[name] = {"size": file.stat().st_size, "sha256": file_sha256(file, None, cancel)}
    record = {
        "source_sha256": sha256,
        "source": str(path),
        "format": want,
        "converter": CONVERTER_VERSION,
        "made": datetime.now(UTC).isoformat(timespec="seconds"),
        "files": files,
    }
    atomic_write(_record_path(target), json.dumps(record, indent=1).encode("utf-8"))
    log.info(
        "converted a model (sha256 %s) to the %s format in %.1f s",
        sha256[:12],
        want,
        time.perf_counter() - started,
    )
    _report(progress, 1.0, "The converted model is ready")
    return target


def _place(tmp: Path, target: Path) -> None:
    """Rename a finished conversion into place (another process may have just done so)."""
    if target.exists():
        _remove(target)
    try:
        os.rename(tmp, target)
    except OSError:
        if not target.exists():
            raise
        _remove(target)  # made meanwhile by another process: ours replaces it
        os.rename(tmp, target)
    fsync_dir(target.parent)
