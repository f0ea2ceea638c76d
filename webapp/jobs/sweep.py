"""The sweep: every job reaches a final state without a person, even when workers or messages die.

Each worker process runs :func:`job_sweep` every JOB_SWEEP_SECONDS (``JobSweepMiddleware``):
- a running job whose heartbeat is stale lost its worker: it goes back to the queue and its
  message is sent after a backoff (``JOB_RETRY_BACKOFF_SECONDS * 2**(run_attempt - 1)``), or,
  after JOB_MAX_RUN_ATTEMPTS claims, it fails with a reason the user sees;
- a queued job past ``resend_after`` lost its message: it is sent again.
Every change is a conditional UPDATE on what the sweeper read, so two workers sweeping at once
requeue or resend a job once.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from webapp.jobs.models import Job, JobStatus
from webapp.jobs.services import _publish, job_send
from webapp.live.services import EventType

logger = logging.getLogger(__name__)


def retry_delay_seconds(run_attempt: int) -> float:
    """Backoff before the next claim after ``run_attempt`` was abandoned."""
    return settings.JOB_RETRY_BACKOFF_SECONDS * 2 ** max(run_attempt - 1, 0)


def gave_up_message(run_attempts: int) -> str:
    return (
        f"The worker training this job stopped answering {run_attempts} times, so it was "
        "given up. Retry the job; if it keeps happening, the job may need more memory than "
        "a worker has."
    )


def jobs_requeue_stale(*, stale_before: datetime) -> dict[str, int]:
    """Requeue (or fail, past the cap) running jobs whose heartbeat is older than ``stale_before``.

    Returns:
        ``{"requeued": n, "failed": n}``.
    """
    now = timezone.now()
    stale = Q(heartbeat__isnull=True) | Q(heartbeat__lt=stale_before)
    counts = {"requeued": 0, "failed": 0}
    for job in Job.objects.filter(stale, status=JobStatus.RUNNING).only("id", "run_attempt", "graph", "edge"):
        still_stale = Job.objects.filter(
            stale, pk=job.pk, status=JobStatus.RUNNING, run_attempt=job.run_attempt
        )
        if job.run_attempt >= settings.JOB_MAX_RUN_ATTEMPTS:
            error = gave_up_message(job.run_attempt)
            if still_stale.update(status=JobStatus.FAILED, finished=now, error=error):
                counts["failed"] += 1
                logger.warning("job %s failed: %s", job.pk, error)
                _publish(job, EventType.FAILED, {"error": error})
            continue
        delay = retry_delay_seconds(job.run_attempt)
        resend_after = now + timedelta(seconds=delay + settings.JOB_LOST_MESSAGE_SECONDS)
        if still_stale.update(status=JobStatus.QUEUED, heartbeat=None, resend_after=resend_after):
            counts["requeued"] += 1
            logger.warning(
                "job %s lost its worker (run attempt %s); retrying in %s s", job.pk, job.run_attempt, delay
            )
            _publish(job, EventType.QUEUED, {"run_attempt": job.run_attempt, "retry_in": delay})
            job_send(job_id=job.pk, delay_seconds=delay)
    return counts


def jobs_resend_lost(*, due_before: datetime) -> int:
    """Send again queued jobs whose message should have been claimed before ``due_before``.

    Returns:
        How many were sent.
    """
    lost = Q(resend_after__lt=due_before) | Q(resend_after__isnull=True, created__lt=due_before)
    next_due = timezone.now() + timedelta(seconds=settings.JOB_LOST_MESSAGE_SECONDS)
    sent = 0
    for job in Job.objects.filter(lost, status=JobStatus.QUEUED).only("id", "resend_after"):
        if Job.objects.filter(pk=job.pk, status=JobStatus.QUEUED, resend_after=job.resend_after).update(
            resend_after=next_due
        ):
            logger.warning("job %s was queued without being claimed; sending it again", job.pk)
            job_send(job_id=job.pk)
            sent += 1
    return sent


def job_sweep() -> dict[str, int]:
    """One sweep with the configured thresholds (what every worker runs on its schedule)."""
    now = timezone.now()
    counts = jobs_requeue_stale(stale_before=now - timedelta(seconds=settings.JOB_STALE_SECONDS))
    counts["resent"] = jobs_resend_lost(due_before=now)
    return counts
