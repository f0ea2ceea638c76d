"""Segmentation scenes: an Animal-MNIST silhouette on a cluttered 64x64 background.

A silhouette on black could be segmented by a threshold. Here the animal is drawn with a random
brightness above or below a smooth random background whose intensities overlap the animal's, and
the background carries clutter that is not in the mask: strokes, blobs and fragments of other
animals' silhouettes drawn in the animal's own brightness. The animal is pasted last, so the mask
(its resized silhouette > 127) is exactly what is visible of it.

Each scene depends only on (image index, seed), so any subset of scenes can be built alone and
comes out identical to the same scenes built as part of a larger set.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np
from PIL import Image, ImageDraw

from engine.data.animal_mnist import IMAGE_SIZE, load_animal_mnist

SCENE_SIZE = 64
MIN_SCALE = 36  # silhouettes are resized to a random side in [MIN_SCALE, MAX_SCALE] pixels:
MAX_SCALE = 60  # large enough that the animal covers ~15% of the scene, so that labelling
# everything "background" scores ~85% pixel accuracy rather than ~90%.


@functools.lru_cache(maxsize=4)
def _upsampling_matrix(coarse: int, fine: int = SCENE_SIZE) -> np.ndarray:
    """Linear interpolation from `coarse` to `fine` samples, so a texture is U @ noise @ U.T."""
    positions = np.linspace(0.0, coarse - 1.0, fine)
    left = np.floor(positions).astype(int).clip(0, coarse - 2)
    weight = positions - left
    matrix = np.zeros((fine, coarse))
    matrix[np.arange(fine), left] = 1.0 - weight
    matrix[np.arange(fine), left + 1] = weight
    return matrix  # (fine, coarse)


def _smooth_texture(rng: np.random.Generator) -> np.ndarray:
    """A smooth random field in about [-1, 1]: coarse blotches plus finer mottling."""
    low = _upsampling_matrix(5)
    mid = _upsampling_matrix(12)
    field = 0.75 * (low @ rng.random((5, 5)) @ low.T) + 0.25 * (
        mid @ rng.random((12, 12)) @ mid.T
    )  # (64, 64)
    field -= field.min()
    return 2.0 * field / max(float(field.max()), 1e-6) - 1.0


def _paste(scene: np.ndarray, alpha: np.ndarray, value: np.ndarray | float, top: int, left: int) -> None:
    """Alpha-blend `value` into `scene` at (top, left), in place."""
    height, width = alpha.shape
    region = scene[top : top + height, left : left + width]
    region *= 1.0 - alpha
    region += alpha * (value if np.isscalar(value) else value[top : top + height, left : left + width])


def _draw_fragment(
    scene: np.ndarray,
    rng: np.random.Generator,
    images: np.ndarray,
    labels: np.ndarray,
    label: int,
    level: float,
) -> None:
    """Paste a crop of another animal's silhouette, in the animal's brightness, somewhere."""
    other = int(rng.integers(len(images)))
    while labels[other] == label:  # expected 1.1 draws: 9 of 10 images are other animals
        other = int(rng.integers(len(images)))
    height, width = (int(side) for side in rng.integers(10, 19, size=2))
    top = int(rng.integers(0, IMAGE_SIZE - height + 1))
    left = int(rng.integers(0, IMAGE_SIZE - width + 1))
    alpha = images[other, top : top + height, left : left + width].astype(np.float64) / 255.0
    if rng.random() < 0.5:
        alpha = alpha[:, ::-1]
    _paste(
        scene,
        alpha,
        level + rng.uniform(-0.08, 0.08),
        int(rng.integers(0, SCENE_SIZE - height + 1)),
        int(rng.integers(0, SCENE_SIZE - width + 1)),
    )


def _draw_stroke_or_blob(scene: np.ndarray, rng: np.random.Generator, level: float) -> None:
    """Draw a random polyline or ellipse; about half take the animal's brightness, to confuse."""
    canvas = Image.new("L", (SCENE_SIZE, SCENE_SIZE), 0)
    draw = ImageDraw.Draw(canvas)
    if rng.random() < 0.6:
        points = [
            tuple(int(v) for v in rng.integers(0, SCENE_SIZE, size=2)) for _ in range(int(rng.integers(2, 5)))
        ]
        draw.line(points, fill=255, width=int(rng.integers(1, 4)), joint="curve")
    else:
        centre = rng.integers(0, SCENE_SIZE, size=2)
        radii = rng.integers(2, 7, size=2)
        draw.ellipse([*(centre - radii).tolist(), *(centre + radii).tolist()], fill=255)
    value = level + rng.uniform(-0.1, 0.1) if rng.random() < 0.5 else rng.uniform(0.0, 1.0)
    _paste(scene, np.asarray(canvas, dtype=np.float64) / 255.0, value, 0, 0)


def render_scene(index: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Render the scene of one Animal-MNIST image.

    Args:
        index: the image's index in :func:`load_animal_mnist` (0 to 9999).
        seed: any non-negative integer; the same (index, seed) always gives the same scene.

    Returns:
        ``(image, mask)``: image float32 ``(64, 64)`` in [0, 1], mask int64 ``(64, 64)`` in {0, 1}
        (1 on the animal).
    """
    images, labels = load_animal_mnist()
    if not 0 <= index < len(images):
        raise ValueError(f"image index must lie in [0, {len(images)}), got {index}")
    rng = np.random.default_rng([seed, index])

    background_level = rng.uniform(0.25, 0.75)
    # The animal is brighter or darker than the background on average, but the background's own
    # variation (amplitude below) makes the two intensity ranges overlap, so no threshold works.
    contrast = rng.uniform(0.3, 0.45)
    sign = 1.0 if rng.random() < 0.5 else -1.0
    if not 0.05 <= background_level + sign * contrast <= 0.95:
        sign = -sign
    animal_level = background_level + sign * contrast
    scene = background_level + rng.uniform(0.15, 0.25) * _smooth_texture(rng)  # (64, 64)
    animal_texture = animal_level + 0.08 * _smooth_texture(rng)  # (64, 64)

    for _ in range(int(rng.integers(2, 5))):
        _draw_fragment(scene, rng, images, labels, int(labels[index]), animal_level)
    for _ in range(int(rng.integers(2, 6))):
        _draw_stroke_or_blob(scene, rng, animal_level)

    side = int(rng.integers(MIN_SCALE, MAX_SCALE + 1))
    silhouette = np.asarray(Image.fromarray(images[index]).resize((side, side), Image.Resampling.BILINEAR))
    if rng.random() < 0.5:
        silhouette = silhouette[:, ::-1]
    top, left = (int(v) for v in rng.integers(0, SCENE_SIZE - side + 1, size=2))
    _paste(scene, silhouette.astype(np.float64) / 255.0, animal_texture, top, left)
    mask = np.zeros((SCENE_SIZE, SCENE_SIZE), dtype=np.int64)
    mask[top : top + side, left : left + side] = silhouette > 127

    scene += rng.normal(0.0, 0.03, size=scene.shape)
    return np.clip(scene, 0.0, 1.0).astype(np.float32), mask


def build_scenes(indices: Sequence[int], *, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Render the scenes of several images (cached in-process by indices and seed).

    Args:
        indices: Animal-MNIST image indices.
        seed: non-negative scene seed.

    Returns:
        ``(images, masks)``: float32 ``(N, 64, 64)`` and uint8 ``(N, 64, 64)`` in {0, 1} (uint8
        keeps the cache small), read-only because cached arrays are shared between callers.
    """
    return _build_scenes_cached(tuple(int(index) for index in indices), seed)


@functools.lru_cache(maxsize=8)  # a teacher uses two entries (train, test); 1000 scenes take 20 MB
def _build_scenes_cached(indices: tuple[int, ...], seed: int) -> tuple[np.ndarray, np.ndarray]:
    images = np.empty((len(indices), SCENE_SIZE, SCENE_SIZE), dtype=np.float32)
    masks = np.empty((len(indices), SCENE_SIZE, SCENE_SIZE), dtype=np.uint8)
    for position, index in enumerate(indices):
        images[position], masks[position] = render_scene(index, seed)
    images.flags.writeable = False
    masks.flags.writeable = False
    return images, masks
