"""Probes for load balancers and orchestrators.

``/healthz`` (liveness) answers 200 while the process serves requests; it touches nothing else,
so a database outage never gets a healthy web node restarted. ``/readyz`` (readiness) checks
every dependency a request may need -- the database, the broker, the channel layer and the
module store -- names each in its JSON, and answers 503 when one is down, so the balancer stops
sending traffic to the node until it recovers.

:class:`ProbeMiddleware` answers them, and ``/metrics``, ahead of the rest of the stack:
orchestrators and scrapers call a node by its own address, which is not in ``ALLOWED_HOSTS``,
and over plain HTTP inside the network, which the HTTPS redirect would refuse.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from asgiref.sync import async_to_sync
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from webapp.storage.blobs import MODULES, blob_check

logger = logging.getLogger(__name__)

CHECK_TIMEOUT_SECONDS = 5.0


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_broker() -> None:
    url = settings.BROKER_URL
    if url.startswith("amqp"):
        import pika

        parameters = pika.URLParameters(url)
        parameters.socket_timeout = CHECK_TIMEOUT_SECONDS
        parameters.blocked_connection_timeout = CHECK_TIMEOUT_SECONDS
        pika.BlockingConnection(parameters).close()
        return
    import redis

    client = redis.Redis.from_url(
        url, socket_timeout=CHECK_TIMEOUT_SECONDS, socket_connect_timeout=CHECK_TIMEOUT_SECONDS
    )
    try:
        client.ping()
    finally:
        client.close()


async def _layer_round_trip() -> None:
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    channel = await layer.new_channel("readyz.")
    await layer.send(channel, {"type": "readyz.probe"})
    message = await layer.receive(channel)
    if message.get("type") != "readyz.probe":
        raise RuntimeError("the channel layer returned another message")


def _check_channel_layer() -> None:
    async def probe() -> None:
        await asyncio.wait_for(_layer_round_trip(), CHECK_TIMEOUT_SECONDS)

    async_to_sync(probe)()


def _check_storage() -> None:
    blob_check(MODULES)


CHECKS: dict[str, Callable[[], None]] = {
    "database": _check_database,
    "broker": _check_broker,
    "channel_layer": _check_channel_layer,
    "storage": _check_storage,
}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: 200 ``{"status": "ok"}`` with no dependency touched."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: each dependency by name with ``ok`` or its error; 503 when any is down."""
    results: dict[str, dict[str, object]] = {}
    for name, check in CHECKS.items():
        started = time.monotonic()
        try:
            check()
            results[name] = {"status": "ok"}
        except Exception as exc:  # any failure of a dependency is a "not ready", never a 500
            logger.warning("readyz: %s is down: %s", name, exc)
            results[name] = {"status": "down", "error": f"{type(exc).__name__}: {exc}"[:300]}
        results[name]["ms"] = round((time.monotonic() - started) * 1000, 1)
    ready = all(result["status"] == "ok" for result in results.values())
    return JsonResponse(
        {"status": "ok" if ready else "down", "checks": results}, status=200 if ready else 503
    )


def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus exposition of this process's metrics (django-prometheus and job counts)."""
    from django_prometheus.exports import ExportToDjangoView

    return ExportToDjangoView(request)


PROBES = {"/healthz": healthz, "/readyz": readyz, "/metrics": metrics}


class ProbeMiddleware:
    """Serve the probes and ``/metrics`` before host validation and the HTTPS redirect."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        probe = PROBES.get(request.path_info)
        return probe(request) if probe is not None else self.get_response(request)
