"""A terminal progress bar driven by the engine's events (the CLI's `on_event`)."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from engine.events import Evaluated, Finished, ProgressEvent, Started, StepEvent


class ProgressBar:
    """Draws `[#####.....] step/total loss=...` on a terminal; silent when the stream is not one."""

    def __init__(self, label: str, stream: TextIO = sys.stderr, width: int = 30) -> None:
        self.label, self.stream, self.width = label, stream, width
        self.enabled = stream.isatty()
        self.total, self.metrics, self._last_draw = 1, "", 0.0

    def __call__(self, event: ProgressEvent) -> None:
        if not self.enabled:
            return
        if isinstance(event, Started):
            self.total = max(event.total_steps, 1)
        elif isinstance(event, StepEvent):
            now = time.monotonic()
            if now - self._last_draw > 0.1 or event.step == self.total:
                self._last_draw = now
                self._draw(event.step, event.losses.get("loss", float("nan")))
        elif isinstance(event, Evaluated):
            self.metrics = " ".join(f"{name}={value:.2f}" for name, value in event.metrics.items())
        elif isinstance(event, Finished):
            self.stream.write("\n")
            self.stream.flush()

    def _draw(self, step: int, loss: float) -> None:
        filled = int(self.width * step / self.total)
        bar = "#" * filled + "." * (self.width - filled)
        self.stream.write(f"\r{self.label} [{bar}] {step}/{self.total} loss={loss:.4g} {self.metrics}")
        self.stream.flush()
