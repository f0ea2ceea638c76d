"""Saving and loading modules: a folder with manifest.json and weights.safetensors.

Loading trusts nothing: the manifest is validated, the weights' SHA-256 must match it, the
safetensors header is parsed by hand with size limits before any tensor is read, and every tensor's
name, dtype and shape must be exactly what the manifest's architecture builds.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save
from torch import nn

from engine.adapter import Adapter
from engine.architectures import get_architecture
from engine.config import ModuleKind
from engine.errors import ModuleFileError, TransplantError
from engine.manifest import Manifest

MANIFEST_NAME = "manifest.json"
WEIGHTS_NAME = "weights.safetensors"
MAX_HEADER_BYTES = 16 * 1024 * 1024
_DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "I64": torch.int64}
_DTYPE_BYTES = {"F32": 4, "F16": 2, "BF16": 2, "I64": 8}
MAX_ADAPTER_CHANNELS = 65_536  # the adapter's reorder buffer is built for real, so bound it first
_DTYPE_NAMES = {dtype: name for name, dtype in _DTYPES.items()}


@dataclass(frozen=True)
class StoredModule:
    """A module's network together with its manifest."""

    manifest: Manifest
    network: nn.Module


def build_network(manifest: Manifest) -> nn.Module:
    """A freshly initialised network of the manifest's kind, architecture and config."""
    if manifest.kind is ModuleKind.ADAPTER:
        config = manifest.config
        try:
            in_channels = config["in_channels"]
            if not (type(in_channels) is int and 0 < in_channels <= MAX_ADAPTER_CHANNELS):
                raise ValueError(f"in_channels must be an integer from 1 to {MAX_ADAPTER_CHANNELS}")
            return Adapter(
                in_channels,
                config["out_channels"],
                layers=config["layers"],
                kernel_size=config["kernel_size"],
                permutation=torch.arange(in_channels, device="cpu"),  # real even on the meta device
            )
        except (KeyError, TypeError, ValueError, RuntimeError) as error:
            raise ModuleFileError(
                f"adapter config is invalid ({error}); "
                "it needs in_channels, out_channels, layers, kernel_size"
            ) from None
    architecture = get_architecture(manifest.architecture)
    try:
        config = architecture.config(manifest.config)
    except ValueError as error:
        raise ModuleFileError(str(error)) from None
    if manifest.kind is ModuleKind.CATEGORY:
        return architecture.build_category(config)
    architecture.supports(manifest.task)
    return architecture.build_task(manifest.task, config)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def weights_bytes(network: nn.Module) -> bytes:
    """The safetensors serialisation of a network's state, exactly as save_module writes it."""
    tensors = {name: t.detach().to("cpu").contiguous() for name, t in network.state_dict().items()}
    return save(tensors, metadata={"format": "pt"})


def with_weights_hash(module: StoredModule) -> StoredModule:
    """The module with its manifest's sha256 set from its current weights."""
    digest = hashlib.sha256(weights_bytes(module.network)).hexdigest()
    return StoredModule(module.manifest.with_(sha256=digest), module.network)


def save_module(module: StoredModule, folder: Path | str) -> Path:
    """Write the module's weights and manifest (with the weights' SHA-256) into `folder`.

    Both files are written to temporary names first and renamed, so a crash never leaves a
    half-written module behind. Returns the folder.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    data = weights_bytes(module.network)
    weights = folder / WEIGHTS_NAME
    with _temporary_beside(weights) as tmp:
        tmp.write_bytes(data)
        os.replace(tmp, weights)
    manifest = module.manifest.with_(sha256=hashlib.sha256(data).hexdigest())
    with _temporary_beside(folder / MANIFEST_NAME) as tmp:
        tmp.write_text(json.dumps(manifest.to_json(), indent=2, sort_keys=True))
        os.replace(tmp, folder / MANIFEST_NAME)
    return folder


class _temporary_beside:
    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> Path:
        handle, name = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.")
        os.close(handle)
        self.tmp = Path(name)
        return self.tmp

    def __exit__(self, *exc: object) -> None:
        self.tmp.unlink(missing_ok=True)


def read_manifest(folder: Path | str) -> Manifest:
    """Read and validate `folder/manifest.json`."""
    path = Path(folder) / MANIFEST_NAME
    if not path.is_file():
        raise ModuleFileError(
            f"{path} does not exist; a module folder holds {MANIFEST_NAME} and {WEIGHTS_NAME}"
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ModuleFileError(f"{path} is not valid JSON ({error})") from None
    return Manifest.from_json(data)


def read_safetensors_header(path: Path | str) -> dict[str, dict]:
    """Parse a safetensors header without reading tensors; ModuleFileError if it is not one."""
    path = Path(path)
    size = path.stat().st_size
    with open(path, "rb") as handle:
        prefix = handle.read(8)
        if len(prefix) < 8:
            raise ModuleFileError(f"{path.name} is not a safetensors file (it is only {size} bytes long)")
        (header_size,) = struct.unpack("<Q", prefix)
        if header_size > MAX_HEADER_BYTES:
            raise ModuleFileError(
                f"{path.name} is not a safetensors file: its header would be {header_size} bytes "
                f"(at most {MAX_HEADER_BYTES}); is it a pickle (.pt/.pth)? "
                "Convert it with safetensors.torch.save_file"
            )
        if 8 + header_size > size:
            raise ModuleFileError(
                f"{path.name} is truncated: its header says {header_size} bytes but the file is {size}"
            )
        raw = handle.read(header_size)
    try:
        header = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ModuleFileError(f"{path.name} is not a safetensors file: its header is not JSON") from None
    if not isinstance(header, dict):
        raise ModuleFileError(f"{path.name} has a malformed safetensors header")
    header.pop("__metadata__", None)
    data_size = size - 8 - header_size
    spans = []
    for name, entry in header.items():
        _check_header_entry(path.name, name, entry)
        start, stop = entry["data_offsets"]
        if not (0 <= start <= stop <= data_size):
            raise ModuleFileError(
                f"{path.name} is truncated: tensor {name!r} lies beyond the end of the file"
            )
        numel = 1
        for n in entry["shape"]:
            numel *= n
        if stop - start != numel * _DTYPE_BYTES[entry["dtype"]]:
            raise ModuleFileError(
                f"{path.name}: tensor {name!r} has {stop - start} bytes, "
                f"but a {entry['dtype']} tensor of shape "
                f"{entry['shape']} takes {numel * _DTYPE_BYTES[entry['dtype']]}; the file is corrupt"
            )
        spans.append((start, stop, name))
    # The tensors must tile the data section: no gaps, no overlaps (overlaps let one byte range pose as
    # two tensors).
    end = 0
    for start, stop, name in sorted(spans):
        if start != end:
            problem = (
                "overlaps the tensor before it"
                if start < end
                else f"leaves {start - end} stray bytes before it"
            )
            raise ModuleFileError(
                f"{path.name}: tensor {name!r} (data_offsets [{start}, {stop}]) {problem}; "
                "the file is corrupt"
            )
        end = stop
    if end != data_size:
        raise ModuleFileError(f"{path.name} has {data_size - end} stray bytes after its tensors")
    return header


def _check_header_entry(file_name: str, name: str, entry: object) -> None:
    if not (isinstance(entry, dict) and {"dtype", "shape", "data_offsets"} <= set(entry)):
        raise ModuleFileError(f"{file_name}: tensor {name[:100]!r} has a malformed header entry")
    shape, offsets = entry["shape"], entry["data_offsets"]
    if not (isinstance(shape, list) and all(type(n) is int and n >= 0 for n in shape)):
        raise ModuleFileError(f"{file_name}: tensor {name[:100]!r} has a malformed shape")
    if not (isinstance(offsets, list) and len(offsets) == 2 and all(type(n) is int for n in offsets)):
        raise ModuleFileError(f"{file_name}: tensor {name[:100]!r} has malformed data_offsets")
    if entry["dtype"] not in _DTYPE_BYTES:
        raise ModuleFileError(
            f"{file_name}: tensor {name[:100]!r} has dtype {str(entry['dtype'])[:20]!r}; "
            f"modules hold {sorted(_DTYPE_BYTES)}"
        )


@functools.lru_cache(maxsize=64)
def _expected_tensors(manifest_key: str) -> dict[str, tuple[str, tuple[int, ...]]]:
    """The tensors the manifest's network holds, from a network on the meta device (nothing allocated).

    The manifest's shapes are checked too: a forward pass on the meta device must accept its
    input_shape and give its output_shape, so a module that could never run is refused here.
    """
    manifest = Manifest.from_json(json.loads(manifest_key))
    with torch.device("meta"):
        network = build_network(manifest)
        try:
            output = network(torch.empty(1, *manifest.input_shape))
        except (RuntimeError, ValueError, IndexError) as error:
            raise ModuleFileError(
                f"the network does not take the manifest's input_shape {list(manifest.input_shape)}: "
                f"{str(error).splitlines()[0][:200]}"
            ) from None
    if tuple(output.shape[1:]) != manifest.output_shape:
        raise ModuleFileError(
            f"the network turns input_shape {list(manifest.input_shape)} into {list(output.shape[1:])}, "
            f"not the manifest's output_shape {list(manifest.output_shape)}"
        )
    return {name: (_DTYPE_NAMES[t.dtype], tuple(t.shape)) for name, t in network.state_dict().items()}


def validate_weights_file(path: Path | str, manifest: Manifest) -> None:
    """Check that a safetensors file holds exactly the tensors the manifest's network has."""
    header = read_safetensors_header(path)
    key = json.dumps(
        {**manifest.to_json(), "sha256": "", "created": "", "metrics": {}, "parents": []}, sort_keys=True
    )
    try:
        expected = _expected_tensors(key)
    except TransplantError:
        raise  # already a clear message; UnknownArchitectureError is a ValueError too, so keep it whole
    except (TypeError, ValueError, KeyError, RuntimeError) as error:
        reason = str(error).splitlines()[0][:200] if str(error) else type(error).__name__
        raise ModuleFileError(f"the manifest's architecture settings cannot be built: {reason}") from None
    actual = {name: (entry["dtype"], tuple(entry["shape"])) for name, entry in header.items()}
    missing = sorted(set(expected) - set(actual))
    extra = sorted(set(actual) - set(expected))
    if missing or extra:
        raise ModuleFileError(
            f"the weights do not fit a {manifest.architecture} {manifest.kind} module: "
            f"missing tensors {missing[:5]}, unexpected tensors {extra[:5]}"
        )
    for name, (dtype, shape) in expected.items():
        got_dtype, got_shape = actual[name]
        if got_shape != shape:
            raise ModuleFileError(
                f"tensor {name!r} has shape {list(got_shape)} but the architecture needs {list(shape)}"
            )
        if got_dtype != dtype:
            raise ModuleFileError(f"tensor {name!r} is {got_dtype} but the architecture needs {dtype}")


def load_module(folder: Path | str) -> StoredModule:
    """Load and validate a module folder; the network comes back in eval mode."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    weights = folder / WEIGHTS_NAME
    if not weights.is_file():
        raise ModuleFileError(
            f"{weights} does not exist; a module folder holds {MANIFEST_NAME} and {WEIGHTS_NAME}"
        )
    digest = sha256_of(weights)
    if manifest.sha256 and digest != manifest.sha256:
        raise ModuleFileError(
            f"{weights.name} does not match its manifest (SHA-256 {digest[:12]}... instead of "
            f"{manifest.sha256[:12]}...); the file was changed or corrupted: fetch the module again"
        )
    validate_weights_file(weights, manifest)
    try:
        state = load_file(str(weights))
    except SafetensorError as error:
        raise ModuleFileError(f"{weights.name} cannot be read as safetensors: {error}") from None
    for name, tensor in state.items():
        if tensor.is_floating_point() and not bool(torch.isfinite(tensor).all()):
            raise ModuleFileError(
                f"tensor {name!r} holds NaN or infinite values; a trained module's weights are finite"
            )
    network = build_network(manifest)
    network.load_state_dict(state, strict=True)
    if isinstance(network, Adapter) and sorted(network.permutation.tolist()) != list(
        range(len(network.permutation))
    ):
        raise ModuleFileError("the adapter's reorder layer is not a permutation of its input channels")
    return StoredModule(manifest=manifest.with_(sha256=digest), network=network.eval())
