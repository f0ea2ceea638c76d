"""The demo catalog shows transplanting working: its example edges (the cat's category module onto the dog's
classifier and segmenter, 10 labelled samples, the web app's cross-net defaults: method auto, 300 steps, one
3x3 conv for segmentation, three for classification) end within three points of the cat teacher's own error.
Auto has the cat teacher label the cat problem's training images (labels unread) and distils on them."""

from pathlib import Path

import pytest

from engine import GraftConfig, Task, graft, load_module, load_task_data

CATALOG = Path(__file__).resolve().parents[2] / "demo_catalog"


def _module(name: str):
    return load_module(CATALOG / name)


def _error(task: Task, metrics: dict[str, float]) -> float:
    return metrics["error"] if task is Task.CLASSIFICATION else 100 - metrics["pixel_accuracy"]


@pytest.mark.parametrize(("task", "layers"), [(Task.CLASSIFICATION, 3), (Task.SEGMENTATION, 1)])
def test_the_example_edge_ends_within_three_points_of_the_target_teacher(task, layers):
    teacher = _module(f"cat/{task}")
    result = graft(
        GraftConfig(method="auto", samples=10, adapter_layers=layers, kernel_size=3, steps=300, device="cpu"),
        category=_module("cat/category"),
        task=_module(f"dog/{task}"),
        teacher_task=teacher,
        student_category=_module("dog/category"),
        data=load_task_data("cat", task),
    )
    assert _error(task, result.metrics) <= _error(task, teacher.manifest.metrics) + 3.0, (
        result.metrics,
        teacher.manifest.metrics,
    )
    config = result.adapter.manifest.config
    assert config["method"] == "distill" and config["start"] == "least-squares"
    assert "training images that the teacher labels" in result.choice
