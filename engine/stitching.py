"""Stitching: fit the adapter so that it maps the category module's features onto the student net's own
category-module features on the same unlabelled images (a baseline that needs images, not labels).

The task module g_S was trained on the features of its own net's category module f_S. If an adapter h
makes h(f(I)) look like f_S(I), g_S sees what it was trained on. The first convolution is fitted by
ridge regression (a k x k conv is linear in its weights and bias); later convolutions pass features
through unchanged (their inputs are ReLU outputs, so an identity conv and its ReLU are the identity).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from engine.adapter import Adapter

# Normal equations are accumulated over this many images at a time (vgg-mini: 14 x 14 maps).
CHUNK_IMAGES = 256


def make_later_layers_identity(adapter: Adapter) -> None:
    """Set every convolution after the first to the exact identity (Dirac kernel, zero bias)."""
    with torch.no_grad():
        for conv in adapter.convs[1:]:
            if conv.in_channels != conv.out_channels:
                raise ValueError("an identity start of later adapter layers needs as many inputs as outputs")
            nn.init.dirac_(conv.weight)
            conv.bias.zero_()


@torch.no_grad()
def fit_stitch(
    adapter: Adapter,
    category: nn.Module,
    student_category: nn.Module,
    images: torch.Tensor,
    ridge: float = 1e-4,
) -> float:
    """Fit the adapter so that adapter(category(I)) ~ student_category(I) on `images`.

    Args:
        adapter: the adapter to set (its permutation and beta are fixed).
        category: the frozen category module f being transplanted.
        student_category: the category module f_S of the task module's own net.
        images: unlabelled images of the category's data, (N, C, H, W), on the modules' device.
        ridge: Tikhonov regulariser relative to the normal matrix's mean diagonal.
    Returns:
        The fit's relative residual, ||h(f(I)) - f_S(I)|| / ||f_S(I)||, after the ReLU.
    """
    first = adapter.convs[0]
    kernel, padding = first.kernel_size[0], first.padding[0]
    size = first.in_channels * kernel * kernel + 1  # patch and a constant for the bias
    normal = torch.zeros(size, size, dtype=torch.float64)
    moment = torch.zeros(size, first.out_channels, dtype=torch.float64)
    for start in range(0, len(images), CHUNK_IMAGES):
        batch = images[start : start + CHUNK_IMAGES]
        inputs = category(batch)[:, adapter.permutation] * adapter.beta  # (n, C_in, h, w)
        targets = student_category(batch).double().flatten(2)  # (n, C_out, h*w)
        cols = F.unfold(inputs.double(), kernel, padding=padding)  # (n, C_in*k*k, h*w)
        cols = torch.cat([cols, torch.ones_like(cols[:, :1])], dim=1)
        normal += torch.einsum("nkl,nml->km", cols, cols)
        moment += torch.einsum("nkl,ncl->kc", cols, targets)
    normal += torch.eye(size, dtype=torch.float64) * ridge * normal.diagonal().mean()
    solution = torch.linalg.solve(normal, moment)  # (C_in*k*k + 1, C_out)
    first.weight.copy_(solution[:-1].T.reshape(first.weight.shape).to(first.weight.dtype))
    first.bias.copy_(solution[-1].to(first.bias.dtype))
    make_later_layers_identity(adapter)
    sample = images[:CHUNK_IMAGES]
    fitted, wanted = adapter(category(sample)), student_category(sample)
    return float((fitted - wanted).norm() / wanted.norm())
