"""Pseudo-gradients D' (paper, section 3.2 and appendix), built generically for any module.

A module's pseudo-gradient is the backward pass of a *linearised surrogate* of the module: ReLU
derivatives become the identity ("first" dummy) or a random mask 1(x_rand > 0) ("second" dummy),
max-pool derivatives become average-pool derivatives, dropout is ignored, batch norm is the eval-mode
scale, and biases drop out. The surrogate is linear in its input, so D' = L^T G_y' is computed by
autograd at an all-zero input: it never depends on the images, and with `create_graph=True` it can be
differentiated again with respect to the module's weights (back-back-propagation).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

from engine.config import GradientSeed, ReluSurrogate


@dataclass
class MaskDraw:
    """The random maps x_rand of one draw: one per masked ReLU, shared by student and teacher.

    A mask is one s1 x s2 map with `positive_fraction` positive entries, repeated over channels,
    as the paper defines x_rand. On 1 x 1 maps (fully connected layers) a map shared over channels
    would pass or block the whole layer, so there one value is drawn per channel instead.
    """

    batch: int
    positive_fraction: float
    generator: torch.Generator
    device: torch.device
    _masks: dict[tuple[int, tuple[int, ...]], torch.Tensor] = field(default_factory=dict)

    def mask(self, index: int, shape: torch.Size) -> torch.Tensor:
        _, channels, height, width = shape
        key = (index, (channels, height, width))
        if key not in self._masks:
            mask_channels = channels if height * width == 1 else 1
            uniform = torch.rand(self.batch, mask_channels, height, width, generator=self.generator)
            self._masks[key] = (uniform < self.positive_fraction).to(self.device, torch.float32)
        return self._masks[key]  # (B, 1 or C, H, W)


class _DrawSlot:
    """Where the surrogate's masked ReLUs find the current draw."""

    draw: MaskDraw | None = None


class _DummyRelu(nn.Module):
    def __init__(self, index: int, masked: bool, slot: _DrawSlot) -> None:
        super().__init__()
        self.index, self.masked, self.slot = index, masked, slot

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.masked:
            return x
        if self.slot.draw is None:
            raise RuntimeError("a masked pseudo-gradient needs a MaskDraw; call the surrogate with one")
        return x * self.slot.draw.mask(self.index, x.shape)


class _BiasFree(nn.Module):
    """A conv, transposed conv or linear layer sharing the original's weight, without its bias."""

    def __init__(self, layer: nn.Module) -> None:
        super().__init__()
        self.layer = layer

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        layer = self.layer
        if layer.bias is None:
            return layer(x)  # already bias-free: its own forward (an FCN `Upsampler`'s is the fast one)
        if isinstance(layer, nn.Conv2d):
            return F.conv2d(x, layer.weight, None, layer.stride, layer.padding, layer.dilation, layer.groups)
        if isinstance(layer, nn.ConvTranspose2d):
            return F.conv_transpose2d(
                x,
                layer.weight,
                None,
                layer.stride,
                layer.padding,
                layer.output_padding,
                layer.groups,
                layer.dilation,
            )
        return F.linear(x, layer.weight)


class _BatchNormScale(nn.Module):
    def __init__(self, norm: nn.BatchNorm2d) -> None:
        super().__init__()
        self.norm = norm

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        norm = self.norm
        scale = torch.rsqrt(norm.running_var + norm.eps)
        if norm.weight is not None:
            scale = scale * norm.weight
        return x * scale[None, :, None, None]


_LINEAR_LEAVES = (nn.Identity, nn.Flatten, nn.AdaptiveAvgPool2d, nn.AvgPool2d)


def _surrogate_leaf(
    module: nn.Module, relu_index: int, policy: ReluSurrogate, slot: _DrawSlot
) -> nn.Module | None:
    if isinstance(module, nn.ReLU):
        masked = policy is ReluSurrogate.SECOND or (policy is ReluSurrogate.LOWEST_SECOND and relu_index == 0)
        return _DummyRelu(relu_index, masked, slot)
    if isinstance(module, nn.MaxPool2d):
        return nn.AvgPool2d(module.kernel_size, module.stride, module.padding, module.ceil_mode)
    if isinstance(module, (nn.Dropout, nn.Dropout2d)):
        return nn.Identity()
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
        return _BiasFree(module)
    if isinstance(module, nn.BatchNorm2d):
        return _BatchNormScale(module)
    if isinstance(module, _LINEAR_LEAVES):
        return module
    return None


_PIECEWISE_LINEAR_LEAVES = (
    nn.Conv2d,
    nn.ConvTranspose2d,
    nn.Linear,
    nn.BatchNorm2d,
    nn.ReLU,
    nn.MaxPool2d,
    nn.Dropout,
    nn.Dropout2d,
    *_LINEAR_LEAVES,
)


def is_piecewise_linear(module: nn.Module) -> bool:
    """Whether every leaf of a frozen (eval-mode) module is piecewise linear in its input.

    Such a module's input gradient J(x)^T g changes with x only where an activation pattern flips, so
    its derivative with respect to x is zero almost everywhere (autograd's double backward through
    ReLU and max-pooling gives exactly zero there). Containers are trusted to compose their children
    with sums, slices and concatenations, as the linear surrogate trusts them.
    """
    leaves = [child for child in module.modules() if not child._modules]
    return all(isinstance(leaf, _PIECEWISE_LINEAR_LEAVES) for leaf in leaves)


def _linearize(module: nn.Module, policy: ReluSurrogate, slot: _DrawSlot, relu_count: list[int]) -> nn.Module:
    leaf = _surrogate_leaf(module, relu_count[0], policy, slot)
    if leaf is not None:
        relu_count[0] += isinstance(module, nn.ReLU)
        return leaf
    if not module._modules and any(True for _ in module.parameters(recurse=False)):
        raise TypeError(
            f"no linear surrogate is known for {type(module).__name__}; pseudo-gradients support "
            "Conv2d, ConvTranspose2d, Linear, BatchNorm2d, ReLU, MaxPool2d, AvgPool2d and Dropout"
        )
    # A shallow copy keeps the module's own forward and shares its parameters; only children change.
    clone = copy.copy(module)
    clone._modules = {
        name: _linearize(child, policy, slot, relu_count) for name, child in module._modules.items()
    }
    return clone


class LinearSurrogate(nn.Module):
    """The linearised surrogate of a module: call it with an input and a MaskDraw (or None)."""

    def __init__(self, module: nn.Module, policy: ReluSurrogate = ReluSurrogate.FIRST) -> None:
        super().__init__()
        self._slot = _DrawSlot()
        counter = [0]
        self.net = _linearize(module, ReluSurrogate(policy), self._slot, counter)
        self.relu_count = counter[0]

    def forward(self, x: torch.Tensor, draw: MaskDraw | None = None) -> torch.Tensor:
        self._slot.draw = draw
        try:
            return self.net(x)
        finally:
            self._slot.draw = None

    def pseudo_gradient(
        self,
        output_gradient: torch.Tensor,
        input_shape: tuple[int, ...],
        draw: MaskDraw | None = None,
        *,
        create_graph: bool = False,
    ) -> torch.Tensor:
        """D' = L^T G for G_y' (or any upstream pseudo-gradient) shaped as the output for `input_shape`."""
        anchor = torch.zeros(input_shape, device=output_gradient.device, requires_grad=True)
        (gradient,) = torch.autograd.grad(
            self(anchor, draw), anchor, grad_outputs=output_gradient, create_graph=create_graph
        )
        return gradient  # (B, *input_shape[1:])


def adapter_transpose(adapter: nn.Module, upstream: torch.Tensor) -> torch.Tensor:
    """L_h^T u for an `engine.Adapter` whose ReLUs are the identity ("first" dummy), in closed form.

    The adapter's surrogate is x -> W_n ... W_1 (beta * x[:, perm]); its transpose is a chain of
    transposed convolutions, a scale and the inverse permutation. Writing it out avoids building a
    zero anchor, a forward graph and a double backward on every step: the fast path's only per-step
    pseudo-gradient work is these few ops, and autograd differentiates them once, as a plain forward.
    The convs keep the feature size (stride 1, padding k // 2), so conv_transpose2d is their exact adjoint.

    Args:
        adapter: an Adapter (reorder, re-scale, stride-1 convs each followed by a ReLU).
        upstream: the pseudo-gradient at the adapter's output, (B, C_out, h, w).
    Returns:
        The pseudo-gradient at the adapter's input, (B, C_in, h, w), differentiable in the conv weights.
    """
    inverse = torch.argsort(adapter.permutation)
    return (
        conv_chain_transpose(adapter, upstream)[:, inverse] * adapter.beta
    )  # undo the re-scale, then the reorder


def conv_chain_transpose(adapter: nn.Module, upstream: torch.Tensor) -> torch.Tensor:
    """W_1^T ... W_n^T u: `adapter_transpose` before the re-scale and the reorder are undone.

    Its channels are in the reordered order (channel i stands for input channel permutation[i]).
    """
    gradient = upstream
    for conv in reversed(adapter.convs):
        gradient = F.conv_transpose2d(gradient, conv.weight, None, 1, conv.padding)  # (B, C_conv_in, h, w)
    return gradient


def output_gradient(seed: GradientSeed, shape: tuple[int, ...], generator: torch.Generator) -> torch.Tensor:
    """G_y': all ones, or uniform in [-1, 1], with the given output shape."""
    if seed is GradientSeed.ONES:
        return torch.ones(shape)
    return torch.rand(shape, generator=generator) * 2 - 1


def input_size_for_output(
    module: nn.Module, channels: int, native: tuple[int, int], wanted: int
) -> tuple[int, int]:
    """The smallest square input (>= native) whose output map is at least `wanted` x `wanted`.

    Used to run a classifier fully convolutionally with an enlarged S x S output (paper, 3.2).
    """

    def output_side(side: int) -> int:
        with torch.no_grad():
            return module(torch.zeros(1, channels, side, side)).shape[-1]

    low, high = max(native), max(native)
    while output_side(high) < wanted:
        low, high = high, high * 2
        if high > 64 * max(native):
            raise ValueError(f"no input size gives a {wanted}x{wanted} output for this module")
    while low < high:
        middle = (low + high) // 2
        if output_side(middle) >= wanted:
            high = middle
        else:
            low = middle + 1
    return high, high
