"""Writes to the catalog, and the catalog's one door to the engine (module files on disk).

Module files live in the ``modules`` store under ``<sha256>/`` as engine module folders
(``manifest.json`` + ``weights.safetensors``); ``webapp.catalog.storage`` is the door to them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

import engine
from webapp.accounts.selectors import user_is_lab_manager
from webapp.catalog.models import Module, ModuleParent, Teacher, Visibility
from webapp.catalog.selectors import module_visible
from webapp.catalog.storage import (
    MANIFEST_FILE,
    WEIGHTS_FILE,
    module_files_delete,
    module_files_put,
    module_folder,
)
from webapp.errors import ApplicationError
from webapp.sandbox.quotas import SandboxResource, sandbox_quota_check

_MAX_MANIFEST_BYTES = 1024 * 1024


def _incoming_dir() -> Path:
    incoming = Path(settings.TRANSPLANT_CACHE) / ".incoming"
    incoming.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(dir=incoming))


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@transaction.atomic
def teacher_ensure(*, key: str, architecture: str = "", category: str = "") -> Teacher:
    """Return the teacher with this key, creating it if needed.

    Args:
        key: the shared key of every module trained together as one teacher.
        architecture: the teacher's architecture (informational).
        category: the teacher's category (informational).
    """
    teacher, _ = Teacher.objects.get_or_create(
        key=key, defaults={"architecture": architecture, "category": category}
    )
    return teacher


def _manifest_fields(manifest: Any) -> dict[str, Any]:
    return {
        "kind": str(manifest.kind),
        "name": manifest.name,
        "category": manifest.category or "",
        "task": str(manifest.task) if manifest.task else "",
        "categories": list(manifest.categories or []),
        "architecture": manifest.architecture,
        "input_shape": list(manifest.input_shape),
        "output_shape": list(manifest.output_shape),
        "metrics": {k: float(v) for k, v in (manifest.metrics or {}).items()},
        "license": manifest.license or "MIT",
        "description": manifest.description or "",
    }


def _register_folder(
    *,
    folder: Path,
    owner: AbstractBaseUser,
    visibility: str,
    teacher: Teacher | None,
    reuse_existing: bool = False,
) -> Module:
    """Move a validated module folder into the store and record it (with its lineage)."""
    manifest = engine.read_manifest(folder)
    weights = folder / WEIGHTS_FILE
    sha256 = _sha256_of(weights)
    size_bytes = weights.stat().st_size
    existing = Module.objects.filter(sha256=sha256).first()
    if existing is not None:
        shutil.rmtree(folder, ignore_errors=True)
        if reuse_existing:
            return existing
        if not module_visible(user=owner).filter(pk=existing.pk).exists():
            # Name nothing the uploader may not see: not the module, its id or its owner.
            raise ApplicationError(
                "These weights are already in the catalog, in a module you cannot see; ask its "
                "owner to share it rather than uploading a copy.",
                code="duplicate_module",
                status=409,
            )
        raise ApplicationError(
            f"These weights are already in the catalog as module #{existing.id} "
            f"({existing.name!r}); use that module instead of uploading it again.",
            code="duplicate_module",
            status=409,
            details={"module_id": existing.id},
        )
    manifest_json = manifest.to_json()
    manifest_json["sha256"] = sha256
    if teacher is None and manifest.teacher:
        teacher = teacher_ensure(
            key=manifest.teacher, architecture=manifest.architecture, category=manifest.category or ""
        )
    (folder / MANIFEST_FILE).write_text(json.dumps(manifest_json, indent=2))
    try:
        module_files_put(sha256=sha256, folder=folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    try:
        module = Module.objects.create(
            **_manifest_fields(manifest),
            owner=owner,
            visibility=visibility,
            teacher=teacher,
            sha256=sha256,
            size_bytes=size_bytes,
            manifest=manifest_json,
        )
        for parent in manifest_json.get("parents") or []:
            ModuleParent.objects.create(
                child=module,
                role=parent.get("role", ""),
                sha256=parent.get("sha256", ""),
                name=parent.get("name", ""),
                parent=Module.objects.filter(sha256=parent.get("sha256", "")).first(),
            )
    except Exception:
        module_files_delete(sha256=sha256)
        raise
    return module


@transaction.atomic
def module_register(
    *,
    stored: Any,
    owner: AbstractBaseUser,
    visibility: str = Visibility.PRIVATE,
    teacher: Teacher | None = None,
    reuse_existing: bool = False,
) -> Module:
    """Save an engine ``StoredModule`` into the store and the catalog.

    Args:
        stored: an ``engine.StoredModule`` (from ``train_teacher`` or ``graft``).
        owner: the user who owns the new module.
        visibility: one of :class:`Visibility`.
        teacher: the teacher the module was trained with; by default the manifest's ``teacher``.
        reuse_existing: return the existing row when the same weights are already stored
            (instead of refusing with 409).

    Returns:
        The catalog row.
    """
    folder = _incoming_dir()
    try:
        engine.save_module(stored, folder)
    except Exception:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return _register_folder(
        folder=folder, owner=owner, visibility=visibility, teacher=teacher, reuse_existing=reuse_existing
    )


@transaction.atomic
def module_link_parents(*, module: Module, parents: dict[str, Module | None]) -> None:
    """Make sure the module's lineage names these parents (by role), adding missing links.

    Args:
        module: the child (e.g. a new adapter).
        parents: role -> parent module; None values are skipped.
    """
    for role, parent in parents.items():
        if parent is None:
            continue
        ModuleParent.objects.update_or_create(
            child=module, role=role, defaults={"parent": parent, "sha256": parent.sha256, "name": parent.name}
        )


def _read_manifest_upload(manifest_file: IO[bytes]) -> Any:
    raw = manifest_file.read(_MAX_MANIFEST_BYTES + 1)
    if len(raw) > _MAX_MANIFEST_BYTES:
        raise ApplicationError(
            "The manifest is larger than 1 MiB; a manifest is a small JSON file.", code="invalid_manifest"
        )
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ApplicationError(f"The manifest is not valid JSON: {exc}.", code="invalid_manifest") from exc
    if not isinstance(document, dict):
        raise ApplicationError("The manifest must be a JSON object.", code="invalid_manifest")
    try:
        return engine.Manifest.from_json(document)
    except engine.TransplantError as exc:
        raise ApplicationError(f"The manifest is invalid: {exc}", code="invalid_manifest") from exc
    except (TypeError, ValueError, KeyError) as exc:
        raise ApplicationError(f"The manifest is invalid: {exc}", code="invalid_manifest") from exc


def module_upload(
    *, owner: AbstractBaseUser, weights_file: Any, manifest_file: Any, visibility: str = Visibility.PRIVATE
) -> Module:
    """Validate an uploaded module (manifest + safetensors) and add it to the catalog.

    Nothing is stored unless every check passes: size limit, manifest, safetensors header,
    tensor names, dtypes and shapes, and a full load by the engine.

    Args:
        owner: the uploading user.
        weights_file: the uploaded ``weights.safetensors`` (a Django UploadedFile).
        manifest_file: the uploaded ``manifest.json``.
        visibility: requested visibility; ``lab`` needs a lab manager.

    Returns:
        The new catalog row.
    """
    sandbox_quota_check(user=owner, resource=SandboxResource.UPLOAD)
    limit = settings.TRANSPLANT_MAX_UPLOAD_BYTES
    if weights_file.size > limit:
        raise ApplicationError(
            f"The weights file is {weights_file.size} bytes; the limit is {limit} bytes.",
            code="too_large",
            status=413,
        )
    if visibility == Visibility.LAB and not user_is_lab_manager(owner):
        raise ApplicationError("Only lab managers may publish to the lab.", code="forbidden", status=403)
    manifest = _read_manifest_upload(manifest_file)
    folder = _incoming_dir()
    try:
        weights = folder / WEIGHTS_FILE
        with weights.open("wb") as out:
            for chunk in weights_file.chunks():
                out.write(chunk)
        # The manifest's own sha256 is a claim; the stored one is computed from the bytes.
        manifest = dataclasses.replace(manifest, sha256=_sha256_of(weights))
        engine.validate_weights_file(weights, manifest)
        (folder / MANIFEST_FILE).write_text(json.dumps(manifest.to_json(), indent=2))
        engine.load_module(folder)  # the strict check: the network builds and the weights fit
    except engine.TransplantError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise ApplicationError(f"The module was refused: {exc}", code="invalid_module") from exc
    except Exception:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    with transaction.atomic():
        return _register_folder(folder=folder, owner=owner, visibility=visibility, teacher=None)


def _may_change(module: Module, user: AbstractBaseUser) -> bool:
    return module.owner_id == user.id or user_is_lab_manager(user)


@transaction.atomic
def module_update(*, module: Module, user: AbstractBaseUser, data: dict[str, Any]) -> Module:
    """Change a module's name, description, licence or visibility (owner or lab manager).

    Owners may make their own modules private or public; ``lab`` needs a lab manager.
    """
    if not _may_change(module, user):
        raise ApplicationError(
            "Only the owner or a lab manager may change this module.", code="forbidden", status=403
        )
    if data.get("visibility") == Visibility.LAB and not user_is_lab_manager(user):
        raise ApplicationError("Only lab managers may publish to the lab.", code="forbidden", status=403)
    for field in ("name", "description", "license", "visibility"):
        if field in data:
            setattr(module, field, data[field])
    module.save()
    return module


@transaction.atomic
def module_delete(*, module: Module, user: AbstractBaseUser) -> None:
    """Delete a module and its files (owner or lab manager); 409 while a graph uses it."""
    if not _may_change(module, user):
        raise ApplicationError(
            "Only the owner or a lab manager may delete this module.", code="forbidden", status=403
        )
    if module.graph_nodes.exists():
        raise ApplicationError(
            "A graph uses this module; remove its nodes from the graphs first.",
            code="module_in_use",
            status=409,
        )
    sha256 = module.sha256
    module.delete()
    transaction.on_commit(lambda: module_files_delete(sha256=sha256))


_cache_lock = threading.Lock()
_module_cache: OrderedDict[str, Any] = OrderedDict()
_CACHE_SIZE = 16


def module_load(module: Module) -> Any:
    """Load a catalog module as an ``engine.StoredModule`` (a small LRU cache keyed by sha256).

    Raises:
        ApplicationError: when the files are missing or no longer valid.
    """
    with _cache_lock:
        if module.sha256 in _module_cache:
            _module_cache.move_to_end(module.sha256)
            return _module_cache[module.sha256]
    try:
        stored = engine.load_module(module_folder(module))  # ApplicationError when missing/corrupt
    except engine.TransplantError as exc:
        raise ApplicationError(
            f"Module #{module.id} cannot be loaded: {exc}", code="module_unavailable", status=409
        ) from exc
    with _cache_lock:
        _module_cache[module.sha256] = stored
        while len(_module_cache) > _CACHE_SIZE:
            _module_cache.popitem(last=False)
    return stored


def module_cache_clear() -> None:
    """Forget loaded modules (after files in the store were replaced by hand)."""
    with _cache_lock:
        _module_cache.clear()
