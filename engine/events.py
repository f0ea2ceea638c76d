"""Typed progress events passed to the caller's `on_event` callback. The engine never knows who listens."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True)
class Started:
    total_steps: int
    type: Literal["started"] = "started"


@dataclass(frozen=True)
class StepEvent:
    step: int
    losses: dict[str, float]
    type: Literal["step"] = "step"


@dataclass(frozen=True)
class Evaluated:
    step: int
    metrics: dict[str, float]
    type: Literal["evaluated"] = "evaluated"


class StopReason:
    """Why training stopped (the `reason` of `Finished`)."""

    STEPS = "steps"  # ran the steps it was given
    CONVERGED = "converged"  # the loss stopped falling (`engine.training.convergence`)
    TIME_CAP = "time-cap"  # ran out of its time
    EXACT = "exact"  # solved in closed form (least squares, stitching): nothing left to iterate


@dataclass(frozen=True)
class Finished:
    metrics: dict[str, float] = field(default_factory=dict)
    reason: str = StopReason.STEPS
    steps: int = 0  # steps actually run
    type: Literal["finished"] = "finished"


ProgressEvent = Started | StepEvent | Evaluated | Finished
EventCallback = Callable[[ProgressEvent], None]
CancelCheck = Callable[[], bool]
