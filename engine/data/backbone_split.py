"""The images a broad pretraining backbone may learn from: every Animal-MNIST image that no task's test
split holds (the paper's teachers were fine-tuned from an ImageNet VGG-16, which had seen none of VOC's
test images)."""

from __future__ import annotations

import functools

import numpy as np
import torch
from torch.utils.data import TensorDataset

from engine.data.animal_mnist import CATEGORIES, load_animal_mnist
from engine.data.splits import classification_split, segmentation_split


@functools.lru_cache(maxsize=4)
def held_out_indices(seed: int) -> frozenset[int]:
    """Every Animal-MNIST index that some single-category task (classification or segmentation, any of the
    ten categories) holds out for testing under split seed `seed`."""
    held: set[int] = set()
    for category in CATEGORIES:
        (_, _), (test_indices, _) = classification_split((category,), seed=seed)
        held.update(test_indices.tolist())
        held.update(segmentation_split((category,), seed=seed)[1].tolist())
    return frozenset(held)


def backbone_dataset(*, seed: int, per_category: int | None = None) -> TensorDataset:
    """Ten-way training images: (float32 (N, 1, 28, 28) in [0, 1], int64 labels (N,) = category index),
    none of them in any task's test split (`seed` is the tasks' split seed). `per_category` keeps at most
    that many images of each category (seeded, balanced)."""
    images, labels = load_animal_mnist()
    held = held_out_indices(seed)
    rng = np.random.default_rng([seed, 7])
    kept = []
    for index in range(len(CATEGORIES)):
        candidates = np.array([i for i in np.flatnonzero(labels == index) if int(i) not in held])
        candidates = rng.permutation(candidates)
        kept.append(candidates[:per_category] if per_category else candidates)
    chosen = rng.permutation(np.concatenate(kept))
    pixels = torch.from_numpy(images[chosen]).unsqueeze(1).float().div_(255.0)
    return TensorDataset(pixels, torch.from_numpy(labels[chosen].astype(np.int64)))
