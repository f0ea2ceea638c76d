"""The Pascal VOC 2011 (+ SBD) loader, on tiny fake folder trees in the real layout."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from engine.data import VOC_CATEGORIES, load_voc_task_data
from engine.errors import DatasetError

CAT, DOG, VOID = VOC_CATEGORIES.index("cat") + 1, VOC_CATEGORIES.index("dog") + 1, 255
SIZE = 16


def _palette_png(mask: np.ndarray, path: Path) -> None:
    image = Image.fromarray(mask.astype(np.uint8), mode="P")
    image.putpalette([value for index in range(256) for value in (index, 255 - index, index // 2)])
    image.save(path)


def _mask(kind: str) -> np.ndarray:
    """A 20x24 mask: a cat block, a dog block, or both; void pixels around the cat as VOC has."""
    mask = np.zeros((20, 24), np.uint8)
    if kind in ("cat", "both"):
        mask[3:11, 3:11] = VOID
        mask[4:10, 4:10] = CAT
    if kind in ("dog", "both"):
        mask[12:18, 14:22] = DOG
    return mask


# Each image is one solid grey, so a test can tell which file a tensor came from.
TRAIN = {"2008_000001": "cat", "2008_000002": "dog", "2008_000003": "both", "2008_000004": "none",
         "2008_000005": "dog"}  # fmt: skip
VAL = {"2009_000001": "cat", "2009_000002": "dog", "2009_000003": "none", "2008_000001": "cat"}


_IDS = sorted({*TRAIN, *VAL, "2007_000010", "2007_000011"})


def _grey(image_id: str) -> int:
    return 30 + 20 * _IDS.index(image_id)  # 30, 50, ..., distinct after JPEG and resizing


def _write_voc(root: Path, train: dict[str, str] = TRAIN, val: dict[str, str] = VAL) -> Path:
    voc = root / "TrainVal" / "VOCdevkit" / "VOC2011"
    for folder in ("JPEGImages", "SegmentationClass", "ImageSets/Segmentation"):
        (voc / folder).mkdir(parents=True, exist_ok=True)
    for image_id, kind in {**train, **val}.items():
        Image.new("RGB", (24, 20), (_grey(image_id),) * 3).save(voc / "JPEGImages" / f"{image_id}.jpg")
        _palette_png(_mask(kind), voc / "SegmentationClass" / f"{image_id}.png")
    (voc / "ImageSets/Segmentation/train.txt").write_text("".join(f"{i}\n" for i in train))
    (voc / "ImageSets/Segmentation/val.txt").write_text("".join(f"{i}\n" for i in val))
    return root


def _mean_greys(images: torch.Tensor) -> list[int]:
    return sorted(round(float(image.mean()) * 255 / 10) * 10 for image in images)


def test_classification_is_the_category_against_other_images(tmp_path):
    data = load_voc_task_data(_write_voc(tmp_path), "cat", "classification", seed=0, image_size=SIZE)
    images, labels = data.train.tensors
    assert data.task == "classification"
    assert images.shape == (4, 3, SIZE, SIZE) and images.dtype == torch.float32
    assert labels.dtype == torch.float32 and int(labels.sum()) == 2  # balanced: 2 cats, 2 of the 3 others
    assert _mean_greys(images[labels == 1]) == [_grey("2008_000001"), _grey("2008_000003")]
    non_cats = {_grey(i) for i in ("2008_000002", "2008_000004", "2008_000005")}
    assert set(_mean_greys(images[labels == 0])) <= non_cats


def test_test_images_exclude_any_image_used_for_training(tmp_path):
    # 2008_000001 is in both lists; only the val-only cat remains a positive test image.
    data = load_voc_task_data(_write_voc(tmp_path), "cat", "classification", seed=0, image_size=SIZE)
    images, labels = data.test.tensors
    assert _mean_greys(images[labels == 1]) == [_grey("2009_000001")]
    assert len(labels) == 2


def test_segmentation_masks_are_the_category_pixels(tmp_path):
    data = load_voc_task_data(_write_voc(tmp_path), "dog", "segmentation", seed=0, image_size=24)
    images, masks = data.train.tensors
    assert images.shape == (3, 3, 24, 24) and masks.shape == (3, 24, 24) and masks.dtype == torch.int64
    expected = np.asarray(Image.fromarray(_mask("dog")).resize((24, 24), Image.Resampling.NEAREST)) == DOG
    for mask in masks:  # each of the three dog images has the same dog block
        torch.testing.assert_close(mask, torch.from_numpy(expected.astype(np.int64)), rtol=0, atol=0)


def test_void_pixels_count_as_rest(tmp_path):
    data = load_voc_task_data(_write_voc(tmp_path), "cat", "segmentation", seed=0, image_size=24)
    masks = data.train.tensors[1]
    assert set(masks.unique().tolist()) == {0, 1}
    resized = np.asarray(Image.fromarray(_mask("cat")).resize((24, 24), Image.Resampling.NEAREST))
    expected_area = int((resized == CAT).sum())
    assert [int(mask.sum()) for mask in masks] == [expected_area, expected_area]


def test_same_seed_gives_the_same_data(tmp_path):
    root = _write_voc(tmp_path)
    first = load_voc_task_data(root, "cat", "classification", seed=3, image_size=SIZE)
    again = load_voc_task_data(root, "cat", "classification", seed=3, image_size=SIZE)
    torch.testing.assert_close(first.train.tensors[0], again.train.tensors[0], rtol=0, atol=0)


def test_a_missing_folder_explains_the_expected_layout(tmp_path):
    with pytest.raises(DatasetError, match=r"TrainVal/VOCdevkit/VOC2011/.*JPEGImages.*SegmentationClass"):
        load_voc_task_data(tmp_path / "nowhere", "cat", "classification")


def test_a_missing_split_file_explains_the_expected_layout(tmp_path):
    root = _write_voc(tmp_path)
    (root / "TrainVal/VOCdevkit/VOC2011/ImageSets/Segmentation/val.txt").unlink()
    with pytest.raises(DatasetError, match="ImageSets/Segmentation/train.txt and val.txt"):
        load_voc_task_data(root, "cat", "classification")


def test_a_category_absent_from_a_split_is_reported(tmp_path):
    with pytest.raises(DatasetError, match="contain no horse"):
        load_voc_task_data(_write_voc(tmp_path), "horse", "classification")


def test_unknown_category_or_task_names_the_valid_choices(tmp_path):
    with pytest.raises(ValueError, match="aeroplane, bicycle"):
        load_voc_task_data(tmp_path, "unicorn", "classification")
    with pytest.raises(ValueError, match="classification, segmentation"):
        load_voc_task_data(tmp_path, "cat", "detection")


def _write_sbd(root: Path, train: dict[str, str]) -> None:
    sbd = root / "SBD"
    (sbd / "img").mkdir(parents=True)
    (sbd / "cls").mkdir()
    for image_id, kind in train.items():
        Image.new("RGB", (24, 20), (_grey(image_id),) * 3).save(sbd / "img" / f"{image_id}.jpg")
        with open(sbd / "cls" / f"{image_id}.mat", "wb") as file:
            np.save(file, _mask(kind))  # read back by the fake loadmat below
    (sbd / "train.txt").write_text("".join(f"{i}\n" for i in train))


def _fake_scipy(monkeypatch) -> None:
    """scipy is not an engine dependency; torchvision only needs scipy.io.loadmat from it."""

    def loadmat(path: str) -> dict:
        return {"GTcls": [{"Segmentation": [np.load(path)]}]}  # indexed as mat["GTcls"][0]["Segmentation"][0]

    scipy_io = types.ModuleType("scipy.io")
    scipy_io.loadmat = loadmat
    scipy = types.ModuleType("scipy")
    scipy.io = scipy_io
    monkeypatch.setitem(sys.modules, "scipy", scipy)
    monkeypatch.setitem(sys.modules, "scipy.io", scipy_io)


def test_sbd_replaces_voc_train_and_its_images_leave_the_test_set(tmp_path, monkeypatch):
    _fake_scipy(monkeypatch)
    root = _write_voc(tmp_path)
    _write_sbd(root, {"2007_000010": "cat", "2007_000011": "none", "2009_000001": "cat"})
    data = load_voc_task_data(root, "cat", "segmentation", seed=0, image_size=SIZE)
    assert _mean_greys(data.train.tensors[0]) == sorted([_grey("2007_000010"), _grey("2009_000001")])
    # Of VOC val's cats, 2009_000001 is now a training image; 2008_000001 is not in SBD train.
    assert _mean_greys(data.test.tensors[0]) == [_grey("2008_000001")]


def test_sbd_without_scipy_says_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "scipy", None)
    monkeypatch.setitem(sys.modules, "scipy.io", None)
    root = _write_voc(tmp_path)
    _write_sbd(root, {"2007_000010": "cat"})
    with pytest.raises(DatasetError, match="pip install scipy"):
        load_voc_task_data(root, "cat", "classification", image_size=SIZE)
