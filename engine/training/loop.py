"""The step loop shared by teacher training and grafting: events, cancellation, NaN checks."""

from __future__ import annotations

import math
from collections.abc import Callable

from engine.errors import Cancelled, TrainingDiverged
from engine.events import CancelCheck, Evaluated, EventCallback, Finished, Started, StepEvent, StopReason
from engine.training.convergence import ConvergenceRule

StepFn = Callable[[int], dict[str, float]]
EvaluateFn = Callable[[], dict[str, float]]


def run_steps(
    *,
    steps: int,
    step: StepFn,
    evaluate: EvaluateFn,
    eval_every: int,
    on_event: EventCallback | None = None,
    should_cancel: CancelCheck | None = None,
    stop: ConvergenceRule | None = None,
    finished_reason: str = StopReason.STEPS,
) -> tuple[list[StepEvent], dict[str, float]]:
    """Run up to `steps` optimisation steps, evaluating every `eval_every` steps and at the end.

    `step(i)` performs step i (1-based) and returns its loss terms as floats. `stop`, if given, sees each
    step's "loss" and may end the run early (at a plateau or its time cap); the Finished event says why
    (`finished_reason` when all steps ran). Raises Cancelled when `should_cancel()` turns true and
    TrainingDiverged when a loss is not finite.
    Returns the step events and the final metrics.
    """
    emit = on_event or (lambda event: None)
    emit(Started(total_steps=steps))
    history: list[StepEvent] = []
    metrics: dict[str, float] = {}
    for index in range(1, steps + 1):
        if should_cancel is not None and should_cancel():
            raise Cancelled(f"training was cancelled at step {index} of {steps}")
        losses = step(index)
        bad = [name for name, value in losses.items() if not math.isfinite(value)]
        if bad:
            raise TrainingDiverged(
                f"the {', '.join(bad)} loss became {losses[bad[0]]} at step {index}; "
                "lower the learning rate or check the modules' weights for NaNs"
            )
        event = StepEvent(step=index, losses=losses)
        history.append(event)
        emit(event)
        reason = stop.update(index, losses["loss"]) if stop is not None else None
        if index % eval_every == 0 or index == steps or reason is not None:
            metrics = evaluate()
            emit(Evaluated(step=index, metrics=metrics))
        if reason is not None:
            break
    emit(Finished(metrics=metrics, reason=reason or finished_reason, steps=len(history)))
    return history, metrics
