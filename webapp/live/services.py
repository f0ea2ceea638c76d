"""Live events: number them per watched thing (a graph, or a job without one) and push them to its
WebSocket group.

A graph's watchers receive the events of every job of the graph (edges, races), numbered by
``Graph.event_seq``. A job that belongs to no graph (a teacher job) streams to its own watchers,
numbered by ``Job.event_seq``. Either way the messages have one shape, so a client applies them the
same way; a ``seq`` that skips tells it to backfill over REST.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import models, transaction

from webapp.graphs.models import Graph
from webapp.jobs.models import Job

logger = logging.getLogger(__name__)

# The channel-layer message type the consumers handle (``LiveConsumer.live_event``).
LAYER_MESSAGE_TYPE = "live.event"


class EventType:
    """Event names sent to WebSocket clients (``type`` of each message)."""

    QUEUED = "job.queued"
    STARTED = "job.started"
    PROGRESS = "job.progress"
    SUCCEEDED = "job.succeeded"
    FAILED = "job.failed"
    CANCELLED = "job.cancelled"


def graph_group(graph_id: int) -> str:
    """Return the channel-layer group of a graph's watchers."""
    return f"graph-{graph_id}"


def job_group(job_id: int) -> str:
    """Return the channel-layer group of the watchers of a job without a graph."""
    return f"job-{job_id}"


@transaction.atomic
def _next_seq(model: type[models.Model], pk: int) -> int | None:
    # A row lock makes the counter strictly increasing across web and worker processes.
    row = model.objects.select_for_update().only("id", "event_seq").filter(pk=pk).first()
    if row is None:
        return None
    row.event_seq += 1
    model.objects.filter(pk=pk).update(event_seq=row.event_seq)
    return row.event_seq


def _send(group: str, message: dict[str, Any]) -> None:
    try:
        async_to_sync(get_channel_layer().group_send)(group, {"type": LAYER_MESSAGE_TYPE, "message": message})
    except Exception:  # a lost live message must not fail the job; clients backfill over REST
        logger.exception("could not send %s for job %s", message["type"], message["job"])


def _message(seq: int, event_type: str, job_id: int, edge_id: int | None, payload: dict | None) -> dict:
    # ``sent_at`` (Unix seconds) lets a viewer measure delivery latency (benchmarks/live_load.py).
    return {
        "seq": seq,
        "type": event_type,
        "job": job_id,
        "edge": edge_id,
        "sent_at": time.time(),
        **(payload or {}),
    }


def event_publish(
    *,
    graph_id: int | None,
    event_type: str,
    job_id: int,
    edge_id: int | None,
    payload: dict[str, Any] | None = None,
) -> dict[str, Any] | None:
    """Number an event and send it to everyone watching the graph.

    Args:
        graph_id: the graph the job belongs to (nothing is sent when None).
        event_type: one of :class:`EventType`.
        job_id: the job the event is about.
        edge_id: the job's edge, if it still exists.
        payload: the event's own fields (``step``, ``losses``, ``error``...).

    Returns:
        The message sent, or None when the graph is gone.
    """
    if graph_id is None:
        return None
    seq = _next_seq(Graph, graph_id)
    if seq is None:
        return None
    message = _message(seq, event_type, job_id, edge_id, payload)
    _send(graph_group(graph_id), message)
    return message


def job_event_publish(
    *, job_id: int, event_type: str, payload: dict[str, Any] | None = None
) -> dict[str, Any] | None:
    """Number an event of a job without a graph (a teacher job) and send it to the job's watchers.

    Args:
        job_id: the job the event is about.
        event_type: one of :class:`EventType`.
        payload: the event's own fields.

    Returns:
        The message sent (``edge`` is None), or None when the job is gone.
    """
    seq = _next_seq(Job, job_id)
    if seq is None:
        return None
    message = _message(seq, event_type, job_id, None, payload)
    _send(job_group(job_id), message)
    return message


class ProgressCoalescer:
    """Let through at most one progress message per ``interval`` seconds; ``flush`` sends the rest.

    The caller offers every step; the latest pending one goes out when the interval has passed,
    and ``flush()`` (called at the end of training) always sends the last step.
    """

    def __init__(self, send, interval: float = 0.2, clock=time.monotonic) -> None:
        self._send = send
        self._interval = interval
        self._clock = clock
        self._last_sent = float("-inf")
        self._pending: dict[str, Any] | None = None

    def offer(self, payload: dict[str, Any]) -> bool:
        """Remember the payload and send it if the interval has passed; True if it was sent."""
        self._pending = payload
        if self._clock() - self._last_sent >= self._interval:
            self.flush()
            return True
        return False

    def flush(self) -> None:
        """Send the pending payload, if any."""
        if self._pending is not None:
            payload, self._pending = self._pending, None
            self._last_sent = self._clock()
            self._send(payload)
