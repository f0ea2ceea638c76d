"""Reads from datasets: who sees what, filters and facets, who uses one, downloads (streamed),
thumbnails."""

from __future__ import annotations

import io
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Q, QuerySet
from PIL import Image, ImageOps

from webapp.catalog.selectors import visible_to
from webapp.datasets.archive import IMAGE_SUFFIXES
from webapp.datasets.models import Dataset, DatasetTask
from webapp.datasets.storage import dataset_folder
from webapp.errors import ApplicationError
from webapp.storage.zipstream import ZipMember, zip_stream

ORDERINGS = ("created", "-created", "name", "-name")
THUMBNAIL_PIXELS = 96


def dataset_visible(*, user: AbstractBaseUser) -> QuerySet[Dataset]:
    """Datasets the user may see: the catalog's rule for modules (`visible_to`)."""
    return visible_to(Dataset.objects.select_related("owner"), user=user)


def dataset_get(*, user: AbstractBaseUser, dataset_id: int) -> Dataset:
    """Return a dataset the user may see, or raise a 404 ApplicationError."""
    dataset = dataset_visible(user=user).filter(pk=dataset_id).first()
    if dataset is None:
        raise ApplicationError(
            f"Dataset #{dataset_id} does not exist or is not visible to you.", code="not_found", status=404
        )
    return dataset


def dataset_list(*, user: AbstractBaseUser, filters: dict[str, Any]) -> QuerySet[Dataset]:
    """Filter, search and sort the visible datasets.

    Args:
        user: the reader.
        filters: validated query parameters: ``task``, ``category`` (a class name), ``owner``
            (username), ``visibility``, ``search`` and ``ordering``.
    """
    queryset = dataset_visible(user=user)
    for field in ("task", "visibility"):
        if filters.get(field):
            queryset = queryset.filter(**{field: filters[field]})
    if filters.get("category"):
        queryset = queryset.filter(classes__icontains=f'"{filters["category"]}"')
    if filters.get("owner"):
        queryset = queryset.filter(owner__username=filters["owner"])
    if filters.get("search"):
        term = filters["search"]
        queryset = queryset.filter(
            Q(name__icontains=term) | Q(description__icontains=term) | Q(classes__icontains=term)
        )
    return queryset.order_by(filters.get("ordering") or "-created", "-id")


def dataset_facets(*, queryset: QuerySet[Dataset]) -> dict[str, dict[str, int]]:
    """Count the filtered datasets by task, class and visibility."""
    facets: dict[str, dict[str, int]] = {}
    for field in ("task", "visibility"):
        rows = queryset.order_by().values(field).annotate(n=Count("id")).order_by(field)
        facets[field] = {row[field]: row["n"] for row in rows if row[field]}
    classes: dict[str, int] = {}
    for names in queryset.values_list("classes", flat=True):
        for name in names or []:
            classes[name] = classes.get(name, 0) + 1
    facets["category"] = dict(sorted(classes.items()))
    return facets


def dataset_users(*, dataset: Dataset) -> str:
    """What uses a dataset right now, in words ("" when nothing): edges and unfinished jobs."""
    from webapp.graphs.models import Edge
    from webapp.jobs.models import FINISHED_STATUSES, Job

    edges = Edge.objects.filter(settings__dataset=dataset.id).count()
    jobs = Job.objects.filter(dataset=dataset).exclude(status__in=FINISHED_STATUSES).count()
    parts = [f"{edges} edge(s)" if edges else "", f"{jobs} unfinished job(s)" if jobs else ""]
    return ", ".join(part for part in parts if part)


def _files(dataset: Dataset) -> list[Path]:
    folder = dataset_folder(dataset)
    if not folder.is_dir():
        raise ApplicationError(
            f"The files of dataset #{dataset.id} are missing from the store.",
            code="dataset_unavailable",
            status=409,
        )
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)


def dataset_train_size(dataset: Dataset, category: str) -> int:
    """How many training images the dataset's split holds for this category's problem (classification:
    the category's images and the other classes' negatives; segmentation: every image)."""
    key = "" if dataset.task == DatasetTask.SEGMENTATION else category
    return sum((dataset.split_counts.get(key) or {}).get("train", {}).values())


def dataset_zip(*, dataset: Dataset) -> Iterator[bytes]:
    """The chunks of a zip of the dataset's images, in the layout it was uploaded in.

    The archive is written as it is sent, each image read in chunks of at most 1 MiB, so the memory
    a download takes does not grow with the dataset (only its list of file names is held).

    Raises:
        ApplicationError: 409 before the first chunk when the files are missing from the store.
    """
    folder = dataset_folder(dataset)
    members = [
        ZipMember(
            name=path.relative_to(folder).as_posix(), size=path.stat().st_size, open=partial(path.open, "rb")
        )
        for path in _files(dataset)
    ]
    return zip_stream(members)


def dataset_samples(*, dataset: Dataset, per_class: int) -> list[dict[str, str]]:
    """The first images of each class (segmentation: of images/), for the thumbnail grid.

    Returns:
        ``[{"label", "path"}]``, ``path`` relative to the data folder.
    """
    folder = dataset_folder(dataset)
    groups: dict[str, list[str]] = {}
    for path in _files(dataset):
        relative = path.relative_to(folder)
        label = relative.parts[0]
        if label == "masks":
            continue
        group = groups.setdefault(label, [])
        if len(group) < per_class:
            group.append(relative.as_posix())
    return [{"label": label, "path": path} for label, paths in groups.items() for path in paths]


def dataset_thumbnail(*, dataset: Dataset, path: str) -> bytes:
    """A small PNG of one image of the dataset (``path`` relative to its folder, from the samples)."""
    folder = dataset_folder(dataset).resolve()
    image_path = (folder / path).resolve()
    if (
        folder not in image_path.parents
        or not image_path.is_file()
        or image_path.suffix.lower() not in IMAGE_SUFFIXES
    ):
        raise ApplicationError(f"Dataset #{dataset.id} has no image {path!r}.", code="not_found", status=404)
    with Image.open(image_path) as image:  # decoded once already when the dataset was accepted
        thumbnail = ImageOps.exif_transpose(image).convert("RGB")
        thumbnail.thumbnail((THUMBNAIL_PIXELS, THUMBNAIL_PIXELS))
        buffer = io.BytesIO()
        thumbnail.save(buffer, format="PNG")
    return buffer.getvalue()
