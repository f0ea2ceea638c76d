"""A running job's heartbeat, stamped by a thread so slow steps (loading, evaluating) never look dead."""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import connection
from django.utils import timezone

from webapp.jobs.db import with_reconnect
from webapp.jobs.models import Job, JobStatus

logger = logging.getLogger(__name__)


class Heartbeat:
    """Stamp ``Job.heartbeat`` every JOB_HEARTBEAT_SECONDS while this run attempt holds the row.

    ``lost`` becomes true once the row is no longer running this attempt (cancelled, or taken
    over after this worker looked dead); the recorder then tells the engine to stop. A hung
    training keeps beating: the time limit ends that one.
    """

    def __init__(self, *, job_id: int, run_attempt: int) -> None:
        self._job_id = job_id
        self._run_attempt = run_attempt
        self._stop = threading.Event()
        self.lost = False
        self._thread = threading.Thread(target=self._run, name=f"heartbeat-{job_id}", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        try:
            while not self._stop.wait(settings.JOB_HEARTBEAT_SECONDS):
                try:
                    alive = with_reconnect(
                        lambda: Job.objects.filter(
                            pk=self._job_id, status=JobStatus.RUNNING, run_attempt=self._run_attempt
                        ).update(heartbeat=timezone.now())
                    )
                except Exception:  # the database is away: try again at the next beat
                    logger.warning("could not stamp job %s's heartbeat", self._job_id, exc_info=True)
                    connection.close()
                    continue
                if not alive:
                    self.lost = True
                    return
        finally:
            connection.close()
