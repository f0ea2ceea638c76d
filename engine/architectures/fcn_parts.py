"""Pieces shared by the FCN-style segmentation heads."""

from __future__ import annotations

import torch
from torch import nn


def bilinear_upsampler(channels: int, factor: int) -> nn.ConvTranspose2d:
    """A transposed convolution that upsamples each channel by `factor` exactly, initialised bilinear.

    It has no bias, as in FCN, and stays learnable; kernel 2f and padding f/2 make the output exactly
    `factor` times the input, so no cropping is needed.
    """
    kernel = 2 * factor
    layer = nn.ConvTranspose2d(channels, channels, kernel, stride=factor, padding=factor // 2, bias=False)
    centre = (kernel - 1) / 2
    ramp = 1 - (torch.arange(kernel, dtype=torch.float32) - centre).abs() / factor
    weight = torch.zeros_like(layer.weight)
    for channel in range(channels):
        weight[channel, channel] = ramp[:, None] * ramp[None, :]
    with torch.no_grad():
        layer.weight.copy_(weight)
    return layer
