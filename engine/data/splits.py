"""Deterministic Animal-MNIST task data: train/test splits, labelled subsets, multi-category sets.

Classification follows the paper's "category vs random images": for a category c the positives are
c's 1000 images and the negatives 1000 images drawn from the other nine animals.

A set of categories (a multi-category task module, e.g. the "leave-one-out" modules of the paper's
Table 4) is one binary problem: label 1 for an image of any category in the set, 0 for an image of a
category outside it. That is the union of each member's "c vs other animals" problem with the
contradictions removed (a dog is not a negative for the cat while also a positive for the dog), so
a single network can learn it. Both sides get 1000 * min(k, 10 - k) images for a set of k, drawn
as evenly as possible from each category, so the classes stay balanced and a set of one is exactly
the single-category problem. Note that a set of nine leaves one category to supply every negative.

Segmentation uses every image of the chosen categories, each rendered as a cluttered 64x64 scene
(see ``engine.data.scenes``). Both tasks hold out a fifth of each side (200 of 1000) for testing.
Everything depends only on the seed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch.utils.data import TensorDataset

from engine.config import Task
from engine.data.animal_mnist import CATEGORIES, IMAGES_PER_CATEGORY, category_index, load_animal_mnist
from engine.data.scenes import build_scenes

TEST_FRACTION_DENOMINATOR = 5  # a fifth of each side is held out: 200 of 1000
_SPLIT_STREAM = 1  # separate random streams, so that the split and the subsets never share draws
_SUBSET_STREAM = 2
_UNLABELLED_STREAM = 3
_POOL_STREAM = 4


@dataclass(frozen=True)
class TaskData:
    """Train and test sets of one task.

    Classification: tensors ``(images float32 (N, C, H, W) in [0, 1], labels float32 (N,) in {0, 1})``.
    Segmentation: tensors ``(images float32 (N, C, H, W) in [0, 1], masks int64 (N, H, W) in {0, 1})``.
    """

    task: str
    train: TensorDataset
    test: TensorDataset


def resolve_task(task: str) -> Task:
    """Return the :class:`Task` named by a string, or raise ``ValueError`` naming the valid tasks."""
    try:
        return Task(task)
    except ValueError:
        choices = ", ".join(member.value for member in Task)
        raise ValueError(f"unknown task {task!r}; choose one of: {choices}") from None


def resolve_categories(category: str | Sequence[str]) -> tuple[str, ...]:
    """Return one or several category names as a tuple in :data:`CATEGORIES` order.

    Raises:
        ValueError: an unknown or repeated name, or no name at all.
    """
    names = (category,) if isinstance(category, str) else tuple(category)
    if not names:
        raise ValueError(f"give at least one category; choose from: {', '.join(CATEGORIES)}")
    if len(set(names)) != len(names):
        raise ValueError(f"each category may appear only once, got {list(names)}")
    return tuple(sorted(names, key=category_index))


def leave_one_out(category: str, *, pool: Sequence[str] = CATEGORIES) -> tuple[str, ...]:
    """Return the categories of a "leave-one-out" task module: `pool` without `category`.

    With the default pool this is every other animal: for the cat, the four other mammals plus bear,
    bird, elephant, giraffe and zebra (the paper's Table 4 pairs the other mammals with dissimilar
    categories). Pass the result to :func:`load_task_data`.

    Args:
        category: the category that will later be transplanted into the task module.
        pool: the categories to choose from.

    Returns:
        The remaining categories in :data:`CATEGORIES` order.
    """
    category_index(category)
    remaining = tuple(name for name in resolve_categories(pool) if name != category)
    if not remaining:
        raise ValueError(f"leaving {category!r} out of {list(pool)} leaves no category")
    return remaining


def _check_seed(seed: int) -> None:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")


def _draw_evenly(categories: Sequence[str], total: int, rng: np.random.Generator) -> np.ndarray:
    """Draw `total` image indices from `categories`, as evenly as possible, without replacement."""
    _, labels = load_animal_mnist()
    quotas = np.full(len(categories), total // len(categories))
    quotas[rng.choice(len(categories), total % len(categories), replace=False)] += 1
    drawn = [
        rng.choice(np.flatnonzero(labels == category_index(name)), int(quota), replace=False)
        for name, quota in zip(categories, quotas, strict=True)
    ]
    return np.concatenate(drawn)


def _split_off_test(indices: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Shuffle and hold out a fifth: returns (train, test)."""
    shuffled = rng.permutation(indices)
    test_count = len(indices) // TEST_FRACTION_DENOMINATOR
    return shuffled[test_count:], shuffled[:test_count]


def classification_split(
    categories: Sequence[str], *, seed: int
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Choose the images of the classification problem "any of `categories` vs the other animals".

    Returns:
        ``((train_indices, train_labels), (test_indices, test_labels))``: Animal-MNIST indices and
        0/1 labels (int64), each side shuffled.
    """
    chosen = resolve_categories(categories)
    outside = tuple(name for name in CATEGORIES if name not in chosen)
    if not outside:
        raise ValueError("classification needs a category outside the set to draw negatives from; drop one")
    rng = np.random.default_rng([seed, _SPLIT_STREAM, *map(category_index, chosen)])
    side = IMAGES_PER_CATEGORY * min(len(chosen), len(outside))
    positive_train, positive_test = _split_off_test(_draw_evenly(chosen, side, rng), rng)
    negative_train, negative_test = _split_off_test(_draw_evenly(outside, side, rng), rng)

    def labelled(positives: np.ndarray, negatives: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        indices = np.concatenate([positives, negatives])
        labels = np.concatenate([np.ones(len(positives), np.int64), np.zeros(len(negatives), np.int64)])
        order = rng.permutation(len(indices))  # mixed, so that a sequential pass sees both classes
        return indices[order], labels[order]

    return labelled(positive_train, negative_train), labelled(positive_test, negative_test)


def segmentation_split(categories: Sequence[str], *, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Choose the images whose scenes form the segmentation problem of `categories`.

    Returns:
        ``(train_indices, test_indices)``: a fifth of each category's 1000 images is held out.
    """
    chosen = resolve_categories(categories)
    _, labels = load_animal_mnist()
    rng = np.random.default_rng([seed, _SPLIT_STREAM, *map(category_index, chosen)])
    parts = [_split_off_test(np.flatnonzero(labels == category_index(name)), rng) for name in chosen]
    train = rng.permutation(np.concatenate([train for train, _ in parts]))
    test = rng.permutation(np.concatenate([test for _, test in parts]))
    return train, test


def _balanced_prefix(labels: np.ndarray, n: int, seed: int, stream: int) -> np.ndarray:
    """Positions of n//2 positives and n - n//2 negatives, each a prefix of one seeded shuffle.

    Taking prefixes of permutations that do not depend on n makes subsets nested across n.
    """
    rng = np.random.default_rng([seed, stream])
    positives = rng.permutation(np.flatnonzero(labels == 1))
    negatives = rng.permutation(np.flatnonzero(labels == 0))
    wanted_positives, wanted_negatives = n // 2, n - n // 2
    if wanted_positives > len(positives) or wanted_negatives > len(negatives):
        raise ValueError(
            f"cannot take {n} balanced samples: the set has {len(positives)} positives and "
            f"{len(negatives)} negatives; ask for at most {2 * min(len(positives), len(negatives))}"
        )
    return np.sort(np.concatenate([positives[:wanted_positives], negatives[:wanted_negatives]]))


def _random_prefix(count: int, n: int, seed: int, stream: int) -> np.ndarray:
    if n > count:
        raise ValueError(f"cannot take {n} samples from a set of {count}")
    return np.sort(np.random.default_rng([seed, stream]).permutation(count)[:n])


def _subset_positions(labels: torch.Tensor, n: int, seed: int, stream: int) -> np.ndarray:
    _check_seed(seed)
    if n < 0:
        raise ValueError(f"the number of samples must be 0 or more, got {n}")
    if labels.dim() == 1:  # classification labels: keep the classes balanced
        return _balanced_prefix(labels.numpy(), n, seed, stream)
    return _random_prefix(len(labels), n, seed, stream)


def labelled_subset(dataset: TensorDataset, n: int, *, seed: int) -> TensorDataset:
    """Take the paper's "N labelled samples" from a training set.

    Classification subsets are balanced (n // 2 positives, the rest negatives); segmentation subsets
    are a seeded random choice. For one seed the subsets are nested: the 10 samples are among the 20.

    Args:
        dataset: a ``TaskData.train`` (images, labels or masks).
        n: how many samples; 0 gives an empty set with the right trailing shapes.
        seed: non-negative seed.

    Returns:
        A new TensorDataset, in the order of `dataset`.

    Raises:
        ValueError: n is negative or larger than the set (or than twice its smaller class).
    """
    positions = torch.from_numpy(_subset_positions(dataset.tensors[1], n, seed, _SUBSET_STREAM))
    return TensorDataset(*(tensor[positions] for tensor in dataset.tensors))


def unlabelled_images(dataset: TensorDataset, n: int, *, seed: int) -> torch.Tensor:
    """Take n images without their labels (for methods that use unlabelled samples).

    The choice is balanced and nested like :func:`labelled_subset`'s, but from its own random stream.

    Returns:
        float32 ``(n, C, H, W)``.
    """
    positions = torch.from_numpy(_subset_positions(dataset.tensors[1], n, seed, _UNLABELLED_STREAM))
    return dataset.tensors[0][positions]


def unlabelled_pool(dataset: TensorDataset, n: int, *, seed: int) -> torch.Tensor:
    """Take n images as a lab's unlabelled pool would hold them: a seeded random choice that never
    reads the labels (so not balanced), nested across n for one seed.

    Returns:
        float32 ``(n, C, H, W)``.

    Raises:
        ValueError: n is negative or larger than the set.
    """
    _check_seed(seed)
    if n < 0:
        raise ValueError(f"the number of unlabelled images must be 0 or more, got {n}")
    positions = torch.from_numpy(_random_prefix(len(dataset), n, seed, _POOL_STREAM))
    return dataset.tensors[0][positions]


def _classification_tensors(indices: np.ndarray, labels: np.ndarray) -> TensorDataset:
    images, _ = load_animal_mnist()
    pixels = torch.from_numpy(images[indices]).unsqueeze(1).float().div_(255.0)  # (N, 1, 28, 28)
    return TensorDataset(pixels, torch.from_numpy(labels).float())  # labels: (N,)


def _segmentation_tensors(indices: np.ndarray, seed: int) -> TensorDataset:
    scenes, masks = build_scenes(indices, seed=seed)
    # Copies: the cached arrays are shared and read-only.
    images = torch.tensor(scenes).unsqueeze(1)  # (N, 1, 64, 64)
    return TensorDataset(images, torch.from_numpy(masks.astype(np.int64)))  # masks: (N, 64, 64)


def train_split_size(category: str | Sequence[str], task: str, *, seed: int = 0) -> int:
    """How many training images `load_task_data` gives for this problem, without building them (the
    pool that `auto` may have the teacher label).

    Raises:
        ValueError: an unknown category or task, or a bad seed.
        DatasetError: Animal-MNIST is missing or corrupted.
    """
    chosen, resolved_task = resolve_categories(category), resolve_task(task)
    _check_seed(seed)
    if resolved_task is Task.CLASSIFICATION:
        (train_indices, _), _ = classification_split(chosen, seed=seed)
    else:
        train_indices, _ = segmentation_split(chosen, seed=seed)
    return len(train_indices)


def load_task_data(
    category: str | Sequence[str], task: str, *, seed: int = 0, limit_train: int | None = None
) -> TaskData:
    """Build the Animal-MNIST train and test sets of a task for one category or a set of them.

    Args:
        category: a name from :data:`CATEGORIES`, or several (a multi-category task module).
        task: ``"classification"`` (28x28 images, 0/1 float labels) or ``"segmentation"``
            (64x64 scenes, 0/1 int64 masks).
        seed: non-negative; the same seed always gives the same sets.
        limit_train: keep only this many training samples (balanced for classification), e.g. for
            quick runs; the test set is unchanged.

    Returns:
        The :class:`TaskData`.

    Raises:
        ValueError: an unknown category or task, a bad seed or limit.
        DatasetError: Animal-MNIST is missing or corrupted.
    """
    chosen = resolve_categories(category)
    resolved_task = resolve_task(task)
    _check_seed(seed)
    if limit_train is not None and limit_train <= 0:
        raise ValueError(f"limit_train must be positive or None, got {limit_train}")

    if resolved_task is Task.CLASSIFICATION:
        (train_indices, train_labels), (test_indices, test_labels) = classification_split(chosen, seed=seed)
        if limit_train is not None and limit_train < len(train_indices):
            kept = _balanced_prefix(train_labels, limit_train, seed, _SPLIT_STREAM)
            train_indices, train_labels = train_indices[kept], train_labels[kept]
        return TaskData(
            task=resolved_task,
            train=_classification_tensors(train_indices, train_labels),
            test=_classification_tensors(test_indices, test_labels),
        )

    train_indices, test_indices = segmentation_split(chosen, seed=seed)
    if limit_train is not None and limit_train < len(train_indices):
        # Chosen before rendering, so a limited run only pays for the scenes it uses.
        train_indices = train_indices[_random_prefix(len(train_indices), limit_train, seed, _SPLIT_STREAM)]
    return TaskData(
        task=resolved_task,
        train=_segmentation_tensors(train_indices, seed),
        test=_segmentation_tensors(test_indices, seed),
    )
