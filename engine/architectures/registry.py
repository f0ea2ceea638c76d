"""Architectures are built by name, as timm's create_model: `get_architecture("vgg-mini")`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from torch import nn

from engine.config import Task
from engine.errors import UnknownArchitectureError


@dataclass(frozen=True)
class Architecture:
    """How to build the modules of one teacher-net family.

    `build_category(config)` returns the category module (image -> features) and
    `build_task(task, config)` the task module for a task (features -> output map).
    `image_size[task]` is the native (H, W) of images; `image_channels` their channel count.
    `default_config` is merged under any user config and stored in manifests.
    """

    name: str
    build_category: Callable[[dict[str, Any]], nn.Module]
    build_task: Callable[[Task, dict[str, Any]], nn.Module]
    image_size: dict[Task, tuple[int, int]]
    image_channels: int
    default_config: dict[str, Any]
    tasks: tuple[Task, ...] = (Task.CLASSIFICATION, Task.SEGMENTATION)

    def config(self, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
        """The full configuration: defaults updated by `overrides`; unknown keys are refused."""
        overrides = dict(overrides or {})
        unknown = sorted(set(overrides) - set(self.default_config))
        if unknown:
            known = ", ".join(sorted(self.default_config)) or "none"
            raise ValueError(f"{self.name} has no setting(s) {unknown}; known settings: {known}")
        return {**self.default_config, **overrides}

    def supports(self, task: Task) -> None:
        if task not in self.tasks:
            raise ValueError(
                f"architecture {self.name!r} has no {task} task module; it offers {list(self.tasks)}"
            )


_REGISTRY: dict[str, Architecture] = {}


def register_architecture(architecture: Architecture) -> Architecture:
    """Make an architecture buildable by name. Registering a taken name is refused."""
    if architecture.name in _REGISTRY:
        raise ValueError(f"an architecture named {architecture.name!r} is already registered")
    _REGISTRY[architecture.name] = architecture
    return architecture


def get_architecture(name: str) -> Architecture:
    """The architecture registered under `name`; UnknownArchitectureError lists the known names."""
    try:
        return _REGISTRY[name]
    except KeyError:
        known = ", ".join(list_architectures())
        raise UnknownArchitectureError(
            f"unknown architecture {name!r}; known architectures: {known}"
        ) from None


def list_architectures() -> list[str]:
    """Names of all registered architectures, sorted."""
    return sorted(_REGISTRY)
