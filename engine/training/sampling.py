"""Seeded minibatches from a small labelled set, reshuffled each pass: of images, or of the features a
frozen category module gives them."""

from __future__ import annotations

import torch
from torch import nn
from torch.utils.data import TensorDataset

from engine.layout import channels_last_on_cpu, gather_rows

# A graft keeps its labelled set's category features in memory up to this size (100 vgg-mini scenes
# take 6.5 MB; 1000 vgg16 images at 224 x 224 would take 3.2 GB, and are computed batch by batch).
FEATURE_CACHE_BYTES = 1024 * 2**20


class BatchSampler:
    """Yields (images, targets) batches on `device`; a set smaller than a batch comes whole."""

    def __init__(self, dataset: TensorDataset, batch_size: int, generator: torch.Generator, device: torch.device) -> None:
        self.images, self.targets = (tensor.to(device) for tensor in dataset.tensors)
        self.batch_size = min(batch_size, len(self.images))
        self.generator = generator
        self._order = torch.empty(0, dtype=torch.long)

    def next_index(self) -> torch.Tensor:
        """The next batch's positions in the set, (batch,), on the set's device."""
        if len(self._order) < self.batch_size:
            self._order = torch.randperm(len(self.images), generator=self.generator)
        index, self._order = self._order[: self.batch_size], self._order[self.batch_size:]
        return index.to(self.images.device)

    def next(self) -> tuple[torch.Tensor, torch.Tensor]:
        index = self.next_index()
        return self.images[index], self.targets[index]


class FeatureBatches:
    """Yields (category features, targets) batches: a frozen category module's output on the images
    `BatchSampler` would yield, in the same order.

    The category module never changes during a graft, so the features of the whole labelled set are
    computed once when they fit in `cache_bytes`, and every step skips the category module (on 64 x 64
    scenes it was a fifth of a direct-learn step, and distill and Jacobian distillation ran it twice);
    a larger set is run through it batch by batch.
    """

    def __init__(self, dataset: TensorDataset, category: nn.Module, batch_size: int, generator: torch.Generator,
                 device: torch.device, cache_bytes: int = FEATURE_CACHE_BYTES) -> None:
        self.sampler = BatchSampler(dataset, batch_size, generator, device)
        self.category = category
        images = self.sampler.images
        with torch.no_grad():
            one = self.category(images[:1])  # (1, C_f, h, w)
        size = one.numel() * one.element_size() * len(images)
        self.features = self._all_features(images) if size <= cache_bytes else None

    def _all_features(self, images: torch.Tensor, chunk: int = 256) -> torch.Tensor:
        with torch.no_grad():
            parts = [self.category(images[start:start + chunk]) for start in range(0, len(images), chunk)]
        return channels_last_on_cpu(torch.cat(parts))  # (N, C_f, h, w)

    def next(self) -> tuple[torch.Tensor, torch.Tensor]:
        index = self.sampler.next_index()
        if self.features is not None:
            return gather_rows(self.features, index), self.sampler.targets[index]
        with torch.no_grad():
            return self.category(self.sampler.images[index]), self.sampler.targets[index]
