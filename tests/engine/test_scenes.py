"""Segmentation scenes: deterministic, cluttered, and not solvable by a threshold."""

from __future__ import annotations

import numpy as np
import pytest

from engine.data import CATEGORIES, load_animal_mnist
from engine.data.scenes import MAX_SCALE, MIN_SCALE, SCENE_SIZE, build_scenes, render_scene


@pytest.fixture(scope="module")
def cat_scenes() -> tuple[np.ndarray, np.ndarray]:
    _, labels = load_animal_mnist()
    return build_scenes(np.flatnonzero(labels == CATEGORIES.index("cat"))[:150], seed=0)


def test_a_scene_is_a_unit_range_image_with_a_binary_mask():
    image, mask = render_scene(2500, seed=0)
    assert image.shape == (SCENE_SIZE, SCENE_SIZE) and image.dtype == np.float32
    assert mask.shape == (SCENE_SIZE, SCENE_SIZE) and mask.dtype == np.int64
    assert 0.0 <= image.min() and image.max() <= 1.0
    assert set(np.unique(mask).tolist()) == {0, 1}


def test_a_scene_depends_only_on_its_index_and_seed():
    image, mask = render_scene(1234, seed=7)
    again_image, again_mask = render_scene(1234, seed=7)
    np.testing.assert_array_equal(image, again_image)
    np.testing.assert_array_equal(mask, again_mask)
    other_image, _ = render_scene(1234, seed=8)
    assert not np.array_equal(image, other_image)


def test_scenes_built_together_equal_scenes_built_alone():
    images, masks = build_scenes([10, 4000, 9999], seed=3)
    image, mask = render_scene(4000, seed=3)
    np.testing.assert_array_equal(images[1], image)
    np.testing.assert_array_equal(masks[1], mask)


def test_an_index_outside_the_data_set_is_refused():
    with pytest.raises(ValueError, match="image index"):
        render_scene(10000, seed=0)


def test_built_scenes_are_cached_and_read_only():
    first = build_scenes([1, 2, 3], seed=0)
    assert build_scenes((1, 2, 3), seed=0)[0] is first[0]
    with pytest.raises(ValueError):
        first[0][0, 0, 0] = 0.0


def test_the_mask_is_the_resized_silhouette():
    # The mask's area is the silhouette's area scaled by (side / 28)^2 for a side in [36, 60].
    images, _ = load_animal_mnist()
    for index in (5, 3005, 7005):
        _, mask = render_scene(index, seed=1)
        area = int((images[index] > 127).sum())
        assert area * (MIN_SCALE / 28) ** 2 * 0.85 <= mask.sum() <= area * (MAX_SCALE / 28) ** 2 * 1.15


def test_the_animal_is_the_visible_top_layer():
    # Inside the mask the scene shows the animal's own brightness, so it varies little compared
    # with the whole scene (the clutter and background underneath are hidden).
    for index in (100, 2100, 8100):
        image, mask = render_scene(index, seed=0)
        inside = image[mask == 1]
        assert inside.std() < 0.12
        assert abs(float(np.median(inside)) - float(np.median(image[mask == 0]))) > 0.15


def test_no_global_threshold_segments_the_scenes(cat_scenes):
    images, masks = cat_scenes
    foreground = masks == 1
    best_iou = 0.0
    for threshold in np.linspace(0.0, 1.0, 41):
        for predicted in (images > threshold, images < threshold):
            best_iou = max(best_iou, (predicted & foreground).sum() / (predicted | foreground).sum())
    assert best_iou < 0.35


def test_the_background_has_pixels_as_bright_as_the_animal(cat_scenes):
    # Clutter and texture outside the mask reach into the animal's intensity range in every scene.
    images, masks = cat_scenes
    for image, mask in zip(images, masks, strict=True):
        low, high = np.percentile(image[mask == 1], [10, 90])
        outside = image[mask == 0]
        assert ((outside >= low) & (outside <= high)).mean() > 0.002
