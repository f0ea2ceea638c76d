"""Shared benchmark plumbing: CPU threads, a disk cache of trained teachers, cached task data."""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch

from engine import (
    Task,
    TaskData,
    TeacherConfig,
    __version__,
    get_architecture,
    keep_freed_memory,
    load_module,
    load_task_data,
    save_module,
    train_teacher,
)
from engine.storage import StoredModule
from engine.training.backbone import BackboneConfig, train_backbone

CACHE = Path(__file__).resolve().parent / ".cache"
RESULTS = Path(__file__).resolve().parent / "results"


def tune_process(threads: int) -> None:
    """Pin torch's intra-op threads: on a shared 2-core CPU one thread is several times faster than two
    (threads that spin while a neighbour's process holds the core cost more than they give). Keep freed
    memory for the next step instead of faulting it back in (`engine.keep_freed_memory`)."""
    torch.set_num_threads(threads)
    os.environ.setdefault("OMP_NUM_THREADS", str(threads))
    keep_freed_memory()


@dataclass(frozen=True)
class Teacher:
    """What the benchmarks need of a teacher: category modules by category and the task module."""

    categories: dict[str, StoredModule]
    task: StoredModule

    @property
    def category(self) -> StoredModule:
        return next(iter(self.categories.values()))


# The train/test split stays fixed across seeds (a test split never holds another seed's training
# images); seeds vary the teacher's initialisation and batches and the graft's samples and draws.
DATA_SEED = 0


def code_fingerprint(architecture: str) -> str:
    """A short hash of the engine's version and the architecture's source: a changed initialisation or
    layer retrains instead of silently reusing teachers built by older code."""
    source = inspect.getsource(inspect.getmodule(get_architecture(architecture).build_category))
    return hashlib.sha256(f"{__version__}\n{source}".encode()).hexdigest()[:8]


def teacher(
    categories: str | tuple[str, ...],
    task: Task,
    *,
    seed: int,
    epochs: int,
    limit_train: int | None,
    architecture: str = "vgg-mini",
    name: str | None = None,
    device: str = "cpu",
    start: Callable[[], Teacher] | None = None,
    start_label: str = "",
    learning_rate: float = TeacherConfig.learning_rate,
) -> Teacher:
    """A trained teacher for one task, from the disk cache or trained now and cached.

    `start`: fine-tune from the category and task modules of the teacher it returns, called only when
    this teacher is not cached yet (`start_label` names it in the cache key). The key holds everything
    that changes the weights, so changing the profile or the architecture's code retrains.
    """
    config = TeacherConfig(
        category=categories,
        name=name,
        tasks=(task,),
        architecture=architecture,
        seed=seed,
        data_seed=DATA_SEED,
        epochs=epochs,
        limit_train=limit_train,
        device=device,
        learning_rate=learning_rate,
        evaluate_each_epoch=False,
    )  # only the final metrics are reported; same weights
    key = (
        f"{architecture}-{config.label}-{task}-s{seed}-d{DATA_SEED}-e{epochs}-n{limit_train or 'all'}"
        f"-{code_fingerprint(architecture)}"
        + (f"-from-{start_label}" if start is not None else "")
        + (f"-lr{learning_rate:g}" if learning_rate != TeacherConfig.learning_rate else "")
    )
    folder = CACHE / "teachers" / key
    names = config.categories
    if (folder / "task" / "manifest.json").is_file():
        return Teacher(
            {c: load_module(folder / f"category-{c}") for c in names}, load_module(folder / "task")
        )
    pretrained = start() if start is not None else None
    result = train_teacher(config, start_from=(pretrained.category, pretrained.task) if pretrained else ())
    for c, module in result.category_modules.items():
        save_module(module, folder / f"category-{c}")
    save_module(result.tasks[task], folder / "task")  # last: its manifest marks the folder complete
    return Teacher(dict(result.category_modules), result.tasks[task])


@functools.lru_cache(maxsize=32)
def task_data(category: str, task: Task) -> TaskData:
    """Animal-MNIST data of one category's problem on the fixed split (scenes rendered once per process)."""
    return load_task_data(category, task, seed=DATA_SEED)


def write_json(path: Path, payload: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=1, sort_keys=True) + "\n")


def backbone(*, seed: int, epochs: int, architecture: str = "vgg-mini", device: str = "cpu") -> Teacher:
    """The ten-way Animal-MNIST backbone (`engine.train_backbone`), from the disk cache or trained now; as a
    `Teacher` whose one category module is keyed "animals" and whose task module is the ten-way classifier."""
    folder = (
        CACHE
        / "backbones"
        / f"{architecture}-s{seed}-d{DATA_SEED}-e{epochs}-{code_fingerprint(architecture)}"
    )
    if (folder / "classifier" / "manifest.json").is_file():
        return Teacher({"animals": load_module(folder / "category")}, load_module(folder / "classifier"))
    trained = train_backbone(
        BackboneConfig(
            architecture=architecture, seed=seed, data_seed=DATA_SEED, epochs=epochs, device=device
        )
    )
    save_module(trained.category, folder / "category")
    save_module(trained.classifier, folder / "classifier")  # last: its manifest marks the folder complete
    return Teacher({"animals": trained.category}, trained.classifier)
