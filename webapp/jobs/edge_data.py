"""Which data an edge's graft uses: a dataset from the catalog, Animal-MNIST, or none at all.

With a ``dataset`` setting the labelled samples come from its training split and the adapter is
measured on its test split. Without one, Animal-MNIST serves when the category is one of its ten.
A zero-sample edge of another category needs no data; it trains, and stays "not evaluated".
Every edge that asks for samples no data can serve is refused when it is drawn, not when it runs.
"""

from __future__ import annotations

from typing import Any

import torch
from django.contrib.auth.models import AbstractBaseUser
from torch.utils.data import TensorDataset

import engine
from webapp.catalog.models import Module
from webapp.datasets.models import Dataset, DatasetTask
from webapp.datasets.selectors import dataset_train_size, dataset_visible
from webapp.datasets.services import dataset_task_data
from webapp.errors import ApplicationError
from webapp.jobs.services import DATASET_SETTING


def _refuse(message: str) -> ApplicationError:
    return ApplicationError(message, code="invalid_settings", details={DATASET_SETTING: [message]})


def edge_data_check(
    *, user: AbstractBaseUser, category: Module, task: Module, job_settings: dict[str, Any]
) -> Dataset | None:
    """Check that the edge's data can serve its samples; return its dataset (None without one).

    Raises:
        ApplicationError: 400 ``invalid_settings``: the dataset is not visible, is of another task,
            has no class of the category, holds fewer training samples than asked, or no data can
            serve the samples asked for.
    """
    samples = int(job_settings.get("samples", 0))
    dataset_id = job_settings.get(DATASET_SETTING)
    if dataset_id is None:
        if samples and category.category not in engine.CATEGORIES:
            raise _refuse(
                f"{samples} labelled samples of {category.category!r} were asked for, but no data "
                f"holds that category; pick a dataset with a {category.category!r} class, or use "
                "0 samples."
            )
        return None
    dataset = dataset_visible(user=user).filter(pk=dataset_id).first()
    if dataset is None:
        raise _refuse(f"Dataset #{dataset_id} does not exist or is not visible to you.")
    if dataset.task != task.task:
        raise _refuse(
            f"Dataset {dataset.name!r} is for {dataset.task}, but the task module does "
            f"{task.task}; pick a {task.task} dataset."
        )
    if dataset.task == DatasetTask.CLASSIFICATION and category.category not in dataset.classes:
        raise _refuse(
            f"Dataset {dataset.name!r} has no class folder {category.category!r} (it has "
            f"{', '.join(dataset.classes)}); the category module's category must be one."
        )
    available = dataset_train_size(dataset, category.category)
    if samples > available:
        raise _refuse(
            f"{samples} labelled samples were asked for, but dataset {dataset.name!r} holds "
            f"{available} training samples for {category.category!r}; ask for at most {available}."
        )
    return dataset


def _no_data(task: Any, shape: tuple[int, int, int]) -> Any:
    images = torch.zeros((0, *shape))  # (0, C, H, W)
    if task.manifest.task == engine.Task.SEGMENTATION:
        targets = torch.zeros((0, *shape[1:]), dtype=torch.int64)  # (0, H, W)
    else:
        targets = torch.zeros(0)  # (0,)
    return engine.TaskData(
        task=task.manifest.task, train=TensorDataset(images, targets), test=TensorDataset(images, targets)
    )


def edge_task_data(*, job: Any, category: Any, task: Any) -> Any:
    """The ``data=`` for ``engine.graft``: the dataset's split, None for Animal-MNIST, or empty sets.

    Args:
        job: the running graft job.
        category: the loaded category module (an ``engine.StoredModule``).
        task: the loaded task module.
    """
    shape = engine.path_input_shape(category.manifest, task.manifest)
    if job.settings.get(DATASET_SETTING) is not None:
        if job.dataset is None:
            raise ApplicationError(
                "The dataset of this edge was deleted before the job ran; draw the "
                "edge again with another dataset."
            )
        return dataset_task_data(
            dataset=job.dataset,
            category=category.manifest.category,
            task=str(task.manifest.task),
            input_shape=shape,
        )
    if category.manifest.category in engine.CATEGORIES:
        return None  # the engine's default: Animal-MNIST
    return _no_data(task, shape)


GALLERY_SIZE = 24  # test images offered in "Try it"


def _edge_test_images(edge: Any) -> tuple[Any, Any, str]:
    """The first test images of an edge's dataset with their targets, and the category's name."""
    from webapp.catalog.services import module_load

    job = edge.job
    if job is None or job.dataset is None:
        raise ApplicationError(
            "This edge has no dataset; its gallery needs one (draw it with a dataset).",
            code="no_dataset",
            status=409,
        )
    category, task = module_load(edge.source.module), module_load(edge.target.module)
    data = dataset_task_data(
        dataset=job.dataset,
        category=category.manifest.category,
        task=str(task.manifest.task),
        limit_train=1,
        input_shape=engine.path_input_shape(category.manifest, task.manifest),
    )
    images, targets = data.test.tensors
    return images[:GALLERY_SIZE], targets[:GALLERY_SIZE], category.manifest.category  # (N, C, H, W)


def edge_gallery(*, edge: Any) -> list[dict[str, Any]]:
    """Test images of the edge's dataset to try it on: ``[{"index", "label"}]`` (label: the
    category, "other", or for segmentation the share of the image the mask marks)."""
    _, targets, category = _edge_test_images(edge)
    if targets.ndim == 1:
        return [{"index": i, "label": category if float(t) > 0.5 else "other"} for i, t in enumerate(targets)]
    return [
        {"index": i, "label": f"mask covers {100 * float(t.float().mean()):.0f}%"}
        for i, t in enumerate(targets)
    ]


def edge_gallery_png(*, edge: Any, index: int) -> bytes:
    """One gallery image as a PNG at the size the edge's modules read."""
    import io

    from PIL import Image

    images, _, _ = _edge_test_images(edge)
    if not 0 <= index < len(images):
        raise ApplicationError(
            f"The gallery has {len(images)} images; #{index} is not one.", code="not_found", status=404
        )
    pixels = (images[index].clamp(0, 1) * 255).round().to(torch.uint8)  # (C, H, W)
    array = pixels[0].numpy() if pixels.shape[0] == 1 else pixels.permute(1, 2, 0).numpy()
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()
