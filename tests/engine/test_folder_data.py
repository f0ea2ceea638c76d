"""Task data from a folder of the user's own images: layouts, splits, decoding and every refusal."""

from pathlib import Path

import numpy as np
import pytest
import torch
from folder_trees import animal_images, write_class_folders, write_mask_folders
from PIL import Image

from engine import DatasetError, Manifest, StoredModule, Task, TeacherConfig, labelled_subset, train_teacher
from engine.data import (
    DataOrigin,
    folder_sha256,
    load_folder_data,
    native_input_shape,
    path_input_shape,
    scan_folder,
    with_data_origin,
)
from engine.data.folder import even_quotas

MINI_CLASSIFIER = (1, 28, 28)
MINI_SEGMENTER = (1, 64, 64)


def content_classes(root: Path, shape: tuple[int, int, int]) -> dict[bytes, str]:
    """Each file's pixels (as the loader returns them) -> its class folder, to trace loaded images back."""
    found = {}
    for folder in root.iterdir():
        for path in folder.iterdir():
            data = load_pixels(path, shape)
            found[data.numpy().tobytes()] = folder.name
    return found


def load_pixels(path: Path, shape: tuple[int, int, int]) -> torch.Tensor:
    from engine.data.images import read_image

    return read_image(path, channels=shape[0], size=shape[1:])


@pytest.fixture
def forklifts(tmp_path):
    """A new category, "forklift", against two other classes of different sizes."""
    return write_class_folders(
        tmp_path / "forklifts", {"forklift": ("cat", 30), "pallet": ("cow", 5), "person": ("dog", 40)}
    )


def traced(dataset, owners: dict[bytes, str]) -> list[str]:
    return [owners[image.numpy().tobytes()] for image in dataset.tensors[0]]


def test_classification_positives_are_the_category_folder_and_sides_are_balanced(forklifts):
    data = load_folder_data(forklifts, "forklift", "classification", input_shape=MINI_CLASSIFIER)
    owners = content_classes(forklifts, MINI_CLASSIFIER)
    for split, size in ((data.train, 24), (data.test, 6)):
        images, labels = split.tensors
        assert images.shape == (2 * size, 1, 28, 28) and images.dtype == torch.float32
        assert labels.dtype == torch.float32 and int(labels.sum()) == size  # balanced
        classes = traced(split, owners)
        assert all(
            (name == "forklift") == bool(label) for name, label in zip(classes, labels.tolist(), strict=True)
        )
    # 30 forklifts against 45 others: side 30; all 5 pallets, 25 people (as even as the folders allow)
    negatives = [
        name for split in (data.train, data.test) for name in traced(split, owners) if name != "forklift"
    ]
    assert sorted(set(negatives)) == ["pallet", "person"] and negatives.count("pallet") == 5
    # no image is in both splits
    train_bytes = {image.numpy().tobytes() for image in data.train.tensors[0]}
    assert not train_bytes & {image.numpy().tobytes() for image in data.test.tensors[0]}


def test_extra_positives_are_left_out_to_keep_the_sides_equal(tmp_path):
    root = write_class_folders(tmp_path / "d", {"forklift": ("cat", 40), "other": ("dog", 10)})
    data = load_folder_data(root, "forklift", "classification", input_shape=MINI_CLASSIFIER)
    labels = torch.cat([data.train.tensors[1], data.test.tensors[1]])
    assert len(labels) == 20 and int(labels.sum()) == 10


def test_even_quotas_fill_small_classes_and_share_the_rest():
    rng = np.random.default_rng(0)
    quotas = even_quotas([5, 40, 40], 30, np.random.default_rng(1))
    assert quotas[0] == 5 and sorted(quotas[1:].tolist()) == [12, 13]
    assert even_quotas([3, 3], 6, rng).tolist() == [3, 3]


def test_the_split_depends_on_the_seed_and_not_on_the_order_files_are_listed(forklifts, monkeypatch):
    first = load_folder_data(forklifts, "forklift", "classification", seed=3, input_shape=MINI_CLASSIFIER)
    other_seed = load_folder_data(
        forklifts, "forklift", "classification", seed=4, input_shape=MINI_CLASSIFIER
    )
    original = Path.iterdir
    monkeypatch.setattr(Path, "iterdir", lambda self: iter(reversed(list(original(self)))))
    reversed_listing = load_folder_data(
        forklifts, "forklift", "classification", seed=3, input_shape=MINI_CLASSIFIER
    )
    for a, b in zip(
        first.train.tensors + first.test.tensors,
        reversed_listing.train.tensors + reversed_listing.test.tensors,
        strict=True,
    ):
        torch.testing.assert_close(a, b, rtol=0, atol=0)
    assert not torch.equal(first.test.tensors[0], other_seed.test.tensors[0])


def test_labelled_subsets_of_folder_data_are_balanced_and_nested(forklifts):
    data = load_folder_data(forklifts, "forklift", "classification", input_shape=MINI_CLASSIFIER)
    ten, twenty = (labelled_subset(data.train, n, seed=5) for n in (10, 20))
    assert int(ten.tensors[1].sum()) == 5 and int(twenty.tensors[1].sum()) == 10
    twenty_bytes = {image.numpy().tobytes() for image in twenty.tensors[0]}
    assert all(image.numpy().tobytes() in twenty_bytes for image in ten.tensors[0])


def test_limit_train_keeps_a_balanced_prefix_and_leaves_the_test_split(forklifts):
    full = load_folder_data(forklifts, "forklift", "classification", input_shape=MINI_CLASSIFIER)
    limited = load_folder_data(
        forklifts, "forklift", "classification", input_shape=MINI_CLASSIFIER, limit_train=8
    )
    assert len(limited.train) == 8 and int(limited.train.tensors[1].sum()) == 4
    torch.testing.assert_close(limited.test.tensors[0], full.test.tensors[0], rtol=0, atol=0)


def test_rgb_images_are_converted_to_the_modules_channels_and_resized(tmp_path):
    root = tmp_path / "colour"
    for name, colour in (("red", (200, 10, 10)), ("blue", (10, 10, 200))):
        (root / name).mkdir(parents=True)
        for i in range(4):
            pixels = np.zeros((30, 50, 3), np.uint8)
            pixels[:, : 25 + i] = colour  # left part coloured, right part black
            Image.fromarray(pixels).save(root / name / f"{i}.png")
    grey = load_folder_data(root, "red", "classification", input_shape=(1, 28, 28))
    assert grey.train.tensors[0].shape[1:] == (1, 28, 28)
    expected = Image.fromarray(np.asarray(Image.open(next((root / "red").iterdir())).convert("L")))
    assert grey.train.tensors[0].max() == pytest.approx(np.asarray(expected).max() / 255, abs=1e-6)
    colour = load_folder_data(root, "red", "classification", input_shape=(3, 16, 24))
    images, labels = colour.train.tensors
    assert images.shape[1:] == (3, 16, 24)
    reds = images[labels == 1]
    assert float(reds[:, 0, :, :4].mean()) == pytest.approx(200 / 255, abs=1e-3)  # red stays in channel 0
    assert float(reds[:, 2, :, :4].mean()) == pytest.approx(10 / 255, abs=1e-3)


def test_a_jpeg_with_an_exif_rotation_is_read_upright(tmp_path):
    root = tmp_path / "photos"
    for name in ("a", "b"):
        (root / name).mkdir(parents=True)
        for i in range(2):
            pixels = np.zeros((20, 40), np.uint8)
            pixels[:, :20] = 255  # white on the left, as stored
            exif = Image.Exif()
            exif[0x0112] = 6  # "rotate 90 degrees clockwise to display"
            Image.fromarray(pixels).save(root / name / f"{i}.jpg", exif=exif, quality=95)
    summary = scan_folder(root, "classification")
    assert summary.image_sizes == ((40, 20),)  # (height, width) once upright
    images = load_folder_data(root, "a", "classification", input_shape=(1, 40, 20)).test.tensors[0]
    assert float(images[0, 0, :15].mean()) > 0.9 and float(images[0, 0, 25:].mean()) < 0.1  # white now on top


def test_segmentation_pairs_masks_with_images_and_resizes_masks_without_new_values(tmp_path):
    root = write_mask_folders(tmp_path / "scenes", 10)
    data = load_folder_data(root, "forklift", "segmentation", input_shape=MINI_SEGMENTER)
    images, masks = data.train.tensors
    assert images.shape == (8, 1, 64, 64) and masks.shape == (8, 64, 64) and masks.dtype == torch.int64
    assert set(masks.unique().tolist()) == {0, 1} and len(data.test) == 2
    # each mask covers its own image's silhouette: bright pixels and foreground agree almost everywhere
    agreement = ((images[:, 0] > 0.25) == (masks == 1)).float().mean()
    assert agreement > 0.95


def test_a_palette_mask_is_read_through_its_indices_not_its_colours(tmp_path):
    root = tmp_path / "voc"
    (root / "images").mkdir(parents=True)
    (root / "masks").mkdir()
    for i in range(3):
        Image.fromarray(np.full((8, 8, 3), 90, np.uint8)).save(root / "images" / f"{i}.jpg")
        indices = np.zeros((8, 8), np.uint8)
        indices[:4, :4] = 12  # VOC's "dog": drawn in a dark colour
        indices[4, :] = 255  # VOC's void outline
        mask = Image.fromarray(indices, mode="P")
        palette = [255, 255, 255] + [0, 0, 0] * 255  # background white, every other index black
        mask.putpalette(palette)
        mask.save(root / "masks" / f"{i}.png")
    data = load_folder_data(root, "dog", "segmentation", input_shape=(3, 8, 8))
    expected = torch.zeros(8, 8, dtype=torch.int64)
    expected[:4, :4] = 1
    for mask in torch.cat([data.train.tensors[1], data.test.tensors[1]]):
        torch.testing.assert_close(mask, expected, rtol=0, atol=0)


def test_scan_summarises_classes_sizes_channels_and_split_counts(forklifts):
    summary = scan_folder(forklifts, "classification")
    assert summary.classes == ("forklift", "pallet", "person")
    assert summary.counts == {"forklift": 30, "pallet": 5, "person": 40}
    assert summary.image_sizes == ((28, 28),) and summary.channels == 1
    counts = summary.split_counts("forklift")
    data = load_folder_data(forklifts, "forklift", "classification", input_shape=MINI_CLASSIFIER)
    assert counts == {"train": {"forklift": 24, "other": 24}, "test": {"forklift": 6, "other": 6}}
    assert sum(counts["train"].values()) == len(data.train) and sum(counts["test"].values()) == len(data.test)


def test_scan_of_a_mask_set_reports_its_foreground(tmp_path):
    summary = scan_folder(write_mask_folders(tmp_path / "scenes", 6), "segmentation")
    assert summary.counts == {"images": 6} and summary.classes == () and summary.channels == 3
    assert 0.05 < summary.foreground_fraction < 0.6
    assert summary.split_counts() == {"train": {"images": 5}, "test": {"images": 1}}


def test_hidden_files_are_ignored_and_a_wrapping_folder_is_stepped_into(tmp_path, forklifts):
    plain = folder_sha256(forklifts, "classification")
    wrapped = tmp_path / "upload" / "my-data"
    wrapped.parent.mkdir()
    forklifts.rename(wrapped)
    (wrapped / "forklift" / ".DS_Store").write_bytes(b"junk")
    (tmp_path / "upload" / "__MACOSX").mkdir()
    summary = scan_folder(tmp_path / "upload", "classification")
    assert summary.root == wrapped and summary.sha256 == plain
    assert summary.origin == DataOrigin("my-data", plain)


def test_the_contents_digest_changes_with_any_file(forklifts):
    before = folder_sha256(forklifts, "classification")
    path = next((forklifts / "pallet").iterdir())
    Image.fromarray(animal_images("zebra", 1)[0]).save(path)
    assert folder_sha256(forklifts, "classification") != before


def test_with_data_origin_records_the_folder_in_the_lineage():
    module = StoredModule(
        Manifest(
            kind="category",
            name="m",
            architecture="vgg-mini",
            category="forklift",
            input_shape=(1, 28, 28),
            output_shape=(16, 14, 14),
        ),
        torch.nn.Identity(),
    )
    recorded = with_data_origin(module, DataOrigin("forklifts", "ab" * 32))
    assert recorded.manifest.parents == ({"role": "data", "sha256": "ab" * 32, "name": "forklifts"},)
    assert Manifest.from_json(recorded.manifest.to_json()).parents == recorded.manifest.parents
    again = with_data_origin(recorded, DataOrigin("forklifts-v2", "cd" * 32))
    assert [p["name"] for p in again.manifest.parents] == ["forklifts-v2"]  # one data entry, the latest


def test_native_and_path_input_shapes():
    assert native_input_shape("vgg-mini", "classification") == (1, 28, 28)
    assert native_input_shape("vgg-mini", "segmentation") == (1, 64, 64)
    assert native_input_shape("vgg16", "classification") == (3, 224, 224)
    category = Manifest(
        kind="category",
        name="c",
        architecture="vgg-mini",
        category="cat",
        input_shape=(1, 28, 28),
        output_shape=(16, 14, 14),
    )
    segmenter = Manifest(
        kind="task",
        name="t",
        architecture="vgg-mini",
        task="segmentation",
        input_shape=(16, 32, 32),
        output_shape=(2, 64, 64),
    )
    assert path_input_shape(category, segmenter) == (1, 64, 64)


def test_a_teacher_trains_on_a_new_category_from_a_folder(forklifts):
    data = load_folder_data(forklifts, "forklift", "classification", input_shape=MINI_CLASSIFIER)
    result = train_teacher(
        TeacherConfig(category="forklift", epochs=1, device="cpu"), data={Task.CLASSIFICATION: data}
    )
    assert result.category.manifest.category == "forklift"
    assert 0 <= result.metrics["classification"]["error"] <= 100


# --- refusals: each names the file and the rule -------------------------------------------------------


def refusal(root: Path, task: str = "classification", **kwargs) -> str:
    with pytest.raises(DatasetError) as error:
        scan_folder(root, task, **kwargs)
    return str(error.value)


def test_a_file_that_is_not_an_image_is_refused_by_name(forklifts):
    (forklifts / "pallet" / "notes.txt").write_text("not a picture")
    message = refusal(forklifts)
    assert "notes.txt" in message and "not an image file" in message


def test_a_png_named_file_that_is_not_an_image_is_refused(forklifts):
    (forklifts / "pallet" / "fake.png").write_bytes(b"#!/bin/sh\necho hello\n")
    message = refusal(forklifts)
    assert "fake.png" in message and "not an image Pillow can read" in message


def test_a_truncated_image_does_not_decode(forklifts):
    path = forklifts / "person" / "person-000.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (200, 200), dtype=np.uint8)).save(path)
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
    message = refusal(forklifts)
    assert "person-000.png" in message and "does not decode" in message


def test_a_gif_is_refused_even_with_a_png_name(forklifts):
    Image.new("L", (8, 8)).save(forklifts / "pallet" / "moving.png", format="GIF")
    message = refusal(forklifts)
    assert "moving.png" in message and "only PNG and JPEG" in message


def test_a_decompression_bomb_is_an_error_not_a_warning(forklifts):
    Image.new("L", (5000, 4000)).save(forklifts / "pallet" / "bomb.png")  # a few kB, 20 megapixels
    message = refusal(forklifts)
    assert "bomb.png" in message and "5000x4000" in message and "decompression bomb" in message


def test_pillows_own_bomb_warning_is_raised_as_an_error(forklifts, monkeypatch):
    Image.new("L", (250, 250)).save(forklifts / "pallet" / "big.png")  # 62,500 pixels: a warning
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 50_000)  # Pillow warns above this, errors above twice it
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing may be merely printed
        message = refusal(forklifts, max_pixels=10**9)
    assert "big.png" in message and "decompression bomb" in message


def test_fewer_than_two_classes_is_refused(tmp_path):
    root = write_class_folders(tmp_path / "one", {"forklift": ("cat", 5)})
    assert "at least two class folders" in refusal(root)


def test_an_empty_class_folder_and_a_loose_file_are_refused(forklifts):
    (forklifts / "empty").mkdir()
    assert "empty" in refusal(forklifts) and "holds no image" in refusal(forklifts)
    (forklifts / "empty").rmdir()
    (forklifts / "loose.png").write_bytes((forklifts / "pallet" / "pallet-000.png").read_bytes())
    assert "loose.png" in refusal(forklifts) and "outside the class folders" in refusal(forklifts)


def test_a_link_is_refused(forklifts):
    (forklifts / "pallet" / "link.png").symlink_to(forklifts / "person" / "person-000.png")
    assert "link.png" in refusal(forklifts) and "links are not allowed" in refusal(forklifts)


def test_a_mask_without_its_image_and_an_image_without_its_mask_are_refused(tmp_path):
    root = write_mask_folders(tmp_path / "scenes", 3)
    (root / "images" / "s1.png").rename(root / "images" / "renamed.png")
    message = refusal(root, "segmentation")
    assert "s1.png" in message and "a mask without an image" in message
    (root / "masks" / "s1.png").unlink()
    assert "renamed.png" in refusal(root, "segmentation") and "without a mask" in refusal(
        root, "segmentation"
    )


def test_a_mask_of_another_size_is_refused(tmp_path):
    root = write_mask_folders(tmp_path / "scenes", 3)
    Image.new("L", (41, 40)).save(root / "masks" / "s2.png")
    message = refusal(root, "segmentation")
    assert "s2.png" in message and "41x40" in message and "its image's size" in message


def test_a_jpeg_mask_is_refused(tmp_path):
    root = write_mask_folders(tmp_path / "scenes", 3)
    Image.new("L", (40, 40)).save(root / "masks" / "s3.jpg")
    assert "s3.jpg" in refusal(root, "segmentation")


def test_an_empty_mask_set_and_all_background_masks_are_refused(tmp_path):
    root = tmp_path / "empty"
    (root / "images").mkdir(parents=True)
    (root / "masks").mkdir()
    assert "the mask set is empty" in refusal(root, "segmentation")
    root = write_mask_folders(tmp_path / "blank", 3)
    for path in (root / "masks").iterdir():
        Image.new("L", (40, 40)).save(path)
    assert "no mask marks any pixel" in refusal(root, "segmentation")


def test_a_category_that_is_not_a_class_folder_is_refused_with_the_choices(forklifts):
    with pytest.raises(DatasetError, match="one of the folders: forklift, pallet, person"):
        load_folder_data(forklifts, "crane", "classification", input_shape=MINI_CLASSIFIER)


def test_too_few_images_to_split_is_refused(tmp_path):
    root = write_class_folders(tmp_path / "tiny", {"forklift": ("cat", 1), "other": ("dog", 3)})
    with pytest.raises(DatasetError, match="too few images to split"):
        load_folder_data(root, "forklift", "classification", input_shape=MINI_CLASSIFIER)


def test_bad_arguments_are_value_errors(forklifts):
    for kwargs in (
        {"input_shape": (2, 28, 28)},
        {"input_shape": MINI_CLASSIFIER, "test_fraction": 1.0},
        {"input_shape": MINI_CLASSIFIER, "seed": -1},
        {"input_shape": MINI_CLASSIFIER, "limit_train": 0},
    ):
        with pytest.raises(ValueError):
            load_folder_data(forklifts, "forklift", "classification", **kwargs)
    with pytest.raises(DatasetError, match="is not a folder"):
        scan_folder(forklifts / "missing", "classification")
