"""Pseudo-gradients against the paper's appendix, written out by hand on a tiny conv net."""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from engine.config import ReluSurrogate
from engine.pseudograd import LinearSurrogate, MaskDraw


def tiny_net() -> nn.Sequential:
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(2, 3, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Dropout(0.5),
        nn.Conv2d(3, 2, 3, padding=1),
        nn.ReLU(),
        nn.Flatten(),
        nn.Linear(8, 1),
    )


def conv_derivative(gradient: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    """f'_conv(G') = G' (x) W with W[i, j, k, l] = w[m+1-i, m+1-j, l, k] (the paper's appendix)."""
    return F.conv2d(gradient, weight.flip(-1, -2).transpose(0, 1), padding=1)


def avg_pool_derivative(gradient: torch.Tensor) -> torch.Tensor:
    """Each 2x2 window's inputs receive a quarter of the window's gradient."""
    return gradient.repeat_interleave(2, dim=-2).repeat_interleave(2, dim=-1) / 4


def reference(net: nn.Sequential, seed: torch.Tensor, masks: list[torch.Tensor | None]) -> torch.Tensor:
    conv1, conv2, linear = net[0], net[4], net[7]
    gradient = (seed @ linear.weight).reshape(-1, 2, 2, 2)  # linear^T G, (B, 2, 2, 2)
    if masks[1] is not None:
        gradient = gradient * masks[1]
    gradient = avg_pool_derivative(conv_derivative(gradient, conv2.weight))  # (B, 3, 4, 4)
    if masks[0] is not None:
        gradient = gradient * masks[0]
    return conv_derivative(gradient, conv1.weight)  # (B, 2, 4, 4)


@pytest.mark.parametrize("policy", list(ReluSurrogate))
def test_pseudo_gradient_equals_the_hand_written_transposed_chain(policy):
    net = tiny_net().eval()
    draw = MaskDraw(
        batch=5, positive_fraction=0.2, generator=torch.Generator().manual_seed(1), device=torch.device("cpu")
    )
    seed = torch.rand(5, 1, generator=torch.Generator().manual_seed(2)) * 2 - 1

    got = LinearSurrogate(net, policy).pseudo_gradient(seed, (5, 2, 4, 4), draw)

    masked = {
        ReluSurrogate.FIRST: (False, False),
        ReluSurrogate.SECOND: (True, True),
        ReluSurrogate.LOWEST_SECOND: (True, False),
    }[policy]
    masks = [
        draw.mask(0, torch.Size((5, 3, 4, 4))) if masked[0] else None,
        draw.mask(1, torch.Size((5, 2, 2, 2))) if masked[1] else None,
    ]
    torch.testing.assert_close(got, reference(net, seed, masks), rtol=1e-5, atol=1e-5)


def test_masks_are_shared_over_channels_and_have_the_asked_positive_fraction():
    draw = MaskDraw(
        batch=64,
        positive_fraction=0.2,
        generator=torch.Generator().manual_seed(0),
        device=torch.device("cpu"),
    )
    mask = draw.mask(0, torch.Size((64, 8, 16, 16)))
    assert mask.shape == (64, 1, 16, 16)
    assert 0.17 < float(mask.mean()) < 0.23
    assert draw.mask(0, torch.Size((64, 8, 16, 16))) is mask  # the same x_rand for student and teacher


def test_pseudo_gradient_does_not_depend_on_the_input_features():
    net = tiny_net().eval()
    surrogate = LinearSurrogate(net, ReluSurrogate.SECOND)
    seed = torch.ones(3, 1)
    gradients = []
    for features_seed in (0, 1):
        draw = MaskDraw(3, 0.2, torch.Generator().manual_seed(7), torch.device("cpu"))
        features = torch.rand(
            3, 2, 4, 4, generator=torch.Generator().manual_seed(features_seed)
        ).requires_grad_()
        (gradient,) = torch.autograd.grad(surrogate(features, draw), features, grad_outputs=seed)
        gradients.append(gradient)
    torch.testing.assert_close(gradients[0], gradients[1], rtol=0, atol=0)


def test_surrogate_shares_weights_so_back_back_propagation_reaches_them():
    net = tiny_net().eval()
    gradient = LinearSurrogate(net).pseudo_gradient(torch.ones(2, 1), (2, 2, 4, 4), create_graph=True)
    gradient.pow(2).sum().backward()
    assert net[0].weight.grad is not None and net[0].weight.grad.abs().sum() > 0
    assert net[0].bias.grad is None  # biases do not enter a derivative


def test_a_layer_without_a_known_surrogate_is_refused_with_its_name():
    with pytest.raises(TypeError, match="GELU|PReLU"):
        LinearSurrogate(nn.Sequential(nn.Conv2d(1, 1, 1), nn.PReLU()))
