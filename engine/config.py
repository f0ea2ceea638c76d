"""Names and frozen, validated configuration for teachers and grafts."""

from __future__ import annotations

import enum
from dataclasses import dataclass

import torch


class Task(enum.StrEnum):
    CLASSIFICATION = "classification"
    SEGMENTATION = "segmentation"


class Method(enum.StrEnum):
    """How an adapter learns. `stitch` fits it to the student net's own category features on unlabelled
    images (no labels, no teacher); `auto` picks one of the others by the rule the study measured
    (`engine.auto_method`) and records what it chose and why."""

    BACK_DISTILL = "back-distill"
    DIRECT_LEARN = "direct-learn"
    DISTILL = "distill"
    JACOBIAN = "jacobian"
    STITCH = "stitch"
    AUTO = "auto"


class AdapterStart(enum.StrEnum):
    """Where the adapter's learning starts. `init` is its initialisation (`AdapterInit`); `stitch` is the
    stitching fit on unlabelled images; `least-squares` is the exact zero-sample back-distillation
    solution of its first layer (later layers the identity)."""

    INIT = "init"
    STITCH = "stitch"
    LEAST_SQUARES = "least-squares"


class Solver(enum.StrEnum):
    """`auto`: the exact least-squares solution where the distillation term is linear in the adapter
    (back-distill, zero samples, one conv layer), Adam otherwise."""

    AUTO = "auto"
    ADAM = "adam"
    LEAST_SQUARES = "least-squares"


class ModuleKind(enum.StrEnum):
    CATEGORY = "category"
    TASK = "task"
    ADAPTER = "adapter"


class ReluSurrogate(enum.StrEnum):
    """How the task module's ReLU derivatives are replaced inside pseudo-gradients (paper, 3.2).

    `first` treats every ReLU as the identity; `second` masks every ReLU with a random map x_rand;
    `lowest-second` is `first` except the lowest ReLU of the task module, which is masked (Exp. 2).
    """

    FIRST = "first"
    SECOND = "second"
    LOWEST_SECOND = "lowest-second"


class GradientSeed(enum.StrEnum):
    """How G_y', the pseudo-gradient at the output, is drawn (paper, 3.2)."""

    ONES = "ones"  # G_y' = 1 at the native output (Exp. 1)
    RANDOM = "random"  # uniform in [-1, 1] over the output (Exp. 3), or over an enlarged S x S map


class AdapterInit(enum.StrEnum):
    """How the adapter's convolutions start (the paper does not say).

    `identity` passes the reordered, re-scaled features through unchanged (a Dirac kernel, plus a
    little noise): the start keeps the features' scale, and the pseudo-gradients' scale that alpha
    assumes. `he` is He-normal (scale-preserving in expectation, random directions). `pytorch` is
    PyTorch's default, which shrinks features several-fold per layer (three 1x1 convs: rms 0.006 where
    0.1 was expected), so a frozen task module sees almost nothing and its output is nearly constant.
    """

    IDENTITY = "identity"
    HE = "he"
    PYTORCH = "pytorch"


def _choice(enum_type: type[enum.StrEnum], value: object, what: str) -> enum.StrEnum:
    try:
        return enum_type(value)
    except ValueError:
        choices = ", ".join(member.value for member in enum_type)
        raise ValueError(f"unknown {what} {value!r}; choose one of: {choices}") from None


def resolve_device(device: str) -> torch.device:
    """Turn "auto", "cpu", "cuda" or "cuda:N" into a torch.device ("auto" picks CUDA when present)."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ValueError(f"device {device!r} was asked for but CUDA is not available; use --device cpu")
    return torch.device(device)


@dataclass(frozen=True)
class TeacherConfig:
    """Training of a teacher net: a category module per category and one task module per task, end to end.

    `category` is one name, or a tuple of names for a multi-category teacher (e.g. the paper's
    "leave-one-out" task modules, Table 4). A multi-category teacher learns the union of the
    per-category problems ("c vs other animals" for each c): each category gets its own category
    module and all of them share the task modules, as in a transplant net. `name` labels the modules
    (default: the category, or the names joined by "+"). `seed` drives initialisation and batches;
    `data_seed` picks the train/test split, which stays fixed across training seeds so that a test
    split never holds another run's training images. `evaluate_each_epoch`: measure the test metrics
    after every epoch (the live chart's points) or only after the last (the weights are the same).
    """

    category: str | tuple[str, ...]
    name: str | None = None
    tasks: tuple[Task, ...] = (Task.CLASSIFICATION,)
    architecture: str = "vgg-mini"
    seed: int = 0
    data_seed: int = 0
    epochs: int = 20
    batch_size: int = 64
    learning_rate: float = 1e-3
    limit_train: int | None = None
    device: str = "auto"
    evaluate_each_epoch: bool = True

    def __post_init__(self) -> None:
        if not isinstance(self.category, str):
            object.__setattr__(self, "category", tuple(self.category))
        names = self.categories
        if (
            not names
            or not all(isinstance(name, str) and name for name in names)
            or len(set(names)) != len(names)
        ):
            raise ValueError(f"give one category name or a tuple of distinct names, got {self.category!r}")
        if self.name is not None and (not isinstance(self.name, str) or not self.name.strip()):
            raise ValueError("name must be a non-empty string, or None to derive it from the categories")
        if isinstance(self.tasks, (str, Task)):
            object.__setattr__(self, "tasks", (self.tasks,))
        tasks = tuple(_choice(Task, task, "task") for task in self.tasks)
        if not tasks or len(set(tasks)) != len(tasks):
            raise ValueError("give each task once, at least one (classification, segmentation)")
        object.__setattr__(self, "tasks", tasks)
        _positive("epochs", self.epochs)
        _positive("batch_size", self.batch_size)
        _positive("learning_rate", self.learning_rate)
        if self.limit_train is not None:
            _positive("limit_train", self.limit_train)

    @property
    def categories(self) -> tuple[str, ...]:
        """The teacher's categories, one or more."""
        return (self.category,) if isinstance(self.category, str) else self.category

    @property
    def label(self) -> str:
        """The name that prefixes the teacher's module names."""
        return self.name or "+".join(self.categories)


@dataclass(frozen=True)
class GraftConfig:
    """Learning of one adapter between a category module and a task module.

    `samples` is the number of labelled samples (0 means no task term), drawn by `seed` from the training
    split that `data_seed` picks (the test split does not move with `seed`). `unlabelled` (distill only) is
    how many images of that split, their labels unread, the teacher labels for the distill term; 0 compares
    with the teacher on the labelled batch only. Without labelled samples only back-distill, stitch and
    distill on an unlabelled pool can learn.
    `distill_weight` is the paper's constant c in lambda = c / E||D'_T||^2 (None: 10 for
    classification, 1 for segmentation). `relu_surrogate` and `gradient_seed` of None pick the paper's
    setting for the task and adapter (Exp. 1, 2 or 3). `bank_size` > 0 precomputes that many random
    draws of the task-module part of the pseudo-gradients once and reuses them (the fast path).
    `adapter_init` is how the adapter's convolutions start (see `AdapterInit`); `start` where learning
    starts from (see `AdapterStart`; `stitch` needs the student net's category module).

    When to stop: `solver` `auto` solves exactly where it can (see `Solver`). Adam runs at most `steps`
    steps and, when `converge` is on, stops once the loss stops falling: the mean loss over the last
    `window` steps is less than `tolerance` (relative) below the mean over the `window` before, checked
    every `window` steps; or after `max_seconds`. `converge` None means on without labelled samples (the
    loss is exact there, so a plateau is the optimum) and off with them (fixed steps, the paper's protocol).
    """

    method: Method = Method.BACK_DISTILL
    samples: int = 0
    unlabelled: int = 0
    adapter_layers: int = 1
    kernel_size: int = 3
    steps: int = 600
    seed: int = 0
    data_seed: int = 0
    learning_rate: float = 1e-3
    batch_size: int = 32
    reorder: bool = True
    adapter_init: AdapterInit = AdapterInit.IDENTITY
    distill_weight: float | None = None
    relu_surrogate: ReluSurrogate | None = None
    gradient_seed: GradientSeed | None = None
    enlarged_size: int = 7
    mask_positive_fraction: float = 0.2
    bank_size: int = 512
    solver: Solver = Solver.AUTO
    start: AdapterStart = AdapterStart.INIT
    converge: bool | None = None
    tolerance: float = 1e-3
    window: int = 50
    max_seconds: float = 600.0
    eval_every: int = 100
    device: str = "auto"

    def __post_init__(self) -> None:
        object.__setattr__(self, "method", _choice(Method, self.method, "method"))
        object.__setattr__(
            self, "adapter_init", _choice(AdapterInit, self.adapter_init, "adapter initialisation")
        )
        if self.relu_surrogate is not None:
            object.__setattr__(
                self, "relu_surrogate", _choice(ReluSurrogate, self.relu_surrogate, "ReLU surrogate")
            )
        if self.gradient_seed is not None:
            object.__setattr__(
                self, "gradient_seed", _choice(GradientSeed, self.gradient_seed, "gradient seed")
            )
        if self.samples < 0:
            raise ValueError("samples must be 0 or more")
        if self.unlabelled < 0:
            raise ValueError("unlabelled must be 0 or more")
        if self.unlabelled and self.method not in (Method.DISTILL, Method.AUTO):
            raise ValueError(
                f"unlabelled images are for distill (the teacher labels them), not {self.method}; "
                "use --method distill, or give --unlabelled 0"
            )
        learns_without_labels = (Method.BACK_DISTILL, Method.STITCH, Method.AUTO) + (
            (Method.DISTILL,) if self.unlabelled else ()
        )
        if self.samples == 0 and self.method not in learns_without_labels:
            raise ValueError(
                f"{self.method} needs labelled samples; give --samples 1 or more, or use back-distill, "
                "which can learn from zero samples"
                + (
                    ", or --unlabelled N for distill on images the teacher labels"
                    if self.method is Method.DISTILL
                    else ""
                )
            )
        if self.adapter_layers not in (1, 3):
            raise ValueError("adapter_layers must be 1 or 3 (the paper's two adapters)")
        if self.kernel_size not in (1, 3):
            raise ValueError("kernel_size must be 1 (1x1 conv) or 3 (3x3 conv, padding 1)")
        _positive("steps", self.steps)
        _positive("learning_rate", self.learning_rate)
        _positive("batch_size", self.batch_size)
        _positive("enlarged_size", self.enlarged_size)
        _positive("eval_every", self.eval_every)
        if self.distill_weight is not None:
            _positive("distill_weight", self.distill_weight)
        if not 0.0 < self.mask_positive_fraction < 1.0:
            raise ValueError("mask_positive_fraction must lie strictly between 0 and 1 (the paper uses 0.2)")
        if self.bank_size < 0:
            raise ValueError("bank_size must be 0 (draw afresh every step) or more")
        object.__setattr__(self, "solver", _choice(Solver, self.solver, "solver"))
        object.__setattr__(self, "start", _choice(AdapterStart, self.start, "adapter start"))
        if self.solver is Solver.LEAST_SQUARES and not (self.exactly_solvable and self.bank_size > 0):
            raise ValueError(
                "the least-squares solver is exact only for back-distill with zero samples, a "
                "one-layer adapter and a bank of draws (bank_size > 0); use --solver adam or auto"
            )
        if self.method is Method.STITCH and self.samples:
            raise ValueError(
                "stitch uses unlabelled images only; give --samples 0, or --start stitch with a "
                "method that learns from labels"
            )
        if self.converge is not None and not isinstance(self.converge, bool):
            raise TypeError(f"converge must be true, false or None, got {self.converge!r}")
        _positive("tolerance", self.tolerance)
        _positive("window", self.window)
        _positive("max_seconds", self.max_seconds)

    @property
    def exactly_solvable(self) -> bool:
        """Whether the distillation term is linear in the adapter: back-distill, no labels, one conv."""
        return self.method is Method.BACK_DISTILL and self.samples == 0 and self.adapter_layers == 1

    @property
    def resolved_solver(self) -> Solver:
        """`solver` with `auto` decided."""
        if self.solver is Solver.AUTO:  # the exact solve reads a bank of draws; without one, Adam
            return Solver.LEAST_SQUARES if self.exactly_solvable and self.bank_size > 0 else Solver.ADAM
        return self.solver

    @property
    def converges(self) -> bool:
        """Whether Adam stops at a plateau (see the class docstring) rather than after `steps`."""
        return self.samples == 0 if self.converge is None else self.converge


def _positive(name: str, value: float) -> None:
    if not value > 0:
        raise ValueError(f"{name} must be positive, got {value!r}")
