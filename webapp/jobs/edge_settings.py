"""The one statement of an edge's training settings: default, type, range and choices of each.

The API validates with it at the door (``job_settings_clean``), publishes it at
``GET /api/edge-settings/`` for the editor, and the editor reads its defaults and limits from there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import engine
from engine.auto import CROSS_NET_ADAPTER_LAYERS, CROSS_NET_SAMPLES, CROSS_NET_STEPS
from engine.data.animal_mnist import IMAGES_PER_CATEGORY
from engine.data.splits import TEST_FRACTION_DENOMINATOR
from webapp.catalog.models import Module, ModuleKind
from webapp.catalog.selectors import module_get
from webapp.datasets.selectors import dataset_train_size, dataset_visible
from webapp.errors import ApplicationError

# Labelled samples come from one category's training split: 1000 images less the fifth held out.
MAX_SAMPLES = IMAGES_PER_CATEGORY - IMAGES_PER_CATEGORY // TEST_FRACTION_DENOMINATOR  # 800
MAX_STEPS = 20_000  # a few hours on a CPU; the web default is 300 (1000 across nets)
MAX_SEED = 2**31 - 1  # what every random generator the engine seeds accepts


@dataclass(frozen=True)
class IntegerSetting:
    """A whole-number setting: JSON integers only (1.5, true and "3" are refused)."""

    name: str
    default: int
    minimum: int
    maximum: int
    help: str
    choices: tuple[int, ...] = ()

    def clean(self, value: Any) -> int:
        if type(value) is not int:
            raise ApplicationError(
                f"{self.name} must be a whole number, got {_short(value)}.",
                code="invalid_settings",
                details={self.name: ["Not an integer."]},
            )
        if self.choices and value not in self.choices:
            allowed = " or ".join(str(choice) for choice in self.choices)
            raise ApplicationError(
                f"{self.name} must be {allowed}, got {value}.",
                code="invalid_settings",
                details={self.name: [f"Use {allowed}."]},
            )
        if not self.minimum <= value <= self.maximum:
            raise ApplicationError(
                f"{self.name} must lie between {self.minimum} and {self.maximum}, got {_short(value)}.",
                code="invalid_settings",
                details={self.name: [f"Use {self.minimum} to {self.maximum}."]},
            )
        return value

    def describe(self) -> dict[str, Any]:
        described = {
            "type": "integer",
            "default": self.default,
            "minimum": self.minimum,
            "maximum": self.maximum,
            "help": self.help,
        }
        return {**described, "choices": list(self.choices)} if self.choices else described


@dataclass(frozen=True)
class ChoiceSetting:
    """A setting that is one of a few strings."""

    name: str
    default: str
    choices: tuple[str, ...]
    help: str

    def clean(self, value: Any) -> str:
        if not isinstance(value, str) or value not in self.choices:
            raise ApplicationError(
                f"{self.name} must be one of {', '.join(self.choices)}, got {_short(value)}.",
                code="invalid_settings",
                details={self.name: [f"Use one of {', '.join(self.choices)}."]},
            )
        return value

    def describe(self) -> dict[str, Any]:
        return {"type": "choice", "default": self.default, "choices": list(self.choices), "help": self.help}


EDGE_SETTINGS: dict[str, IntegerSetting | ChoiceSetting] = {
    setting.name: setting
    for setting in (
        ChoiceSetting(
            "method",
            engine.Method.AUTO.value,
            tuple(method.value for method in engine.Method),
            "How the adapter learns; auto picks what the study measured best for the edge and says why.",
        ),
        IntegerSetting("samples", 0, 0, MAX_SAMPLES, "Labelled samples from the category's training split."),
        IntegerSetting("adapter_layers", 1, 1, 3, "Convolution layers in the adapter.", choices=(1, 3)),
        IntegerSetting("steps", 300, 1, MAX_STEPS, "Training steps."),
        IntegerSetting("seed", 0, 0, MAX_SEED, "Seed of the samples drawn and the training."),
    )
}
DEFAULT_SETTINGS = {name: setting.default for name, setting in EDGE_SETTINGS.items()}


def edge_settings_defaults(*, own_net: bool) -> dict[str, Any]:
    """The settings a new edge starts with: no labelled samples and one conv within one net, which
    back-distill solves exactly (Table 2); a few samples, three convs and more steps across nets
    (engine.auto's CROSS_NET_* constants, with the figures behind them)."""
    if own_net:
        return DEFAULT_SETTINGS
    return {
        **DEFAULT_SETTINGS,
        "samples": CROSS_NET_SAMPLES,
        "adapter_layers": CROSS_NET_ADAPTER_LAYERS,
        "steps": CROSS_NET_STEPS,
    }


def edge_settings_describe() -> dict[str, Any]:
    """The published form: every setting's type, default, range or choices, and the cross-net default."""
    return {
        "fields": {name: setting.describe() for name, setting in EDGE_SETTINGS.items()},
        "cross_net_samples": CROSS_NET_SAMPLES,
        "cross_net_adapter_layers": CROSS_NET_ADAPTER_LAYERS,
        "cross_net_steps": CROSS_NET_STEPS,
    }


def edge_settings_check(raw: Any, *, own_net: bool) -> dict[str, Any]:
    """Fill in defaults and check each given setting's type and range (not yet their combination).

    Raises:
        ApplicationError: ``invalid_settings`` naming the bad field and what is allowed.
    """
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ApplicationError("settings must be a JSON object.", code="invalid_settings")
    unknown = sorted(set(raw) - set(EDGE_SETTINGS))
    if unknown:
        raise ApplicationError(
            f"Unknown settings: {', '.join(_short(name) for name in unknown[:5])}. "
            f"Known: {', '.join(EDGE_SETTINGS)}.",
            code="invalid_settings",
        )
    cleaned = dict(edge_settings_defaults(own_net=own_net))
    for name, value in raw.items():
        cleaned[name] = EDGE_SETTINGS[name].clean(value)
    return cleaned


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:37]}..."


def edge_settings_preview(
    *,
    user: Any,
    category_id: int,
    task_id: int,
    samples: int | None = None,
    adapter_layers: int | None = None,
    dataset_id: int | None = None,
) -> dict[str, Any]:
    """Whether an edge from a category module to a task module stays inside one net, the settings it
    would start with, and what method "auto" would pick for it (at ``samples`` and ``adapter_layers``,
    the defaults when None, on the dataset ``dataset_id`` or else the built-in data) and why, in one
    sentence. The one rule is ``engine.is_own_task_module``.

    Raises:
        ApplicationError: 404 when either module or the dataset is not visible to the user.
    """
    category = module_get(user=user, module_id=category_id)
    task = module_get(user=user, module_id=task_id)
    teacher_task = None
    if category.teacher_id is not None and task.task:
        teacher_task = (
            Module.objects.filter(kind=ModuleKind.TASK, task=task.task, teacher_id=category.teacher_id)
            .order_by("id")
            .first()
        )
    own_net = teacher_task is not None and engine.is_own_task_module(
        engine.Manifest.from_json(task.manifest), engine.Manifest.from_json(teacher_task.manifest)
    )
    defaults = edge_settings_defaults(own_net=own_net)
    config = engine.GraftConfig(
        method=engine.Method.AUTO,
        samples=defaults["samples"] if samples is None else samples,
        adapter_layers=defaults["adapter_layers"] if adapter_layers is None else adapter_layers,
    )
    choice = (
        engine.auto_method(
            config,
            task=engine.Task(task.task),
            own_net=own_net,
            unlabelled_available=_training_images(user, category, task, dataset_id),
        )
        if task.task
        else None
    )
    return {"own_net": own_net, "defaults": defaults, "auto_choice": choice.reason if choice else ""}


def _training_images(user: Any, category: Module, task: Module, dataset_id: int | None) -> int:
    """How many training images an edge's graft could have its teacher label (auto's pool): the dataset's
    training split, else Animal-MNIST's for its ten categories, else none."""
    if dataset_id is not None:
        dataset = dataset_visible(user=user).filter(pk=dataset_id).first()
        if dataset is None:
            raise ApplicationError(
                f"Dataset #{dataset_id} does not exist or is not visible to you.",
                code="not_found",
                status=404,
            )
        return dataset_train_size(dataset, category.category)
    if category.category in engine.CATEGORIES:
        return engine.train_split_size(category.category, task.task)
    return 0
