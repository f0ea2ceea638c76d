"""Dramatiq middleware: the job id of a training message becomes the log context of its thread."""

from __future__ import annotations

import logging
import threading

import dramatiq

from webapp.observability.logs import current_job_id

logger = logging.getLogger(__name__)

# The line a worker writes when it takes a job's message (counted by benchmarks.multi_host).
TAKEN_MESSAGE = "job message taken by this worker"
# Actors whose first argument is a Job row id.
JOB_ACTORS = frozenset({"run_job"})


class JobLogContext(dramatiq.Middleware):
    """Set :data:`current_job_id` while a worker thread processes a job's message.

    Dramatiq calls ``before_process_message`` and ``after_process_message`` in the worker thread
    that runs the actor, so every line that thread logs meanwhile (Dramatiq's own included)
    carries the job id.
    """

    def __init__(self) -> None:
        self._tokens = threading.local()

    def before_process_message(self, broker, message):
        if message.actor_name in JOB_ACTORS and message.args:
            self._tokens.token = current_job_id.set(int(message.args[0]))
            logger.info(TAKEN_MESSAGE, extra={"message_id": message.message_id, "queue": message.queue_name})

    def after_process_message(self, broker, message, *, result=None, exception=None):
        token = getattr(self._tokens, "token", None)
        if token is not None:
            current_job_id.reset(token)
            self._tokens.token = None

    after_skip_message = after_process_message
