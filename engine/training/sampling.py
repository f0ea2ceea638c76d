"""Seeded minibatches from a small labelled set (or an unlabelled pool), reshuffled each pass: of images,
or of the features a frozen category module gives them (and a frozen teacher's outputs on those)."""

from __future__ import annotations

import torch
from torch import nn
from torch.utils.data import TensorDataset

from engine.labelled_batch import LabelledBatch
from engine.layout import channels_last_on_cpu, gather_rows

# A graft keeps its labelled set's category features in memory up to this size (100 vgg-mini scenes
# take 6.5 MB; 1000 vgg16 images at 224 x 224 would take 3.2 GB, and are computed batch by batch).
FEATURE_CACHE_BYTES = 1024 * 2**20


class BatchSampler:
    """Yields (images, targets) batches on `device`; a set smaller than a batch comes whole. A dataset of
    images alone (an unlabelled pool) yields None for the targets."""

    def __init__(
        self, dataset: TensorDataset, batch_size: int, generator: torch.Generator, device: torch.device
    ) -> None:
        self.images = dataset.tensors[0].to(device)
        self.targets = dataset.tensors[1].to(device) if len(dataset.tensors) > 1 else None
        self.batch_size = min(batch_size, len(self.images))
        self.generator = generator
        self._order = torch.empty(0, dtype=torch.long)

    def next_index(self) -> torch.Tensor:
        """The next batch's positions in the set, (batch,), on the set's device."""
        if len(self._order) < self.batch_size:
            self._order = torch.randperm(len(self.images), generator=self.generator)
        index, self._order = self._order[: self.batch_size], self._order[self.batch_size :]
        return index.to(self.images.device)

    def next(self) -> tuple[torch.Tensor, torch.Tensor | None]:
        index = self.next_index()
        return self.images[index], self.targets_at(index)

    def targets_at(self, index: torch.Tensor) -> torch.Tensor | None:
        return self.targets[index] if self.targets is not None else None


class FeatureBatches:
    """Yields `LabelledBatch`es: a frozen category module's output on the images `BatchSampler` would
    yield, in the same order, and the frozen teacher task module's output on them if one is given.

    Neither module changes during a graft, so both outputs are computed once for the whole labelled set
    when they fit in `cache_bytes`, and every step skips the category module (on 64 x 64 scenes it was a
    fifth of a direct-learn step) and distill's teacher (a third of its step); a larger set is run
    through them batch by batch.
    """

    def __init__(
        self,
        dataset: TensorDataset,
        category: nn.Module,
        batch_size: int,
        generator: torch.Generator,
        device: torch.device,
        cache_bytes: int = FEATURE_CACHE_BYTES,
        teacher_task: nn.Module | None = None,
    ) -> None:
        self.sampler = BatchSampler(dataset, batch_size, generator, device)
        self.category, self.teacher_task = category, teacher_task
        images = self.sampler.images
        size = sum(_bytes(output) for output in self._frozen_outputs(images[:1])) * len(images)
        self.features, self.teacher_outputs = (
            self._all_outputs(images) if size <= cache_bytes else (None, None)
        )

    def _frozen_outputs(self, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        with torch.no_grad():
            features = self.category(images)  # (B, C_f, h, w)
            return features, self.teacher_task(features) if self.teacher_task is not None else None

    def _all_outputs(
        self, images: torch.Tensor, chunk: int = 256
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        parts = [
            self._frozen_outputs(images[start : start + chunk]) for start in range(0, len(images), chunk)
        ]
        features, teacher = zip(*parts, strict=True)
        return (
            channels_last_on_cpu(torch.cat(features)),
            channels_last_on_cpu(torch.cat(teacher)) if self.teacher_task is not None else None,
        )

    def next(self) -> LabelledBatch:
        index = self.sampler.next_index()
        targets = self.sampler.targets_at(index)
        if self.features is None:
            features, teacher = self._frozen_outputs(self.sampler.images[index])
            return LabelledBatch(features, targets, teacher)
        teacher = gather_rows(self.teacher_outputs, index) if self.teacher_outputs is not None else None
        return LabelledBatch(gather_rows(self.features, index), targets, teacher)


def _bytes(tensor: torch.Tensor | None) -> int:
    return 0 if tensor is None else tensor.numel() * tensor.element_size()
