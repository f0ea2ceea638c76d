"""Training task modules on frozen category modules: learning a new one (the supplement's first way
of adding a task module) and the optional fine-tuning after transplanting (paper, section 5).

Fine-tuning makes a new module with its own lineage; the original task module is never changed, so
every path that uses it keeps its outputs.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import torch

from engine.architectures import get_architecture
from engine.config import ModuleKind, Task, resolve_device
from engine.data import TaskData
from engine.evaluation import evaluate
from engine.events import CancelCheck, EventCallback
from engine.layout import fast_layout
from engine.manifest import Manifest
from engine.storage import StoredModule, with_weights_hash
from engine.student import Path, task_logits, task_loss
from engine.training.graft import freeze
from engine.training.loop import run_steps
from engine.training.sampling import BatchSampler
from engine.training.teacher import feature_rms


@dataclass(frozen=True)
class FineTuneConfig:
    """Steps, learning rate (small: the module is already trained), batch size, seed and device."""

    steps: int = 200
    learning_rate: float = 1e-4
    batch_size: int = 32
    seed: int = 0
    eval_every: int = 100
    device: str = "auto"

    def __post_init__(self) -> None:
        for name in ("steps", "learning_rate", "batch_size", "eval_every"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)!r}")


@dataclass(frozen=True)
class CategoryPath:
    """A category module, the adapter joining it to the task module (None for its own teacher's), and
    its data."""

    category: StoredModule
    adapter: StoredModule | None
    data: TaskData


def fine_tune_task(
    config: FineTuneConfig,
    *,
    task: StoredModule,
    paths: list[CategoryPath],
    on_event: EventCallback | None = None,
    should_cancel: CancelCheck | None = None,
) -> StoredModule:
    """Train a copy of `task` on every path's labelled data at once; category modules and adapters stay
    frozen.

    Returns the fine-tuned copy; its manifest lists the categories and metrics (mean over paths).
    """
    head = copy.deepcopy(task.network)
    metrics = _train_head(config, head, task.manifest.task, paths, on_event, should_cancel)
    categories = tuple(
        dict.fromkeys([*task.manifest.categories, *(p.category.manifest.category for p in paths)])
    )
    manifest = task.manifest.with_(
        name=f"{task.manifest.name}-fine-tuned",
        categories=categories,
        metrics=metrics,
        sha256="",
        created="",
        parents=(task.manifest.parent_entry("fine_tuned_from"),),
        description=f"{task.manifest.name} fine-tuned on {', '.join(categories)}.",
    )
    return with_weights_hash(StoredModule(manifest, head.eval().cpu()))


def learn_task_module(
    config: FineTuneConfig,
    *,
    task: Task,
    name: str,
    paths: list[CategoryPath],
    on_event: EventCallback | None = None,
    should_cancel: CancelCheck | None = None,
) -> StoredModule:
    """Learn a new task module from scratch on the features of existing, frozen category modules.

    The supplement's first way of adding a task module. Its architecture is the first category
    module's; every path must feed it features of the same shape.
    """
    if not paths:
        raise ValueError("give at least one category path to learn the task module on")
    first = paths[0].category.manifest
    architecture = get_architecture(first.architecture)
    architecture.supports(task)
    settings = architecture.config(first.config)
    head = architecture.build_task(task, settings)
    metrics = _train_head(config, head, task, paths, on_event, should_cancel)
    features = paths[0].data.train.tensors[0][:256]
    with torch.inference_mode():
        inputs = paths[0].category.network(features[:1])
        output = head.eval()(inputs)
    manifest = Manifest(
        kind=ModuleKind.TASK,
        name=name,
        architecture=first.architecture,
        task=task,
        categories=tuple(p.category.manifest.category for p in paths),
        input_shape=tuple(inputs.shape[1:]),
        output_shape=tuple(output.shape[1:]),
        feature_rms=feature_rms(paths[0].category.network, features),
        metrics=metrics,
        config=settings,
        description=f"{task.capitalize()} module learned on existing category modules.",
    )
    return with_weights_hash(StoredModule(manifest, head.cpu()))


def _train_head(
    config: FineTuneConfig,
    head: torch.nn.Module,
    kind: Task,
    paths: list[CategoryPath],
    on_event: EventCallback | None,
    should_cancel: CancelCheck | None,
) -> dict[str, float]:
    if not paths:
        raise ValueError("give at least one category path to train on")
    device = resolve_device(config.device)
    generator = torch.Generator().manual_seed(config.seed)
    torch.manual_seed(config.seed)
    head = head.to(device).train()
    for parameter in head.parameters():
        parameter.requires_grad_(True)
    for path in paths:
        freeze(path.category.network, device)
        if path.adapter is not None:
            freeze(path.adapter.network, device)
    students = [Path(p.category.network, head, p.adapter.network if p.adapter else None) for p in paths]
    samplers = [BatchSampler(p.data.train, config.batch_size, generator, device) for p in paths]
    optimizer = torch.optim.Adam(head.parameters(), lr=config.learning_rate)

    def step(_: int) -> dict[str, float]:
        head.train()
        losses = []
        for student, sampler in zip(students, samplers, strict=True):
            images, targets = sampler.next()
            losses.append(task_loss(kind, task_logits(kind, student(images)), targets))
        loss = torch.stack(losses).mean()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        return {"loss": loss.item()}

    def evaluate_all() -> dict[str, float]:
        head.eval()
        results = [
            evaluate(lambda x, s=s: task_logits(kind, s(x)), p.data.test, kind, device=device)
            for s, p in zip(students, paths, strict=True)
        ]
        return {name: sum(r[name] for r in results) / len(results) for name in results[0]}

    frozen = [path.category.network for path in paths] + [
        path.adapter.network for path in paths if path.adapter
    ]
    with fast_layout([head, *frozen], device):
        _, metrics = run_steps(
            steps=config.steps,
            step=step,
            evaluate=evaluate_all,
            eval_every=config.eval_every,
            on_event=on_event,
            should_cancel=should_cancel,
        )
    head.eval()
    return metrics
