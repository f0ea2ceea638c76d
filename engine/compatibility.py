"""Which modules may be connected, with messages that name the problem."""

from __future__ import annotations

from engine.config import ModuleKind
from engine.errors import IncompatibleModulesError
from engine.manifest import Manifest


def check_connectable(category: Manifest, task: Manifest) -> None:
    """Raise IncompatibleModulesError unless an adapter can join `category`'s output to `task`'s input.

    The adapter keeps feature maps' size and, like the paper's (M filters of 3x3xM or 1x1xM), works on
    features with the same channel count on both sides; the images must have the same channels too.
    """
    if category.kind is not ModuleKind.CATEGORY:
        raise IncompatibleModulesError(
            f"an edge starts at a category module, but {category.name!r} is a {category.kind} module"
        )
    if task.kind is not ModuleKind.TASK:
        raise IncompatibleModulesError(
            f"an edge ends at a task module, but {task.name!r} is a {task.kind} module"
        )
    out_channels, in_channels = category.output_shape[0], task.input_shape[0]
    if out_channels != in_channels:
        raise IncompatibleModulesError(
            f"feature shapes do not fit: {category.name!r} outputs {out_channels} channels "
            f"{list(category.output_shape)} but {task.name!r} takes {in_channels} channels "
            f"{list(task.input_shape)}; connect modules whose features have the same channel count "
            "(for example of the same architecture family)"
        )
    image_channels = category.config.get("image_channels")
    task_image_channels = task.config.get("image_channels")
    if image_channels and task_image_channels and image_channels != task_image_channels:
        raise IncompatibleModulesError(
            f"{category.name!r} reads {image_channels}-channel images but {task.name!r} was trained on "
            f"{task_image_channels}-channel images"
        )


def check_teacher(category: Manifest, task: Manifest, teacher_task: Manifest) -> None:
    """The teacher's task module must do the same task and take the category module's features."""
    if teacher_task.kind is not ModuleKind.TASK:
        raise IncompatibleModulesError(
            f"the teacher's task module {teacher_task.name!r} is a {teacher_task.kind} module"
        )
    if teacher_task.task is not task.task:
        raise IncompatibleModulesError(
            f"the teacher's task module does {teacher_task.task} but the task module does {task.task}; "
            "pick the teacher task module of the same task"
        )
    if teacher_task.input_shape[0] != category.output_shape[0]:
        raise IncompatibleModulesError(
            f"the teacher's task module {teacher_task.name!r} takes {teacher_task.input_shape[0]} channels, "
            f"not the {category.output_shape[0]} that {category.name!r} outputs; "
            "is it from the same teacher net?"
        )


def is_own_task_module(task: Manifest, teacher_task: Manifest) -> bool:
    """Whether `task` is the teacher's own task module: grafting into the category's own net (Exp. 1),
    where back-distillation works without labelled samples, rather than onto another net's."""
    return task.sha256 != "" and task.sha256 == teacher_task.sha256
