"""Seeded minibatches from a small labelled set, reshuffled each pass."""

from __future__ import annotations

import torch
from torch.utils.data import TensorDataset


class BatchSampler:
    """Yields (images, targets) batches on `device`; a set smaller than a batch comes whole."""

    def __init__(self, dataset: TensorDataset, batch_size: int, generator: torch.Generator, device: torch.device) -> None:
        self.images, self.targets = (tensor.to(device) for tensor in dataset.tensors)
        self.batch_size = min(batch_size, len(self.images))
        self.generator = generator
        self._order = torch.empty(0, dtype=torch.long)

    def next(self) -> tuple[torch.Tensor, torch.Tensor]:
        if len(self._order) < self.batch_size:
            self._order = torch.randperm(len(self.images), generator=self.generator)
        index, self._order = self._order[: self.batch_size], self._order[self.batch_size:]
        index = index.to(self.images.device)
        return self.images[index], self.targets[index]
