"""The callbacks a job passes to ``engine.graft``: record points, push progress, beat, poll for cancel."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.utils import timezone

from webapp.jobs.db import with_reconnect
from webapp.jobs.models import Job, JobPoint, JobStatus
from webapp.live.services import EventType, ProgressCoalescer

# The engine asks "cancel?" every step; reading the row that often would load the database for
# nothing, and a cancel seen within half a second is quick enough for a person.
CANCEL_POLL_SECONDS = 0.5
# About five progress messages a second at most (points are written in the same rhythm).
PROGRESS_INTERVAL_SECONDS = 0.2


class JobRecorder:
    """``on_event`` and ``should_cancel`` for one run attempt of a job.

    Every write is tied to the attempt (``job.run_attempt``): points carry it, and the heartbeat
    and ``last_step`` are written only while the row still belongs to this attempt. Once another
    attempt took the row (this worker was taken for dead), ``should_cancel`` says stop.

    Steps are buffered and written in bulk each time a (coalesced) progress message goes out, so
    a client that backfills after a message finds every point up to that message's step.

    Args:
        job: the running job.
        publish: ``publish(event_type, payload)`` sends a live event for the job.
    """

    def __init__(
        self,
        *,
        job: Job,
        publish: Callable[[str, dict[str, Any]], None],
        clock: Callable[[], float] = time.monotonic,
        lost: Callable[[], bool] = lambda: False,
    ) -> None:
        self._job_id = job.id
        self._lost = lost
        self._run_attempt = job.run_attempt
        self._last_beat = clock()
        self._publish = publish
        self._clock = clock
        self._pending: dict[int, dict[str, Any]] = {}
        self._total_steps: int | None = None
        self._metrics: dict[str, float] | None = None
        self._last_poll = float("-inf")
        self._cancelled = False
        self._coalescer = ProgressCoalescer(self._send_progress, PROGRESS_INTERVAL_SECONDS, clock)

    def __call__(self, event: Any) -> None:
        kind = getattr(event, "type", None)
        if kind == "started":
            self._total_steps = int(event.total_steps)
            total = self._total_steps
            with_reconnect(lambda: self._mine().update(total_steps=total))
        elif kind == "step":
            losses = {name: float(value) for name, value in event.losses.items()}
            self._pending[int(event.step)] = {"losses": losses, "metrics": None}
            self._coalescer.offer(self._progress(int(event.step), losses))
        elif kind == "evaluated":
            self._record_metrics(int(event.step), {k: float(v) for k, v in event.metrics.items()})
        self._beat()

    def _mine(self):
        return Job.objects.filter(pk=self._job_id, status=JobStatus.RUNNING, run_attempt=self._run_attempt)

    def _beat(self) -> None:
        now = self._clock()
        if now - self._last_beat < settings.JOB_HEARTBEAT_SECONDS:
            return
        self._last_beat = now
        alive = with_reconnect(lambda: self._mine().update(heartbeat=timezone.now()))
        self._cancelled = self._cancelled or not alive

    def _record_metrics(self, step: int, metrics: dict[str, float]) -> None:
        self._metrics = metrics
        if step in self._pending:
            self._pending[step]["metrics"] = metrics
            losses = self._pending[step]["losses"]
        else:
            points = JobPoint.objects.filter(job_id=self._job_id, run_attempt=self._run_attempt, step=step)
            updated = with_reconnect(lambda: points.update(metrics=metrics))
            if not updated:
                self._pending[step] = {"losses": {}, "metrics": metrics}
            point = with_reconnect(points.first)
            losses = point.losses if point else {}
        self._coalescer.offer(self._progress(step, losses))

    def _progress(self, step: int, losses: dict[str, float]) -> dict[str, Any]:
        return {
            "step": step,
            "total_steps": self._total_steps,
            "losses": losses,
            "metrics": self._metrics,
            "run_attempt": self._run_attempt,
        }

    def _write_points(self) -> None:
        if not self._pending:
            return
        points = [
            JobPoint(
                job_id=self._job_id,
                run_attempt=self._run_attempt,
                step=step,
                losses=data["losses"],
                metrics=data["metrics"],
            )
            for step, data in self._pending.items()
        ]
        with_reconnect(
            lambda: JobPoint.objects.bulk_create(
                points,
                update_conflicts=True,
                unique_fields=["job", "run_attempt", "step"],
                update_fields=["losses", "metrics"],
            )
        )
        last_step = max(self._pending)
        with_reconnect(lambda: self._mine().update(last_step=last_step, heartbeat=timezone.now()))
        self._last_beat = self._clock()
        self._pending.clear()

    def _send_progress(self, payload: dict[str, Any]) -> None:
        self._write_points()
        self._publish(EventType.PROGRESS, payload)

    def flush(self) -> None:
        """Write the remaining points and send the last progress message."""
        self._coalescer.flush()
        self._write_points()

    def should_cancel(self) -> bool:
        """True once the row is no longer running this attempt (read at most every half second)."""
        if self._cancelled or self._lost():
            return True
        now = self._clock()
        if now - self._last_poll < CANCEL_POLL_SECONDS:
            return False
        self._last_poll = now
        self._cancelled = not with_reconnect(self._mine().exists)
        return self._cancelled
