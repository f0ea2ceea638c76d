"""The exact solution of the distillation term for a one-layer adapter.

Inside D'_S the adapter's ReLU is the identity, so for one conv layer D'_S is linear in its weights:
D'_S[:, perm] = beta * conv^T(u_S). Minimising sum ||alpha D'_S - D'_T||^2 over the weights is then a
linear least-squares problem, solved here from the normal equations over a bank of draws.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from engine.adapter import Adapter

# The normal equations are summed over chunks of draws whose unfolded patches take at most this much
# memory (float64), and at most 256 draws (vgg-mini's 3x3 patches: 256 draws in 58 MB; vgg16's: 1 draw
# in 58 MB).
CHUNK_BYTES = 64 * 2**20
CHUNK_DRAWS = 256


def solve_one_layer(
    adapter: Adapter, upstream: torch.Tensor, teacher: torch.Tensor, alpha: float, ridge: float = 1e-6
) -> None:
    """Set the adapter's first conv weights to the least-squares minimiser (its bias stays as it is).

    Args:
        adapter: a one-layer adapter, or one whose later convs are the identity; its permutation and beta
            are fixed.
        upstream: u_S = L_gS^T G for each draw, (N, C_out, h, w).
        teacher: D'_T for each draw, (N, C_in, h, w).
        alpha: the balance scalar.
        ridge: Tikhonov regulariser relative to the normal matrix's mean diagonal.
    """
    conv = adapter.convs[0]
    kernel, padding = conv.kernel_size[0], conv.padding[0]
    out_channels, in_channels = conv.out_channels, conv.in_channels
    # conv^T(u)[ci, q] = sum_{co, d} flip(W)[co, ci, d] * unfold(u)[(co, d), q]
    patch_bytes = (
        out_channels * kernel * kernel * upstream.shape[-2] * upstream.shape[-1] * 8
    )  # one draw, float64
    chunk = max(1, min(CHUNK_DRAWS, CHUNK_BYTES // patch_bytes))
    target_scale = 1.0 / (alpha * float(adapter.beta))
    normal = torch.zeros(out_channels * kernel * kernel, out_channels * kernel * kernel, dtype=torch.float64)
    moment = torch.zeros(out_channels * kernel * kernel, in_channels, dtype=torch.float64)
    for start in range(0, len(upstream), chunk):
        cols = F.unfold(
            upstream[start : start + chunk].double(), kernel, padding=padding
        )  # (n, C_out*k*k, h*w)
        target = (
            teacher[start : start + chunk][:, adapter.permutation].double().flatten(2) * target_scale
        )  # (n, C_in, h*w)
        normal += torch.einsum("nkl,nml->km", cols, cols)
        moment += torch.einsum("nkl,ncl->kc", cols, target)
    normal += torch.eye(len(normal), dtype=torch.float64) * ridge * normal.diagonal().mean()
    solution = torch.linalg.solve(normal, moment)  # (C_out*k*k, C_in)
    flipped = solution.T.reshape(in_channels, out_channels, kernel, kernel).transpose(0, 1)
    with torch.no_grad():
        conv.weight.copy_(flipped.flip(-1, -2).to(conv.weight.dtype))
