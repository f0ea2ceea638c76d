"""Distill on a pool of unlabelled images that the teacher labels: the pool never reads the labels, the
objective compares the student with the teacher on the pool's images, and it learns with no labels."""

import pytest
import torch
from torch import nn
from torch.utils.data import TensorDataset

from engine import GraftConfig, Method, Task, graft, load_task_data, train_split_size
from engine.data import unlabelled_pool
from engine.objectives import Distill
from engine.student import Path, soft_task_loss, task_logits
from engine.training.sampling import FeatureBatches


def test_the_pool_is_seeded_nested_and_never_reads_the_labels():
    images = torch.rand(50, 1, 4, 4)
    labelled = TensorDataset(images, torch.arange(50.0))
    scrambled = TensorDataset(images, torch.randn(50))  # other labels: the same pool
    pool = unlabelled_pool(labelled, 20, seed=3)
    torch.testing.assert_close(pool, unlabelled_pool(scrambled, 20, seed=3), rtol=0, atol=0)
    torch.testing.assert_close(pool[:0], unlabelled_pool(labelled, 0, seed=3), rtol=0, atol=0)
    smaller = {row.numpy().tobytes() for row in unlabelled_pool(labelled, 10, seed=3)}
    assert smaller <= {row.numpy().tobytes() for row in pool}
    assert not torch.equal(pool, unlabelled_pool(labelled, 20, seed=4))
    with pytest.raises(ValueError, match="cannot take 51 samples from a set of 50"):
        unlabelled_pool(labelled, 51, seed=0)


def test_train_split_size_is_the_size_load_task_data_gives():
    assert train_split_size("cat", "classification") == len(load_task_data("cat", "classification").train)
    assert train_split_size("cat", Task.SEGMENTATION) == 800  # four fifths of the cat's 1000 images


def test_distill_on_a_pool_compares_with_the_teacher_on_the_pool_not_the_labelled_batch():
    torch.manual_seed(0)
    category = nn.Sequential(nn.Conv2d(1, 3, 3, padding=1), nn.ReLU()).eval()
    task = nn.Sequential(nn.Conv2d(3, 1, 1)).eval()
    teacher = nn.Sequential(nn.Conv2d(3, 1, 1)).eval()
    adapter = nn.Conv2d(3, 3, 1)
    images = torch.rand(8, 1, 6, 6)
    pool = FeatureBatches(
        TensorDataset(images),
        category,
        8,
        torch.Generator().manual_seed(0),
        torch.device("cpu"),
        teacher_task=teacher,
    )
    objective = Distill(Path(category, task, adapter), teacher, Task.CLASSIFICATION, pool)
    terms = objective(None)  # no labelled batch: the distill term alone
    assert terms["task"] is None and terms["output"] is None
    with torch.no_grad():
        features = category(images)
        expected = soft_task_loss(
            Task.CLASSIFICATION,
            task_logits(Task.CLASSIFICATION, task(adapter(features))),
            task_logits(Task.CLASSIFICATION, teacher(features)),
        )
    torch.testing.assert_close(terms["distill"].detach(), expected, rtol=1e-5, atol=1e-6)
    terms["loss"].backward()
    assert all(parameter.grad is not None for parameter in adapter.parameters())


def test_distill_on_a_pool_learns_without_labels_and_records_the_pool(horse_teacher, dog_teacher):
    task, teacher = dog_teacher.tasks[Task.CLASSIFICATION], horse_teacher.tasks[Task.CLASSIFICATION]
    data = load_task_data("horse", Task.CLASSIFICATION, limit_train=200)
    result = graft(
        GraftConfig(method="distill", samples=0, unlabelled=200, steps=40, eval_every=40, device="cpu"),
        category=horse_teacher.category,
        task=task,
        teacher_task=teacher,
        data=data,
    )
    losses = [event.losses["distill"] for event in result.history]
    assert sum(losses[-10:]) < sum(losses[:10])  # it learns from the teacher's labels alone
    config = result.adapter.manifest.config
    assert config["method"] == "distill" and config["unlabelled"] == 200 and config["samples"] == 0
    assert "200 images labelled by the teacher" in result.adapter.manifest.description


def test_a_pool_is_refused_where_it_cannot_serve_with_what_to_do(horse_teacher):
    with pytest.raises(ValueError, match="unlabelled images are for distill"):
        GraftConfig(method="direct-learn", samples=10, unlabelled=100)
    with pytest.raises(ValueError, match="--unlabelled N for distill"):
        GraftConfig(method="distill", samples=0)
    assert GraftConfig(method="distill", samples=0, unlabelled=5).method is Method.DISTILL
    task = horse_teacher.tasks[Task.CLASSIFICATION]
    with pytest.raises(ValueError, match="the training split holds 64; ask for at most that many"):
        graft(
            GraftConfig(method="distill", unlabelled=65, device="cpu"),
            category=horse_teacher.category,
            task=task,
            teacher_task=task,
            data=load_task_data("horse", Task.CLASSIFICATION, limit_train=64),
        )
