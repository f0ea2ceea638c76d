"""Writes to datasets, and the datasets app's one door to the engine (``engine.scan_folder``,
``engine.load_folder_data``).

An upload is unpacked into a private folder, checked member by member (``archive.py``), then
decoded image by image by the engine; only when everything passes is it moved into the store under
the SHA-256 of its contents and recorded. Any refusal leaves no row and no file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

import engine
from webapp.accounts.selectors import user_is_lab_manager
from webapp.catalog.models import Visibility
from webapp.datasets import storage
from webapp.datasets.archive import unpack_zip
from webapp.datasets.models import Dataset, DatasetTask
from webapp.errors import ApplicationError

SEGMENTATION_FOLDERS = frozenset({"images", "masks"})
# The split's seed for every use of a dataset, so that a graft's test images never were its
# teacher's training images (the engine's data_seed default).
DATA_SEED = 0


def _data_root(folder: Path) -> Path:
    """Step into folders that only wrap the data (a zip of a folder holds one folder)."""
    while True:
        entries = [p for p in folder.iterdir() if not p.name.startswith(".")]
        if len(entries) == 1 and entries[0].is_dir() and entries[0].name not in SEGMENTATION_FOLDERS:
            inner = [p for p in entries[0].iterdir() if not p.name.startswith(".")]
            if inner and all(p.is_dir() for p in inner):
                folder = entries[0]
                continue
        return folder


def detect_task(folder: Path) -> str:
    """``segmentation`` when the data folder holds ``images/`` and ``masks/``, else classification."""
    names = {p.name for p in _data_root(folder).iterdir() if p.is_dir()}
    return DatasetTask.SEGMENTATION if names & SEGMENTATION_FOLDERS else DatasetTask.CLASSIFICATION


def _split_counts(summary: Any) -> dict[str, Any]:
    if summary.task is engine.Task.SEGMENTATION:
        return {"": summary.split_counts()}
    splits = {}
    for name in summary.classes:
        try:
            splits[name] = summary.split_counts(name)
        except engine.DatasetError:  # too few images to split with this class as the category
            splits[name] = {"train": {}, "test": {}}
    return splits


def _scan(folder: Path, task: str, *, shown_as: Path | None = None) -> Any:
    try:
        return engine.scan_folder(folder, task)
    except engine.DatasetError as exc:
        message = str(exc)
        if shown_as is not None:  # name the file as it is in the zip, not where it was unpacked
            message = message.replace(f"{shown_as}/", "").replace(str(shown_as), "the zip")
        raise ApplicationError(
            f"The data set was refused: {message}",
            code="invalid_dataset",
            details={"rule": "invalid_dataset"},
        ) from exc


def _duplicate_check(sha256: str, user: AbstractBaseUser) -> None:
    existing = Dataset.objects.filter(sha256=sha256).first()
    if existing is None:
        return
    from webapp.datasets.selectors import dataset_visible

    if dataset_visible(user=user).filter(pk=existing.pk).exists():
        raise ApplicationError(
            f"These images are already in the catalog as dataset #{existing.id} ({existing.name!r}); "
            "use that one.",
            code="duplicate_dataset",
            status=409,
            details={"dataset_id": existing.id},
        )
    # Someone else's private data: say only that it exists.
    raise ApplicationError(
        "A data set with exactly these images is already stored by another user; ask them to share it.",
        code="duplicate_dataset",
        status=409,
    )


def _record(
    *,
    summary: Any,
    name: str,
    owner: AbstractBaseUser,
    visibility: str,
    license: str,
    description: str,
    server_path: str,
    size_bytes: int,
) -> Dataset:
    counts = dict(summary.counts)
    return Dataset.objects.create(
        name=name,
        task=str(summary.task),
        classes=list(summary.classes),
        counts=counts,
        split_counts=_split_counts(summary),
        image_sizes=[list(s) for s in summary.image_sizes],
        channels=summary.channels,
        file_count=sum(counts.values()) * (2 if summary.task is engine.Task.SEGMENTATION else 1),
        size_bytes=size_bytes,
        license=license,
        description=description,
        owner=owner,
        visibility=visibility,
        sha256=summary.sha256,
        server_path=server_path,
    )


def _check_visibility(user: AbstractBaseUser, visibility: str) -> None:
    if visibility == Visibility.LAB and not user_is_lab_manager(user):
        raise ApplicationError("Only lab managers may publish to the lab.", code="forbidden", status=403)


def dataset_upload(
    *,
    owner: AbstractBaseUser,
    archive: Any,
    name: str = "",
    task: str | None = None,
    visibility: str = Visibility.PRIVATE,
    license: str = "CC-BY-4.0",
    description: str = "",
) -> Dataset:
    """Validate an uploaded zip of images and add it to the catalog.

    Args:
        owner: the uploading user.
        archive: the uploaded zip (a Django UploadedFile): class folders, or images/ and masks/.
        name: the dataset's name; by default the zip's name without ``.zip``.
        task: ``classification`` or ``segmentation``; by default read from the layout.
        visibility: requested visibility; ``lab`` needs a lab manager.
        license: the data's licence.
        description: free text.

    Returns:
        The new dataset.

    Raises:
        ApplicationError: 400/413 naming the file and the rule, 409 for contents already stored.
    """
    limit = settings.DATASET_MAX_UPLOAD_BYTES
    if archive.size > limit:
        raise ApplicationError(
            f"The zip is {archive.size} bytes; the limit is {limit} bytes.",
            code="too_large",
            status=413,
            details={"rule": "too_large"},
        )
    _check_visibility(owner, visibility)
    unpacked = storage.incoming_folder()
    try:
        size_bytes = unpack_zip(archive, unpacked)
        task = task or detect_task(unpacked)
        summary = _scan(unpacked, task, shown_as=unpacked)
        _duplicate_check(summary.sha256, owner)
        with transaction.atomic():
            dataset = _record(
                summary=summary,
                name=name or Path(archive.name or "dataset").stem,
                owner=owner,
                visibility=visibility,
                license=license,
                description=description,
                server_path="",
                size_bytes=size_bytes,
            )
            storage.keep_folder(source=Path(summary.root), sha256=summary.sha256)
    finally:
        storage.forget_folder(unpacked)
    return dataset


@transaction.atomic
def dataset_register_folder(
    *,
    owner: AbstractBaseUser,
    folder: Path,
    task: str,
    name: str,
    visibility: str = Visibility.PUBLIC,
    license: str = "",
    description: str = "",
) -> Dataset:
    """Record a data folder that stays on the server (e.g. Pascal VOC), after the engine scans it."""
    folder = Path(folder).resolve()
    if not folder.is_dir():
        raise ApplicationError(f"{folder} is not a folder.", code="invalid")
    summary = _scan(folder, task)
    existing = Dataset.objects.filter(sha256=summary.sha256).first()
    if existing is not None:
        return existing
    size_bytes = sum(p.stat().st_size for p in Path(summary.root).rglob("*") if p.is_file())
    return _record(
        summary=summary,
        name=name,
        owner=owner,
        visibility=visibility,
        license=license,
        description=description,
        server_path=str(summary.root),
        size_bytes=size_bytes,
    )


def _may_change(dataset: Dataset, user: AbstractBaseUser) -> bool:
    return dataset.owner_id == user.id or user_is_lab_manager(user)


@transaction.atomic
def dataset_update(*, dataset: Dataset, user: AbstractBaseUser, data: dict[str, Any]) -> Dataset:
    """Change a dataset's name, description, licence or visibility (owner or lab manager)."""
    if not _may_change(dataset, user):
        raise ApplicationError(
            "Only the owner or a lab manager may change this dataset.", code="forbidden", status=403
        )
    if "visibility" in data:
        _check_visibility(user, data["visibility"])
    for field in ("name", "description", "license", "visibility"):
        if field in data:
            setattr(dataset, field, data[field])
    dataset.save()
    return dataset


@transaction.atomic
def dataset_delete(*, dataset: Dataset, user: AbstractBaseUser) -> None:
    """Delete a dataset and its files (owner or lab manager); 409 while an edge or a job uses it."""
    from webapp.datasets.selectors import dataset_users

    if not _may_change(dataset, user):
        raise ApplicationError(
            "Only the owner or a lab manager may delete this dataset.", code="forbidden", status=403
        )
    users = dataset_users(dataset=dataset)
    if users:
        raise ApplicationError(
            f"This dataset is in use ({users}); delete those edges or wait for the jobs to finish first.",
            code="dataset_in_use",
            status=409,
        )
    folder = storage.dataset_folder(dataset)
    uploaded = not dataset.server_path
    dataset.delete()
    if uploaded:  # a registered server folder is not ours to delete
        transaction.on_commit(lambda: storage.forget_folder(folder))


def dataset_task_data(
    *, dataset: Dataset, category: str, task: str, input_shape: Any, limit_train: int | None = None
) -> Any:
    """The engine's train/test split of a dataset for a category (the positive class) and task.

    Raises:
        ApplicationError: the files are gone or no longer fit (409), or the category is not a class.
    """
    try:
        return engine.load_folder_data(
            storage.dataset_folder(dataset),
            category,
            task,
            seed=DATA_SEED,
            input_shape=tuple(input_shape),
            limit_train=limit_train,
        )
    except engine.DatasetError as exc:
        raise ApplicationError(
            f"Dataset #{dataset.id} cannot serve: {exc}", code="dataset_unavailable", status=409
        ) from exc
