"""The transplant net: category modules, task modules and the adapters that join them.

It grows by the elementary operations of the paper's supplement, and none of them changes a module
already in the net (no forgetting): new parts are added, existing tensors are never touched.
"""

from __future__ import annotations

import torch
from torch import nn

from engine.config import GraftConfig, Task
from engine.data import TaskData
from engine.errors import IncompatibleModulesError
from engine.events import CancelCheck, EventCallback
from engine.storage import StoredModule
from engine.student import task_logits
from engine.training.fine_tune import CategoryPath, FineTuneConfig, learn_task_module
from engine.training.graft import GraftResult, graft
from engine.training.teacher import TeacherResult


class TransplantNet(nn.Module):
    """Named category and task modules, connected directly (a teacher's own pair) or by adapters.

    `forward(images, category=..., task=...)` runs the connected path and returns its logits.
    """

    def __init__(self) -> None:
        super().__init__()
        self.category_modules = nn.ModuleDict()
        self.task_modules = nn.ModuleDict()
        self.adapters = nn.ModuleDict()
        self.stored: dict[str, StoredModule] = {}
        self.connections: dict[tuple[str, str], str | None] = {}

    # -- elementary additions -------------------------------------------------------------
    def add_category_module(self, name: str, module: StoredModule) -> None:
        """Add a category module under `name` (refused if the name is taken)."""
        self._claim(name, module)
        self.category_modules[name] = _frozen(module.network)

    def add_task_module(self, name: str, module: StoredModule) -> None:
        """Add a task module under `name` (refused if the name is taken)."""
        self._claim(name, module)
        self.task_modules[name] = _frozen(module.network)

    def connect(self, category: str, task: str, adapter: StoredModule | None = None) -> None:
        """Connect two modules in the net: directly (modules of one teacher) or through an adapter."""
        self._require(category, self.category_modules, "category")
        self._require(task, self.task_modules, "task")
        if (category, task) in self.connections:
            raise IncompatibleModulesError(f"{category!r} and {task!r} are already connected")
        key = None
        if adapter is not None:
            key = f"{category}->{task}"
            self.adapters[key.replace(".", "_")] = _frozen(adapter.network)
            self.stored[key] = adapter
        self.connections[(category, task)] = key

    # -- the supplement's growth operations -----------------------------------------------
    def add_teacher(self, prefix: str, teacher: TeacherResult) -> None:
        """Start (or extend) the net with a teacher: its category module joined to its own task modules."""
        self.add_category_module(prefix, teacher.category)
        for task, module in teacher.tasks.items():
            self.add_task_module(f"{prefix}/{task}", module)
            self.connect(prefix, f"{prefix}/{task}")

    def graft_category(
        self,
        name: str,
        teacher: TeacherResult,
        *,
        onto: str,
        config: GraftConfig,
        on_event: EventCallback | None = None,
        should_cancel: CancelCheck | None = None,
    ) -> GraftResult:
        """Add a teacher's category module and graft it onto the task module `onto`.

        The teacher's other task modules come along, joined directly to their own category module
        (the supplement's "adding a new task module", second way).
        """
        task = self.stored[self._require(onto, self.task_modules, "task")]
        teacher_task = teacher.tasks.get(task.manifest.task)
        if teacher_task is None:
            raise IncompatibleModulesError(
                f"the teacher has no {task.manifest.task} task module to distil from"
            )
        result = graft(
            config,
            category=teacher.category,
            task=task,
            teacher_task=teacher_task,
            on_event=on_event,
            should_cancel=should_cancel,
        )
        self.add_category_module(name, teacher.category)
        self.connect(name, onto, result.adapter)
        for other_task, module in teacher.tasks.items():
            if other_task is not task.manifest.task:
                self.add_task_module(f"{name}/{other_task}", module)
                self.connect(name, f"{name}/{other_task}")
        return result

    def connect_by_graft(
        self,
        category: str,
        task: str,
        *,
        teacher_task: StoredModule,
        config: GraftConfig,
        on_event: EventCallback | None = None,
        should_cancel: CancelCheck | None = None,
    ) -> GraftResult:
        """Learn a new adapter between a category module and a task module already in the net."""
        category_module = self.stored[self._require(category, self.category_modules, "category")]
        task_module = self.stored[self._require(task, self.task_modules, "task")]
        result = graft(
            config,
            category=category_module,
            task=task_module,
            teacher_task=teacher_task,
            on_event=on_event,
            should_cancel=should_cancel,
        )
        self.connect(category, task, result.adapter)
        return result

    def learn_task_module(
        self,
        name: str,
        task: Task,
        *,
        data: dict[str, TaskData],
        config: FineTuneConfig,
        on_event: EventCallback | None = None,
        should_cancel: CancelCheck | None = None,
    ) -> StoredModule:
        """Learn a new task module on category modules already in the net, joined to each directly.

        `data` maps each category module's name in the net to its labelled data for the task.
        """
        paths = [
            CategoryPath(self.stored[self._require(c, self.category_modules, "category")], None, d)
            for c, d in data.items()
        ]
        module = learn_task_module(
            config, task=task, name=name, paths=paths, on_event=on_event, should_cancel=should_cancel
        )
        self.add_task_module(name, module)
        for category in data:
            self.connect(category, name)
        return module

    # -- running ----------------------------------------------------------------------------
    def forward(self, images: torch.Tensor, *, category: str, task: str) -> torch.Tensor:
        if (category, task) not in self.connections:
            connected = ", ".join(f"{c} -> {t}" for c, t in self.connections) or "none"
            raise IncompatibleModulesError(
                f"{category!r} is not connected to {task!r}; connected paths: {connected}"
            )
        features = self.category_modules[category](images)
        key = self.connections[(category, task)]
        if key is not None:
            features = self.adapters[key.replace(".", "_")](features)
        return task_logits(self.stored[task].manifest.task, self.task_modules[task](features))

    def paths(self) -> list[tuple[str, str]]:
        """Every connected (category, task) pair."""
        return list(self.connections)

    def _claim(self, name: str, module: StoredModule) -> None:
        if name in self.stored:
            raise ValueError(f"the net already has a module named {name!r}; choose another name")
        self.stored[name] = module

    @staticmethod
    def _require(name: str, modules: nn.ModuleDict, kind: str) -> str:
        if name not in modules:
            raise IncompatibleModulesError(
                f"the net has no {kind} module named {name!r}; it has {sorted(modules)}"
            )
        return name


def _frozen(network: nn.Module) -> nn.Module:
    network.eval()
    for parameter in network.parameters():
        parameter.requires_grad_(False)
    return network
