"""Grafting: learn an adapter between a frozen category module and a frozen task module."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import torch
from torch import nn
from torch.utils.data import TensorDataset

from engine.adapter import Adapter
from engine.auto import auto_method
from engine.compatibility import check_connectable, check_teacher, is_own_task_module
from engine.config import (
    AdapterStart,
    GradientSeed,
    GraftConfig,
    Method,
    ModuleKind,
    ReluSurrogate,
    Solver,
    Task,
    resolve_device,
)
from engine.data import TaskData, labelled_subset, load_task_data
from engine.data.splits import unlabelled_images, unlabelled_pool
from engine.draws import BALANCE_DRAWS, DistillSetting, DrawBank, PseudoGradientSource, balance
from engine.evaluation import evaluate
from engine.events import CancelCheck, EventCallback, Finished, StepEvent, StopReason
from engine.labelled_batch import LabelledBatch
from engine.layout import fast_layout
from engine.least_squares import solve_one_layer
from engine.manifest import Manifest
from engine.objectives import BackDistill, DirectLearn, Distill, JacobianDistill
from engine.pseudograd import LinearSurrogate
from engine.stitching import fit_stitch, make_later_layers_identity
from engine.storage import StoredModule, with_weights_hash
from engine.student import Path, task_logits
from engine.training.convergence import ConvergenceRule
from engine.training.loop import run_steps
from engine.training.sampling import FeatureBatches


@dataclass(frozen=True)
class GraftResult:
    """The learned adapter (as a module with lineage), its final metrics and the loss history."""

    adapter: StoredModule
    metrics: dict[str, float]
    history: list[StepEvent]
    stopped: str = StopReason.STEPS  # why learning ended (`StopReason`)
    choice: str = ""  # with method "auto": what it chose and why, one sentence


def paper_setting(config: GraftConfig, task: Task, own_teacher: bool) -> DistillSetting:
    """The paper's pseudo-gradient setting unless the config overrides it.

    Classification into the teacher's own task module is Exp. 1 (G_y' = 1, masked ReLUs in the task
    module); into another net's is Exp. 2 (enlarged random G_y', only the lowest ReLU masked);
    segmentation is Exp. 3 (random G_y' over the output, no masks).
    """
    if task is Task.CLASSIFICATION:
        relu = ReluSurrogate.SECOND if own_teacher else ReluSurrogate.LOWEST_SECOND
        seed = GradientSeed.ONES if own_teacher else GradientSeed.RANDOM
    else:
        relu, seed = ReluSurrogate.FIRST, GradientSeed.RANDOM
    relu = config.relu_surrogate or relu
    seed = config.gradient_seed or seed
    enlarged = config.enlarged_size if task is Task.CLASSIFICATION and seed is GradientSeed.RANDOM else None
    return DistillSetting(relu, seed, enlarged, config.mask_positive_fraction)


def freeze(network: nn.Module, device: torch.device) -> nn.Module:
    """Eval mode, no gradients: frozen modules never change (nothing is forgotten)."""
    network.to(device).eval()
    for parameter in network.parameters():
        parameter.requires_grad_(False)
    return network


def build_adapter(
    config: GraftConfig, category: Manifest, task: Manifest, generator: torch.Generator
) -> Adapter:
    """An adapter with a seeded random reorder layer and beta = rms of g_S's input / rms of f's output."""
    channels = category.output_shape[0]
    permutation = torch.randperm(channels, generator=generator) if config.reorder else None
    torch.manual_seed(int(torch.randint(2**31 - 1, (1,), generator=generator)))
    return Adapter(
        channels,
        task.input_shape[0],
        layers=config.adapter_layers,
        kernel_size=config.kernel_size,
        permutation=permutation,
        beta=task.feature_rms / category.feature_rms,
        init=config.adapter_init,
    )


@dataclass
class GraftSession:
    """A graft set up and ready to learn: the adapter, its objective, the optimiser and what feeds them.

    `graft` runs one to the end; `graft_session` hands one out for stepping by hand (a benchmark, a
    notebook). While the session is open the modules are frozen and, on the CPU, in the fast layout.
    """

    config: GraftConfig
    adapter: Adapter
    objective: nn.Module  # DirectLearn, Distill, BackDistill or JacobianDistill
    bank: DrawBank | None
    batches: FeatureBatches | None  # None with zero labelled samples
    optimizer: torch.optim.Optimizer
    evaluate: Callable[[], dict[str, float]]

    def next_batch(self) -> LabelledBatch | None:
        """The next labelled minibatch (category features, targets, ...), or None without labelled samples."""
        return self.batches.next() if self.batches is not None else None

    def step(self, batch: LabelledBatch | None) -> dict[str, float]:
        """One Adam step of the objective on `batch`; returns its loss terms as floats."""
        terms = self.objective(batch)
        self.optimizer.zero_grad(set_to_none=True)
        terms["loss"].backward()
        self.optimizer.step()
        return {name: value.item() for name, value in terms.items() if name != "output" and value is not None}

    def solve(self) -> dict[str, float]:
        """Set a one-layer adapter to the exact least-squares minimiser of the distillation term."""
        if not isinstance(self.objective, BackDistill) or self.bank is None:
            raise ValueError(
                "the least-squares solver needs back-distill with a bank of draws; set bank_size above 0"
            )
        solve_one_layer(self.adapter, self.bank.student_upstream, self.bank.teacher, self.objective.alpha)
        terms = self.objective(None)
        return {"loss": terms["loss"].item(), "distill": terms["distill"].item()}

    def learn(
        self, on_event: EventCallback | None = None, should_cancel: CancelCheck | None = None
    ) -> tuple[list[StepEvent], dict[str, float], str]:
        """Fit the adapter as the config says: one exact solve, a stitching fit, or Adam steps until the
        step cap, a plateau or the time cap. Returns (history, final metrics, why it stopped)."""
        finished: list[Finished] = []

        def emit(event) -> None:
            if isinstance(event, Finished):
                finished.append(event)
            if on_event is not None:
                on_event(event)

        config = self.config
        if config.method is Method.STITCH:  # fitted when the session opened: report it as one step
            history, metrics = run_steps(
                steps=1,
                step=lambda _: {"loss": self.stitch_residual},
                evaluate=self.evaluate,
                eval_every=1,
                on_event=emit,
                should_cancel=should_cancel,
                finished_reason=StopReason.EXACT,
            )
        elif config.resolved_solver is Solver.LEAST_SQUARES:
            history, metrics = run_steps(
                steps=1,
                step=lambda _: self.solve(),
                evaluate=self.evaluate,
                eval_every=1,
                on_event=emit,
                should_cancel=should_cancel,
                finished_reason=StopReason.EXACT,
            )
        else:
            rule = ConvergenceRule(
                config.tolerance, config.window, config.max_seconds, converge=config.converges
            )
            history, metrics = run_steps(
                steps=config.steps,
                step=lambda _: self.step(self.next_batch()),
                evaluate=self.evaluate,
                eval_every=config.eval_every,
                on_event=emit,
                should_cancel=should_cancel,
                stop=rule,
            )
        return history, metrics, finished[-1].reason

    stitch_residual: float = float("nan")


@contextmanager
def graft_session(
    config: GraftConfig,
    *,
    category: StoredModule,
    task: StoredModule,
    teacher_task: StoredModule,
    data: TaskData | None = None,
    student_category: StoredModule | None = None,
) -> Iterator[GraftSession]:
    """Set up a graft (see `graft` for the arguments) and hand it out; the layout is restored on exit."""
    if config.method is Method.AUTO:
        raise ValueError(
            "resolve method 'auto' first (engine.auto_method); a session runs one concrete method"
        )
    stitching = config.method is Method.STITCH or config.start is AdapterStart.STITCH
    if stitching and student_category is None:
        raise ValueError(
            "stitching needs the student net's own category module (the task module's parent in "
            "the catalog); pass student_category"
        )
    check_connectable(category.manifest, task.manifest)
    check_teacher(category.manifest, task.manifest, teacher_task.manifest)
    kind = task.manifest.task
    device = resolve_device(config.device)
    generator = torch.Generator().manual_seed(config.seed)
    for module in (category, task, teacher_task) + ((student_category,) if stitching else ()):
        freeze(module.network, device)
    data = data or load_task_data(category.manifest.category, kind, seed=config.data_seed)
    labelled = labelled_subset(data.train, config.samples, seed=config.seed) if config.samples else None
    if config.unlabelled > len(data.train):
        raise ValueError(
            f"{config.unlabelled} unlabelled images were asked for but the training split holds "
            f"{len(data.train)}; ask for at most that many"
        )
    adapter = build_adapter(config, category.manifest, task.manifest, generator).to(device)
    if labelled is None and not config.unlabelled and config.method is not Method.STITCH:
        for conv in adapter.convs:  # a bias never enters a pseudo-gradient: without labels it cannot learn
            conv.bias.requires_grad_(False)
    with fast_layout((category.network, task.network, teacher_task.network, adapter), device):
        student = Path(category.network, task.network, adapter)
        pool = (
            FeatureBatches(
                TensorDataset(unlabelled_pool(data.train, config.unlabelled, seed=config.seed)),
                category.network,
                config.batch_size,
                generator,
                device,
                teacher_task=teacher_task.network,
            )
            if config.unlabelled
            else None
        )
        objective, bank = _objective(config, student, category, task, teacher_task, generator, device, pool)
        batches = (
            FeatureBatches(
                labelled,
                category.network,
                config.batch_size,
                generator,
                device,
                teacher_task=teacher_task.network if config.method is Method.DISTILL else None,
            )
            if labelled is not None
            else None
        )
        optimizer = torch.optim.Adam(
            [p for p in adapter.parameters() if p.requires_grad], lr=config.learning_rate
        )

        def evaluate_student() -> dict[str, float]:
            return (
                evaluate(lambda images: task_logits(kind, student(images)), data.test, kind, device=device)
                if len(data.test)
                else {}
            )  # no test set: not evaluated

        session = GraftSession(config, adapter, objective, bank, batches, optimizer, evaluate_student)
        if stitching:
            images = unlabelled_images(
                data.train, min(STITCH_IMAGES, _balanced_capacity(data.train)), seed=config.seed
            )
            session.stitch_residual = fit_stitch(
                adapter, category.network, student_category.network, images.to(device)
            )
        elif config.start is AdapterStart.LEAST_SQUARES:
            _least_squares_start(config, session, category, task, teacher_task, generator, device)
        yield session
    adapter.eval()


def graft(
    config: GraftConfig,
    *,
    category: StoredModule,
    task: StoredModule,
    teacher_task: StoredModule,
    data: TaskData | None = None,
    student_category: StoredModule | None = None,
    on_event: EventCallback | None = None,
    should_cancel: CancelCheck | None = None,
) -> GraftResult:
    """Learn an adapter that connects `category` to `task`, distilled from the category's teacher.

    Args:
        config: method, labelled samples, adapter shape, steps, seed and the rest.
        category: the category module f (from a teacher net for one category).
        task: the task module g_S that will serve the new category.
        teacher_task: the teacher's own task module g_T for the same task.
        data: labelled samples and the test split; Animal-MNIST for the category by default.
        student_category: the task module's own net's category module f_S (needed by stitching).
        on_event: receives Started, StepEvent, Evaluated and Finished events.
        should_cancel: polled every step; True raises Cancelled.
    Returns:
        GraftResult with the adapter module (manifest with parents and metrics).
    """
    choice = ""
    if config.method is Method.AUTO:
        data = data or load_task_data(category.manifest.category, task.manifest.task, seed=config.data_seed)
        resolved = auto_method(
            config,
            task=task.manifest.task,
            can_stitch=student_category is not None,
            unlabelled_available=len(data.train),
            own_net=is_own_task_module(task.manifest, teacher_task.manifest)
            or task.network is teacher_task.network,
        )
        config, choice = resolved.config, resolved.reason
    with graft_session(
        config,
        category=category,
        task=task,
        teacher_task=teacher_task,
        data=data,
        student_category=student_category,
    ) as session:
        history, metrics, stopped = session.learn(on_event, should_cancel)
    outcome = {"stopped": stopped, "steps_run": len(history), **({"auto": choice} if choice else {})}
    adapter = _adapter_module(
        config, session.adapter, category, task, teacher_task, metrics, session.objective, outcome
    )
    return GraftResult(adapter, metrics, history, stopped, choice)


# Stitching fits the first conv (vgg-mini 1x1: 17 unknowns per output) on up to this many unlabelled images.
STITCH_IMAGES = 512


def _balanced_capacity(dataset) -> int:
    labels = dataset.tensors[1]
    if labels.dim() != 1:
        return len(labels)
    positives = int((labels == 1).sum())
    return 2 * min(positives, len(labels) - positives)


def _least_squares_start(config, session, category, task, teacher_task, generator, device) -> None:
    """Start from the exact zero-sample back-distillation solution of the first conv, later convs the
    identity (inside D'_S their ReLUs are the identity too, so the first conv's problem stays linear)."""
    own_teacher = is_own_task_module(task.manifest, teacher_task.manifest)
    setting = paper_setting(config, task.manifest.task, own_teacher or task.network is teacher_task.network)
    source = pseudo_gradient_source(category, task, teacher_task, setting, generator, device)
    bank = session.bank or DrawBank(source, config.bank_size or BALANCE_DRAWS)
    alpha, _ = balance(bank)
    make_later_layers_identity(session.adapter)
    solve_one_layer(session.adapter, bank.student_upstream, bank.teacher, alpha)


def pseudo_gradient_source(
    category: StoredModule,
    task: StoredModule,
    teacher_task: StoredModule,
    setting: DistillSetting,
    generator: torch.Generator,
    device: torch.device,
) -> PseudoGradientSource:
    """The draws of (u_S, D'_T) for grafting `category` onto `task`. D'_T is drawn at the size the teacher's
    task module takes its features (a category module of a two-task teacher feeds 14 x 14 maps to its
    classifier and 32 x 32 to its segmenter), not at the category module's output size."""
    return PseudoGradientSource(
        task.network,
        teacher_task.network,
        student_channels=task.manifest.input_shape[0],
        teacher_channels=category.manifest.output_shape[0],
        native_size=tuple(teacher_task.manifest.input_shape[1:]),
        setting=setting,
        generator=generator,
        device=device,
    )


def _objective(config, student, category, task, teacher_task, generator, device, pool=None):
    kind = task.manifest.task
    if config.method in (Method.DIRECT_LEARN, Method.STITCH):  # stitch is fitted, not stepped
        return DirectLearn(student, kind), None
    if config.method is Method.DISTILL:
        return Distill(student, teacher_task.network, kind, pool), None
    own_teacher = is_own_task_module(task.manifest, teacher_task.manifest)
    setting = paper_setting(config, kind, own_teacher or task.network is teacher_task.network)
    weight_constant = config.distill_weight or (10.0 if kind is Task.CLASSIFICATION else 1.0)
    if config.method is Method.JACOBIAN:
        return JacobianDistill(
            student,
            teacher_task.network,
            kind,
            weight=weight_constant,
            seed=setting.gradient_seed,
            generator=generator,
        ), None
    source = pseudo_gradient_source(category, task, teacher_task, setting, generator, device)
    bank = DrawBank(source, config.bank_size) if config.bank_size else None
    alpha, teacher_energy = balance(bank if bank is not None else DrawBank(source, BALANCE_DRAWS))
    objective = BackDistill(
        student,
        kind,
        adapter_surrogate=LinearSurrogate(student[1], ReluSurrogate.FIRST),
        source=source,
        alpha=alpha,
        weight=weight_constant / teacher_energy,
        draws_per_step=config.batch_size,
        bank=bank,
    )
    return objective, bank


def _adapter_module(
    config, adapter, category, task, teacher_task, metrics, objective, outcome
) -> StoredModule:
    scalars = (
        {"alpha": objective.alpha, "lambda": objective.weight} if isinstance(objective, BackDistill) else {}
    )
    manifest = Manifest(
        kind=ModuleKind.ADAPTER,
        name=f"{category.manifest.category}-to-{task.manifest.name}-{config.method}-{config.samples}",
        architecture="adapter",
        task=task.manifest.task,
        category=category.manifest.category,
        categories=(category.manifest.category,),
        input_shape=category.manifest.output_shape,
        output_shape=task.manifest.input_shape,
        feature_rms=task.manifest.feature_rms,
        metrics=metrics,
        parents=(
            category.manifest.parent_entry("category"),
            task.manifest.parent_entry("task"),
            teacher_task.manifest.parent_entry("teacher_task"),
        ),
        config={
            "in_channels": category.manifest.output_shape[0],
            "out_channels": task.manifest.input_shape[0],
            "layers": config.adapter_layers,
            "kernel_size": config.kernel_size,
            "method": str(config.method),
            "samples": config.samples,
            "unlabelled": config.unlabelled,
            "steps": config.steps,
            "seed": config.seed,
            "distill_weight": config.distill_weight,
            "solver": str(config.resolved_solver),
            "init": str(config.adapter_init),
            "start": str(config.start),
            **outcome,
            **scalars,
        },
        description=(
            f"Adapter grafting the {category.manifest.category} category module onto {task.manifest.name} "
            f"by {config.method} with {config.samples} labelled samples"
            + (f" and {config.unlabelled} images labelled by the teacher." if config.unlabelled else ".")
        ),
    )
    return with_weights_hash(StoredModule(manifest, adapter.cpu()))
