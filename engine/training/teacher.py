"""Teacher training: one category module and one task module per task, learned end to end."""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass

import torch
from torch import nn

from engine.architectures import get_architecture
from engine.config import ModuleKind, Task, TeacherConfig, resolve_device
from engine.data import TaskData, load_task_data
from engine.evaluation import evaluate
from engine.events import CancelCheck, EventCallback
from engine.manifest import Manifest
from engine.storage import StoredModule, with_weights_hash
from engine.student import Path, task_logits, task_loss
from engine.training.loop import run_steps
from engine.training.sampling import BatchSampler


@dataclass(frozen=True)
class TeacherResult:
    """The teacher's category module, its task modules by task, and test metrics by task."""

    category: StoredModule
    tasks: dict[Task, StoredModule]
    metrics: dict[Task, dict[str, float]]


def feature_rms(network: nn.Module, images: torch.Tensor, batch: int = 256) -> float:
    """Root-mean-square of a network's outputs over `images` (the adapter's beta comes from these)."""
    total, count = 0.0, 0
    with torch.inference_mode():
        for start in range(0, len(images), batch):
            features = network(images[start:start + batch])
            total += float(features.double().pow(2).sum())
            count += features.numel()
    return math.sqrt(total / count)


def train_teacher(
    config: TeacherConfig, *, data: dict[Task, TaskData] | None = None,
    on_event: EventCallback | None = None, should_cancel: CancelCheck | None = None,
) -> TeacherResult:
    """Train a teacher net for one category: a shared category module and a task module per task.

    With several tasks, every step sums one batch of each task's loss. Metrics are measured on each
    task's test split. `data` defaults to Animal-MNIST for the category.
    Returns the modules with manifests (a shared `teacher` id links them).
    """
    architecture = get_architecture(config.architecture)
    for task in config.tasks:
        architecture.supports(task)
    settings = architecture.config()
    device = resolve_device(config.device)
    torch.manual_seed(config.seed)
    generator = torch.Generator().manual_seed(config.seed)
    data = data or {
        task: load_task_data(config.category, task, seed=config.seed, limit_train=config.limit_train)
        for task in config.tasks
    }
    category = architecture.build_category(settings).to(device)
    heads = nn.ModuleDict({str(task): architecture.build_task(task, settings) for task in config.tasks}).to(device)
    paths = {task: Path(category, heads[str(task)]) for task in config.tasks}
    samplers = {task: BatchSampler(data[task].train, config.batch_size, generator, device) for task in config.tasks}
    optimizer = torch.optim.Adam([*category.parameters(), *heads.parameters()], lr=config.learning_rate)
    steps_per_epoch = max(math.ceil(len(data[task].train) / config.batch_size) for task in config.tasks)

    def step(_: int) -> dict[str, float]:
        category.train(), heads.train()
        losses = {}
        for task, path in paths.items():
            images, targets = samplers[task].next()
            losses[str(task)] = task_loss(task, task_logits(task, path(images)), targets)
        loss = torch.stack(list(losses.values())).sum()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        return {"loss": loss.item(), **{name: value.item() for name, value in losses.items()}}

    def evaluate_all() -> dict[str, float]:
        category.eval(), heads.eval()
        metrics: dict[str, float] = {}
        for task, path in paths.items():
            metrics.update(evaluate(lambda images, p=path, t=task: task_logits(t, p(images)), data[task].test, task, device=device))
        return metrics

    run_steps(
        steps=config.epochs * steps_per_epoch, step=step, evaluate=evaluate_all, eval_every=steps_per_epoch,
        on_event=on_event, should_cancel=should_cancel,
    )
    return _package(config, architecture, settings, category.eval().cpu(), heads.eval().cpu(), data, evaluate_all)


def _package(config, architecture, settings, category, heads, data, evaluate_all) -> TeacherResult:
    teacher_id = uuid.uuid4().hex
    first = config.tasks[0]
    sample = {task: data[task].train.tensors[0][:512] for task in config.tasks}
    category_rms = feature_rms(category, sample[first])
    metrics_by_task: dict[Task, dict[str, float]] = {}
    modules: dict[Task, StoredModule] = {}
    base = f"{config.category}-{config.architecture}"
    for task in config.tasks:
        head = heads[str(task)]
        images = sample[task]
        with torch.inference_mode():
            features = category(images[:1])
            output = head(features)
        metrics = evaluate(lambda x, h=head, t=task: task_logits(t, h(category(x))), data[task].test, task)
        metrics_by_task[task] = metrics
        modules[task] = with_weights_hash(StoredModule(Manifest(
            kind=ModuleKind.TASK, name=f"{base}-{task}", architecture=config.architecture, task=task,
            categories=(config.category,), input_shape=tuple(features.shape[1:]), output_shape=tuple(output.shape[1:]),
            feature_rms=feature_rms(category, images), metrics=metrics, config=settings, teacher=teacher_id,
            description=f"{task.capitalize()} task module of the {config.category} teacher ({config.architecture}).",
        ), head))
    with torch.inference_mode():
        features = category(sample[first][:1])
    merged = {name: value for metrics in metrics_by_task.values() for name, value in metrics.items()}
    category_module = with_weights_hash(StoredModule(Manifest(
        kind=ModuleKind.CATEGORY, name=f"{base}-category", architecture=config.architecture,
        category=config.category, categories=(config.category,),
        input_shape=tuple(sample[first].shape[1:]), output_shape=tuple(features.shape[1:]),
        feature_rms=category_rms, metrics=merged, config=settings, teacher=teacher_id,
        description=f"Category module (conv1 block) of the {config.category} teacher ({config.architecture}).",
    ), category))
    return TeacherResult(category_module, modules, metrics_by_task)
