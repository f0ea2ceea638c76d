"""Teacher training: one category module and one task module per task, learned end to end."""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

import torch
from torch import nn

from engine.architectures import get_architecture
from engine.config import ModuleKind, Task, TeacherConfig, resolve_device
from engine.data import TaskData, load_task_data
from engine.evaluation import evaluate
from engine.events import CancelCheck, EventCallback
from engine.layout import fast_layout
from engine.manifest import Manifest
from engine.storage import StoredModule, with_weights_hash
from engine.student import Path, task_logits, task_loss
from engine.training.loop import run_steps
from engine.training.sampling import BatchSampler
from engine.training.warm_start import apply_start


@dataclass(frozen=True)
class TeacherResult:
    """The teacher's category module, its task modules by task, and test metrics by task.

    A multi-category teacher has one category module per category in `category_modules` (in the
    config's order); `category` is the first of them. Its metrics average the per-category problems.
    """

    category: StoredModule
    tasks: dict[Task, StoredModule]
    metrics: dict[Task, dict[str, float]]
    category_modules: dict[str, StoredModule] = field(default_factory=dict)


def feature_rms(network: nn.Module, images: torch.Tensor, batch: int = 256) -> float:
    """Root-mean-square of a network's outputs over `images` (the adapter's beta comes from these)."""
    total, count = 0.0, 0
    with torch.inference_mode():
        for start in range(0, len(images), batch):
            features = network(images[start : start + batch])
            total += float(features.double().pow(2).sum())
            count += features.numel()
    return math.sqrt(total / count)


TeacherData = dict[Task, TaskData] | dict[tuple[str, Task], TaskData]


def train_teacher(
    config: TeacherConfig,
    *,
    data: TeacherData | None = None,
    start_from: Sequence[StoredModule] = (),
    on_event: EventCallback | None = None,
    should_cancel: CancelCheck | None = None,
) -> TeacherResult:
    """Train a teacher net: a category module per category, shared task modules, end to end.

    Every step sums one batch of each (category, task) problem's loss; each problem runs through its
    own category module and the task's shared module. Metrics are measured on each test split
    (averaged over categories). `data` defaults to Animal-MNIST; a single-category teacher may key it
    by task alone, a multi-category one by (category, task). `start_from` fine-tunes instead of
    starting from random weights (see `engine.training.warm_start.apply_start`); the modules record
    it in their lineage.
    Returns the modules with manifests (a shared `teacher` id links them).
    """
    architecture = get_architecture(config.architecture)
    for task in config.tasks:
        architecture.supports(task)
    settings = architecture.config()
    device = resolve_device(config.device)
    torch.manual_seed(config.seed)
    generator = torch.Generator().manual_seed(config.seed)
    problems = [(name, task) for name in config.categories for task in config.tasks]
    data = _problem_data(config, data)
    categories = nn.ModuleDict(
        {name: architecture.build_category(settings) for name in config.categories}
    ).to(device)
    heads = nn.ModuleDict({str(task): architecture.build_task(task, settings) for task in config.tasks}).to(
        device
    )
    parents = apply_start(start_from, config, categories=categories, heads=heads)
    paths = {(name, task): Path(categories[name], heads[str(task)]) for name, task in problems}
    samplers = {
        problem: BatchSampler(data[problem].train, config.batch_size, generator, device)
        for problem in problems
    }
    optimizer = torch.optim.Adam([*categories.parameters(), *heads.parameters()], lr=config.learning_rate)
    steps_per_epoch = max(math.ceil(len(data[problem].train) / config.batch_size) for problem in problems)

    def step(_: int) -> dict[str, float]:
        categories.train(), heads.train()
        losses: dict[str, list[torch.Tensor]] = {}
        for (name, task), path in paths.items():
            images, targets = samplers[name, task].next()
            losses.setdefault(str(task), []).append(task_loss(task, task_logits(task, path(images)), targets))
        loss = torch.stack([term for terms in losses.values() for term in terms]).sum()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        return {
            "loss": loss.item(),
            **{name: torch.stack(terms).mean().item() for name, terms in losses.items()},
        }

    latest: dict[
        Task, dict[str, float]
    ] = {}  # the last evaluation, which run_steps makes after the final step

    def evaluate_all() -> dict[str, float]:
        categories.eval(), heads.eval()
        latest.update({task: _evaluate_task(paths, data, task, device) for task in config.tasks})
        return _merge(list(latest.values()))

    steps = config.epochs * steps_per_epoch
    with fast_layout((categories, heads), device):
        run_steps(
            steps=steps,
            step=step,
            evaluate=evaluate_all,
            eval_every=steps_per_epoch if config.evaluate_each_epoch else steps,
            on_event=on_event,
            should_cancel=should_cancel,
        )
    return _package(config, settings, categories.eval().cpu(), heads.eval().cpu(), data, latest, parents)


def _problem_data(config: TeacherConfig, data: TeacherData | None) -> dict[tuple[str, Task], TaskData]:
    """Each (category, task) problem's data: given, or Animal-MNIST's "category vs other animals"."""
    if data is None:
        return {
            (name, task): load_task_data(name, task, seed=config.data_seed, limit_train=config.limit_train)
            for name in config.categories
            for task in config.tasks
        }
    if all(isinstance(key, Task) for key in data) and len(config.categories) == 1:
        return {(config.categories[0], task): value for task, value in data.items()}
    return dict(data)


def _evaluate_task(paths, data, task: Task, device) -> dict[str, float]:
    """A task's test metrics, averaged over the categories' problems."""
    per_category = [
        evaluate(lambda images, p=path: task_logits(task, p(images)), data[name, t].test, task, device=device)
        for (name, t), path in paths.items()
        if t is task
    ]
    return {metric: sum(m[metric] for m in per_category) / len(per_category) for metric in per_category[0]}


def _merge(metrics: list[dict[str, float]]) -> dict[str, float]:
    return {name: value for group in metrics for name, value in group.items()}


def _package(
    config, settings, categories, heads, data, metrics_by_task: dict[Task, dict[str, float]], parents: dict
) -> TeacherResult:
    teacher_id = uuid.uuid4().hex
    first = config.tasks[0]
    names = config.categories
    sample = {
        (name, task): data[name, task].train.tensors[0][:512] for name in names for task in config.tasks
    }
    modules: dict[Task, StoredModule] = {}
    base = f"{config.label}-{config.architecture}"
    for task in config.tasks:
        head = heads[str(task)]
        with torch.inference_mode():
            features = categories[names[0]](sample[names[0], task][:1])
            output = head(features)
        metrics = metrics_by_task[task]
        # E||f_S(I)||: the rms over every category's features, each on its own images.
        input_rms = math.sqrt(
            sum(feature_rms(categories[name], sample[name, task]) ** 2 for name in names) / len(names)
        )
        modules[task] = with_weights_hash(
            StoredModule(
                Manifest(
                    kind=ModuleKind.TASK,
                    name=f"{base}-{task}",
                    architecture=config.architecture,
                    task=task,
                    categories=names,
                    input_shape=tuple(features.shape[1:]),
                    output_shape=tuple(output.shape[1:]),
                    feature_rms=input_rms,
                    metrics=metrics,
                    config=settings,
                    teacher=teacher_id,
                    parents=parents.get(task, ()),
                    description=(
                        f"{task.capitalize()} task module of the {config.label} teacher "
                        f"({config.architecture})."
                    ),
                ),
                head,
            )
        )
    merged = _merge(list(metrics_by_task.values()))
    category_modules = {}
    for name in names:
        category = categories[name]
        images = sample[name, first]
        with torch.inference_mode():
            features = category(images[:1])
        prefix, owner = (
            (base, config.label) if len(names) == 1 else (f"{name}-{base}", f"{name} in the {config.label}")
        )
        category_modules[name] = with_weights_hash(
            StoredModule(
                Manifest(
                    kind=ModuleKind.CATEGORY,
                    name=f"{prefix}-category",
                    architecture=config.architecture,
                    category=name,
                    categories=(name,),
                    input_shape=tuple(images.shape[1:]),
                    output_shape=tuple(features.shape[1:]),
                    feature_rms=feature_rms(category, images),
                    metrics=merged,
                    config=settings,
                    teacher=teacher_id,
                    parents=parents[ModuleKind.CATEGORY],
                    description=(
                        f"Category module (conv1 block) of the {owner} teacher ({config.architecture})."
                    ),
                ),
                category,
            )
        )
    return TeacherResult(category_modules[names[0]], modules, metrics_by_task, category_modules)
