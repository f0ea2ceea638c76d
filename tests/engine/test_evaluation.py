"""Metrics against hand-computed examples, and batched evaluation of a model."""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.utils.data import TensorDataset

from engine.evaluation import classification_error, confusion_matrix, evaluate, segmentation_scores


def test_classification_error_counts_positive_logits_as_positive():
    logits = torch.tensor([2.0, -1.0, 0.5, -3.0, 0.0])
    labels = torch.tensor([1.0, 1.0, 0.0, 0.0, 0.0])
    # Predictions 1, 0, 1, 0, 0 (a logit of exactly 0 is negative): wrong on samples 2 and 3.
    assert classification_error(logits, labels) == pytest.approx(40.0)


def test_classification_error_accepts_column_logits_and_integer_labels():
    logits = torch.tensor([[3.0], [-2.0], [1.0], [1.0]])
    assert classification_error(logits, torch.tensor([1, 0, 0, 1])) == pytest.approx(25.0)


def test_classification_error_refuses_mismatched_or_empty_inputs():
    with pytest.raises(ValueError, match="one logit per label"):
        classification_error(torch.zeros(3), torch.zeros(4))
    with pytest.raises(ValueError, match="zero samples"):
        classification_error(torch.zeros(0), torch.zeros(0))


def _two_class_logits(predicted: torch.Tensor) -> torch.Tensor:
    """Logits (N, 2, H, W) whose arg-max is `predicted` (N, H, W)."""
    return torch.stack([(predicted == 0).float(), (predicted == 1).float()], dim=1)


def test_segmentation_scores_match_a_hand_computed_example():
    masks = torch.tensor([[[1, 1, 0], [0, 0, 0]]])  # (1, 2, 3)
    predicted = torch.tensor([[[1, 0, 1], [0, 0, 0]]])
    # n_00 = 3, n_01 = 1, n_10 = 1, n_11 = 1. Pixel accuracy (3 + 1) / 6.
    # IoU background 3 / (4 + 4 - 3) = 3/5, IoU animal 1 / (2 + 2 - 1) = 1/3.
    scores = segmentation_scores(_two_class_logits(predicted), masks)
    assert scores["pixel_accuracy"] == pytest.approx(100 * 4 / 6)
    assert scores["mean_iou"] == pytest.approx(100 * (3 / 5 + 1 / 3) / 2)


def test_confusion_matrix_rows_are_truth_and_columns_predictions():
    masks = torch.tensor([[[1, 1, 0], [0, 0, 0]]])
    predicted = torch.tensor([[[1, 0, 1], [0, 0, 0]]])
    expected = torch.tensor([[3, 1], [1, 1]])
    torch.testing.assert_close(
        confusion_matrix(_two_class_logits(predicted), masks), expected, rtol=0, atol=0
    )


def test_a_single_output_channel_is_thresholded_at_zero():
    logits = torch.tensor([[[[2.0, -1.0], [0.0, 3.0]]]])  # (1, 1, 2, 2): predicts 1, 0, 0, 1
    masks = torch.tensor([[[1, 1], [0, 1]]])
    # n_00 = 1, n_10 = 1, n_11 = 2: accuracy 3/4; IoU 1/2 and 2/3.
    scores = segmentation_scores(logits, masks)
    assert scores["pixel_accuracy"] == pytest.approx(75.0)
    assert scores["mean_iou"] == pytest.approx(100 * (1 / 2 + 2 / 3) / 2)


def test_mean_iou_skips_a_class_absent_from_truth_and_prediction():
    logits = torch.zeros(1, 3, 1, 2)
    logits[0, 0, 0, 0] = 1.0  # pixel 0 -> class 0
    logits[0, 1, 0, 1] = 1.0  # pixel 1 -> class 1; class 2 never appears
    masks = torch.tensor([[[0, 0]]])
    # IoU class 0: 1 / (2 + 1 - 1) = 1/2; class 1: 0 / (0 + 1 - 0) = 0; class 2 has no IoU.
    scores = segmentation_scores(logits, masks)
    assert scores["pixel_accuracy"] == pytest.approx(50.0)
    assert scores["mean_iou"] == pytest.approx(25.0)


def test_perfect_segmentation_scores_one_hundred():
    masks = torch.randint(0, 2, (3, 4, 4), generator=torch.Generator().manual_seed(0))
    scores = segmentation_scores(_two_class_logits(masks), masks)
    assert scores == pytest.approx({"pixel_accuracy": 100.0, "mean_iou": 100.0})


def test_segmentation_scores_refuse_mismatched_shapes():
    with pytest.raises(ValueError, match=r"\(N, C, H, W\)"):
        segmentation_scores(torch.zeros(2, 2, 4, 4), torch.zeros(2, 5, 4, dtype=torch.long))


class _ThresholdModel(nn.Module):
    """Logit = mean pixel - 0.5; records whether it ran without gradients and in eval mode."""

    def __init__(self) -> None:
        super().__init__()
        self.offset = nn.Parameter(torch.tensor(-0.5))
        self.calls: list[tuple[bool, bool]] = []

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        self.calls.append((torch.is_inference_mode_enabled(), self.training))
        return images.mean(dim=(1, 2, 3)) + self.offset  # (B,)


def _classification_set() -> TensorDataset:
    generator = torch.Generator().manual_seed(0)
    images = torch.rand(10, 1, 4, 4, generator=generator)
    labels = (torch.rand(10, generator=generator) > 0.5).float()
    return TensorDataset(images, labels)


def test_evaluate_classification_matches_the_metric_on_all_outputs():
    model = _ThresholdModel()
    dataset = _classification_set()
    expected = classification_error(dataset.tensors[0].mean(dim=(1, 2, 3)) - 0.5, dataset.tensors[1])
    for batch_size in (1, 3, 256):
        assert evaluate(model, dataset, "classification", batch_size=batch_size) == pytest.approx(
            {"error": expected}
        )


def test_evaluate_runs_in_inference_and_eval_mode_and_restores_training():
    model = _ThresholdModel()
    model.train()
    evaluate(model, _classification_set(), "classification", batch_size=4)
    assert model.calls == [(True, False)] * 3
    assert model.training


def test_evaluate_segmentation_sums_one_confusion_matrix_over_batches():
    generator = torch.Generator().manual_seed(1)
    images = torch.rand(5, 1, 3, 3, generator=generator)
    masks = (torch.rand(5, 3, 3, generator=generator) > 0.6).long()

    def model(batch: torch.Tensor) -> torch.Tensor:  # a plain callable, not a module
        return batch - 0.5  # (B, 1, H, W): foreground where the pixel is above one half

    expected = segmentation_scores(images - 0.5, masks)
    for batch_size in (1, 2, 5):
        assert evaluate(
            model, TensorDataset(images, masks), "segmentation", batch_size=batch_size
        ) == pytest.approx(expected)


def test_evaluate_refuses_an_unknown_task_or_an_empty_set():
    with pytest.raises(ValueError, match="classification, segmentation"):
        evaluate(_ThresholdModel(), _classification_set(), "detection")
    with pytest.raises(ValueError, match="empty"):
        evaluate(_ThresholdModel(), TensorDataset(torch.zeros(0, 1, 4, 4), torch.zeros(0)), "classification")
