"""Which data an edge's graft uses: a dataset from the catalog, Animal-MNIST, or none at all.

With a ``dataset`` setting the labelled samples come from its training split and the adapter is
measured on its test split. Without one, Animal-MNIST serves when the category is one of its ten.
A zero-sample edge of another category needs no data; it trains, and stays "not evaluated".
Every edge that asks for samples no data can serve is refused when it is drawn, not when it runs.
"""
from __future__ import annotations

from typing import Any

import engine
import torch
from django.contrib.auth.models import AbstractBaseUser
from torch.utils.data import TensorDataset

from webapp.catalog.models import Module
from webapp.datasets.models import Dataset, DatasetTask
from webapp.datasets.selectors import dataset_visible
from webapp.datasets.services import dataset_task_data
from webapp.errors import ApplicationError
from webapp.jobs.services import DATASET_SETTING


def _refuse(message: str) -> ApplicationError:
    return ApplicationError(message, code="invalid_settings", details={DATASET_SETTING: [message]})


def dataset_train_size(dataset: Dataset, category: str) -> int:
    """How many labelled samples the dataset's training split holds for this category."""
    key = "" if dataset.task == DatasetTask.SEGMENTATION else category
    return sum((dataset.split_counts.get(key) or {}).get("train", {}).values())


def edge_data_check(*, user: AbstractBaseUser, category: Module, task: Module,
                    job_settings: dict[str, Any]) -> Dataset | None:
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
            raise _refuse(f"{samples} labelled samples of {category.category!r} were asked for, but no data "
                          f"holds that category; pick a dataset with a {category.category!r} class, or use "
                          "0 samples.")
        return None
    dataset = dataset_visible(user=user).filter(pk=dataset_id).first()
    if dataset is None:
        raise _refuse(f"Dataset #{dataset_id} does not exist or is not visible to you.")
    if dataset.task != task.task:
        raise _refuse(f"Dataset {dataset.name!r} is for {dataset.task}, but the task module does "
                      f"{task.task}; pick a {task.task} dataset.")
    if dataset.task == DatasetTask.CLASSIFICATION and category.category not in dataset.classes:
        raise _refuse(f"Dataset {dataset.name!r} has no class folder {category.category!r} (it has "
                      f"{', '.join(dataset.classes)}); the category module's category must be one.")
    available = dataset_train_size(dataset, category.category)
    if samples > available:
        raise _refuse(f"{samples} labelled samples were asked for, but dataset {dataset.name!r} holds "
                      f"{available} training samples for {category.category!r}; ask for at most {available}.")
    return dataset


def _no_data(task: Any, shape: tuple[int, int, int]) -> Any:
    images = torch.zeros((0, *shape))  # (0, C, H, W)
    if task.manifest.task == engine.Task.SEGMENTATION:
        targets = torch.zeros((0, *shape[1:]), dtype=torch.int64)  # (0, H, W)
    else:
        targets = torch.zeros(0)  # (0,)
    return engine.TaskData(task=task.manifest.task, train=TensorDataset(images, targets),
                           test=TensorDataset(images, targets))


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
            raise ApplicationError("The dataset of this edge was deleted before the job ran; draw the "
                                   "edge again with another dataset.")
        return dataset_task_data(dataset=job.dataset, category=category.manifest.category,
                                 task=str(task.manifest.task), input_shape=shape)
    if category.manifest.category in engine.CATEGORIES:
        return None  # the engine's default: Animal-MNIST
    return _no_data(task, shape)
