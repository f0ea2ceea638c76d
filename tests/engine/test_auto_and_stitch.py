"""The "auto" method records what it chose and why; stitching fits the student net's own features."""

import pytest
import torch

from engine import AdapterStart, GraftConfig, Method, StopReason, Task, auto_method, graft, load_task_data
from engine.adapter import Adapter
from engine.auto import CROSS_NET_RULE, MIN_POOL, POOL_IMAGES
from engine.stitching import fit_stitch


def test_auto_into_the_own_net_without_labels_solves_back_distill_exactly_and_records_why(horse_teacher):
    task = horse_teacher.tasks[Task.CLASSIFICATION]
    result = graft(
        GraftConfig(method="auto", samples=0, bank_size=64, device="cpu"),
        category=horse_teacher.category,
        task=task,
        teacher_task=task,
    )
    config = result.adapter.manifest.config
    assert config["method"] == "back-distill" and config["solver"] == "least-squares"
    assert result.stopped == StopReason.EXACT and len(result.history) == 1
    assert result.choice.startswith("back-distill (solved exactly)") and config["auto"] == result.choice


def test_auto_across_nets_with_a_pool_has_the_teacher_label_it_and_records_why(horse_teacher, dog_teacher):
    task, teacher = dog_teacher.tasks[Task.CLASSIFICATION], horse_teacher.tasks[Task.CLASSIFICATION]
    data = load_task_data("horse", Task.CLASSIFICATION, limit_train=120)
    result = graft(
        GraftConfig(
            method="auto", samples=10, adapter_layers=3, kernel_size=1, steps=3, bank_size=32, device="cpu"
        ),
        category=horse_teacher.category,
        task=task,
        teacher_task=teacher,
        data=data,
    )
    config = result.adapter.manifest.config
    assert config["method"] == "distill" and config["unlabelled"] == 120
    assert config["start"] == "least-squares"
    assert result.choice.startswith("distill on 120 training images that the teacher labels and the 10")
    assert config["auto"] == result.choice


def test_auto_across_nets_without_a_pool_follows_the_measured_labels_rule(horse_teacher, dog_teacher):
    task, teacher = dog_teacher.tasks[Task.CLASSIFICATION], horse_teacher.tasks[Task.CLASSIFICATION]
    data = load_task_data("horse", Task.CLASSIFICATION, limit_train=MIN_POOL - 2)
    result = graft(
        GraftConfig(
            method="auto", samples=10, adapter_layers=3, kernel_size=1, steps=3, bank_size=32, device="cpu"
        ),
        category=horse_teacher.category,
        task=task,
        teacher_task=teacher,
        data=data,
        student_category=dog_teacher.category,
    )
    limit, method, start, _, _ = next(rule for rule in CROSS_NET_RULE[Task.CLASSIFICATION] if 10 <= rule[0])
    config = result.adapter.manifest.config
    assert config["method"] == str(method) and config["start"] == str(start) and config["unlabelled"] == 0
    assert "across nets with 10 labelled samples" in result.choice and config["auto"] == result.choice


def test_auto_caps_the_pool_and_keeps_the_own_net_rule():
    across = auto_method(
        GraftConfig(method="auto"), task=Task.SEGMENTATION, own_net=False, unlabelled_available=10**6
    )
    assert across.config.method is Method.DISTILL and across.config.unlabelled == POOL_IMAGES
    own = auto_method(
        GraftConfig(method="auto"), task=Task.CLASSIFICATION, own_net=True, unlabelled_available=1600
    )
    assert own.config.method is Method.BACK_DISTILL and own.config.unlabelled == 0


def test_auto_without_the_student_category_module_never_asks_for_stitching():
    for task, rules in CROSS_NET_RULE.items():
        for limit, *_ in rules:
            choice = auto_method(
                GraftConfig(method="auto", samples=min(limit, 100)),
                task=task,
                own_net=False,
                can_stitch=False,
            )
            assert choice.config.start is not AdapterStart.STITCH and choice.config.method is not Method.AUTO


def test_stitching_without_the_student_category_module_is_refused_with_what_to_give(
    horse_teacher, dog_teacher
):
    with pytest.raises(ValueError, match="pass student_category"):
        graft(
            GraftConfig(method="stitch", device="cpu"),
            category=horse_teacher.category,
            task=dog_teacher.tasks[Task.CLASSIFICATION],
            teacher_task=horse_teacher.tasks[Task.CLASSIFICATION],
        )
    with pytest.raises(ValueError, match="stitch uses unlabelled images only"):
        GraftConfig(method="stitch", samples=10)


def test_a_stitch_fit_recovers_a_known_linear_map_through_the_reorder():
    """f_S = A f + b with A, b >= 0 (so the ReLUs pass it): the fit must find A behind the permutation,
    and b."""
    torch.manual_seed(0)
    category = torch.nn.Sequential(torch.nn.Conv2d(1, 6, 3, padding=1), torch.nn.ReLU())
    mixing = torch.nn.Conv2d(6, 6, 1)
    with torch.no_grad():
        mixing.weight.abs_(), mixing.bias.abs_()
    student = torch.nn.Sequential(category, mixing, torch.nn.ReLU())
    adapter = Adapter(6, 6, layers=3, kernel_size=1, permutation=torch.randperm(6), beta=2.0)
    images = torch.rand(64, 1, 8, 8)
    residual = fit_stitch(adapter, category, student, images, ridge=1e-10)
    assert residual < 1e-4
    torch.testing.assert_close(adapter(category(images)), student(images), rtol=1e-4, atol=1e-4)
