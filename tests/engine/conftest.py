"""Shared engine fixtures: small teachers trained once per test session."""

import pytest
import torch

from engine import Task, TeacherConfig, keep_freed_memory, train_teacher

torch.set_num_threads(2)
keep_freed_memory()  # as the CLI and the workers do


@pytest.fixture(scope="session")
def horse_teacher():
    """A quickly trained vgg-mini horse classifier (not accurate; for mechanics, not figures)."""
    return train_teacher(TeacherConfig(category="horse", epochs=1, limit_train=256, device="cpu"))


@pytest.fixture(scope="session")
def dog_teacher():
    return train_teacher(TeacherConfig(category="dog", epochs=1, limit_train=256, device="cpu"))


@pytest.fixture(scope="session")
def segmentation_teacher():
    return train_teacher(
        TeacherConfig(category="cat", tasks=(Task.SEGMENTATION,), epochs=1, limit_train=128, device="cpu")
    )


@pytest.fixture(scope="session")
def two_task_teacher():
    """One category module under a classifier (28 x 28 images) and a segmenter (64 x 64 scenes), as the
    demo's."""
    config = TeacherConfig(
        category="cat", tasks=(Task.CLASSIFICATION, Task.SEGMENTATION), epochs=1, limit_train=64, device="cpu"
    )
    return train_teacher(config)
