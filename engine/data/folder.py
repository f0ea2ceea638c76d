"""Task data from a folder of the user's own images, in the same form as Animal-MNIST's.

Two layouts are read::

    classification (one sub-folder per class, torchvision's ImageFolder layout)
      root/forklift/0001.png  root/pallet/a.jpg  root/person/x.jpeg ...
    segmentation (a mask per image, matched by name)
      root/images/<name>.png|jpg   root/masks/<name>.png

Classification is "category vs other images", as the paper's: the category's own folder holds the
positives, every other folder the negatives. Both sides are kept the same size, as in the
Animal-MNIST splits: side = min(positives, all negatives); the negatives are drawn as evenly as
their folders allow from each other class, and extra positives are left out. So a test error of
50% is chance, whatever the folders' sizes. A mask is 0 for background and non-zero for the
category (see `engine.data.images.mask_values` for palette PNGs).

A fraction (default a fifth) of each side is held out for testing, at least one image. The choice
depends only on the seed, the category's name and the sorted file names, never on the order the
file system lists them in. Hidden files (".*"), "__MACOSX", "Thumbs.db" and "desktop.ini" are
ignored; a folder that only wraps the data set (a single sub-folder holding only folders, as zips
often have) is stepped into.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import TensorDataset

from engine.architectures import get_architecture
from engine.config import Task
from engine.data.images import (
    IMAGE_SUFFIXES,
    MASK_SUFFIXES,
    MAX_IMAGE_PIXELS,
    image_size,
    mask_size,
    mask_tensor,
    mask_values,
    read_image_and_size,
)
from engine.data.splits import TaskData, _balanced_prefix, _check_seed, _random_prefix, resolve_task
from engine.errors import DatasetError
from engine.manifest import Manifest
from engine.storage import StoredModule

DEFAULT_TEST_FRACTION = 0.2  # as Animal-MNIST's: a fifth of each side
IMAGES_FOLDER, MASKS_FOLDER = "images", "masks"
OTHER_CLASS = "other"  # how split counts name the negatives
IGNORED_NAMES = frozenset({"__MACOSX", "Thumbs.db", "desktop.ini"})
_SPLIT_STREAM = 11  # random streams of their own (Animal-MNIST's use 1-3)
_LIMIT_STREAM = 12


@dataclass(frozen=True)
class DataOrigin:
    """Where a module's training data came from: a folder's name and the SHA-256 of its contents."""

    name: str
    sha256: str

    def parent_entry(self) -> dict[str, str]:
        """This data as a lineage entry of a manifest (role "data")."""
        return {"role": "data", "sha256": self.sha256, "name": self.name}


@dataclass(frozen=True)
class FolderSummary:
    """What `scan_folder` found, after decoding every file.

    Attributes:
        task: the layout's task.
        root: the data's own folder (a wrapping folder stepped into).
        classes: classification: the class folders' names, sorted; segmentation: ``()``.
        counts: images per class; segmentation: ``{"images": N}``.
        image_sizes: every distinct ``(height, width)`` seen, sorted.
        channels: 3 if any file is stored in colour (RGB, or a palette with colours), else 1.
        sha256: of the contents (see `folder_sha256`).
        foreground_fraction: segmentation: the share of mask pixels that are the category.
    """

    task: Task
    root: Path
    classes: tuple[str, ...]
    counts: dict[str, int]
    image_sizes: tuple[tuple[int, int], ...]
    channels: int
    sha256: str
    foreground_fraction: float | None = None

    @property
    def origin(self) -> DataOrigin:
        return DataOrigin(self.root.name, self.sha256)

    def split_counts(
        self, category: str | None = None, *, test_fraction: float = DEFAULT_TEST_FRACTION
    ) -> dict[str, dict[str, int]]:
        """How many images `load_folder_data` puts in each split (without `limit_train`).

        Args:
            category: classification: the positive class (one of `classes`); ignored for segmentation.
            test_fraction: as for `load_folder_data`.

        Returns:
            ``{"train": {category: n, "other": n}, "test": {...}}``, or ``{"train": {"images": n}, ...}``.
        """
        if self.task is Task.SEGMENTATION:
            train, test = _split_sizes(self.counts["images"], test_fraction, "the data set")
            return {"train": {"images": train}, "test": {"images": test}}
        positives, negatives = _sides(self.counts, _positive_class(category, self.classes))
        train, test = _split_sizes(
            min(positives, negatives), test_fraction, _side_description(category, self.counts)
        )
        return {"train": {category: train, OTHER_CLASS: train}, "test": {category: test, OTHER_CLASS: test}}


def _ignored(path: Path) -> bool:
    return path.name.startswith(".") or path.name in IGNORED_NAMES


def _entries(folder: Path) -> list[Path]:
    """A folder's entries that count, sorted by name; links are refused (they may point anywhere)."""
    try:
        entries = sorted((entry for entry in folder.iterdir() if not _ignored(entry)), key=lambda p: p.name)
    except OSError as error:
        raise DatasetError(f"{folder}: cannot list the folder ({error.strerror})") from None
    for entry in entries:
        if entry.is_symlink():
            raise DatasetError(f"{entry}: links are not allowed in a data set; copy the file in")
    return entries


def data_root(root: str | Path) -> Path:
    """The folder that holds the data: `root`, or the folder a single wrapping folder leads to."""
    folder = Path(root)
    if not folder.is_dir():
        raise DatasetError(
            f"{folder} is not a folder; give the folder that holds the class folders "
            f"(classification) or {IMAGES_FOLDER}/ and {MASKS_FOLDER}/ (segmentation)"
        )
    entries = _entries(folder)
    while len(entries) == 1 and entries[0].is_dir() and entries[0].name not in (IMAGES_FOLDER, MASKS_FOLDER):
        inner = _entries(entries[0])
        if not inner or not all(entry.is_dir() for entry in inner):
            break
        folder, entries = entries[0], inner
    return folder


def _files_in(folder: Path, suffixes: Sequence[str], what: str) -> list[Path]:
    files = []
    for entry in _entries(folder):
        if entry.is_dir():
            raise DatasetError(f"{entry}: {what} hold files only, not folders")
        if entry.suffix.lower() not in suffixes:
            raise DatasetError(f"{entry}: not an image file; {what} hold only {', '.join(suffixes)} files")
        files.append(entry)
    return files


def classification_layout(root: Path) -> dict[str, list[Path]]:
    """Class name -> its image files (sorted), after checking the ImageFolder layout."""
    classes: dict[str, list[Path]] = {}
    for entry in _entries(root):
        if not entry.is_dir():
            raise DatasetError(
                f"{entry}: a file outside the class folders; classification data has one "
                f"sub-folder per class with the images inside (e.g. forklift/0001.png)"
            )
        files = _files_in(entry, IMAGE_SUFFIXES, "class folders")
        if not files:
            raise DatasetError(
                f"{entry}: the class folder holds no image; remove it or add PNG or JPEG images"
            )
        classes[entry.name] = files
    if len(classes) < 2:
        found = ", ".join(classes) or "none"
        raise DatasetError(
            f"{root}: classification needs at least two class folders (the category and other "
            f"images), found {len(classes)} ({found})"
        )
    return classes


def segmentation_layout(root: Path) -> list[tuple[str, Path, Path]]:
    """(name, image file, mask file) for every image, sorted by name, after checking the layout."""
    entries = {entry.name: entry for entry in _entries(root)}
    for name, entry in entries.items():
        if name not in (IMAGES_FOLDER, MASKS_FOLDER) or not entry.is_dir():
            raise DatasetError(
                f"{entry}: segmentation data holds only the folders {IMAGES_FOLDER}/ and "
                f"{MASKS_FOLDER}/ (images/<name>.png|jpg with masks/<name>.png)"
            )
    for name in (IMAGES_FOLDER, MASKS_FOLDER):
        if name not in entries:
            raise DatasetError(
                f"{root}: no {name}/ folder; segmentation data holds images/<name>.png|jpg "
                f"and masks/<name>.png"
            )
    images = _by_stem(_files_in(entries[IMAGES_FOLDER], IMAGE_SUFFIXES, f"{IMAGES_FOLDER}/"))
    masks = _by_stem(_files_in(entries[MASKS_FOLDER], MASK_SUFFIXES, f"{MASKS_FOLDER}/"))
    for stem, mask in masks.items():
        if stem not in images:
            raise DatasetError(
                f"{mask}: a mask without an image; add {IMAGES_FOLDER}/{stem}.png (or .jpg) or remove it"
            )
    for stem, image in images.items():
        if stem not in masks:
            raise DatasetError(
                f"{image}: an image without a mask; add {MASKS_FOLDER}/{stem}.png or remove it"
            )
    if not images:
        raise DatasetError(f"{root}: the mask set is empty; add images/<name>.png|jpg with masks/<name>.png")
    return [(stem, images[stem], masks[stem]) for stem in sorted(images)]


def _by_stem(files: list[Path]) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for path in files:
        if path.stem in found:
            raise DatasetError(f"{path}: {found[path.stem].name} has the same name; give each image one file")
        found[path.stem] = path
    return found


def _data_files(root: Path, task: Task) -> list[Path]:
    if task is Task.CLASSIFICATION:
        return [path for files in classification_layout(root).values() for path in files]
    return [path for _, image, mask in segmentation_layout(root) for path in (image, mask)]


def folder_sha256(root: str | Path, task: str | Task) -> str:
    """SHA-256 of a data folder's contents: each data file's relative path and bytes, in sorted order.

    The same images under the same names give the same digest wherever the folder lies (and a
    wrapping folder makes no difference); renaming a file or a class changes it.
    """
    folder = data_root(root)
    digest = hashlib.sha256()
    for path in sorted(
        _data_files(folder, resolve_task(str(task))), key=lambda p: p.relative_to(folder).as_posix()
    ):
        digest.update(path.relative_to(folder).as_posix().encode("utf-8") + b"\0")
        try:
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        except OSError as error:
            raise DatasetError(f"{path}: cannot read the file ({error.strerror})") from None
    return digest.hexdigest()


def scan_folder(root: str | Path, task: str | Task, *, max_pixels: int = MAX_IMAGE_PIXELS) -> FolderSummary:
    """Check a data folder's layout and decode every file in it (e.g. to validate an upload).

    Args:
        root: the data folder (see the module docstring for the layouts).
        task: ``"classification"`` or ``"segmentation"``.
        max_pixels: the cap on any image's width x height.

    Returns:
        A :class:`FolderSummary`.

    Raises:
        DatasetError: naming the file and the rule: a file that is not an image or does not decode, a
            decompression bomb, fewer than two classes, an empty class, a mask without an image (or
            the reverse), a mask of another size than its image, an empty mask set, a mask set that
            marks no pixel of the category.
    """
    resolved = resolve_task(str(task))
    folder = data_root(root)
    sizes: set[tuple[int, int]] = set()
    colour = False
    if resolved is Task.CLASSIFICATION:
        layout = classification_layout(folder)
        for files in layout.values():
            for path in files:
                size, channels = image_size(path, max_pixels=max_pixels)
                sizes.add(size)
                colour = colour or channels == 3
        classes, counts, foreground = (
            tuple(layout),
            {name: len(files) for name, files in layout.items()},
            None,
        )
    else:
        pairs = segmentation_layout(folder)
        marked = total = 0
        for _, image_path, mask_path in pairs:
            size, channels = image_size(image_path, max_pixels=max_pixels)
            values = mask_values(mask_path, max_pixels=max_pixels)
            _check_mask_size(mask_path, mask_size(values), size)
            sizes.add(size)
            colour = colour or channels == 3
            marked += int(np.count_nonzero(values))
            total += values.size
        if marked == 0:
            raise DatasetError(
                f"{folder / MASKS_FOLDER}: no mask marks any pixel of the category (all are 0); "
                "masks are 0 for background and non-zero for the category"
            )
        classes, counts, foreground = (), {"images": len(pairs)}, marked / total
    return FolderSummary(
        task=resolved,
        root=folder,
        classes=classes,
        counts=counts,
        image_sizes=tuple(sorted(sizes)),
        channels=3 if colour else 1,
        sha256=folder_sha256(folder, resolved),
        foreground_fraction=foreground,
    )


def _check_mask_size(mask_path: Path, mask: tuple[int, int], image: tuple[int, int]) -> None:
    if mask != image:
        raise DatasetError(
            f"{mask_path}: the mask is {mask[1]}x{mask[0]} pixels but its image is "
            f"{image[1]}x{image[0]}; a mask must have its image's size"
        )


def _positive_class(category: str | None, classes: Sequence[str]) -> str:
    if category not in classes:
        raise DatasetError(
            f"no class folder is named {category!r}; the category must be one of the folders: "
            f"{', '.join(classes)}"
        )
    return category


def _sides(counts: dict[str, int], category: str) -> tuple[int, int]:
    return counts[category], sum(count for name, count in counts.items() if name != category)


def _side_description(category: str | None, counts: dict[str, int]) -> str:
    positives, negatives = _sides(counts, category)
    return f"{category!r} ({positives} images) against the other classes ({negatives} images)"


def _split_sizes(count: int, test_fraction: float, what: str) -> tuple[int, int]:
    """(train, test) sizes of one side: `test_fraction` of it held out, at least one image each."""
    test = max(1, int(count * test_fraction))
    if count - test < 1:
        raise DatasetError(
            f"too few images to split: {what} leaves {count} per side; give at least 2 images "
            f"per side, so that one can train and one can test"
        )
    return count - test, test


def _check_test_fraction(test_fraction: float) -> None:
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must lie strictly between 0 and 1 (e.g. 0.2), got {test_fraction!r}")


def _category_key(category: str) -> int:
    """A stable number for a category name, so that each category's split has its own draws."""
    return int.from_bytes(hashlib.sha256(category.encode("utf-8")).digest()[:4], "little")


def even_quotas(capacities: Sequence[int], total: int, rng: np.random.Generator) -> np.ndarray:
    """Split `total` over classes as evenly as their `capacities` allow; ties are broken by `rng`."""
    capacities = np.asarray(capacities, dtype=np.int64)
    if total > capacities.sum():
        raise ValueError(f"cannot draw {total} from classes holding {int(capacities.sum())}")
    quotas = np.zeros_like(capacities)
    remaining = total
    while remaining > 0:
        open_classes = np.flatnonzero(quotas < capacities)
        share = remaining // len(open_classes)
        if share == 0:
            quotas[rng.choice(open_classes, remaining, replace=False)] += 1
            break
        added = np.minimum(share, capacities[open_classes] - quotas[open_classes])
        quotas[open_classes] += added
        remaining -= int(added.sum())
    return quotas


def _classification_choice(
    layout: dict[str, list[Path]], category: str, test_fraction: float, rng: np.random.Generator
) -> tuple[tuple[list[Path], np.ndarray], tuple[list[Path], np.ndarray]]:
    """((train files, labels), (test files, labels)): balanced sides, each split, then mixed."""
    counts = {name: len(files) for name, files in layout.items()}
    positives_count, negatives_count = _sides(counts, category)
    side = min(positives_count, negatives_count)
    train_size, test_size = _split_sizes(side, test_fraction, _side_description(category, counts))
    positives = [layout[category][i] for i in np.sort(rng.choice(positives_count, side, replace=False))]
    others = [name for name in layout if name != category]
    quotas = even_quotas([counts[name] for name in others], side, rng)
    negatives = [
        layout[name][i]
        for name, quota in zip(others, quotas, strict=True)
        for i in np.sort(rng.choice(counts[name], int(quota), replace=False))
    ]
    positives = [positives[i] for i in rng.permutation(side)]
    negatives = [negatives[i] for i in rng.permutation(side)]

    def mixed(positive_files: list[Path], negative_files: list[Path]) -> tuple[list[Path], np.ndarray]:
        files = positive_files + negative_files
        labels = np.concatenate(
            [np.ones(len(positive_files), np.int64), np.zeros(len(negative_files), np.int64)]
        )
        order = rng.permutation(len(files))  # mixed, so that a sequential pass sees both classes
        return [files[i] for i in order], labels[order]

    return (
        mixed(positives[test_size:], negatives[test_size:]),
        mixed(positives[:test_size], negatives[:test_size]),
    )


def _image_stack(files: Sequence[Path], input_shape: tuple[int, int, int], max_pixels: int) -> torch.Tensor:
    channels, height, width = input_shape
    if not files:
        return torch.zeros((0, channels, height, width))
    return torch.stack(
        [
            read_image_and_size(path, channels=channels, size=(height, width), max_pixels=max_pixels)[0]
            for path in files
        ]
    )  # (N, C, H, W)


def _segmentation_set(
    pairs: Sequence[tuple[str, Path, Path]], input_shape: tuple[int, int, int], max_pixels: int
) -> TensorDataset:
    channels, height, width = input_shape
    images, masks = [], []
    for _, image_path, mask_path in pairs:
        image, size = read_image_and_size(
            image_path, channels=channels, size=(height, width), max_pixels=max_pixels
        )
        values = mask_values(mask_path, max_pixels=max_pixels)
        _check_mask_size(mask_path, mask_size(values), size)
        images.append(image)
        masks.append(mask_tensor(values, size=(height, width)))
    return TensorDataset(torch.stack(images), torch.stack(masks))  # (N, C, H, W), (N, H, W)


def _check_input_shape(input_shape: Sequence[int]) -> tuple[int, int, int]:
    shape = tuple(input_shape)
    if (
        len(shape) != 3
        or not all(isinstance(n, (int, np.integer)) and n > 0 for n in shape)
        or shape[0] not in (1, 3)
    ):
        raise ValueError(
            f"input_shape must be (channels, height, width) with 1 or 3 channels, got {input_shape!r}; "
            "engine.native_input_shape(architecture, task) gives a module's"
        )
    return tuple(int(n) for n in shape)


def load_folder_data(
    root: str | Path,
    category: str,
    task: str | Task,
    *,
    seed: int = 0,
    input_shape: Sequence[int],
    test_fraction: float = DEFAULT_TEST_FRACTION,
    limit_train: int | None = None,
    max_pixels: int = MAX_IMAGE_PIXELS,
) -> TaskData:
    """Build train and test sets of a task from a folder, in the form `load_task_data` gives.

    Args:
        root: the data folder (see the module docstring for the layouts).
        category: classification: the class folder of the positives; segmentation: the name of
            what the masks mark (it only seeds the split).
        task: ``"classification"`` or ``"segmentation"``.
        seed: non-negative; the same seed, category and files always give the same split.
        input_shape: ``(channels, height, width)`` of the module's images, e.g. ``(1, 28, 28)`` for
            a vgg-mini classifier (`engine.native_input_shape`); images are converted to grey (1)
            or RGB (3) and resized bilinearly, masks with nearest-neighbour.
        test_fraction: the share of each side held out for testing (at least one image).
        limit_train: keep only this many training samples (balanced for classification).
        max_pixels: the cap on any image's width x height.

    Returns:
        :class:`TaskData`: images float32 ``(N, C, H, W)`` in [0, 1] with labels float32 ``(N,)``
        in {0, 1}, or masks int64 ``(N, H, W)`` in {0, 1}.

    Raises:
        ValueError: a bad seed, shape, fraction or limit.
        DatasetError: the layout is wrong, the category is not a class folder, too few images to
            split, or a chosen file is not a whole PNG/JPEG (or a bomb), or a mask's size differs.
    """
    resolved = resolve_task(str(task))
    _check_seed(seed)
    shape = _check_input_shape(input_shape)
    _check_test_fraction(test_fraction)
    if limit_train is not None and limit_train <= 0:
        raise ValueError(f"limit_train must be positive or None, got {limit_train}")
    if not isinstance(category, str) or not category:
        raise ValueError(f"category must be a non-empty name, got {category!r}")
    folder = data_root(root)
    rng = np.random.default_rng([seed, _SPLIT_STREAM, _category_key(category)])

    if resolved is Task.CLASSIFICATION:
        layout = classification_layout(folder)
        _positive_class(category, tuple(layout))
        (train_files, train_labels), (test_files, test_labels) = _classification_choice(
            layout, category, test_fraction, rng
        )
        if limit_train is not None and limit_train < len(train_files):
            kept = _balanced_prefix(train_labels, limit_train, seed, _LIMIT_STREAM)
            train_files, train_labels = [train_files[i] for i in kept], train_labels[kept]
        return TaskData(
            task=resolved,
            train=TensorDataset(
                _image_stack(train_files, shape, max_pixels), torch.from_numpy(train_labels).float()
            ),
            test=TensorDataset(
                _image_stack(test_files, shape, max_pixels), torch.from_numpy(test_labels).float()
            ),
        )

    pairs = segmentation_layout(folder)
    _, test_size = _split_sizes(len(pairs), test_fraction, "the data set")
    order = rng.permutation(len(pairs))
    train_pairs = [pairs[i] for i in order[test_size:]]
    test_pairs = [pairs[i] for i in order[:test_size]]
    if limit_train is not None and limit_train < len(train_pairs):
        train_pairs = [
            train_pairs[i] for i in _random_prefix(len(train_pairs), limit_train, seed, _LIMIT_STREAM)
        ]
    train, test = (
        _segmentation_set(train_pairs, shape, max_pixels),
        _segmentation_set(test_pairs, shape, max_pixels),
    )
    if not (train.tensors[1].any() or test.tensors[1].any()):
        raise DatasetError(
            f"{folder / MASKS_FOLDER}: no mask marks any pixel of the category (all are 0); "
            "masks are 0 for background and non-zero for the category"
        )
    return TaskData(task=resolved, train=train, test=test)


def native_input_shape(
    architecture: str, task: str | Task, config: dict | None = None
) -> tuple[int, int, int]:
    """``(channels, height, width)`` of the images an architecture's modules take for a task.

    E.g. ``("vgg-mini", "classification") -> (1, 28, 28)``, ``("vgg16", "classification") -> (3, 224, 224)``.
    """
    built = get_architecture(architecture)
    resolved = resolve_task(str(task))
    built.supports(resolved)
    settings = built.config(config)
    height, width = built.image_size[resolved]
    return int(settings.get("image_channels", built.image_channels)), height, width


def path_input_shape(category: Manifest, task: Manifest) -> tuple[int, int, int]:
    """The image shape for a category module -> task module path: the category's channels at the task
    module's native size (a two-task teacher's category module reads 28 x 28 for its classifier and
    64 x 64 for its segmenter)."""
    _, height, width = native_input_shape(task.architecture, task.task, task.config)
    return category.input_shape[0], height, width


def with_data_origin(module: StoredModule, origin: DataOrigin) -> StoredModule:
    """The module with `origin` added to its manifest's lineage (role "data"); the weights are unchanged."""
    manifest = module.manifest
    kept = tuple(parent for parent in manifest.parents if parent.get("role") != "data")
    return StoredModule(replace(manifest, parents=(*kept, origin.parent_entry())), module.network)
