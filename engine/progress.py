"""The CLI's progress bar: tqdm, driven by the engine's events (the CLI's `on_event`)."""

from __future__ import annotations

import sys
from typing import TextIO

from tqdm import tqdm

from engine.events import Evaluated, Finished, ProgressEvent, Started, StepEvent


class ProgressBar:
    """Shows `label: 40%|████      | 120/300 [00:12<00:18, loss=0.41, error=12.30]` on a terminal.

    Silent when the stream is not a terminal (tqdm's own rule), so `--json` output and logs stay clean.

    Args:
        label: the bar's description, e.g. ``"graft back-distill"``.
        stream: where to draw (standard error by default).
    """

    def __init__(self, label: str, stream: TextIO = sys.stderr) -> None:
        self.label, self.stream = label, stream
        self._bar: tqdm | None = None
        self._metrics: dict[str, str] = {}

    def __call__(self, event: ProgressEvent) -> None:
        if isinstance(event, Started):
            self.close()
            # disable=None: tqdm draws only when the stream is a terminal.
            self._bar = tqdm(
                total=max(event.total_steps, 1),
                desc=self.label,
                file=self.stream,
                unit="step",
                dynamic_ncols=True,
                mininterval=0.1,
                disable=None,
            )
        elif isinstance(event, StepEvent) and self._bar is not None:
            self._bar.update(event.step - self._bar.n)
            self._bar.set_postfix(
                loss=f"{event.losses.get('loss', float('nan')):.4g}", **self._metrics, refresh=False
            )
        elif isinstance(event, Evaluated):
            self._metrics = {name: f"{value:.2f}" for name, value in event.metrics.items()}
        elif isinstance(event, Finished):
            self.close()

    def close(self) -> None:
        """End the current bar (the next `Started` opens a new one)."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
