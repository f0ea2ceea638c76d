"""The labelled minibatch every objective takes."""

from __future__ import annotations

from typing import NamedTuple

import torch


class LabelledBatch(NamedTuple):
    """A labelled minibatch as the objectives take it: the category module's features of the images,
    the targets (None for a batch of an unlabelled pool) and, when the objective compares with the
    teacher's outputs (distill), those."""

    features: torch.Tensor  # (B, C_f, h, w)
    targets: torch.Tensor | None  # (B,) or (B, H, W)
    teacher_output: torch.Tensor | None = None  # the teacher's task output on the same features
