"""Dramatiq actors: they receive a job id only and hand it to the jobs service."""

import dramatiq
from django.conf import settings

from webapp.jobs import services


# No broker-level retries: a job's retries are its run attempts, decided on its row by the claim
# and the sweep (webapp.jobs.sweep), with a cap and backoff. The time limit comes from
# TRANSPLANT_JOB_TIME_LIMIT; going past it fails the job with that reason.
@dramatiq.actor(
    queue_name=settings.TRAINING_QUEUE, max_retries=0, time_limit=settings.JOB_TIME_LIMIT_SECONDS * 1000
)
def run_job(job_id: int) -> None:
    """Train the adapter of job ``job_id`` (a message for a job another worker holds stops)."""
    services.job_run(job_id=job_id)
