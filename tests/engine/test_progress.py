"""The CLI's tqdm progress bar: draws steps, loss and metrics on a terminal, nothing elsewhere."""

import io

from engine.events import Evaluated, Finished, Started, StepEvent
from engine.progress import ProgressBar


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _run(stream) -> None:
    bar = ProgressBar("graft back-distill", stream=stream)
    bar(Started(total_steps=4))
    for step in (1, 2):
        bar(StepEvent(step=step, losses={"loss": 0.5 / step}))
    bar(Evaluated(step=2, metrics={"error": 12.345}))
    for step in (3, 4):
        bar(StepEvent(step=step, losses={"loss": 0.1}))
    bar(Finished(metrics={"error": 12.345}))


def test_on_a_terminal_the_bar_reaches_the_total_with_loss_and_metrics():
    stream = FakeTerminal()
    _run(stream)
    text = stream.getvalue()
    assert "graft back-distill" in text and "4/4" in text
    assert "loss=0.1" in text and "error=12.35" in text


def test_off_a_terminal_the_bar_writes_nothing():
    stream = io.StringIO()
    _run(stream)
    assert stream.getvalue() == ""
