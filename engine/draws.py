"""Random draws (G_y', x_rand) and the fixed task modules' part of the pseudo-gradients.

For one draw, the student's pseudo-gradient is D'_S = L_h^T (L_gS^T G) and the teacher's is
D'_T = L_gT^T G, where L are linearised surrogates. Only L_h (the adapter) changes during training,
so `u_S = L_gS^T G` and `D'_T` can be computed once per draw and reused: a `DrawBank` holds many.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from engine.config import GradientSeed, ReluSurrogate
from engine.layout import channels_last_on_cpu, gather_rows
from engine.pseudograd import LinearSurrogate, MaskDraw, input_size_for_output, output_gradient


@dataclass(frozen=True)
class DistillSetting:
    """How pseudo-gradients are drawn: ReLU surrogate of the task modules, G_y' kind, map size."""

    relu: ReluSurrogate
    gradient_seed: GradientSeed
    enlarged_size: int | None  # S for an enlarged S x S classifier output, None for the native size
    positive_fraction: float = 0.2


@dataclass(frozen=True)
class Draw:
    """One batch of draws: G_y', the masks, u_S (student task part) and D'_T."""

    output_gradient: torch.Tensor  # (B, K, h_out, w_out)
    masks: MaskDraw
    student_upstream: torch.Tensor  # (B, C_g, h, w)
    teacher: torch.Tensor  # (B, C_f, h, w)


class PseudoGradientSource:
    """Draws G_y' and x_rand and computes the fixed modules' pseudo-gradients for student and teacher.

    Args:
        task: the student's task module g_S (frozen).
        teacher_task: the teacher's task module g_T (frozen).
        student_channels: channels at g_S's input; teacher_channels: at g_T's input.
        native_size: the (h, w) of the features the teacher's task module takes at its own image size (a
            category module trained for several tasks sees 28 x 28 images for one and 64 x 64 for another).
        setting: the DistillSetting.
        generator: the seeded CPU generator every random draw comes from.
        device: where the tensors live.
    """

    def __init__(
        self,
        task: nn.Module,
        teacher_task: nn.Module,
        *,
        student_channels: int,
        teacher_channels: int,
        native_size: tuple[int, int],
        setting: DistillSetting,
        generator: torch.Generator,
        device: torch.device,
    ) -> None:
        self.task_surrogate = LinearSurrogate(task, setting.relu)
        self.teacher_surrogate = LinearSurrogate(teacher_task, setting.relu)
        # Inserting an adapter into a teacher's own net (Exp. 1): u_S and D'_T are the same tensor.
        self.same_task_module = task is teacher_task and student_channels == teacher_channels
        self.setting, self.generator, self.device = setting, generator, device
        self.student_channels, self.teacher_channels = student_channels, teacher_channels
        if setting.enlarged_size is None:
            self.size = native_size
        else:
            self.size = input_size_for_output(
                teacher_task, teacher_channels, native_size, setting.enlarged_size
            )
        with torch.no_grad():
            probe = torch.zeros(self.feature_shape(1, teacher_channels), device=device)
            self.output_shape = tuple(
                self.teacher_surrogate(probe, self.new_masks(1)).shape[1:]
            )  # (K, h_out, w_out)

    def feature_shape(self, batch: int, channels: int) -> tuple[int, int, int, int]:
        return (batch, channels, *self.size)

    def new_masks(self, batch: int) -> MaskDraw:
        return MaskDraw(batch, self.setting.positive_fraction, self.generator, self.device)

    def draw(self, batch: int) -> Draw:
        """A fresh batch of draws with the fixed modules' pseudo-gradients."""
        masks = self.new_masks(batch)
        student_shape = self.feature_shape(batch, self.student_channels)
        seed = output_gradient(self.setting.gradient_seed, (batch, *self.output_shape), self.generator).to(
            self.device
        )
        upstream = self.task_surrogate.pseudo_gradient(seed, student_shape, masks)
        if self.same_task_module:
            return Draw(seed, masks, upstream.detach(), upstream.detach())
        teacher = self.teacher_surrogate.pseudo_gradient(
            seed, self.feature_shape(batch, self.teacher_channels), masks
        )
        return Draw(seed, masks, upstream.detach(), teacher.detach())


# A bank computes its draws in chunks: the linearised backward of a chunk holds every activation of
# the task modules for all its draws at once. A chunk holds at most 128 draws and about this many
# feature values: 128 draws of vgg-mini's largest map (its classifier's enlarged 16 x 36 x 36 input),
# 3 of vgg16's 64 x 112 x 112 (a chunk of 128 of those took over 20 GB).
CHUNK_DRAWS = 128
CHUNK_FEATURE_VALUES = CHUNK_DRAWS * 16 * 36 * 36


class DrawBank:
    """Many precomputed draws (u_S, D'_T), sampled in minibatches by the seeded generator."""

    def __init__(self, source: PseudoGradientSource, size: int) -> None:
        per_draw = max(source.student_channels, source.teacher_channels) * source.size[0] * source.size[1]
        chunk = max(1, min(CHUNK_DRAWS, CHUNK_FEATURE_VALUES // per_draw))
        uppers, teachers = [], []
        for start in range(0, size, chunk):
            draw = source.draw(min(chunk, size - start))
            uppers.append(draw.student_upstream)
            teachers.append(draw.teacher)
        self.student_upstream = channels_last_on_cpu(torch.cat(uppers))  # (N, C_g, h, w)
        self.teacher = channels_last_on_cpu(torch.cat(teachers))  # (N, C_f, h, w)
        self.generator = source.generator

    def __len__(self) -> int:
        return len(self.teacher)

    def sample_index(self, batch: int) -> torch.Tensor:
        """`batch` draws' positions in the bank, with replacement, (batch,)."""
        return torch.randint(len(self), (batch,), generator=self.generator).to(self.teacher.device)

    def sample(self, batch: int) -> tuple[torch.Tensor, torch.Tensor]:
        index = self.sample_index(batch)
        return gather_rows(self.student_upstream, index), gather_rows(self.teacher, index)


# Draws that `balance` measures on when no graft bank supplies them (a DrawBank of this size, then dropped).
BALANCE_DRAWS = 256


def balance(bank: DrawBank) -> tuple[float, float]:
    """The paper's fixed scalars, measured once on the fixed modules' pseudo-gradients of a bank's draws
    (the graft's own bank, or one of `BALANCE_DRAWS` made for the purpose).

    Returns:
        (alpha, mean squared norm of D'_T): alpha = E||D'_T|| / E||L_gS^T G|| balances the two task
        modules' gradient magnitudes; the second value normalises lambda.
    """
    teacher_norm = bank.teacher.flatten(1).norm(dim=1)  # (N,)
    student_norm = bank.student_upstream.flatten(1).norm(dim=1)  # (N,)
    if float(student_norm.mean()) == 0.0 or float(teacher_norm.mean()) == 0.0:
        raise ValueError(
            "the task module passes no pseudo-gradient (all draws are zero); try relu_surrogate='first' "
            "or a larger mask_positive_fraction"
        )
    return float(teacher_norm.mean() / student_norm.mean()), float((teacher_norm**2).mean())
