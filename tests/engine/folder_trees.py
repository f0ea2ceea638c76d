"""Small data folders for tests, written from Animal-MNIST images under new class names."""

from pathlib import Path

import numpy as np
from PIL import Image

from engine.data.animal_mnist import category_index, load_animal_mnist


def animal_images(category: str, count: int, offset: int = 0) -> np.ndarray:
    images, labels = load_animal_mnist()
    return images[
        np.flatnonzero(labels == category_index(category))[offset : offset + count]
    ]  # (count, 28, 28)


def write_class_folders(root: Path, classes: dict[str, tuple[str, int]], mode: str = "L") -> Path:
    """root/<class name>/<i>.png from Animal-MNIST images of another name: {"forklift": ("cat", 30)}."""
    for number, (name, (animal, count)) in enumerate(classes.items()):
        (root / name).mkdir(parents=True)
        for i, pixels in enumerate(animal_images(animal, count)):
            pixels = pixels.copy()
            pixels[0, :3] = (i % 256, i // 256, number + 1)  # a corner mark makes every file's pixels unique
            Image.fromarray(pixels).convert(mode).save(root / name / f"{name}-{i:03d}.png")
    return root


def write_mask_folders(root: Path, count: int, size: int = 40) -> Path:
    """images/<i>.png (RGB scenes) with masks/<i>.png: 1 where the animal's silhouette is."""
    (root / "images").mkdir(parents=True)
    (root / "masks").mkdir()
    for i, pixels in enumerate(animal_images("horse", count)):
        silhouette = np.asarray(Image.fromarray(pixels).resize((size, size), Image.Resampling.NEAREST))
        Image.fromarray(np.stack([silhouette, silhouette // 2, silhouette], axis=2)).save(
            root / "images" / f"s{i}.png"
        )
        Image.fromarray((silhouette > 127).astype(np.uint8)).save(root / "masks" / f"s{i}.png")
    return root
