"""Pascal VOC 2011 (+ SBD) single-category tasks, for users who have the data on disk.

This is the paper's own setting: FCN-style segmentation trained on the 8,498 SBD images and tested
on VOC 2011 segmentation ``val``, and "category vs other images" classification. Nothing is
downloaded; the data must already be laid out as torchvision expects::

    root/
      TrainVal/VOCdevkit/VOC2011/      (as VOCtrainval_25-May-2011.tar unpacks)
        JPEGImages/<id>.jpg
        SegmentationClass/<id>.png
        ImageSets/Segmentation/train.txt, val.txt
      SBD/                      optional: the "dataset" folder of SBD's benchmark_RELEASE
        img/<id>.jpg  cls/<id>.mat  train.txt

With SBD present the training images are SBD ``train`` (torchvision reads its .mat files with
scipy); without it, VOC 2011 ``train``. Test images are VOC 2011 ``val`` minus any image also used
for training (SBD ``train`` overlaps VOC ``val``, which FCN also had to remove).

Labels come from the segmentation masks, the only annotation both sources share: an image shows a
category when its mask has a pixel of it. The boundary pixels VOC marks "void" (255) count as
"rest", since the task data has two classes only.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch
from PIL import Image
from torch.utils.data import TensorDataset

from engine.config import Task
from engine.data.splits import TaskData, resolve_task
from engine.errors import DatasetError

if TYPE_CHECKING:  # torchvision.datasets takes about a second to import; only VOC users pay for it
    from torchvision.datasets import SBDataset, VOCSegmentation

# Mask value i + 1 is VOC_CATEGORIES[i]; 0 is background.
VOC_CATEGORIES: tuple[str, ...] = (
    "aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair", "cow",
    "diningtable", "dog", "horse", "motorbike", "person", "pottedplant", "sheep", "sofa", "train",
    "tvmonitor",
)  # fmt: skip
VOC_YEAR = "2011"
_LAYOUT = (
    "expected root/TrainVal/VOCdevkit/VOC2011/ (as VOCtrainval_25-May-2011.tar unpacks) with "
    "JPEGImages/<id>.jpg, SegmentationClass/<id>.png and ImageSets/Segmentation/train.txt and val.txt; "
    "optionally root/SBD/ with img/, cls/ and train.txt "
    "(torchvision's layout; this loader never downloads)"
)


class _Subset:
    """Positions `keep` of a torchvision dataset, indexed from 0."""

    def __init__(self, dataset: VOCSegmentation | SBDataset, keep: list[int]) -> None:
        self.dataset = dataset
        self.keep = keep
        self.root = dataset.root

    def __getitem__(self, position: int) -> tuple[Image.Image, Image.Image]:
        return _load_pair(self.dataset, self.keep[position])


@dataclass(frozen=True)
class _Pool:
    """The images of one split and which of the 21 mask values (background + 20) each contains."""

    dataset: _Subset
    ids: tuple[str, ...]
    present: np.ndarray  # (N, 21) bool


def _open_voc(root: Path, image_set: str) -> VOCSegmentation:
    from torchvision.datasets import VOCSegmentation

    try:
        return VOCSegmentation(str(root), year=VOC_YEAR, image_set=image_set, download=False)
    except (RuntimeError, OSError) as error:
        message = f"cannot read Pascal VOC {VOC_YEAR} {image_set} under {root} ({error}); {_LAYOUT}"
        raise DatasetError(message) from error


def _open_sbd(folder: Path) -> SBDataset:
    from torchvision.datasets import SBDataset

    try:
        return SBDataset(str(folder), image_set="train", mode="segmentation", download=False)
    except RuntimeError as error:
        if "scipy" in str(error).lower():
            message = f"SBD's .mat masks need scipy; install it (pip install scipy) or remove {folder}"
            raise DatasetError(message) from error
        raise DatasetError(f"cannot read SBD under {folder} ({error}); {_LAYOUT}") from error
    except OSError as error:
        raise DatasetError(f"cannot read SBD under {folder} ({error}); {_LAYOUT}") from error


def _mask_array(target: Image.Image) -> np.ndarray:
    return np.asarray(target, dtype=np.uint8)  # palette PNGs and SBD's arrays both hold class values


def _load_pair(dataset: VOCSegmentation | SBDataset, position: int) -> tuple[Image.Image, Image.Image]:
    try:
        image, target = dataset[position]
    except (OSError, ValueError, KeyError, IndexError) as error:
        raise DatasetError(f"cannot read image {position} of {dataset.root} ({error}); {_LAYOUT}") from error
    return image, target


def _make_pool(dataset: VOCSegmentation | SBDataset, exclude: frozenset[str] = frozenset()) -> _Pool:
    ids = [Path(path).stem for path in dataset.images]
    keep = [position for position, image_id in enumerate(ids) if image_id not in exclude]
    present = np.zeros((len(keep), 1 + len(VOC_CATEGORIES)), dtype=bool)
    for row, position in enumerate(keep):
        values = np.unique(_mask_array(_load_pair(dataset, position)[1]))
        values = values[values <= len(VOC_CATEGORIES)]  # drop void (255)
        present[row, values] = True
    return _Pool(dataset=_Subset(dataset, keep), ids=tuple(ids[p] for p in keep), present=present)


@functools.lru_cache(maxsize=2)
def _pools(root: str) -> tuple[_Pool, _Pool]:
    """Scan the train and test images once per root: reading every mask is the slow part."""
    folder = Path(root)
    if not (folder / "TrainVal" / "VOCdevkit" / f"VOC{VOC_YEAR}").is_dir():
        raise DatasetError(f"no Pascal VOC {VOC_YEAR} folder under {folder}; {_LAYOUT}")
    sbd_folder = folder / "SBD"
    train_source = _open_sbd(sbd_folder) if sbd_folder.is_dir() else _open_voc(folder, "train")
    train = _make_pool(train_source)
    test = _make_pool(_open_voc(folder, "val"), exclude=frozenset(train.ids))
    return train, test


def _voc_label(category: str) -> int:
    try:
        return VOC_CATEGORIES.index(category) + 1
    except ValueError:
        raise ValueError(
            f"unknown VOC category {category!r}; choose one of: {', '.join(VOC_CATEGORIES)}"
        ) from None


def _image_tensor(image: Image.Image, size: int) -> torch.Tensor:
    resized = image.convert("RGB").resize((size, size), Image.Resampling.BILINEAR)
    return torch.from_numpy(np.asarray(resized, dtype=np.float32) / 255.0).permute(2, 0, 1)  # (3, S, S)


def _mask_tensor(target: Image.Image, label: int, size: int) -> torch.Tensor:
    resized = Image.fromarray(_mask_array(target)).resize((size, size), Image.Resampling.NEAREST)
    return torch.from_numpy((np.asarray(resized) == label).astype(np.int64))  # (S, S)


def _classification_set(pool: _Pool, label: int, size: int, rng: np.random.Generator) -> TensorDataset:
    positives = np.flatnonzero(pool.present[:, label])
    others = np.flatnonzero(~pool.present[:, label])
    negatives = rng.choice(others, min(len(positives), len(others)), replace=False)  # balanced
    positions = np.concatenate([positives, negatives])
    labels = np.concatenate([np.ones(len(positives)), np.zeros(len(negatives))])
    order = rng.permutation(len(positions))
    images = [_image_tensor(pool.dataset[int(p)][0], size) for p in positions[order]]
    return TensorDataset(torch.stack(images), torch.from_numpy(labels[order]).float())  # (N, 3, S, S), (N,)


def _segmentation_set(pool: _Pool, label: int, size: int, rng: np.random.Generator) -> TensorDataset:
    positions = rng.permutation(np.flatnonzero(pool.present[:, label]))
    pairs = [pool.dataset[int(p)] for p in positions]
    images = torch.stack([_image_tensor(image, size) for image, _ in pairs])  # (N, 3, S, S)
    masks = torch.stack([_mask_tensor(target, label, size) for _, target in pairs])  # (N, S, S)
    return TensorDataset(images, masks)


def load_voc_task_data(
    root: str | Path, category: str, task: str, *, seed: int = 0, image_size: int = 224
) -> TaskData:
    """Build single-category VOC task data in the same form as ``load_task_data``.

    Classification: images showing `category` (label 1) against as many other images (label 0),
    drawn with `seed`. Segmentation: the images showing `category`, masks 1 on its pixels. Images
    are squashed to a square and held in memory (0.6 MB each at 224 px). The first call per root
    reads every mask to learn which categories each image shows; later calls reuse that scan.

    Args:
        root: folder holding ``TrainVal/VOCdevkit/VOC2011`` (and optionally ``SBD``); see the
            module docstring.
        category: one of :data:`VOC_CATEGORIES`.
        task: ``"classification"`` or ``"segmentation"``.
        seed: non-negative seed for the negatives and the order.
        image_size: images (and masks) are resized to image_size x image_size.

    Returns:
        :class:`TaskData` with images float32 ``(N, 3, S, S)`` in [0, 1] and labels float32 ``(N,)``
        or masks int64 ``(N, S, S)`` in {0, 1}.

    Raises:
        ValueError: unknown category or task, or a bad seed or size.
        DatasetError: the folders are missing or unreadable, or a split has no image of the category.
    """
    label = _voc_label(category)
    resolved_task = resolve_task(task)
    if seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    if image_size <= 0:
        raise ValueError(f"image_size must be positive, got {image_size}")
    train_pool, test_pool = _pools(str(Path(root).resolve()))
    build = _classification_set if resolved_task is Task.CLASSIFICATION else _segmentation_set
    splits = []
    for name, pool in (("train", train_pool), ("test", test_pool)):
        if not pool.present[:, label].any():
            raise DatasetError(f"the VOC {name} images under {root} contain no {category}")
        splits.append(build(pool, label, image_size, np.random.default_rng([seed, label, len(splits)])))
    return TaskData(task=resolved_task, train=splits[0], test=splits[1])
