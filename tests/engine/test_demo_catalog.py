"""The demo catalog shows transplanting working: its example edge (the cat's category module onto the dog's
segmenter, 10 labelled samples, the web app's defaults: method auto, one 3x3 conv, 300 steps) ends within
three points of the cat teacher's own pixel error."""

from pathlib import Path

from engine import GraftConfig, Task, graft, load_module, load_task_data

CATALOG = Path(__file__).resolve().parents[2] / "demo_catalog"


def test_the_example_edge_ends_within_three_points_of_the_target_teacher():
    module = lambda name: load_module(CATALOG / name)  # noqa: E731
    teacher = module("cat/segmentation")
    result = graft(
        GraftConfig(method="auto", samples=10, adapter_layers=1, kernel_size=3, steps=300, device="cpu"),
        category=module("cat/category"),
        task=module("dog/segmentation"),
        teacher_task=teacher,
        student_category=module("dog/category"),
        data=load_task_data("cat", Task.SEGMENTATION),
    )
    teacher_error = 100 - teacher.manifest.metrics["pixel_accuracy"]
    assert 100 - result.metrics["pixel_accuracy"] <= teacher_error + 3.0, (
        result.metrics,
        teacher.manifest.metrics,
    )
    assert (
        result.adapter.manifest.config["start"] == "least-squares"
        and "best row of the study" in result.choice
    )
