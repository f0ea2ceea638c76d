"""Dramatiq actors: they receive a job id only and hand it to the jobs service."""
import dramatiq
from django.conf import settings

from webapp.jobs import services

# No broker-level retries: a failed job is recorded on its row and retried through the API.
# The time limit is generous because a full-size graft on a CPU takes a while.
@dramatiq.actor(queue_name=settings.TRAINING_QUEUE, max_retries=0, time_limit=6 * 60 * 60 * 1000)
def run_job(job_id: int) -> None:
    """Train the adapter of job ``job_id`` (a redelivered message finds it claimed and stops)."""
    services.job_run(job_id=job_id)
