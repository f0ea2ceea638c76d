"""The paper's Experiment 1 on vgg-mini and Animal-MNIST: zero-sample back-distillation.

An adapter (reorder layer, one 3x3 conv + ReLU) is inserted between each mammal teacher's own
category and task modules and learned from no labelled sample at all; its error must come within
2 points of the teacher's for at least 4 of the 5 mammals. This trains five real teachers.
"""

import pytest
import torch

from engine import MAMMALS, GraftConfig, Task, TeacherConfig, graft, train_teacher


@pytest.mark.slow
@pytest.mark.timeout(3600)  # five teachers: a few minutes on an idle 2-core CPU, far more on a busy one
def test_zero_sample_back_distillation_matches_the_teacher_for_the_mammals():
    torch.set_num_threads(2)
    gaps = {}
    for category in MAMMALS:
        teacher = train_teacher(TeacherConfig(category=category, epochs=12, device="cpu"))
        task = teacher.tasks[Task.CLASSIFICATION]
        config = GraftConfig(samples=0, adapter_layers=1, kernel_size=3, steps=1000, eval_every=1000, device="cpu")
        result = graft(config, category=teacher.category, task=task, teacher_task=task)
        gaps[category] = result.metrics["error"] - teacher.metrics[Task.CLASSIFICATION]["error"]
    close = [category for category, gap in gaps.items() if gap <= 2.0]
    assert len(close) >= 4, f"error above the teacher's, in points: {gaps}"
