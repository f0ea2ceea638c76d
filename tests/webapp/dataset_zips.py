"""Tiny dataset zips for the web tests: Animal-MNIST images written as PNGs under new class names."""

from __future__ import annotations

import io
import stat
import zipfile

import numpy as np
from PIL import Image

from engine.data.animal_mnist import category_index, load_animal_mnist


def animal_images(animal: str, count: int, offset: int = 0) -> np.ndarray:
    images, labels = load_animal_mnist()
    return images[np.flatnonzero(labels == category_index(animal))[offset : offset + count]]  # (N, 28, 28)


def png_bytes(pixels: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


def class_members(classes: dict[str, tuple[str, int]], wrapper: str = "") -> dict[str, bytes]:
    """``{"forklift": ("cat", 30)}`` -> zip members forklift/forklift-000.png ... (unique pixels each)."""
    members = {}
    for number, (name, (animal, count)) in enumerate(classes.items()):
        for i, pixels in enumerate(animal_images(animal, count)):
            pixels = pixels.copy()
            pixels[0, :2] = (i + 1, number + 1)
            members[f"{wrapper}{name}/{name}-{i:03d}.png"] = png_bytes(pixels)
    return members


def mask_members(count: int, mask_size: int | None = None) -> dict[str, bytes]:
    """images/s<i>.png with masks/s<i>.png (the silhouette); a mask of another size when asked."""
    members = {}
    for i, pixels in enumerate(animal_images("horse", count)):
        members[f"images/s{i}.png"] = png_bytes(pixels)
        mask = (pixels > 127).astype(np.uint8)
        if mask_size is not None and i == 0:
            mask = np.asarray(Image.fromarray(mask).resize((mask_size, mask_size)))
        members[f"masks/s{i}.png"] = png_bytes(mask)
    return members


def zip_bytes(
    members: dict[str, bytes],
    *,
    symlinks: dict[str, str] | None = None,
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        for name, target in (symlinks or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, target)
    return buffer.getvalue()


def decompression_bomb_png(side: int = 20_000) -> bytes:
    """A small PNG file whose header claims side x side pixels (all zero: it compresses to little)."""
    buffer = io.BytesIO()
    Image.new("1", (side, side)).save(buffer, format="PNG")
    return buffer.getvalue()


def forklift_zip(count: int = 30) -> bytes:
    """A two-class data set of a new category: forklift (cat images) against pallet (bird images)."""
    return zip_bytes(class_members({"forklift": ("cat", count), "pallet": ("bird", count)}))
