"""Start a teacher from pretrained modules instead of random weights (fine-tuning).

The paper's teachers were all fine-tuned from one ImageNet-pretrained VGG-16, so their modules start
alike; teachers trained from scratch do not share that start. A task module of the same task and shape
is copied whole; one that differs (a ten-way backbone's classifier starting a binary classifier or a
segmenter, as VGG-16 starts FCN-8s) gives its leading convolutions, as far as their shapes agree.
"""

from __future__ import annotations

from collections.abc import Sequence

from torch import nn

from engine.config import ModuleKind, Task, TeacherConfig
from engine.storage import StoredModule


def apply_start(
    start_from: Sequence[StoredModule],
    config: TeacherConfig,
    *,
    categories: nn.ModuleDict,
    heads: nn.ModuleDict,
) -> dict[ModuleKind | Task, tuple[dict[str, str], ...]]:
    """Copy the pretrained weights into the freshly built modules.

    Args:
        start_from: at most one category module (every category module of the teacher starts from it)
            and at most one task module per task of `config`.
        config: the teacher being trained (its architecture and tasks).
        categories, heads: the new teacher's category modules by name and task modules by task.
    Returns:
        Lineage entries (role "fine_tuned_from") for the new modules' manifests: under
        ModuleKind.CATEGORY for the category modules, under each Task for that task's module.
    """
    given_categories = [m for m in start_from if m.manifest.kind is ModuleKind.CATEGORY]
    given_tasks = [m for m in start_from if m.manifest.kind is ModuleKind.TASK]
    if len(given_categories) > 1 or len(given_categories) + len(given_tasks) != len(start_from):
        raise ValueError("start_from takes at most one category module and task modules, no adapters")
    for module in start_from:
        if module.manifest.architecture != config.architecture:
            raise ValueError(
                f"cannot start a {config.architecture} teacher from {module.manifest.name!r}, "
                f"a {module.manifest.architecture} module; give modules of the same architecture"
            )
    tasks = [m.manifest.task for m in given_tasks]
    if len(set(tasks)) != len(tasks):
        raise ValueError(
            f"start_from gives task modules for {sorted(map(str, tasks))}; give at most one per task"
        )
    by_task = {m.manifest.task: m for m in given_tasks}
    for module in given_categories:
        for target in categories.values():
            _copy(module, target)
    parents: dict[ModuleKind | Task, tuple[dict[str, str], ...]] = {
        ModuleKind.CATEGORY: tuple(m.manifest.parent_entry("fine_tuned_from") for m in given_categories)
    }
    for task in config.tasks:
        module = by_task.get(task, by_task.get(Task.CLASSIFICATION))
        if module is None:
            continue
        head = heads[str(task)]
        if module.manifest.task is task and _same_shapes(module.network, head):
            _copy(module, head)
        else:
            _copy_leading_convs(module, head)
        parents[task] = (module.manifest.parent_entry("fine_tuned_from"),)
    unused = set(tasks) - set(config.tasks) - {Task.CLASSIFICATION}
    if unused:
        raise ValueError(
            f"start_from gives a task module for {sorted(map(str, unused))}, which the teacher does "
            f"not train ({', '.join(map(str, config.tasks))})"
        )
    return parents


def _same_shapes(source: nn.Module, target: nn.Module) -> bool:
    theirs, ours = source.state_dict(), target.state_dict()
    return theirs.keys() == ours.keys() and all(theirs[k].shape == ours[k].shape for k in ours)


def _copy_leading_convs(source: StoredModule, target: nn.Module) -> None:
    """Copy the source's convolutions into the target's, in order, while their shapes agree."""
    copied = 0
    theirs = [m for m in source.network.modules() if isinstance(m, nn.Conv2d)]
    ours = [m for m in target.modules() if isinstance(m, nn.Conv2d)]
    # The nets may differ in depth: stop at the shorter list (or at the first shape that differs).
    for source_conv, target_conv in zip(theirs, ours, strict=False):
        if source_conv.weight.shape != target_conv.weight.shape:
            break
        target_conv.load_state_dict(source_conv.state_dict())
        copied += 1
    if copied == 0:
        raise ValueError(
            f"no layer of {source.manifest.name!r} fits this teacher's {target.__class__.__name__}; "
            "give modules of the same architecture and widths"
        )


def _copy(source: StoredModule, target: nn.Module) -> None:
    try:
        target.load_state_dict(source.network.state_dict())
    except RuntimeError as error:
        raise ValueError(
            f"the weights of {source.manifest.name!r} do not fit this teacher's modules: {error}"
        ) from None
