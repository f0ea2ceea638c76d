"""The student path category -> adapter -> task, and how task outputs become logits."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from engine.config import Task


class Path(nn.Sequential):
    """A category module, an optional adapter and a task module run in sequence."""

    def __init__(self, category: nn.Module, task: nn.Module, adapter: nn.Module | None = None) -> None:
        parts = [category] + ([adapter] if adapter is not None else []) + [task]
        super().__init__(*parts)

    def from_features(self, features: torch.Tensor) -> torch.Tensor:
        """The task output for the category module's features: the adapter (if any), then the task module."""
        for part in list(self)[1:]:
            features = part(features)
        return features


def task_logits(task: Task, output: torch.Tensor) -> torch.Tensor:
    """Classification: the mean of the logit map, (B,). Segmentation: the class map itself, (B, K, H, W)."""
    if task is Task.CLASSIFICATION:
        return output.mean(dim=(1, 2, 3))  # (B,)
    return output


def task_loss(task: Task, logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Binary cross-entropy for single-category classification, cross-entropy per pixel for segmentation."""
    if task is Task.CLASSIFICATION:
        return F.binary_cross_entropy_with_logits(logits, targets.float())
    return F.cross_entropy(logits, targets.long())


def soft_task_loss(task: Task, logits: torch.Tensor, teacher_logits: torch.Tensor) -> torch.Tensor:
    """Cross-entropy between the student's outputs and the teacher's soft outputs (Hinton's distill)."""
    if task is Task.CLASSIFICATION:
        return F.binary_cross_entropy_with_logits(logits, torch.sigmoid(teacher_logits))
    return F.cross_entropy(logits, torch.softmax(teacher_logits, dim=1))
