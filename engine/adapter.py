"""The adapter h between a category module and a task module (paper, section 4 and Fig. 4c)."""

from __future__ import annotations

import torch
from torch import nn

from engine.config import AdapterInit

# The identity start gets noise about this fraction of each output's norm: enough to make runs with
# different seeds differ, too little to change the features' scale.
IDENTITY_NOISE = 0.05


class Adapter(nn.Module):
    """Reorder layer, re-scaling layer, then `layers` convolutions each followed by a ReLU.

    The reorder layer is a fixed channel permutation and the re-scaling layer a fixed scalar beta
    (both buffers, saved with the weights); only the convolutions learn.

    Args:
        in_channels: channels of the category module's output features.
        out_channels: channels the task module expects.
        layers: number of conv + ReLU pairs (the paper uses 1 or 3).
        kernel_size: 3 (padding 1, Exp. 1) or 1 (Exp. 2 and 3); feature maps keep their size.
        permutation: a permutation of range(in_channels); None keeps the channel order.
        beta: the re-scaling factor E||f_S(I)|| / E||f(I)||.
        init: how the convolutions' weights start (biases start at zero); draws from torch's global RNG.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        *,
        layers: int = 1,
        kernel_size: int = 3,
        permutation: torch.Tensor | None = None,
        beta: float = 1.0,
        init: AdapterInit = AdapterInit.IDENTITY,
    ) -> None:
        super().__init__()
        if permutation is None:
            permutation = torch.arange(in_channels)
        if sorted(permutation.tolist()) != list(range(in_channels)):
            raise ValueError(f"permutation must reorder exactly the {in_channels} input channels")
        self.register_buffer("permutation", permutation.to(torch.long).clone())
        self.register_buffer("beta", torch.tensor(float(beta)))
        convs: list[nn.Module] = []
        channels = in_channels
        for _ in range(layers):
            conv = nn.Conv2d(channels, out_channels, kernel_size, padding=kernel_size // 2)
            # Biases never enter a pseudo-gradient, so without labels nothing could undo a random one.
            nn.init.zeros_(conv.bias)
            _initialise(conv.weight, AdapterInit(init))
            convs += [conv, nn.ReLU()]
            channels = out_channels
        self.layers = nn.Sequential(*convs)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x[:, self.permutation] * self.beta  # (B, C_in, H, W): reorder, then re-scale
        return self.layers(x)  # (B, C_out, H, W)

    @property
    def convs(self) -> list[nn.Conv2d]:
        return [layer for layer in self.layers if isinstance(layer, nn.Conv2d)]


def _initialise(weight: torch.Tensor, init: AdapterInit) -> None:
    """Set a conv weight (C_out, C_in, k, k) in place; `pytorch` keeps what nn.Conv2d drew."""
    with torch.no_grad():
        if init is AdapterInit.IDENTITY:
            nn.init.dirac_(weight)  # centre tap 1 on the diagonal: out channel i copies in channel i
            fan_in = weight[0].numel()
            weight.add_(torch.randn_like(weight) * (IDENTITY_NOISE / fan_in**0.5))
        elif init is AdapterInit.HE:
            nn.init.kaiming_normal_(weight, nonlinearity="relu")
