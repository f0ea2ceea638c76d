"""A Dramatiq middleware that makes every worker process sweep jobs on a schedule (no cron needed)."""

from __future__ import annotations

import logging
import random
import threading

import dramatiq

logger = logging.getLogger(__name__)


class JobSweepMiddleware(dramatiq.Middleware):
    """Start a sweeper thread when a worker boots, stop it when the worker shuts down.

    Each pass waits JOB_SWEEP_SECONDS with a little jitter, so the workers of a fleet do not all
    sweep at the same instant (they could, safely: the sweep's updates are conditional).
    """

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def after_worker_boot(self, broker, worker) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="job-sweeper", daemon=True)
        self._thread.start()

    def before_worker_shutdown(self, broker, worker) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def _run(self) -> None:
        from django.conf import settings
        from django.db import connection

        from webapp.jobs.sweep import job_sweep

        interval = settings.JOB_SWEEP_SECONDS
        while not self._stop.wait(interval * random.uniform(0.8, 1.2)):
            try:
                counts = job_sweep()
                if any(counts.values()):
                    logger.info("job sweep: %s", counts)
            except Exception:  # a database restart must not end the sweeping for good
                logger.exception("job sweep failed; trying again in %s s", interval)
            finally:
                connection.close()
