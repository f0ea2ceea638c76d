"""Evaluation metrics, in percent: classification error, and FCN's pixel accuracy and mean IoU.

Segmentation scores are computed from one confusion matrix summed over the whole set (as FCN's
``score.py`` does), not averaged per image or per batch, so batching never changes them.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor, nn
from torch.utils.data import TensorDataset

from engine.config import Task
from engine.data.splits import resolve_task


def _as_vector(logits: Tensor, count: int) -> Tensor:
    """Accept (N,), (N, 1) or (N, 1, 1, 1) classification outputs as (N,)."""
    if logits.numel() != count or (logits.dim() > 0 and logits.shape[0] != count):
        raise ValueError(f"expected one logit per label ({count}), got logits of shape {tuple(logits.shape)}")
    return logits.reshape(count)


def classification_errors(logits: Tensor, labels: Tensor) -> int:
    """Count the wrong predictions (a logit > 0 predicts the positive class)."""
    if labels.dim() != 1:
        raise ValueError(f"labels must have shape (N,), got {tuple(labels.shape)}")
    predictions = _as_vector(logits, labels.shape[0]) > 0  # (N,)
    return int((predictions != (labels > 0.5)).sum())


def classification_error(logits: Tensor, labels: Tensor) -> float:
    """Percentage of wrong binary predictions.

    Args:
        logits: ``(N,)``; a logit > 0 means "positive".
        labels: ``(N,)`` in {0, 1} (any dtype).

    Returns:
        The error in percent (0 to 100).

    Raises:
        ValueError: empty or mismatched inputs.
    """
    if labels.numel() == 0:
        raise ValueError("cannot compute an error on zero samples")
    return 100.0 * classification_errors(logits, labels) / labels.shape[0]


def confusion_matrix(logits: Tensor, masks: Tensor) -> Tensor:
    """Pixel confusion matrix of a segmentation batch.

    Args:
        logits: ``(N, C, H, W)``; the prediction is the arg-max class, or ``logit > 0`` when C == 1.
        masks: ``(N, H, W)`` integer classes in [0, max(C, 2)).

    Returns:
        int64 ``(K, K)`` with K = max(C, 2); entry [i, j] counts pixels of class i predicted as j.
    """
    same_size = logits.dim() == 4 and masks.dim() == 3 and logits.shape[0] == masks.shape[0]
    if not same_size or logits.shape[2:] != masks.shape[1:]:
        raise ValueError(
            f"expected logits (N, C, H, W) and masks (N, H, W) of the same N, H, W, "
            f"got {tuple(logits.shape)} and {tuple(masks.shape)}"
        )
    classes = max(logits.shape[1], 2)
    predictions = (logits[:, 0] > 0).long() if logits.shape[1] == 1 else logits.argmax(dim=1)  # (N, H, W)
    truth = masks.long()
    if truth.numel() and (truth.min() < 0 or truth.max() >= classes):
        raise ValueError(f"mask values must lie in [0, {classes}) for {logits.shape[1]} output channels")
    flat = truth.reshape(-1) * classes + predictions.reshape(-1)  # (N*H*W,)
    return torch.bincount(flat.cpu(), minlength=classes * classes).reshape(classes, classes)


def scores_from_confusion(confusion: Tensor) -> dict[str, float]:
    """Pixel accuracy and mean IoU (percent) from a confusion matrix.

    Pixel accuracy is sum_i n_ii / sum_i t_i (n_ij: pixels of class i predicted as j, t_i: pixels of
    class i). Mean IoU averages n_ii / (t_i + sum_j n_ji - n_ii) over the classes that occur in the
    truth or the prediction; a class absent from both has no IoU (FCN's nanmean).
    """
    total = int(confusion.sum())
    if total == 0:
        raise ValueError("cannot score zero pixels")
    confusion = confusion.double()
    hits = confusion.diagonal()  # n_ii
    union = confusion.sum(dim=1) + confusion.sum(dim=0) - hits  # t_i + sum_j n_ji - n_ii
    present = union > 0
    return {
        "pixel_accuracy": 100.0 * float(hits.sum()) / total,
        "mean_iou": 100.0 * float((hits[present] / union[present]).mean()),
    }


def segmentation_scores(logits: Tensor, masks: Tensor) -> dict[str, float]:
    """FCN's pixel accuracy and mean IoU, in percent.

    Args:
        logits: ``(N, C, H, W)``; arg-max over C, or ``logit > 0`` as foreground when C == 1.
        masks: ``(N, H, W)`` integer classes.

    Returns:
        ``{"pixel_accuracy": ..., "mean_iou": ...}``.
    """
    return scores_from_confusion(confusion_matrix(logits, masks))


def evaluate(
    model: Callable[[Tensor], Tensor],
    dataset: TensorDataset,
    task: str,
    *,
    batch_size: int = 256,
    device: str | torch.device = "cpu",
) -> dict[str, float]:
    """Run a model over a data set in batches, without gradients, and score it.

    An ``nn.Module`` is switched to ``eval()`` for the run and back to its previous mode after.

    Args:
        model: maps images ``(B, C, H, W)`` (already on `device`) to logits: ``(B,)`` (or
            ``(B, 1)``) for classification, ``(B, C, H, W)`` for segmentation.
        dataset: ``(images, labels)`` or ``(images, masks)``.
        task: ``"classification"`` or ``"segmentation"``.
        batch_size: images per forward pass.
        device: where the batches are sent; the model must already be there.

    Returns:
        ``{"error": ...}`` or ``{"pixel_accuracy": ..., "mean_iou": ...}``, in percent.
    """
    resolved_task = resolve_task(task)
    if batch_size <= 0:
        raise ValueError(f"batch_size must be positive, got {batch_size}")
    images, targets = dataset.tensors[:2]
    if len(images) == 0:
        raise ValueError("cannot evaluate on an empty data set")
    was_training = isinstance(model, nn.Module) and model.training
    if isinstance(model, nn.Module):
        model.eval()
    wrong = 0
    confusion: Tensor | None = None
    try:
        with torch.inference_mode():
            for start in range(0, len(images), batch_size):
                batch = images[start : start + batch_size].to(device)  # (B, C, H, W)
                logits = model(batch).cpu()
                batch_targets = targets[start : start + batch_size]
                if resolved_task is Task.CLASSIFICATION:
                    wrong += classification_errors(logits, batch_targets)
                else:
                    batch_confusion = confusion_matrix(logits, batch_targets)
                    confusion = batch_confusion if confusion is None else confusion + batch_confusion
    finally:
        if was_training:
            model.train()
    if resolved_task is Task.CLASSIFICATION:
        return {"error": 100.0 * wrong / len(images)}
    assert confusion is not None  # at least one batch ran
    return scores_from_confusion(confusion)
