"""Figure 5: the first two principal components of the task module's top hidden features (fc7), for
adapters learned by back-distill (blue) and direct-learn (red), with the teacher's own features (grey) for
reference, one panel per category, as a PNG.

Also measures what the paper's caption claims in words: how strongly fc7 is triggered (mean feature
norm) and how diverse the features are (total variance), per method.
"""

from __future__ import annotations

from pathlib import Path

import torch
from PIL import Image, ImageDraw
from torch import nn

from benchmarks.common import task_data
from engine import Task

PANEL, MARGIN = 260, 24
COLOURS = {"back-distill": (40, 90, 220), "direct-learn": (220, 50, 40)}
TEACHER_COLOUR = (90, 90, 90)  # the teacher itself, without an adapter: where the features should be


def top_hidden_features(
    category: nn.Module, adapter: nn.Module, task: nn.Module, images: torch.Tensor
) -> torch.Tensor:
    """The output of the task module's last ReLU (fc7 in a VGG), flattened: (N, D)."""
    relu = [module for module in task.modules() if isinstance(module, nn.ReLU)][-1]
    captured = []
    handle = relu.register_forward_hook(lambda _, __, output: captured.append(output.flatten(1)))
    try:
        with torch.inference_mode():
            task(adapter(category(images)))
    finally:
        handle.remove()
    return captured[0]


def project(features: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Every set of features on the first two principal components of their union (one shared basis)."""
    joined = torch.cat(list(features.values()))
    mean = joined.mean(0)
    _, _, basis = torch.linalg.svd(joined - mean, full_matrices=False)
    return {method: (values - mean) @ basis[:2].T for method, values in features.items()}


def figure5(adapters: dict, teachers: dict, samples: int, seed: int, path: Path) -> dict:
    """Draw the panels and return {category: {method: {"mean_norm", "total_variance"}}}.

    Args:
        adapters: {(method, samples, category, seed): adapter StoredModule} from Table 2's three-conv runs.
        teachers: {category: benchmarks.common.Teacher} (the adapter sits inside its own teacher).
    """
    categories = sorted({key[2] for key in adapters if key[1] == samples and key[3] == seed})
    canvas = Image.new("RGB", (len(categories) * (PANEL + MARGIN) + MARGIN, PANEL + 3 * MARGIN), "white")
    draw = ImageDraw.Draw(canvas)
    statistics = {}
    for index, category in enumerate(categories):
        own = teachers[category]
        images = task_data(category, Task.CLASSIFICATION).test.tensors[0]
        features = {
            method: top_hidden_features(
                own.category.network,
                adapters[method, samples, category, seed].network,
                own.task.network,
                images,
            )
            for method in COLOURS
        }
        features["teacher"] = top_hidden_features(
            own.category.network, nn.Identity(), own.task.network, images
        )
        statistics[category] = {
            method: {
                "mean_norm": float(values.norm(dim=1).mean()),
                "total_variance": float(values.var(0).sum()),
            }
            for method, values in features.items()
        }
        points = project(features)
        scale = max(float(p.abs().max()) for p in points.values()) or 1.0
        left = MARGIN + index * (PANEL + MARGIN)
        draw.rectangle([left, 2 * MARGIN, left + PANEL, 2 * MARGIN + PANEL], outline=(160, 160, 160))
        draw.text((left + 4, MARGIN), category, fill="black")
        for method in ("direct-learn", "back-distill", "teacher"):  # the teacher last, small, on top
            for x, y in points[method].tolist():
                cx = left + PANEL / 2 + x / scale * (PANEL / 2 - 6)
                cy = 2 * MARGIN + PANEL / 2 - y / scale * (PANEL / 2 - 6)
                radius = 0.8 if method == "teacher" else 1.5
                draw.ellipse(
                    [cx - radius, cy - radius, cx + radius, cy + radius],
                    fill=COLOURS.get(method, TEACHER_COLOUR),
                )
    draw.text(
        (MARGIN, PANEL + 2 * MARGIN + 6),
        f"fc7 PCA, three-conv adapter, {samples} samples, seed {seed}: "
        "blue back-distill, red direct-learn, grey the teacher without adapter",
        fill="black",
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    canvas.save(path)
    return statistics
