"""`graft_session`: a graft stepped by hand is the graft `graft` runs, and the fast distillation term
computes the paper's ||alpha D'_S - D'_T||^2."""

import pytest
import torch

from engine import GraftConfig, Method, Task, graft, graft_session
from engine.pseudograd import adapter_transpose


def quick(**overrides) -> GraftConfig:
    settings = dict(
        samples=10, steps=5, eval_every=5, bank_size=64, batch_size=8, adapter_layers=3, device="cpu"
    )
    return GraftConfig(**{**settings, **overrides})


@pytest.mark.parametrize("method", [Method.BACK_DISTILL, Method.DIRECT_LEARN])
def test_stepping_a_session_by_hand_gives_the_adapter_that_graft_learns(horse_teacher, dog_teacher, method):
    category, task, teacher = (
        horse_teacher.category,
        dog_teacher.tasks[Task.CLASSIFICATION],
        horse_teacher.tasks[Task.CLASSIFICATION],
    )
    config = quick(method=method, kernel_size=1)
    learned = graft(config, category=category, task=task, teacher_task=teacher).adapter.network
    with graft_session(config, category=category, task=task, teacher_task=teacher) as session:
        for _ in range(config.steps):
            terms = session.step(session.next_batch())
    assert set(terms) == ({"loss", "task", "distill"} if method is Method.BACK_DISTILL else {"loss", "task"})
    for name, tensor in learned.state_dict().items():
        torch.testing.assert_close(session.adapter.state_dict()[name], tensor, rtol=0, atol=0)


@pytest.mark.parametrize("kernel", [1, 3])
def test_the_fast_distillation_term_equals_the_papers_distance(horse_teacher, dog_teacher, kernel):
    category, task, teacher = (
        horse_teacher.category,
        dog_teacher.tasks[Task.CLASSIFICATION],
        horse_teacher.tasks[Task.CLASSIFICATION],
    )
    with graft_session(
        quick(kernel_size=kernel), category=category, task=task, teacher_task=teacher
    ) as session:
        objective, bank = session.objective, session.bank
        state = bank.generator.get_state()
        fast = objective.distill_term()
        bank.generator.set_state(state)
        index = bank.sample_index(objective.draws_per_step)  # the same draws
        student = adapter_transpose(session.adapter, bank.student_upstream[index])  # D'_S, (B, C_f, h, w)
        reference = (
            objective.weight
            * (objective.alpha * student - bank.teacher[index]).pow(2).sum(dim=(1, 2, 3)).mean()
        )
    torch.testing.assert_close(fast, reference, rtol=1e-4, atol=1e-6)
    assert fast.item() > 0


def test_the_exact_solver_without_a_bank_is_refused_with_what_to_do():
    with pytest.raises(ValueError, match=r"bank of draws \(bank_size > 0\); use --solver adam or auto"):
        quick(samples=0, adapter_layers=1, solver="least-squares", bank_size=0)
