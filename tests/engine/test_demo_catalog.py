"""The demo catalog shows transplanting working: its example edges (the cat's category module onto the dog's
classifier and segmenter, with the web app's cross-net defaults: method auto, 10 labelled samples, three 3x3
convs, 1000 steps) end within three points of the cat teacher's own error, on every seed that
`benchmarks.web_defaults` measures for the classifier. Auto has the cat teacher label the cat problem's
training images (labels unread) and distils on them."""

from pathlib import Path

import pytest

from engine import GraftConfig, Task, graft, load_module, load_task_data
from engine.auto import CROSS_NET_ADAPTER_LAYERS, CROSS_NET_SAMPLES, CROSS_NET_STEPS

CATALOG = Path(__file__).resolve().parents[2] / "demo_catalog"


def _module(name: str):
    return load_module(CATALOG / name)


def _error(task: Task, metrics: dict[str, float]) -> float:
    return metrics["error"] if task is Task.CLASSIFICATION else 100 - metrics["pixel_accuracy"]


CROSS_NET_DEFAULTS = dict(
    method="auto",
    samples=CROSS_NET_SAMPLES,
    adapter_layers=CROSS_NET_ADAPTER_LAYERS,
    kernel_size=3,
    steps=CROSS_NET_STEPS,
)


@pytest.mark.parametrize(
    ("task", "seed"),
    [(Task.CLASSIFICATION, 0), (Task.CLASSIFICATION, 1), (Task.CLASSIFICATION, 2), (Task.SEGMENTATION, 0)],
)
def test_the_example_edge_ends_within_three_points_of_the_target_teacher(task, seed):
    teacher = _module(f"cat/{task}")
    result = graft(
        GraftConfig(**CROSS_NET_DEFAULTS, seed=seed, device="cpu"),
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
