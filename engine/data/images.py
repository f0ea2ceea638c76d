"""Safe decoding of image and mask files with Pillow, for data sets that users bring.

Every file is opened as untrusted: its pixel count is checked against a cap before any pixel is
decoded (a small PNG can claim to be 100,000 x 100,000), Pillow's own decompression-bomb warning
is raised as an error instead of printed, and a file that does not fully decode is refused. Only
PNG and JPEG are read. Errors are `DatasetError`s that name the file and the rule it broke.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageOps, UnidentifiedImageError

from engine.errors import DatasetError

MAX_IMAGE_PIXELS = 4096 * 4096  # the default cap on width x height of one image (16.8 megapixels)
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
MASK_SUFFIXES = (".png",)
_FORMATS = {"PNG", "JPEG"}
VOC_VOID_INDEX = 255  # VOC palette masks mark object boundaries "void" with index 255


def _open_checked(path: Path, max_pixels: int) -> Image.Image:
    """Open `path`, check its format and size, decode all of it; the caller closes the image."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(path)
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            raise DatasetError(
                f"{path}: the image is a decompression bomb (far more pixels than its file size "
                f"suggests); images may have at most {max_pixels} pixels"
            ) from None
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as error:
            raise DatasetError(
                f"{path}: not an image Pillow can read ({error}); give PNG or JPEG files"
            ) from None
        try:
            if image.format not in _FORMATS:
                raise DatasetError(f"{path}: a {image.format or 'unknown'} image; only PNG and JPEG are read")
            if image.width * image.height > max_pixels:
                raise DatasetError(
                    f"{path}: the image is {image.width}x{image.height} pixels, more than the "
                    f"{max_pixels} allowed (a decompression bomb, or too large); scale it down"
                )
            image.load()
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            image.close()
            raise DatasetError(
                f"{path}: the image is a decompression bomb; images may have at most {max_pixels} pixels"
            ) from None
        except (OSError, ValueError, SyntaxError, EOFError) as error:
            image.close()
            raise DatasetError(
                f"{path}: the image does not decode ({error}); the file is truncated or corrupt"
            ) from None
        except DatasetError:
            image.close()
            raise
    return image


def image_size(path: Path, *, max_pixels: int = MAX_IMAGE_PIXELS) -> tuple[tuple[int, int], int]:
    """Decode an image fully (to prove it is whole) and return ``((height, width), channels)``.

    `channels` is 1 for grey-scale files and 3 for colour ones (palette images count by their colours).
    """
    with _open_checked(path, max_pixels) as image:
        upright = ImageOps.exif_transpose(image)
        channels = 1 if upright.mode in ("1", "L", "LA", "I", "I;16", "F") else 3
        if upright.mode == "P":
            channels = 1 if _palette_is_grey(upright) else 3
        return (upright.height, upright.width), channels


def _palette_is_grey(image: Image.Image) -> bool:
    rgb = np.asarray(image.convert("RGB"))
    return bool((rgb[..., 0] == rgb[..., 1]).all() and (rgb[..., 1] == rgb[..., 2]).all())


def read_image(
    path: Path, *, channels: int, size: tuple[int, int], max_pixels: int = MAX_IMAGE_PIXELS
) -> torch.Tensor:
    """Decode an image, turn it upright (EXIF), convert it to `channels` and resize it bilinearly.

    Args:
        path: a PNG or JPEG file.
        channels: 1 (grey, Pillow's "L") or 3 (RGB).
        size: ``(height, width)`` to resize to.
        max_pixels: the cap on the file's width x height.

    Returns:
        float32 ``(channels, height, width)`` in [0, 1].

    Raises:
        DatasetError: not an image, not PNG/JPEG, too many pixels, or it does not decode.
    """
    return read_image_and_size(path, channels=channels, size=size, max_pixels=max_pixels)[0]


def read_image_and_size(
    path: Path, *, channels: int, size: tuple[int, int], max_pixels: int = MAX_IMAGE_PIXELS
) -> tuple[torch.Tensor, tuple[int, int]]:
    """`read_image`, plus the upright image's own ``(height, width)`` before resizing."""
    if channels not in (1, 3):
        raise ValueError(f"channels must be 1 (grey) or 3 (RGB), got {channels}")
    with _open_checked(path, max_pixels) as image:
        upright = ImageOps.exif_transpose(image)
        original = (upright.height, upright.width)
        converted = upright.convert("L" if channels == 1 else "RGB")
        resized = converted.resize((size[1], size[0]), Image.Resampling.BILINEAR)
        array = np.asarray(resized, dtype=np.float32) / 255.0  # (H, W) or (H, W, 3)
    tensor = torch.from_numpy(array.copy())
    return (tensor[None] if channels == 1 else tensor.permute(2, 0, 1)), original  # (C, H, W)


def mask_values(path: Path, *, max_pixels: int = MAX_IMAGE_PIXELS) -> np.ndarray:
    """A mask's values at its own size: palette PNGs through their indices, others as grey levels.

    Returns:
        uint8 or larger integer ``(height, width)``; 0 is background. For a palette PNG the VOC
        "void" index 255 is background too (it marks object outlines, not the category); for a grey
        or colour mask any non-zero value (any non-zero channel) is the category.
    """
    if path.suffix.lower() not in MASK_SUFFIXES:
        raise DatasetError(f"{path}: masks must be PNG files (a JPEG's compression blurs the mask's values)")
    with _open_checked(path, max_pixels) as image:
        if image.mode == "P":
            indices = np.asarray(image).copy()  # the palette's indices, not its colours
            indices[indices == VOC_VOID_INDEX] = 0
            return indices
        if image.mode in ("RGB", "RGBA", "LA", "PA"):
            colour = np.asarray(image.convert("RGB"))
            return colour.max(axis=2)  # any non-zero channel marks the category
        return np.asarray(image).copy()


def mask_tensor(values: np.ndarray, *, size: tuple[int, int]) -> torch.Tensor:
    """Foreground (non-zero) as 1, resized with nearest-neighbour so no value is invented.

    Returns:
        int64 ``(height, width)`` in {0, 1}.
    """
    binary = Image.fromarray((values != 0).astype(np.uint8) * 255)
    resized = binary.resize((size[1], size[0]), Image.Resampling.NEAREST)
    return torch.from_numpy((np.asarray(resized) > 0).astype(np.int64))  # (H, W)


def mask_size(values: np.ndarray) -> tuple[int, int]:
    return int(values.shape[0]), int(values.shape[1])
