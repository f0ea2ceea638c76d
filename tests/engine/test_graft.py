"""Grafting: frozen modules stay bit-identical, only the adapter learns, events and errors."""

import hashlib

import pytest
import torch

from engine import (
    Cancelled,
    Evaluated,
    Finished,
    GraftConfig,
    Method,
    Started,
    StepEvent,
    Task,
    TrainingDiverged,
    graft,
    graft_session,
)
from engine.storage import StoredModule, weights_bytes


def digest(module: StoredModule) -> str:
    return hashlib.sha256(weights_bytes(module.network)).hexdigest()


def quick(method=Method.BACK_DISTILL, samples=0, **overrides) -> GraftConfig:
    settings = dict(
        method=method,
        samples=samples,
        steps=4,
        eval_every=4,
        bank_size=64,
        batch_size=8,
        device="cpu",
        solver="adam",
    )
    return GraftConfig(**{**settings, **overrides})


@pytest.mark.parametrize(
    "method,samples",
    [
        (Method.BACK_DISTILL, 0),
        (Method.BACK_DISTILL, 10),
        (Method.DIRECT_LEARN, 10),
        (Method.DISTILL, 10),
        (Method.JACOBIAN, 10),
    ],
)
def test_every_graft_leaves_the_category_and_task_modules_bit_identical(
    horse_teacher, dog_teacher, method, samples
):
    category, task, teacher = (
        horse_teacher.category,
        dog_teacher.tasks[Task.CLASSIFICATION],
        horse_teacher.tasks[Task.CLASSIFICATION],
    )
    before = [digest(module) for module in (category, task, teacher)]
    result = graft(
        quick(method, samples, adapter_layers=3, kernel_size=1),
        category=category,
        task=task,
        teacher_task=teacher,
    )
    assert [digest(module) for module in (category, task, teacher)] == before
    assert set(result.metrics) == {"error"}
    assert [p["role"] for p in result.adapter.manifest.parents] == ["category", "task", "teacher_task"]
    assert result.adapter.manifest.parents[0]["sha256"] == before[0]


@pytest.mark.parametrize("samples", [0, 10])
def test_only_the_adapter_trains_and_every_trainable_parameter_gets_a_gradient(horse_teacher, samples):
    category, task = horse_teacher.category, horse_teacher.tasks[Task.CLASSIFICATION]
    result = graft(
        quick(samples=samples, steps=1, solver="adam"), category=category, task=task, teacher_task=task
    )
    assert not any(p.requires_grad for p in category.network.parameters())
    assert not any(p.requires_grad for p in task.network.parameters())
    adapter = result.adapter.network
    trainable = [p for p in adapter.parameters() if p.requires_grad]
    assert trainable and all(p.grad is not None and p.grad.abs().sum() > 0 for p in trainable)
    # bias is learnable only with labels: it never enters a pseudo-gradient
    assert adapter.convs[0].bias.requires_grad == (samples > 0)


def test_the_fast_path_gives_the_same_student_pseudo_gradient_as_the_slow_path(horse_teacher, dog_teacher):
    category, task, teacher = (
        horse_teacher.category,
        dog_teacher.tasks[Task.CLASSIFICATION],
        horse_teacher.tasks[Task.CLASSIFICATION],
    )
    with graft_session(quick(bank_size=0), category=category, task=task, teacher_task=teacher) as session:
        objective = session.objective
        draw = objective.source.draw(6)
        anchor = torch.zeros(objective.source.feature_shape(6, 16), requires_grad=True)
        out = objective.source.task_surrogate(objective.adapter_surrogate(anchor), draw.masks)
        (slow,) = torch.autograd.grad(out, anchor, grad_outputs=draw.output_gradient)
        fast = objective.student_pseudo_gradient(draw.student_upstream)
    torch.testing.assert_close(fast, slow, rtol=1e-5, atol=1e-6)


def test_events_arrive_in_order_with_loss_terms_and_metrics(horse_teacher):
    events = []
    task = horse_teacher.tasks[Task.CLASSIFICATION]
    graft(
        quick(samples=10, steps=4, eval_every=2),
        category=horse_teacher.category,
        task=task,
        teacher_task=task,
        on_event=events.append,
    )
    assert isinstance(events[0], Started) and events[0].total_steps == 4
    steps = [e for e in events if isinstance(e, StepEvent)]
    assert [e.step for e in steps] == [1, 2, 3, 4]
    assert set(steps[0].losses) == {"loss", "task", "distill"}
    assert [e.step for e in events if isinstance(e, Evaluated)] == [2, 4]
    assert isinstance(events[-1], Finished) and "error" in events[-1].metrics


def test_a_cancel_check_stops_training(horse_teacher):
    task = horse_teacher.tasks[Task.CLASSIFICATION]
    calls = []
    with pytest.raises(Cancelled, match="step 3"):
        graft(
            quick(steps=50),
            category=horse_teacher.category,
            task=task,
            teacher_task=task,
            should_cancel=lambda: calls.append(1) or len(calls) >= 3,
        )


def test_a_loss_that_becomes_nan_raises_a_clear_error(horse_teacher):
    task = horse_teacher.tasks[Task.CLASSIFICATION]
    broken = StoredModule(task.manifest, __import__("copy").deepcopy(task.network))
    with torch.no_grad():
        broken.network[0].weight[0, 0, 0, 0] = float("nan")
    with pytest.raises(TrainingDiverged, match="became nan at step 1; lower the learning rate"):
        graft(
            quick(method=Method.DIRECT_LEARN, samples=10),
            category=horse_teacher.category,
            task=broken,
            teacher_task=broken,
        )


def test_the_least_squares_solution_reaches_a_lower_distillation_loss_than_adam(horse_teacher):
    task = horse_teacher.tasks[Task.CLASSIFICATION]
    exact = graft(
        quick(solver="least-squares", bank_size=256),
        category=horse_teacher.category,
        task=task,
        teacher_task=task,
    )
    iterated = graft(
        quick(steps=30, bank_size=256), category=horse_teacher.category, task=task, teacher_task=task
    )
    assert exact.history[-1].losses["distill"] < 0.01 * iterated.history[-1].losses["distill"]


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"method": "direct-learn", "samples": 0}, "needs labelled samples"),
        ({"adapter_layers": 2}, "1 or 3"),
        ({"method": "telepathy"}, "unknown method 'telepathy'; choose one of: back-distill"),
        ({"solver": "least-squares", "adapter_layers": 3}, "one-layer adapter"),
    ],
)
def test_bad_graft_settings_are_refused_with_a_message(kwargs, message):
    with pytest.raises(ValueError, match=message):
        GraftConfig(**kwargs)


def test_segmentation_graft_reports_pixel_accuracy_and_mean_iou(segmentation_teacher):
    task = segmentation_teacher.tasks[Task.SEGMENTATION]
    result = graft(quick(kernel_size=1), category=segmentation_teacher.category, task=task, teacher_task=task)
    assert set(result.metrics) == {"pixel_accuracy", "mean_iou"}
    assert 0 <= result.metrics["mean_iou"] <= result.metrics["pixel_accuracy"] <= 100


def test_grafting_onto_another_nets_classifier_draws_an_enlarged_7x7_output_gradient(
    horse_teacher, dog_teacher
):
    from engine.config import GradientSeed, ReluSurrogate

    category, task, teacher = (
        horse_teacher.category,
        dog_teacher.tasks[Task.CLASSIFICATION],
        horse_teacher.tasks[Task.CLASSIFICATION],
    )
    with graft_session(quick(), category=category, task=task, teacher_task=teacher) as session:
        source = session.objective.source
        draw = source.draw(2)
    setting = source.setting
    assert (setting.relu, setting.gradient_seed, setting.enlarged_size) == (
        ReluSurrogate.LOWEST_SECOND,
        GradientSeed.RANDOM,
        7,
    )
    assert tuple(draw.output_gradient.shape) == (2, 1, 7, 7)
    assert draw.output_gradient.min() >= -1 and draw.output_gradient.max() <= 1
    assert draw.teacher.shape[-1] > 14  # features enlarged beyond the native 14 x 14 to give a 7 x 7 output


def test_the_category_module_of_a_two_task_teacher_grafts_onto_its_segmenter_by_back_distillation(
    two_task_teacher,
):
    from engine import pseudo_gradient_maps

    category, segmenter = two_task_teacher.category, two_task_teacher.tasks[Task.SEGMENTATION]
    assert category.manifest.output_shape[1:] != segmenter.manifest.input_shape[1:]  # 14 x 14 against 32 x 32
    result = graft(quick(kernel_size=1), category=category, task=segmenter, teacher_task=segmenter)
    assert set(result.metrics) == {"pixel_accuracy", "mean_iou"}
    maps = pseudo_gradient_maps(category, segmenter, segmenter, result.adapter)
    assert (len(maps["teacher"]), len(maps["teacher"][0])) == (
        32,
        32,
    )  # drawn at the segmenter's feature size
