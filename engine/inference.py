"""Running images through a category -> (adapter) -> task path."""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image, UnidentifiedImageError

from engine.architectures import get_architecture
from engine.config import Task
from engine.data.images import MAX_IMAGE_PIXELS  # one cap for every image the engine decodes
from engine.errors import TransplantError
from engine.storage import StoredModule
from engine.student import Path, task_logits


@dataclass(frozen=True)
class Prediction:
    """Classification: the probability that each image shows the category, (B,).
    Segmentation: a boolean foreground mask per image, (B, H, W), and its probabilities."""

    task: Task
    probability: torch.Tensor | None = None
    mask: torch.Tensor | None = None
    foreground: torch.Tensor | None = None


def native_size(task_module: StoredModule) -> tuple[int, int]:
    """The image size a task module was trained at."""
    return get_architecture(task_module.manifest.architecture).image_size[task_module.manifest.task]


def predict(
    category: StoredModule, task: StoredModule, images: torch.Tensor, adapter: StoredModule | None = None
) -> Prediction:
    """Predict on `images` (B, C, H, W) in [0, 1]; other sizes are resized to the task's native size."""
    if images.ndim != 4:
        raise TransplantError(
            f"images must be a (batch, channels, height, width) tensor, got shape {list(images.shape)}"
        )
    expected_channels = category.manifest.input_shape[0]
    if images.shape[1] != expected_channels:
        raise TransplantError(
            f"the category module reads {expected_channels}-channel images, got {images.shape[1]}"
        )
    size = native_size(task)
    if tuple(images.shape[-2:]) != size:
        images = F.interpolate(images.float(), size=size, mode="bilinear", align_corners=False)
    kind = task.manifest.task
    path = Path(category.network, task.network, adapter.network if adapter else None).eval()
    with torch.inference_mode():
        logits = task_logits(kind, path(images.float()))
    if kind is Task.CLASSIFICATION:
        return Prediction(kind, probability=torch.sigmoid(logits))
    foreground = torch.softmax(logits, dim=1)[:, 1]  # (B, H, W)
    return Prediction(kind, mask=foreground > 0.5, foreground=foreground)


def image_from_bytes(data: bytes, *, channels: int = 1, size: tuple[int, int] | None = None) -> torch.Tensor:
    """Decode a PNG or JPEG into a (1, channels, H, W) float tensor in [0, 1], optionally resized.

    Silhouettes are light on dark, as in Animal-MNIST; an image with a light background is inverted
    so that drawings in dark ink on white work too.
    """
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise TransplantError(
                    f"the image is {image.width}x{image.height}; send one of at most 4096x4096 pixels"
                )
            image = image.convert("L" if channels == 1 else "RGB")
            if size is not None:
                image = image.resize((size[1], size[0]), Image.Resampling.BILINEAR)
            array = np.asarray(image, dtype=np.float32) / 255.0
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise TransplantError(f"the file is not a readable PNG or JPEG image ({error})") from None
    tensor = torch.from_numpy(array.copy())
    tensor = tensor[None] if channels == 1 else tensor.permute(2, 0, 1)
    if channels == 1 and _border_mean(tensor) > 0.5:
        tensor = 1.0 - tensor
    return tensor[None]  # (1, C, H, W)


def _border_mean(image: torch.Tensor) -> float:
    border = torch.cat([image[..., 0, :], image[..., -1, :], image[..., :, 0], image[..., :, -1]], dim=-1)
    return float(border.mean())
