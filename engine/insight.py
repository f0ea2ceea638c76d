"""What back-distillation does, made visible: pseudo-gradient maps and a PCA of top features."""

from __future__ import annotations

import torch
from torch import nn

from engine.config import GraftConfig
from engine.draws import BALANCE_DRAWS, DrawBank, balance
from engine.pseudograd import adapter_transpose
from engine.storage import StoredModule
from engine.student import Path
from engine.training.graft import freeze, paper_setting, pseudo_gradient_source


def pseudo_gradient_maps(
    category: StoredModule,
    task: StoredModule,
    teacher_task: StoredModule,
    adapter: StoredModule,
    *,
    seed: int = 0,
) -> dict[str, object]:
    """One random draw's D'_T and alpha * D'_S, summed over channels, as (h, w) nested lists.

    Returns {"teacher": [[...]], "student": [[...]], "cosine": similarity of the full maps}.
    """
    device = torch.device("cpu")
    for module in (category, task, teacher_task, adapter):
        freeze(module.network, device)
    own_teacher = task.manifest.sha256 == teacher_task.manifest.sha256
    setting = paper_setting(GraftConfig(), task.manifest.task, own_teacher)
    source = pseudo_gradient_source(
        category, task, teacher_task, setting, torch.Generator().manual_seed(seed), device
    )
    alpha = adapter.manifest.config.get("alpha")
    if alpha is None:  # an adapter learned without back-distillation: measure alpha as a graft would
        alpha = balance(DrawBank(source, BALANCE_DRAWS))[0]
    draw = source.draw(1)
    student = alpha * adapter_transpose(
        adapter.network, draw.student_upstream
    )  # as the fast path computes D'_S
    cosine = torch.nn.functional.cosine_similarity(student.flatten(), draw.teacher.flatten(), dim=0)
    return {
        "teacher": draw.teacher[0].sum(0).tolist(),
        "student": student[0].detach().sum(0).tolist(),
        "cosine": float(cosine),
    }


def _top_relu(network: nn.Module) -> nn.ReLU:
    relus = [module for module in network.modules() if isinstance(module, nn.ReLU)]
    if not relus:
        raise ValueError("the task module has no ReLU whose features could be shown")
    return relus[-1]


def top_features(
    category: StoredModule, task: StoredModule, adapter: StoredModule | None, images: torch.Tensor
) -> torch.Tensor:
    """The task module's top hidden features (its last ReLU, fc7 in VGG), averaged over positions, (B, C)."""
    captured: list[torch.Tensor] = []
    hook = _top_relu(task.network).register_forward_hook(
        lambda module, inputs, output: captured.append(output)
    )
    try:
        path = Path(category.network, task.network, adapter.network if adapter else None).eval()
        with torch.inference_mode():
            path(images)
    finally:
        hook.remove()
    return captured[0].mean(dim=(2, 3))  # (B, C)


def feature_pca(
    category: StoredModule, task: StoredModule, adapters: dict[str, StoredModule | None], images: torch.Tensor
) -> dict[str, list[list[float]]]:
    """Project each path's top features onto the first two principal components of all of them.

    `adapters` maps a label (e.g. "back-distill", "direct-learn") to an adapter, or None for the
    task module's own teacher path. One shared basis makes the clouds comparable, as in Fig. 5.
    """
    features = {label: top_features(category, task, adapter, images) for label, adapter in adapters.items()}
    stacked = torch.cat(list(features.values()))
    mean = stacked.mean(dim=0, keepdim=True)
    _, _, basis = torch.linalg.svd(stacked - mean, full_matrices=False)
    return {label: ((values - mean) @ basis[:2].T).tolist() for label, values in features.items()}
