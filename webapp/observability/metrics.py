"""Prometheus metrics of the web nodes beyond django-prometheus' request metrics.

``transplant_jobs{status=...}`` counts job rows by status (queued, running, failed, ...), read
from the database at scrape time, so every web node reports the same lab-wide figures. The
workers' own message metrics (in progress, errors, durations) come from Dramatiq's Prometheus
middleware on each worker (port ``dramatiq_prom_port``, 9191 by default).
"""

from __future__ import annotations

import logging
import threading

from prometheus_client import REGISTRY
from prometheus_client.core import GaugeMetricFamily

logger = logging.getLogger(__name__)
_registered = threading.Event()


class JobStatusCollector:
    """Collect the number of jobs in each status."""

    def collect(self):
        from django.db import DatabaseError
        from django.db.models import Count

        from webapp.jobs.models import Job, JobStatus

        family = GaugeMetricFamily("transplant_jobs", "Training jobs by status.", labels=["status"])
        try:
            counts = dict(Job.objects.order_by().values_list("status").annotate(n=Count("id")))
        except DatabaseError:  # a scrape must not fail because the database is away
            logger.warning("transplant_jobs: the database did not answer")
            return
        for status in JobStatus.values:
            family.add_metric([status], counts.get(status, 0))
        yield family

    def describe(self):
        return []  # no describe-time query: the database may not be ready at registration


def register_job_metrics() -> None:
    """Add :class:`JobStatusCollector` to the default registry, once per process."""
    if not _registered.is_set():
        REGISTRY.register(JobStatusCollector())
        _registered.set()
