"""Jobs reach a final state on their own: killed workers, time limits, dropped database connections.

Workers run as ``manage.py rundramatiq`` subprocesses on the real Redis broker and PostgreSQL,
with short heartbeat/sweep intervals (``faults.FAST_LIFE_CYCLE``).
"""

from __future__ import annotations

import signal
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from faults import stop_group, worker_process
from helpers import wait_for
from test_web_jobs import _draw_edge

from webapp.catalog.models import Module, ModuleKind
from webapp.jobs.models import Job, JobPoint, JobStatus
from webapp.jobs.selectors import job_points
from webapp.jobs.services import job_claim
from webapp.jobs.sweep import gave_up_message, jobs_requeue_stale, jobs_resend_lost

pytestmark = pytest.mark.django_db(transaction=True)


def _job(job_id: int) -> Job:
    return Job.objects.get(pk=job_id)


def _queued_job(client, catalog, steps: int = 5) -> Job:
    """A job whose message no worker reads (no worker runs in these tests)."""
    return _job(_draw_edge(client, catalog, steps=steps)["job"]["id"])


def test_a_running_job_is_claimed_again_only_once_its_heartbeat_is_stale(client, catalog):
    job = _queued_job(client, catalog)
    first = job_claim(job_id=job.id)
    assert first is not None and first.run_attempt == 1
    assert job_claim(job_id=job.id) is None  # its worker is alive: nobody else trains it
    Job.objects.filter(pk=job.id).update(heartbeat=timezone.now() - timedelta(hours=1), last_step=40)
    second = job_claim(job_id=job.id)
    assert second is not None and second.run_attempt == 2 and second.last_step is None
    assert job_claim(job_id=job.id) is None


def test_points_of_an_abandoned_attempt_are_not_shown(client, catalog):
    job = _queued_job(client, catalog)
    JobPoint.objects.bulk_create(
        [JobPoint(job=job, run_attempt=1, step=s, losses={"loss": 1.0}) for s in range(50)]
    )
    JobPoint.objects.bulk_create(
        [JobPoint(job=job, run_attempt=2, step=s, losses={"loss": 2.0}) for s in range(10)]
    )
    Job.objects.filter(pk=job.id).update(run_attempt=2)
    shown = list(job_points(job=_job(job.id)))
    assert [p.step for p in shown] == list(range(10))
    assert {p.losses["loss"] for p in shown} == {2.0}


def test_the_sweep_requeues_a_stale_job_once_even_when_two_workers_sweep(client, catalog, settings):
    job = _queued_job(client, catalog)
    job_claim(job_id=job.id)
    Job.objects.filter(pk=job.id).update(heartbeat=timezone.now() - timedelta(hours=1))
    cutoff = timezone.now() - timedelta(seconds=settings.JOB_STALE_SECONDS)
    assert jobs_requeue_stale(stale_before=cutoff) == {"requeued": 1, "failed": 0}
    assert jobs_requeue_stale(stale_before=cutoff) == {"requeued": 0, "failed": 0}
    job = _job(job.id)
    assert job.status == JobStatus.QUEUED and job.run_attempt == 1 and job.heartbeat is None


def test_the_sweep_fails_a_job_whose_workers_died_too_often_with_a_reason(client, catalog, settings):
    settings.JOB_MAX_RUN_ATTEMPTS = 2
    job = _queued_job(client, catalog)
    for _ in range(2):
        job_claim(job_id=job.id)
        Job.objects.filter(pk=job.id).update(heartbeat=timezone.now() - timedelta(hours=1))
    assert _job(job.id).run_attempt == 2
    assert job_claim(job_id=job.id) is None  # no attempts left
    assert jobs_requeue_stale(stale_before=timezone.now())["failed"] == 1
    job = _job(job.id)
    assert job.status == JobStatus.FAILED and job.error == gave_up_message(2)
    assert client.get(f"/api/jobs/{job.id}/").json()["error"] == gave_up_message(2)


def test_the_sweep_resends_a_queued_job_whose_message_was_lost_once(client, catalog):
    job = _queued_job(client, catalog)
    assert jobs_resend_lost(due_before=timezone.now()) == 0  # not due yet
    Job.objects.filter(pk=job.id).update(resend_after=timezone.now() - timedelta(seconds=1))
    now = timezone.now()
    assert jobs_resend_lost(due_before=now) == 1
    assert jobs_resend_lost(due_before=now) == 0
    assert _job(job.id).resend_after > now


def _adapters() -> int:
    return Module.objects.filter(kind=ModuleKind.ADAPTER).count()


@pytest.mark.slow
def test_a_job_whose_worker_is_killed_mid_run_succeeds_once_on_a_new_worker(client, catalog, tmp_path):
    job_id = _draw_edge(client, catalog, steps=400)["job"]["id"]
    with worker_process(tmp_path / "first.log") as first:
        wait_for(
            lambda: (_job(job_id).last_step or 0) >= 20,
            timeout=400,
            interval=0.2,
            what="the first worker to train some steps",
        )
        stop_group(first, signal.SIGKILL)
    killed_at = _job(job_id)
    assert killed_at.status == JobStatus.RUNNING and killed_at.run_attempt == 1
    with worker_process(tmp_path / "second.log"):
        wait_for(
            lambda: _job(job_id).status in ("succeeded", "failed"),
            timeout=500,
            interval=0.5,
            what="the second worker to finish the job",
        )
    job = _job(job_id)
    assert job.status == JobStatus.SUCCEEDED, job.error + (tmp_path / "second.log").read_text()
    assert job.run_attempt == 2 and _adapters() == 1
    steps = [point["step"] for point in client.get(f"/api/jobs/{job_id}/points/").json()]
    assert steps == list(range(1, 401)) and job.last_step == 400
    assert JobPoint.objects.filter(job_id=job_id, run_attempt=1).exists()  # kept apart


@pytest.mark.slow
def test_a_job_over_its_time_limit_fails_with_the_reason(client, catalog, tmp_path):
    job_id = _draw_edge(client, catalog, steps=20_000)["job"]["id"]
    with worker_process(tmp_path / "worker.log", TRANSPLANT_JOB_TIME_LIMIT="3"):
        wait_for(
            lambda: _job(job_id).status not in ("queued", "running"),
            timeout=400,
            interval=0.3,
            what="the job to stop",
        )
    job = _job(job_id)
    assert job.status == JobStatus.FAILED, (tmp_path / "worker.log").read_text()
    assert "time limit of 3 s exceeded" in job.error
    assert client.get(f"/api/jobs/{job_id}/").json()["status"] == "failed"


def _drop_other_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


@pytest.mark.slow
def test_a_job_survives_its_database_connection_being_dropped(client, catalog, tmp_path):
    job_id = _draw_edge(client, catalog, steps=300)["job"]["id"]
    with worker_process(tmp_path / "worker.log"):
        wait_for(
            lambda: (_job(job_id).last_step or 0) >= 10,
            timeout=400,
            interval=0.2,
            what="the worker to train some steps",
        )
        assert _drop_other_connections() >= 1
        wait_for(
            lambda: _job(job_id).status in ("succeeded", "failed"),
            timeout=500,
            interval=0.5,
            what="the job to finish",
        )
    job = _job(job_id)
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.run_attempt == 1 and _adapters() == 1
