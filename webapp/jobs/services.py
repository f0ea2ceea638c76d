"""Writes to jobs, and the jobs app's one door to the engine (``engine.graft``).

A job row is the source of truth: the web process creates it (queued), a Dramatiq worker claims
it (running) with a conditional UPDATE so a redelivered message cannot train twice, and the
worker or a user finishes it (succeeded, failed, cancelled).
"""
from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

import engine
from django.conf import settings as django_settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from webapp.catalog.models import Module, ParentRole, Visibility
from webapp.catalog.selectors import module_visible
from webapp.catalog.services import module_link_parents, module_load, module_register
from webapp.errors import ApplicationError
from webapp.jobs.edge_settings import (CROSS_NET_SAMPLES, DEFAULT_SETTINGS,  # noqa: F401 (re-exported)
                                       edge_settings_check)
from webapp.jobs.models import FINISHED_STATUSES, Job, JobStatus
from webapp.jobs.recorder import JobRecorder
from webapp.live.services import EventType, event_publish

logger = logging.getLogger(__name__)


def _graft_config(job_settings: dict[str, Any]) -> Any:
    return engine.GraftConfig(
        method=engine.Method(job_settings["method"]), samples=int(job_settings["samples"]),
        adapter_layers=int(job_settings["adapter_layers"]), steps=int(job_settings["steps"]),
        seed=int(job_settings["seed"]), device=django_settings.TRANSPLANT_DEVICE,
        **django_settings.TRANSPLANT_GRAFT_OPTIONS)


def job_settings_clean(raw: dict[str, Any] | None, *, onto_own_teacher: bool) -> dict[str, Any]:
    """Fill in defaults and check the settings: each against ``EDGE_SETTINGS``, then together the
    way the engine will.

    Args:
        raw: the settings given, any of ``EDGE_SETTINGS``' keys.
        onto_own_teacher: whether the task module is the category module's own teacher's; if not,
            ``samples`` defaults to ``CROSS_NET_SAMPLES`` instead of 0.

    Raises:
        ApplicationError: ``invalid_settings`` naming the bad value.
    """
    cleaned = edge_settings_check(raw, own_net=onto_own_teacher)
    try:
        _graft_config(cleaned)
    except (ValueError, TypeError) as exc:
        raise ApplicationError(f"Invalid training settings: {exc}", code="invalid_settings")
    return cleaned


def _reuse_key(category: Module, task: Module, job_settings: dict[str, Any]) -> str:
    document = json.dumps([category.sha256, task.sha256, job_settings], sort_keys=True)
    return hashlib.sha256(document.encode()).hexdigest()


def _enqueue(job_id: int) -> None:
    from webapp.jobs.actors import run_job  # the actor module imports this one

    try:
        run_job.send(job_id)
    except Exception:  # the row stays queued; `serve` and `job_requeue_queued` send it again
        logger.exception("could not send job %s to the broker", job_id)


def _publish(job: Job, event_type: str, payload: dict[str, Any] | None = None) -> None:
    event_publish(graph_id=job.graph_id, event_type=event_type, job_id=job.id,
                  edge_id=job.edge_id, payload=payload)


@transaction.atomic
def job_create(*, owner: AbstractBaseUser, edge: Any, category: Module, task: Module,
               teacher_task: Module, job_settings: dict[str, Any], attempt: int = 1) -> Job:
    """Record a training job for an edge; send it to the workers once the transaction commits.

    When the same (category, task, settings) already has a finished adapter, the job reuses it
    and is born succeeded.

    Returns:
        The new job.
    """
    key = _reuse_key(category, task, job_settings)
    common = dict(edge=edge, graph_id=edge.graph_id if edge else None, owner=owner,
                  category_module=category, task_module=task, teacher_task_module=teacher_task,
                  settings=job_settings, reuse_key=key, attempt=attempt)
    # Only an adapter the user may see is reused: another user's private adapter stays theirs.
    done = (Job.objects.filter(reuse_key=key, status=JobStatus.SUCCEEDED,
                               adapter__in=module_visible(user=owner).values("id"))
            .order_by("-finished").first())
    if done is not None:
        now = timezone.now()
        job = Job.objects.create(**common, status=JobStatus.SUCCEEDED, reused=True,
                                 adapter=done.adapter, final_metrics=done.final_metrics,
                                 started=now, finished=now, last_step=done.last_step,
                                 total_steps=done.total_steps)
        transaction.on_commit(lambda: _publish(job, EventType.SUCCEEDED, {
            "final_metrics": job.final_metrics, "adapter": job.adapter_id, "reused": True}))
        return job
    job = Job.objects.create(**common)
    transaction.on_commit(lambda: (_publish(job, EventType.QUEUED), _enqueue(job.id)))
    return job


@transaction.atomic
def job_cancel(*, job: Job) -> Job:
    """Cancel a queued or running job; a running worker sees the status and stops.

    Finished jobs are returned unchanged.
    """
    job = Job.objects.select_for_update().get(pk=job.pk)
    if job.status in FINISHED_STATUSES:
        return job
    job.status = JobStatus.CANCELLED
    job.finished = timezone.now()
    job.save(update_fields=["status", "finished"])
    transaction.on_commit(lambda: _publish(job, EventType.CANCELLED))
    return job


@transaction.atomic
def job_retry(*, job: Job, user: AbstractBaseUser) -> Job:
    """Start a new attempt of a failed or cancelled job (it becomes the edge's current job)."""
    if job.status not in (JobStatus.FAILED, JobStatus.CANCELLED):
        raise ApplicationError(f"Only failed or cancelled jobs can be retried; this one is "
                               f"{job.status}.", code="conflict", status=409)
    if job.edge is None or None in (job.category_module, job.task_module, job.teacher_task_module):
        raise ApplicationError("The edge or a module of this job is gone; draw the edge again.",
                               code="conflict", status=409)
    if job.edge.job_id != job.id:
        raise ApplicationError("This is not the edge's latest attempt; retry that one.",
                               code="conflict", status=409)
    new_job = job_create(owner=user, edge=job.edge, category=job.category_module,
                         task=job.task_module, teacher_task=job.teacher_task_module,
                         job_settings=job.settings, attempt=job.attempt + 1)
    job.edge.job = new_job
    job.edge.save(update_fields=["job"])
    return new_job


def job_claim(*, job_id: int) -> Job | None:
    """Atomically move a queued job to running; None when it is not queued (already taken)."""
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started=timezone.now())
    return Job.objects.select_related("category_module", "task_module", "teacher_task_module",
                                      "owner").get(pk=job_id) if claimed else None


@transaction.atomic
def _job_succeed(*, job_id: int, result: Any) -> Job | None:
    job = Job.objects.select_for_update(of=("self",)).select_related(
        "category_module", "task_module", "teacher_task_module", "owner").get(pk=job_id)
    if job.status != JobStatus.RUNNING:  # cancelled while the last steps ran: keep nothing
        return None
    metrics = {k: float(v) for k, v in (result.metrics or {}).items()}
    adapter = module_register(stored=result.adapter, owner=job.owner,
                              visibility=Visibility.PRIVATE, reuse_existing=True)
    if not adapter.metrics and metrics:
        adapter.metrics = metrics
        adapter.save(update_fields=["metrics"])
    module_link_parents(module=adapter, parents={
        ParentRole.CATEGORY: job.category_module, ParentRole.TASK: job.task_module,
        ParentRole.TEACHER_TASK: job.teacher_task_module})
    job.status = JobStatus.SUCCEEDED
    job.finished = timezone.now()
    job.final_metrics = metrics
    job.adapter = adapter
    job.save(update_fields=["status", "finished", "final_metrics", "adapter"])
    transaction.on_commit(lambda: _publish(job, EventType.SUCCEEDED, {
        "final_metrics": metrics, "adapter": adapter.id, "reused": False}))
    return job


@transaction.atomic
def _job_fail(*, job_id: int, error: str) -> None:
    job = Job.objects.select_for_update().get(pk=job_id)
    if job.status != JobStatus.RUNNING:
        return
    job.status = JobStatus.FAILED
    job.error = error
    job.finished = timezone.now()
    job.save(update_fields=["status", "error", "finished"])
    transaction.on_commit(lambda: _publish(job, EventType.FAILED, {"error": error}))


def job_run(*, job_id: int) -> None:
    """Claim a job and train its adapter (the Dramatiq actor's body; never raises for job errors).

    Progress goes to the job's points and the graph's watchers; the adapter goes into the
    catalog with its lineage. An engine error ends the job as failed with the error kept.
    """
    job = job_claim(job_id=job_id)
    if job is None:
        logger.info("job %s is not queued any more; skipping (redelivery or cancel)", job_id)
        return
    _publish(job, EventType.STARTED, {"attempt": job.attempt})
    engine.keep_freed_memory()  # a worker trains job after job: reuse freed memory, do not fault it in again
    recorder = JobRecorder(job=job, publish=lambda kind, payload: _publish(job, kind, payload))
    try:
        if None in (job.category_module, job.task_module, job.teacher_task_module):
            raise ApplicationError("A module of this job was deleted before it ran.")
        result = engine.graft(
            _graft_config(job.settings), category=module_load(job.category_module),
            task=module_load(job.task_module), teacher_task=module_load(job.teacher_task_module),
            on_event=recorder, should_cancel=recorder.should_cancel)
        recorder.flush()
        _job_succeed(job_id=job.id, result=result)
    except engine.Cancelled:
        recorder.flush()
        logger.info("job %s stopped: cancelled", job.id)
    except Exception as exc:  # the worker keeps serving; the row says what went wrong
        logger.exception("job %s failed", job.id)
        recorder.flush()
        message = exc.message if isinstance(exc, ApplicationError) else f"{type(exc).__name__}: {exc}"
        _job_fail(job_id=job.id, error=message)


def job_requeue_queued() -> int:
    """Send every queued job to the broker again (claiming makes repeats harmless).

    Returns:
        How many jobs were sent.
    """
    ids = list(Job.objects.filter(status=JobStatus.QUEUED).values_list("id", flat=True))
    for job_id in ids:
        _enqueue(job_id)
    return len(ids)


@transaction.atomic
def job_requeue_orphaned() -> int:
    """Put running jobs back in the queue.

    Only for a single-worker start-up (embedded mode), where no job can really be running:
    those rows were cut off by the last shutdown.

    Returns:
        How many jobs were put back.
    """
    return Job.objects.filter(status=JobStatus.RUNNING).update(status=JobStatus.QUEUED,
                                                                started=None)


INSIGHT_IMAGES = 200


def job_insight(*, job: Job) -> dict[str, Any]:
    """Pseudo-gradient maps and PCA points of a succeeded job (the "see the method" panel).

    Returns:
        ``{"teacher": [[float]], "student": [[float]], "cosine": float,
        "pca": {<method>: [[x, y]]}}``, the PCA on test images of the category.
    """
    if job.status != JobStatus.SUCCEEDED or job.adapter is None:
        raise ApplicationError("Insight is available for succeeded jobs only.", code="conflict",
                               status=409)
    if None in (job.category_module, job.task_module, job.teacher_task_module):
        raise ApplicationError("A module of this job was deleted.", code="conflict", status=409)
    category, task = module_load(job.category_module), module_load(job.task_module)
    adapter = module_load(job.adapter)
    maps = engine.pseudo_gradient_maps(category, task, module_load(job.teacher_task_module),
                                       adapter, seed=0)
    data = engine.load_task_data(job.category_module.category, job.task_module.task, seed=0)
    images = data.test.tensors[0][:INSIGHT_IMAGES]  # (B, C, H, W)
    pca = engine.feature_pca(category, task, {job.settings.get("method", "back-distill"): adapter},
                             images)
    return {"teacher": maps["teacher"], "student": maps["student"],
            "cosine": float(maps.get("cosine", 0.0)), "pca": pca}
