"""Distillation objectives that learn an adapter. Each `forward` returns a dict with "loss",
"output" (the student's logits on the labelled batch, or None) and its named terms.

Back-distill (paper, Eqn. 3): task loss + lambda * ||alpha * D'_S - D'_T||^2 over pseudo-gradients.
The baselines learn the same adapter: direct-learn (task loss only), distill (cross-entropy between
student and teacher outputs, Hinton et al.) and Jacobian distillation (real input gradients at the
real feature maps, normalised, as Srinivas and Fleuret 2018).
"""

from __future__ import annotations

import torch
from torch import nn

from engine.adapter import Adapter
from engine.config import GradientSeed, Task
from engine.draws import DrawBank, PseudoGradientSource
from engine.layout import channels_last_on_cpu
from engine.pseudograd import LinearSurrogate, conv_chain_transpose, output_gradient
from engine.student import Path, soft_task_loss, task_logits, task_loss

Batch = tuple[torch.Tensor, torch.Tensor]


class _Objective(nn.Module):
    def __init__(self, student: Path, task: Task) -> None:
        super().__init__()
        self.student, self.task = student, task

    def _task_term(self, batch: Batch | None) -> tuple[torch.Tensor | None, torch.Tensor | None]:
        if batch is None:
            return None, None
        images, targets = batch
        logits = task_logits(self.task, self.student(images))
        return logits, task_loss(self.task, logits, targets)


def _total(terms: dict[str, torch.Tensor | None]) -> torch.Tensor:
    present = [term for term in terms.values() if term is not None]
    return torch.stack(present).sum() if len(present) > 1 else present[0]


class DirectLearn(_Objective):
    """The task loss alone."""

    def forward(self, batch: Batch | None) -> dict[str, torch.Tensor | None]:
        output, task = self._task_term(batch)
        return {"loss": task, "output": output, "task": task}


class Distill(_Objective):
    """Task loss + cross-entropy between the student's and the teacher's outputs."""

    def __init__(self, student: Path, teacher: Path, task: Task) -> None:
        super().__init__(student, task)
        self.teacher = teacher

    def forward(self, batch: Batch | None) -> dict[str, torch.Tensor | None]:
        output, task = self._task_term(batch)
        with torch.no_grad():
            teacher_logits = task_logits(self.task, self.teacher(batch[0]))
        distill = soft_task_loss(self.task, output, teacher_logits)
        return {"loss": _total({"task": task, "distill": distill}), "output": output, "task": task, "distill": distill}


class BackDistill(_Objective):
    """Task loss (when labelled samples exist) + lambda * ||alpha D'_S - D'_T||^2.

    With a `bank`, D'_S = L_h^T u_S is computed from precomputed u_S = L_gS^T G (the fast path);
    without one, every step draws afresh and back-propagates through the whole linearised student.

    Args:
        student: the category -> adapter -> task path (only the adapter learns).
        adapter_surrogate: the adapter's linear surrogate (its ReLUs are the identity).
        source: draws G_y' and x_rand and computes the fixed modules' part.
        alpha: the fixed balance E||D'_T|| / E||L_gS^T G||.
        weight: lambda.
        draws_per_step: how many draws each step averages over.
        bank: precomputed draws, or None for the slow path.
    """

    def __init__(
        self, student: Path, task: Task, *, adapter_surrogate: LinearSurrogate, source: PseudoGradientSource,
        alpha: float, weight: float, draws_per_step: int, bank: DrawBank | None,
    ) -> None:
        super().__init__(student, task)
        self.adapter_surrogate, self.source, self.bank = adapter_surrogate, source, bank
        self.alpha, self.weight, self.draws_per_step = alpha, weight, draws_per_step
        adapter = student[1]
        # The hot loop compares in the adapter's reordered channel order: reordering the fixed D'_T bank
        # once costs less than undoing the reorder on D'_S (and differentiating that) at every step.
        # A channel permutation leaves the squared distance unchanged.
        closed_form = bank is not None and isinstance(adapter, Adapter)
        self._reordered_teacher = channels_last_on_cpu(bank.teacher[:, adapter.permutation]) if closed_form else None

    def student_pseudo_gradient(self, upstream: torch.Tensor) -> torch.Tensor:
        """D'_S = L_h^T u_S through the adapter's surrogate (any adapter module), differentiable in its weights."""
        shape = self.source.feature_shape(len(upstream), self.source.teacher_channels)
        return self.adapter_surrogate.pseudo_gradient(upstream, shape, create_graph=True)

    def pseudo_gradients(self) -> tuple[torch.Tensor, torch.Tensor]:
        """(D'_S, D'_T) for this step's draws, in the same (possibly reordered) channel order."""
        if self._reordered_teacher is not None:  # closed form (`adapter_transpose`): no double backward
            adapter = self.student[1]
            index = self.bank.sample_index(self.draws_per_step)
            student = conv_chain_transpose(adapter, self.bank.student_upstream[index]) * adapter.beta
            return student, self._reordered_teacher[index]  # both in the adapter's reordered channel order
        if self.bank is not None:
            upstream, teacher = self.bank.sample(self.draws_per_step)
            return self.student_pseudo_gradient(upstream), teacher
        draw = self.source.draw(self.draws_per_step)
        anchor = torch.zeros(
            self.source.feature_shape(self.draws_per_step, self.source.teacher_channels),
            device=draw.teacher.device, requires_grad=True,
        )
        out = self.source.task_surrogate(self.adapter_surrogate(anchor), draw.masks)
        (student,) = torch.autograd.grad(out, anchor, grad_outputs=draw.output_gradient, create_graph=True)
        return student, draw.teacher

    def forward(self, batch: Batch | None) -> dict[str, torch.Tensor | None]:
        output, task = self._task_term(batch)
        student, teacher = self.pseudo_gradients()  # (B, C_f, h, w) each
        distill = self.weight * (self.alpha * student - teacher).pow(2).sum(dim=(1, 2, 3)).mean()
        return {"loss": _total({"task": task, "distill": distill}), "output": output, "task": task, "distill": distill}


class JacobianDistill(_Objective):
    """Task loss + weight * || D_S/||D_S|| - D_T/||D_T|| ||^2 with real gradients at real features."""

    def __init__(self, student: Path, teacher_task: nn.Module, task: Task, *, weight: float, seed: GradientSeed,
                 generator: torch.Generator) -> None:
        super().__init__(student, task)
        self.teacher_task, self.weight, self.seed, self.generator = teacher_task, weight, seed, generator

    def forward(self, batch: Batch | None) -> dict[str, torch.Tensor | None]:
        output, task = self._task_term(batch)
        category, adapter, task_module = self.student
        with torch.no_grad():
            features = category(batch[0])  # (B, C_f, h, w)
        features_s = features.clone().requires_grad_()
        student_out = task_module(adapter(features_s))
        seed = output_gradient(self.seed, tuple(student_out.shape), self.generator).to(features.device)
        (student,) = torch.autograd.grad(student_out, features_s, grad_outputs=seed, create_graph=True)
        features_t = features.clone().requires_grad_()
        (teacher,) = torch.autograd.grad(self.teacher_task(features_t), features_t, grad_outputs=seed)
        distill = self.weight * (_unit(student) - _unit(teacher)).pow(2).flatten(1).sum(1).mean()
        return {"loss": _total({"task": task, "distill": distill}), "output": output, "task": task, "distill": distill}


def _unit(gradient: torch.Tensor) -> torch.Tensor:
    norm = gradient.flatten(1).norm(dim=1).clamp_min(1e-12)
    return gradient / norm[:, None, None, None]
