"""When to stop an iterative fit: at a plateau of the loss, at a step cap, or at a time cap."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from engine.events import StopReason


@dataclass
class ConvergenceRule:
    """Stops once the loss stops falling, or at `max_seconds`.

    Every `window` steps (from the second full window on) the mean loss of the last `window` steps is
    compared with the mean of the `window` before: a relative fall below `tolerance` is a plateau. Means
    over windows make the rule robust to minibatch noise; a loss that keeps falling, however slowly
    in absolute terms, keeps the run going while its relative fall per window exceeds the tolerance.
    """

    tolerance: float
    window: int
    max_seconds: float
    converge: bool = True
    _losses: list[float] = field(default_factory=list)
    _started: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        if not (self.tolerance > 0 and self.window > 0 and self.max_seconds > 0):
            raise ValueError("tolerance, window and max_seconds must be positive")

    def update(self, step: int, loss: float) -> str | None:
        """Record step `step`'s loss; returns a `StopReason` to stop now, or None to go on."""
        self._losses.append(loss)
        if time.monotonic() - self._started > self.max_seconds:
            return StopReason.TIME_CAP
        if not self.converge or step % self.window or len(self._losses) < 2 * self.window:
            return None
        recent = sum(self._losses[-self.window :]) / self.window
        before = sum(self._losses[-2 * self.window : -self.window]) / self.window
        if before <= 0:
            return StopReason.CONVERGED  # a non-negative loss at zero cannot fall further
        return StopReason.CONVERGED if (before - recent) / abs(before) < self.tolerance else None
