"""Start a teacher from pretrained modules instead of random weights (fine-tuning).

The paper's teachers were all fine-tuned from one ImageNet-pretrained VGG-16, so their modules start
alike; teachers trained from scratch do not share that start.
"""

from __future__ import annotations

from collections.abc import Sequence

from torch import nn

from engine.config import ModuleKind, Task, TeacherConfig
from engine.storage import StoredModule


def apply_start(start_from: Sequence[StoredModule], config: TeacherConfig, *, categories: nn.ModuleDict,
                heads: nn.ModuleDict) -> dict[ModuleKind | Task, tuple[dict[str, str], ...]]:
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
            raise ValueError(f"cannot start a {config.architecture} teacher from {module.manifest.name!r}, "
                             f"a {module.manifest.architecture} module; give modules of the same architecture")
    tasks = [m.manifest.task for m in given_tasks]
    if len(set(tasks)) != len(tasks) or not set(tasks) <= set(config.tasks):
        raise ValueError(f"start_from gives task modules for {sorted(map(str, tasks))}; give at most one for each "
                         f"of the teacher's tasks ({', '.join(map(str, config.tasks))})")
    for module in given_categories:
        for target in categories.values():
            _copy(module, target)
    for module in given_tasks:
        _copy(module, heads[str(module.manifest.task)])
    parents: dict[ModuleKind | Task, tuple[dict[str, str], ...]] = {
        ModuleKind.CATEGORY: tuple(m.manifest.parent_entry("fine_tuned_from") for m in given_categories)}
    for module in given_tasks:
        parents[module.manifest.task] = (module.manifest.parent_entry("fine_tuned_from"),)
    return parents


def _copy(source: StoredModule, target: nn.Module) -> None:
    try:
        target.load_state_dict(source.network.state_dict())
    except RuntimeError as error:
        raise ValueError(f"the weights of {source.manifest.name!r} do not fit this teacher's modules: {error}") from None
