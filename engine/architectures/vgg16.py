"""`vgg16` and `fcn8s`: the paper's teacher nets, built on torchvision's VGG-16 layer definition.

The category module is conv1_1 ... pool1 (the first five layers). The `vgg16` classification task
module is the rest of VGG-16 with fc6/fc7/fc8 as convolutions (7x7, 1x1, 1x1), so that it can run
fully convolutionally and produce an enlarged S x S output; fc8 has one logit (single-category
classification). The `fcn8s` segmentation task module is FCN-8s over the same layers, with skips
from pool3 and pool4; its convolutions use padding 3 at fc6 and exact x2/x2/x8 upsamplers instead of
the original's 100-pixel padding and crops, so feature maps align without cropping.
Weights start random (nothing can be downloaded); load trained ones from safetensors.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn
from torchvision.models.vgg import cfgs, make_layers

from engine.architectures.fcn_parts import bilinear_upsampler
from engine.architectures.registry import Architecture, register_architecture
from engine.config import Task

DEFAULTS = {"image_channels": 3, "hidden": 4096, "num_classes": 2}
POOL1, POOL3, POOL4, POOL5 = 5, 17, 24, 31  # slice ends in torchvision's VGG-16 `features`


def _features(config: dict[str, Any]) -> nn.Sequential:
    layers = make_layers(cfgs["D"], batch_norm=False)
    if config["image_channels"] != 3:
        first = layers[0]
        layers[0] = nn.Conv2d(config["image_channels"], first.out_channels, 3, padding=1)
    return layers


def build_category(config: dict[str, Any]) -> nn.Module:
    return _features(config)[:POOL1]


def _fc(hidden: int, outputs: int, padding: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(512, hidden, 7, padding=padding),
        nn.ReLU(),
        nn.Dropout(0.5),  # fc6
        nn.Conv2d(hidden, hidden, 1),
        nn.ReLU(),
        nn.Dropout(0.5),  # fc7
        nn.Conv2d(hidden, outputs, 1),  # fc8 / score_fr
    )


def build_classifier(config: dict[str, Any]) -> nn.Module:
    return nn.Sequential(*_features(config)[POOL1:], *_fc(config["hidden"], 1, padding=0))


class FCN8s(nn.Module):
    """FCN-8s above pool1: the fc output is upsampled x2 (+ pool4 skip), x2 (+ pool3 skip), x8."""

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__()
        features, classes = _features(config), config["num_classes"]
        self.to_pool3 = features[POOL1:POOL3]
        self.to_pool4 = features[POOL3:POOL4]
        self.to_pool5 = features[POOL4:POOL5]
        self.fc = _fc(config["hidden"], classes, padding=3)
        self.score_pool4 = nn.Conv2d(512, classes, 1)
        self.score_pool3 = nn.Conv2d(256, classes, 1)
        self.up_fc = bilinear_upsampler(classes, 2)
        self.up_pool4 = bilinear_upsampler(classes, 2)
        self.up_out = bilinear_upsampler(classes, 8)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pool3 = self.to_pool3(x)  # (B, 256, H/4, W/4) relative to the pool1 features
        pool4 = self.to_pool4(pool3)  # (B, 512, H/8, W/8)
        score = self.fc(self.to_pool5(pool4))  # (B, K, H/16, W/16)
        score = self.up_fc(score) + self.score_pool4(pool4)  # (B, K, H/8, W/8)
        score = self.up_pool4(score) + self.score_pool3(pool3)  # (B, K, H/4, W/4)
        return self.up_out(score)  # (B, K, 2H, 2W): the image's size


register_architecture(
    Architecture(
        name="vgg16",
        build_category=build_category,
        build_task=lambda task, config: build_classifier(config),
        image_size={Task.CLASSIFICATION: (224, 224)},
        image_channels=3,
        default_config=DEFAULTS,
        tasks=(Task.CLASSIFICATION,),
    )
)
register_architecture(
    Architecture(
        name="fcn8s",
        build_category=build_category,
        build_task=lambda task, config: FCN8s(config),
        image_size={Task.SEGMENTATION: (224, 224)},
        image_channels=3,
        default_config=DEFAULTS,
        tasks=(Task.SEGMENTATION,),
    )
)
