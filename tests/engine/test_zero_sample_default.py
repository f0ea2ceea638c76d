"""The default zero-sample graft reaches the method's optimum: on each of the five mammals' committed demo
teachers (demo_catalog/, fine-tuned from one backbone), an edge into the category's own classifier with no
labels and a one-conv adapter ends within half a point of the teacher's own error."""

from pathlib import Path

import pytest

from engine import MAMMALS, GraftConfig, StopReason, Task, evaluate, graft, load_module, load_task_data
from engine.student import Path as StudentPath
from engine.student import task_logits

CATALOG = Path(__file__).resolve().parents[2] / "demo_catalog"


@pytest.mark.parametrize("category", MAMMALS)
def test_the_zero_sample_one_conv_default_lands_within_half_a_point_of_the_teacher(category):
    teacher_category = load_module(CATALOG / category / "category")
    classifier = load_module(CATALOG / category / "classification")
    data = load_task_data(category, Task.CLASSIFICATION)
    teacher = StudentPath(teacher_category.network, classifier.network).eval()
    teacher_error = evaluate(
        lambda images: task_logits(Task.CLASSIFICATION, teacher(images)), data.test, Task.CLASSIFICATION
    )["error"]
    result = graft(
        GraftConfig(adapter_layers=1, device="cpu"),
        category=teacher_category,
        task=classifier,
        teacher_task=classifier,
        data=data,
    )
    assert result.stopped == StopReason.EXACT  # the default solver solves the linear problem exactly
    assert abs(result.metrics["error"] - teacher_error) <= 0.5, (result.metrics, teacher_error)
