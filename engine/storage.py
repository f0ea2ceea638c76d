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
            return Adapter(
                config["in_channels"], config["out_channels"],
                layers=config["layers"], kernel_size=config["kernel_size"],
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ModuleFileError(f"adapter config is invalid ({error}); it needs in_channels, out_channels, layers, kernel_size") from None
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
        raise ModuleFileError(f"{path} does not exist; a module folder holds {MANIFEST_NAME} and {WEIGHTS_NAME}")
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
                f"(at most {MAX_HEADER_BYTES}); is it a pickle (.pt/.pth)? Convert it with safetensors.torch.save_file"
            )
        if 8 + header_size > size:
            raise ModuleFileError(f"{path.name} is truncated: its header says {header_size} bytes but the file is {size}")
        raw = handle.read(header_size)
    try:
        header = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ModuleFileError(f"{path.name} is not a safetensors file: its header is not JSON") from None
    if not isinstance(header, dict):
        raise ModuleFileError(f"{path.name} has a malformed safetensors header")
    header.pop("__metadata__", None)
    data_size = size - 8 - header_size
    end = 0
    for name, entry in header.items():
        if not (isinstance(entry, dict) and {"dtype", "shape", "data_offsets"} <= set(entry)):
            raise ModuleFileError(f"{path.name}: tensor {name!r} has a malformed header entry")
        start, stop = entry["data_offsets"]
        if not (0 <= start <= stop <= data_size):
            raise ModuleFileError(f"{path.name} is truncated: tensor {name!r} lies beyond the end of the file")
        end = max(end, stop)
    if end != data_size:
        raise ModuleFileError(f"{path.name} has {data_size - end} stray bytes after its tensors")
    return header


@functools.lru_cache(maxsize=64)
def _expected_tensors(manifest_key: str) -> dict[str, tuple[str, tuple[int, ...]]]:
    manifest = Manifest.from_json(json.loads(manifest_key))
    state = build_network(manifest).state_dict()
    return {name: (_DTYPE_NAMES[t.dtype], tuple(t.shape)) for name, t in state.items()}


def validate_weights_file(path: Path | str, manifest: Manifest) -> None:
    """Check that a safetensors file holds exactly the tensors the manifest's network has."""
    header = read_safetensors_header(path)
    key = json.dumps({**manifest.to_json(), "sha256": "", "created": "", "metrics": {}, "parents": []}, sort_keys=True)
    try:
        expected = _expected_tensors(key)
    except TransplantError:
        raise  # already a clear message; UnknownArchitectureError is a ValueError too, so keep it whole
    except (TypeError, ValueError, KeyError) as error:
        raise ModuleFileError(f"the manifest's architecture settings cannot be built: {error}") from None
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
            raise ModuleFileError(f"tensor {name!r} has shape {list(got_shape)} but the architecture needs {list(shape)}")
        if got_dtype != dtype:
            raise ModuleFileError(f"tensor {name!r} is {got_dtype} but the architecture needs {dtype}")


def load_module(folder: Path | str) -> StoredModule:
    """Load and validate a module folder; the network comes back in eval mode."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    weights = folder / WEIGHTS_NAME
    if not weights.is_file():
        raise ModuleFileError(f"{weights} does not exist; a module folder holds {MANIFEST_NAME} and {WEIGHTS_NAME}")
    digest = sha256_of(weights)
    if manifest.sha256 and digest != manifest.sha256:
        raise ModuleFileError(
            f"{weights.name} does not match its manifest (SHA-256 {digest[:12]}... instead of "
            f"{manifest.sha256[:12]}...); the file was changed or corrupted: fetch the module again"
        )
    validate_weights_file(weights, manifest)
    network = build_network(manifest)
    network.load_state_dict(load_file(str(weights)), strict=True)
    if isinstance(network, Adapter) and sorted(network.permutation.tolist()) != list(range(len(network.permutation))):
        raise ModuleFileError("the adapter's reorder layer is not a permutation of its input channels")
    return StoredModule(manifest=manifest.with_(sha256=digest), network=network.eval())
