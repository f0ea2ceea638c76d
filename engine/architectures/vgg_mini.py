"""`vgg-mini`: a small VGG-style teacher net, fast on a CPU for 28-64 px images.

The category module is conv1_1, conv1_2 and pool1, as in the paper's VGG-16 split. The
classification task module is the rest of a VGG (conv blocks, then fc6/fc7/fc8 as convolutions, so
it runs fully convolutionally); the segmentation task module is a small FCN-8s with skip
connections from pool2 and pool3.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from engine.architectures.fcn_parts import bilinear_upsampler
from engine.architectures.registry import Architecture, register_architecture
from engine.config import Task

# `classifier_outputs`: logits of the classification task module (1 for a teacher's "category vs other
# images"; a broad pretraining backbone has one per class).
DEFAULTS = {
    "image_channels": 1,
    "widths": [16, 32, 64],
    "hidden": 128,
    "num_classes": 2,
    "classifier_outputs": 1,
}


def _conv_relu(in_channels: int, out_channels: int) -> list[nn.Module]:
    return [nn.Conv2d(in_channels, out_channels, 3, padding=1), nn.ReLU()]


def init_vgg_weights(network: nn.Module) -> nn.Module:
    """Kaiming-normal (fan-out) convolutions and zero biases, as torchvision initialises VGG.

    PyTorch's default initialisation shrinks the signal through a plain stack of convolutions, and
    the classifier then sits at chance for several epochs before it starts to learn.
    """
    for module in network.modules():
        if isinstance(module, nn.Conv2d):
            nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")
            nn.init.zeros_(module.bias)
    return network


def build_category(config: dict[str, Any]) -> nn.Module:
    w1 = config["widths"][0]
    return init_vgg_weights(
        nn.Sequential(*_conv_relu(config["image_channels"], w1), *_conv_relu(w1, w1), nn.MaxPool2d(2))
    )


def build_classifier(config: dict[str, Any]) -> nn.Module:
    w1, w2, w3 = config["widths"]
    hidden = config["hidden"]
    return init_vgg_weights(
        nn.Sequential(
            *_conv_relu(w1, w2),
            *_conv_relu(w2, w2),
            nn.MaxPool2d(2),
            *_conv_relu(w2, w3),
            *_conv_relu(w3, w3),
            nn.MaxPool2d(2),
            nn.Conv2d(w3, hidden, 3),
            nn.ReLU(),
            nn.Dropout(0.3),  # fc6
            nn.Conv2d(hidden, hidden, 1),
            nn.ReLU(),
            nn.Dropout(0.3),  # fc7
            nn.Conv2d(hidden, config["classifier_outputs"], 1),  # fc8: logits per position
        )
    )


class MiniFCN(nn.Module):
    """FCN-8s in miniature: fc at 1/16, upsampled x2 with a pool3 skip, x2 with a pool2 skip, x4."""

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__()
        w1, w2, w3 = config["widths"]
        hidden, classes = config["hidden"], config["num_classes"]
        self.block2 = nn.Sequential(*_conv_relu(w1, w2), *_conv_relu(w2, w2), nn.MaxPool2d(2))
        self.block3 = nn.Sequential(*_conv_relu(w2, w3), *_conv_relu(w3, w3), nn.MaxPool2d(2))
        self.block4 = nn.Sequential(*_conv_relu(w3, w3), nn.MaxPool2d(2))
        self.fc = nn.Sequential(
            nn.Conv2d(w3, hidden, 3, padding=1),
            nn.ReLU(),
            nn.Dropout(0.3),
            nn.Conv2d(hidden, hidden, 1),
            nn.ReLU(),
            nn.Dropout(0.3),
            nn.Conv2d(hidden, classes, 1),
        )
        self.score_pool3 = nn.Conv2d(w3, classes, 1)
        self.score_pool2 = nn.Conv2d(w2, classes, 1)
        self.up_fc = bilinear_upsampler(classes, 2)
        self.up_pool3 = bilinear_upsampler(classes, 2)
        self.up_out = bilinear_upsampler(classes, 4)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pool2 = self.block2(x)  # (B, w2, H/2, W/2) relative to the category features
        pool3 = self.block3(pool2)  # (B, w3, H/4, W/4)
        score = self.fc(self.block4(pool3))  # (B, K, H/8, W/8)
        score = self.up_fc(score) + self.score_pool3(pool3)  # (B, K, H/4, W/4)
        score = self.up_pool3(score) + self.score_pool2(pool2)  # (B, K, H/2, W/2)
        return self.up_out(score)  # (B, K, 2H, 2W): the image's size


def build_task(task: Task, config: dict[str, Any]) -> nn.Module:
    return build_classifier(config) if task is Task.CLASSIFICATION else init_vgg_weights(MiniFCN(config))


VGG_MINI = register_architecture(
    Architecture(
        name="vgg-mini",
        build_category=build_category,
        build_task=build_task,
        image_size={Task.CLASSIFICATION: (28, 28), Task.SEGMENTATION: (64, 64)},
        image_channels=1,
        default_config=DEFAULTS,
    )
)
