"""Live events: number them per graph and push them to the graph's WebSocket group."""

from __future__ import annotations

import logging
import time
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from webapp.graphs.models import Graph

logger = logging.getLogger(__name__)


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


@transaction.atomic
def _next_seq(graph_id: int) -> int | None:
    # A row lock makes the counter strictly increasing across web and worker processes.
    graph = Graph.objects.select_for_update().only("id", "event_seq").filter(pk=graph_id).first()
    if graph is None:
        return None
    graph.event_seq += 1
    Graph.objects.filter(pk=graph_id).update(event_seq=graph.event_seq)
    return graph.event_seq


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
    seq = _next_seq(graph_id)
    if seq is None:
        return None
    # ``sent_at`` (Unix seconds) lets a viewer measure delivery latency (benchmarks/live_load.py).
    message = {
        "seq": seq,
        "type": event_type,
        "job": job_id,
        "edge": edge_id,
        "sent_at": time.time(),
        **(payload or {}),
    }
    layer = get_channel_layer()
    try:
        async_to_sync(layer.group_send)(graph_group(graph_id), {"type": "graph.event", "message": message})
    except Exception:  # a lost live message must not fail the job; clients backfill over REST
        logger.exception("could not send %s for job %s", event_type, job_id)
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
