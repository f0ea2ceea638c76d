"""Structured JSON log lines, each carrying the id of the job it is about (when there is one).

The job runner sets :data:`current_job_id` for the duration of a job (see
:class:`webapp.observability.middleware.JobLogContext`); :class:`JobIdFilter` copies it onto every
record, so a worker's lines about a job, from any logger (Django, Dramatiq, the engine), can be
found by ``job_id`` in a log store.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime
import json
import logging
from collections.abc import Iterator

current_job_id: contextvars.ContextVar[int | None] = contextvars.ContextVar("current_job_id", default=None)

# Attributes every LogRecord has; anything else on a record came from ``extra=`` and is kept.
_STANDARD_ATTRIBUTES = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "job_id", "job"}


@contextlib.contextmanager
def job_log_context(job_id: int) -> Iterator[None]:
    """Tag every log line written in this block (in this thread or task) with ``job_id``."""
    token = current_job_id.set(job_id)
    try:
        yield
    finally:
        current_job_id.reset(token)


class JobIdFilter(logging.Filter):
    """Put the current job id (or None) on each record as ``record.job_id``."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "job_id", None) is None:
            record.job_id = current_job_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, job_id, process, thread, extras."""

    def format(self, record: logging.LogRecord) -> str:
        document = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "job_id": getattr(record, "job_id", None),
            "process": record.process,
            "thread": record.threadName,
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRIBUTES and not key.startswith("_"):
                document[key] = (
                    value if isinstance(value, (str, int, float, bool, type(None))) else repr(value)
                )
        if record.exc_info:
            document["exception"] = self.formatException(record.exc_info)
        return json.dumps(document, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """``time level logger [job N] message`` for a terminal; the job part only within a job."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(job)s%(message)s")

    def format(self, record: logging.LogRecord) -> str:
        job_id = getattr(record, "job_id", None)
        record.job = f"[job {job_id}] " if job_id is not None else ""
        return super().format(record)


def logging_config(*, log_format: str, level: str) -> dict:
    """The ``LOGGING`` setting: ``json`` (production) or ``text`` (embedded, a terminal)."""
    if log_format not in {"json", "text"}:
        raise ValueError(f"TRANSPLANT_LOG_FORMAT must be 'json' or 'text', not {log_format!r}")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"job_id": {"()": "webapp.observability.logs.JobIdFilter"}},
        "formatters": {
            "json": {"()": "webapp.observability.logs.JsonFormatter"},
            "text": {"()": "webapp.observability.logs.TextFormatter"},
        },
        "handlers": {
            "console": {"class": "logging.StreamHandler", "filters": ["job_id"], "formatter": log_format}
        },
        "root": {"handlers": ["console"], "level": level},
    }
