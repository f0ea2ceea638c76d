"""Animal-MNIST task data: deterministic splits, multi-category sets, labelled subsets."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from engine.config import Task
from engine.data import (
    CATEGORIES,
    TaskData,
    labelled_subset,
    leave_one_out,
    load_animal_mnist,
    load_task_data,
    unlabelled_images,
)
from engine.data.splits import classification_split, segmentation_split

CAT = CATEGORIES.index("cat")


def _labels_of(indices: np.ndarray) -> np.ndarray:
    return load_animal_mnist()[1][indices]


def test_classification_data_has_the_documented_form():
    data = load_task_data("cat", "classification")
    assert isinstance(data, TaskData) and data.task == "classification"
    images, labels = data.train.tensors
    assert images.shape == (1600, 1, 28, 28) and images.dtype == torch.float32
    assert labels.shape == (1600,) and labels.dtype == torch.float32
    assert 0.0 <= float(images.min()) and float(images.max()) <= 1.0
    assert set(labels.unique().tolist()) == {0.0, 1.0}
    test_images, test_labels = data.test.tensors
    assert test_images.shape == (400, 1, 28, 28)
    assert int(test_labels.sum()) == 200 and int(labels.sum()) == 800


def test_classification_is_the_category_against_the_other_animals():
    (train, train_labels), (test, test_labels) = classification_split(["cat"], seed=0)
    indices = np.concatenate([train, test])
    labels = np.concatenate([train_labels, test_labels])
    assert sorted(indices[labels == 1].tolist()) == np.flatnonzero(load_animal_mnist()[1] == CAT).tolist()
    negative_counts = np.bincount(_labels_of(indices[labels == 0]), minlength=10)
    assert negative_counts[CAT] == 0
    # 1000 negatives spread evenly over the nine other animals: 111 each, one gets 112.
    assert sorted(np.delete(negative_counts, CAT).tolist()) == [111] * 8 + [112]
    assert not set(train.tolist()) & set(test.tolist())


def test_tensors_are_the_split_images_scaled_to_unit_range():
    (train, train_labels), _ = classification_split(["dog"], seed=4)
    data = load_task_data("dog", "classification", seed=4)
    expected = torch.from_numpy(load_animal_mnist()[0][train]).float().unsqueeze(1) / 255.0
    torch.testing.assert_close(data.train.tensors[0], expected, rtol=0, atol=0)
    torch.testing.assert_close(data.train.tensors[1], torch.from_numpy(train_labels).float(), rtol=0, atol=0)


def test_same_seed_gives_the_same_data_and_another_seed_other_data():
    first = load_task_data("cow", "classification", seed=3)
    again = load_task_data("cow", "classification", seed=3)
    other = load_task_data("cow", "classification", seed=4)
    for mine, theirs in zip(first.test.tensors, again.test.tensors, strict=True):
        torch.testing.assert_close(mine, theirs, rtol=0, atol=0)
    assert not torch.equal(first.test.tensors[0], other.test.tensors[0])


def test_a_set_of_categories_labels_any_member_positive_and_draws_negatives_outside():
    chosen = ("cat", "dog", "horse")
    (train, labels), (test, test_labels) = classification_split(chosen, seed=0)
    positive_labels = _labels_of(np.concatenate([train[labels == 1], test[test_labels == 1]]))
    negative_labels = _labels_of(np.concatenate([train[labels == 0], test[test_labels == 0]]))
    members = {CATEGORIES.index(name) for name in chosen}
    assert set(positive_labels.tolist()) == members
    assert not set(negative_labels.tolist()) & members
    assert len(positive_labels) == len(negative_labels) == 3000  # 1000 * min(3, 7) per side
    assert len(test) == 1200


def test_the_order_of_a_category_set_does_not_matter():
    first = load_task_data(("dog", "cat"), "classification", seed=1)
    second = load_task_data(["cat", "dog"], "classification", seed=1)
    torch.testing.assert_close(first.train.tensors[0], second.train.tensors[0], rtol=0, atol=0)


def test_a_set_of_one_is_the_single_category_problem():
    single = load_task_data("sheep", Task.CLASSIFICATION, seed=2)
    as_set = load_task_data(["sheep"], "classification", seed=2)
    torch.testing.assert_close(single.test.tensors[0], as_set.test.tensors[0], rtol=0, atol=0)


def test_leave_one_out_uses_every_other_animal():
    chosen = leave_one_out("cat")
    assert chosen == ("bear", "bird", "cow", "dog", "elephant", "giraffe", "horse", "sheep", "zebra")
    assert leave_one_out("cat", pool=("cow", "cat", "dog")) == ("cow", "dog")
    (train, labels), _ = classification_split(chosen, seed=0)
    # Nine members leave only the cat to supply negatives.
    assert set(_labels_of(train[labels == 0]).tolist()) == {CAT}
    assert len(train) == 1600


def test_classification_needs_a_category_outside_the_set():
    with pytest.raises(ValueError, match="outside the set"):
        load_task_data(CATEGORIES, "classification")


def test_unknown_category_or_task_names_the_valid_choices():
    with pytest.raises(ValueError, match="bear, bird, cat"):
        load_task_data("unicorn", "classification")
    with pytest.raises(ValueError, match="classification, segmentation"):
        load_task_data("cat", "detection")
    with pytest.raises(ValueError, match="only once"):
        load_task_data(["cat", "cat"], "classification")
    with pytest.raises(ValueError, match="seed"):
        load_task_data("cat", "classification", seed=-1)


def test_limit_train_keeps_a_balanced_part_of_the_training_set():
    full = load_task_data("horse", "classification", seed=0)
    limited = load_task_data("horse", "classification", seed=0, limit_train=101)
    images, labels = limited.train.tensors
    assert len(labels) == 101 and int(labels.sum()) == 50
    torch.testing.assert_close(limited.test.tensors[0], full.test.tensors[0], rtol=0, atol=0)
    full_rows = {row.numpy().tobytes() for row in full.train.tensors[0]}
    assert all(row.numpy().tobytes() in full_rows for row in images)


def test_segmentation_data_has_the_documented_form():
    data = load_task_data("bird", "segmentation", seed=0, limit_train=40)
    images, masks = data.train.tensors
    assert data.task == "segmentation"
    assert images.shape == (40, 1, 64, 64) and images.dtype == torch.float32
    assert masks.shape == (40, 64, 64) and masks.dtype == torch.int64
    assert set(masks.unique().tolist()) == {0, 1}
    assert data.test.tensors[0].shape == (200, 1, 64, 64)


def test_segmentation_holds_out_a_fifth_of_each_category():
    train, test = segmentation_split(["cat", "zebra"], seed=0)
    assert len(train) == 1600 and len(test) == 400
    assert np.bincount(_labels_of(test), minlength=10)[[CAT, CATEGORIES.index("zebra")]].tolist() == [
        200,
        200,
    ]
    assert not set(train.tolist()) & set(test.tolist())


def test_segmentation_tensors_are_copies_of_the_cache():
    data = load_task_data("bird", "segmentation", seed=0, limit_train=40)
    data.train.tensors[0].zero_()
    again = load_task_data("bird", "segmentation", seed=0, limit_train=40)
    assert float(again.train.tensors[0].sum()) > 0


@pytest.fixture(scope="module")
def cat_train():
    return load_task_data("cat", "classification", seed=0).train


def _rows(dataset) -> set[bytes]:
    return {row.numpy().tobytes() for row in dataset.tensors[0]}


def test_labelled_subsets_are_balanced(cat_train):
    for n in (10, 20, 51, 100):
        labels = labelled_subset(cat_train, n, seed=0).tensors[1]
        assert len(labels) == n and int(labels.sum()) == n // 2


def test_labelled_subsets_are_nested_for_one_seed(cat_train):
    ten, twenty, hundred = (_rows(labelled_subset(cat_train, n, seed=5)) for n in (10, 20, 100))
    assert ten <= twenty <= hundred
    assert _rows(labelled_subset(cat_train, 20, seed=6)) != twenty


def test_zero_samples_give_an_empty_set_of_the_right_shape(cat_train):
    images, labels = labelled_subset(cat_train, 0, seed=0).tensors
    assert images.shape == (0, 1, 28, 28) and labels.shape == (0,)


def test_too_many_or_negative_samples_are_refused(cat_train):
    with pytest.raises(ValueError, match="at most 1600"):
        labelled_subset(cat_train, 1602, seed=0)
    with pytest.raises(ValueError, match="0 or more"):
        labelled_subset(cat_train, -1, seed=0)


def test_segmentation_subsets_are_nested():
    train = load_task_data("cow", "segmentation", seed=0, limit_train=60).train
    small, large = labelled_subset(train, 5, seed=1), labelled_subset(train, 30, seed=1)
    assert small.tensors[1].shape == (5, 64, 64)
    assert _rows(small) <= _rows(large)


def test_unlabelled_images_are_seeded_nested_images(cat_train):
    few, more = unlabelled_images(cat_train, 8, seed=2), unlabelled_images(cat_train, 32, seed=2)
    assert few.shape == (8, 1, 28, 28)
    assert {row.numpy().tobytes() for row in few} <= {row.numpy().tobytes() for row in more}
    torch.testing.assert_close(unlabelled_images(cat_train, 8, seed=2), few, rtol=0, atol=0)
