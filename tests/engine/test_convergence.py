"""The convergence rule: a run that has stopped improving ends early, one whose loss still falls goes on."""

import pytest

from engine import GraftConfig, StopReason, Task, graft
from engine.training.convergence import ConvergenceRule
from engine.training.loop import run_steps


def _run(losses, **rule):
    stop = ConvergenceRule(**{"tolerance": 1e-2, "window": 10, "max_seconds": 60.0, **rule})
    history, _ = run_steps(
        steps=len(losses),
        step=lambda i: {"loss": losses[i - 1]},
        evaluate=lambda: {},
        eval_every=len(losses),
        stop=stop,
    )
    return len(history)


def test_a_flat_loss_stops_after_two_windows():
    assert _run([1.0] * 500) == 20


def test_a_loss_that_keeps_falling_runs_to_the_step_cap():
    assert _run([0.97**i for i in range(500)]) == 500  # falls 26 % per window of 10


def test_a_loss_that_falls_then_levels_off_stops_soon_after_the_plateau():
    losses = [max(0.98**i, 0.1) for i in range(1000)]  # reaches its floor at step 114
    steps = _run(losses)
    assert 114 < steps <= 140


def test_with_converge_off_only_the_step_cap_or_the_time_cap_stops():
    assert _run([1.0] * 300, converge=False) == 300
    assert _run([1.0] * 300, converge=False, max_seconds=1e-9) == 1


def test_a_zero_sample_adam_graft_reports_that_it_converged(horse_teacher, dog_teacher):
    category, task = horse_teacher.category, horse_teacher.tasks[Task.CLASSIFICATION]
    result = graft(
        GraftConfig(
            samples=0, adapter_layers=3, kernel_size=1, steps=5000, window=25, bank_size=64, device="cpu"
        ),
        category=category,
        task=task,
        teacher_task=task,
    )
    assert result.stopped == StopReason.CONVERGED
    assert 50 <= len(result.history) < 5000
    assert result.adapter.manifest.config["stopped"] == "converged"
    assert result.adapter.manifest.config["steps_run"] == len(result.history)


def test_with_labels_the_rule_is_an_option_and_fixed_steps_the_default(horse_teacher):
    category, task = horse_teacher.category, horse_teacher.tasks[Task.CLASSIFICATION]
    fixed = graft(
        GraftConfig(method="direct-learn", samples=10, steps=40, bank_size=32, device="cpu"),
        category=category,
        task=task,
        teacher_task=task,
    )
    assert fixed.stopped == StopReason.STEPS and len(fixed.history) == 40
    early = graft(
        GraftConfig(
            method="direct-learn",
            samples=10,
            steps=20_000,
            converge=True,
            window=20,
            tolerance=0.05,
            bank_size=32,
            device="cpu",
        ),
        category=category,
        task=task,
        teacher_task=task,
    )
    assert early.stopped == StopReason.CONVERGED and len(early.history) < 20_000


def test_bad_rule_settings_are_refused_with_the_field_named():
    with pytest.raises(ValueError, match="tolerance must be positive"):
        GraftConfig(tolerance=0)
    with pytest.raises(TypeError, match="converge must be"):
        GraftConfig(converge="yes")
