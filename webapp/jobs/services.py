"""Writes to jobs, and the jobs app's one door to the engine (``engine.graft``).

A job row is the source of truth: the web process creates it (queued), a Dramatiq worker claims
it (running) with a conditional UPDATE, and the worker or a user finishes it (succeeded, failed,
cancelled). A running worker keeps the row's heartbeat fresh; a redelivered message may claim a
running job only when that heartbeat is stale (its worker died), so a job whose worker is alive
never trains twice. Each claim is a new ``run_attempt`` with its own points. The sweep
(``webapp.jobs.sweep``) finishes the story for jobs nobody redelivers.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings as django_settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from dramatiq.middleware import Interrupt, TimeLimitExceeded

import engine
from webapp.catalog.models import Module, ModuleKind, ParentRole, Visibility
from webapp.catalog.selectors import module_visible
from webapp.catalog.services import module_link_parents, module_load, module_register
from webapp.errors import ApplicationError
from webapp.jobs.db import with_reconnect
from webapp.jobs.edge_settings import edge_settings_check
from webapp.jobs.heartbeat import Heartbeat
from webapp.jobs.models import FINISHED_STATUSES, Compare, Job, JobKind, JobStatus
from webapp.jobs.recorder import JobRecorder
from webapp.live.services import EventType, event_publish, job_event_publish
from webapp.sandbox.quotas import SandboxResource, sandbox_quota_check

logger = logging.getLogger(__name__)

DATASET_SETTING = "dataset"  # optional: the id of the dataset an edge's samples and test split come from


def _graft_config(job_settings: dict[str, Any]) -> Any:
    return engine.GraftConfig(
        method=engine.Method(job_settings["method"]),
        samples=int(job_settings["samples"]),
        adapter_layers=int(job_settings["adapter_layers"]),
        steps=int(job_settings["steps"]),
        seed=int(job_settings["seed"]),
        device=django_settings.TRANSPLANT_DEVICE,
        **django_settings.TRANSPLANT_GRAFT_OPTIONS,
    )


def _dataset_setting(raw: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split the optional ``dataset`` (an id) off the settings; it is checked against the edge's
    modules by ``webapp.jobs.edge_data.edge_data_check``. Absent, nothing is added (so the settings
    and reuse keys of edges without one stay as they were)."""
    rest = {key: value for key, value in raw.items() if key != DATASET_SETTING}
    if raw.get(DATASET_SETTING) is None:
        return rest, {}
    dataset = raw[DATASET_SETTING]
    if isinstance(dataset, bool) or not isinstance(dataset, int) or dataset <= 0:
        raise ApplicationError(
            f"Invalid training settings: dataset must be a dataset id, got {dataset!r}.",
            code="invalid_settings",
        )
    return rest, {DATASET_SETTING: dataset}


def job_settings_clean(raw: dict[str, Any] | None, *, onto_own_teacher: bool) -> dict[str, Any]:
    """Fill in defaults and check the settings: each against ``EDGE_SETTINGS``, then together the
    way the engine will.

    Args:
        raw: the settings given, any of ``EDGE_SETTINGS``' keys, and optionally ``dataset``.
        onto_own_teacher: whether the task module is the category module's own teacher's; if not,
            ``samples`` defaults to ``CROSS_NET_SAMPLES`` instead of 0.

    Raises:
        ApplicationError: ``invalid_settings`` naming the bad value.
    """
    raw, dataset = _dataset_setting(raw or {})
    cleaned = {**edge_settings_check(raw, own_net=onto_own_teacher), **dataset}
    try:
        _graft_config(cleaned)
    except (ValueError, TypeError) as exc:
        raise ApplicationError(f"Invalid training settings: {exc}", code="invalid_settings") from exc
    return cleaned


def _reuse_key(category: Module, task: Module, job_settings: dict[str, Any], dataset: Any = None) -> str:
    parts: list[Any] = [category.sha256, task.sha256, job_settings]
    if dataset is not None:  # the same id could one day hold other images; the hash cannot
        parts.append(dataset.sha256)
    document = json.dumps(parts, sort_keys=True)
    return hashlib.sha256(document.encode()).hexdigest()


def job_send(*, job_id: int, delay_seconds: float = 0) -> None:
    """Send a job's message to the workers (after ``delay_seconds``); a lost send is logged only.

    The row stays queued either way, and the sweep sends it again once ``resend_after`` passes.
    """
    from webapp.jobs.actors import run_job  # the actor module imports this one

    try:
        run_job.send_with_options(args=(job_id,), delay=int(delay_seconds * 1000) or None)
    except Exception:
        logger.exception("could not send job %s to the broker", job_id)


def _publish(job: Job, event_type: str, payload: dict[str, Any] | None = None) -> None:
    """Send a job's live event: to its graph's watchers, or (a teacher job) to the job's own."""
    # An event's edge is the edge whose current job it is; a race's jobs are not, so the editor
    # does not take their progress for the edge's (the compare view follows them by job id).
    edge_id = None if job.compare_id else job.edge_id

    def publish() -> Any:
        if job.kind == JobKind.TEACHER:
            return job_event_publish(job_id=job.id, event_type=event_type, payload=payload)
        return event_publish(
            graph_id=job.graph_id, event_type=event_type, job_id=job.id, edge_id=edge_id, payload=payload
        )

    try:
        with_reconnect(publish)
    except Exception:  # a lost live event must not stop the job; clients backfill over REST
        logger.exception("could not publish %s for job %s", event_type, job.id)


def job_publish(*, job: Job, event_type: str, payload: dict[str, Any] | None = None) -> None:
    """Send a live event about ``job`` to whoever watches it (never raises)."""
    _publish(job, event_type, payload)


@transaction.atomic
def job_create(
    *,
    owner: AbstractBaseUser,
    edge: Any,
    category: Module,
    task: Module,
    teacher_task: Module,
    job_settings: dict[str, Any],
    attempt: int = 1,
    dataset: Any = None,
    compare: Compare | None = None,
    reuse: bool = True,
) -> Job:
    """Record a training job for an edge; send it to the workers once the transaction commits.

    When the same (category, task, settings) already has a finished adapter and ``reuse`` is
    true, the job reuses it and is born succeeded. A race between methods (``compare``) passes
    ``reuse=False``: it is there to watch the runs train.

    Returns:
        The new job.
    """
    sandbox_quota_check(user=owner, resource=SandboxResource.JOB)
    key = _reuse_key(category, task, job_settings, dataset)
    common = dict(
        edge=edge,
        graph_id=edge.graph_id if edge else None,
        owner=owner,
        dataset=dataset,
        category_module=category,
        task_module=task,
        teacher_task_module=teacher_task,
        settings=job_settings,
        reuse_key=key,
        attempt=attempt,
        compare=compare,
    )
    # Only an adapter the user may see is reused: another user's private adapter stays theirs.
    done = (
        None
        if not reuse
        else (
            Job.objects.filter(
                reuse_key=key, status=JobStatus.SUCCEEDED, adapter__in=module_visible(user=owner).values("id")
            )
            .order_by("-finished")
            .first()
        )
    )
    if done is not None:
        now = timezone.now()
        job = Job.objects.create(
            **common,
            status=JobStatus.SUCCEEDED,
            reused=True,
            adapter=done.adapter,
            final_metrics=done.final_metrics,
            started=now,
            finished=now,
            last_step=done.last_step,
            total_steps=done.total_steps,
        )
        transaction.on_commit(
            lambda: _publish(
                job,
                EventType.SUCCEEDED,
                {
                    "final_metrics": job.final_metrics,
                    "evaluated": bool(job.final_metrics),
                    "adapter": job.adapter_id,
                    "reused": True,
                },
            )
        )
        return job
    resend_after = timezone.now() + timedelta(seconds=django_settings.JOB_LOST_MESSAGE_SECONDS)
    job = Job.objects.create(**common, resend_after=resend_after)
    transaction.on_commit(lambda: (_publish(job, EventType.QUEUED), job_send(job_id=job.id)))
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
        raise ApplicationError(
            f"Only failed or cancelled jobs can be retried; this one is {job.status}.",
            code="conflict",
            status=409,
        )
    if job.kind == JobKind.TEACHER:
        from webapp.jobs.teacher_jobs import teacher_job_create

        return teacher_job_create(owner=user, raw=job.settings, attempt=job.attempt + 1)
    if job.edge is None or None in (job.category_module, job.task_module, job.teacher_task_module):
        raise ApplicationError(
            "The edge or a module of this job is gone; draw the edge again.", code="conflict", status=409
        )
    if job.compare_id is not None:  # a run of a race: the new attempt joins the same race
        return job_create(
            owner=user,
            edge=job.edge,
            category=job.category_module,
            task=job.task_module,
            teacher_task=job.teacher_task_module,
            job_settings=job.settings,
            attempt=job.attempt + 1,
            compare=job.compare,
            reuse=False,
        )
    if job.edge.job_id != job.id:
        raise ApplicationError(
            "This is not the edge's latest attempt; retry that one.", code="conflict", status=409
        )
    new_job = job_create(
        owner=user,
        edge=job.edge,
        category=job.category_module,
        task=job.task_module,
        teacher_task=job.teacher_task_module,
        job_settings=job.settings,
        attempt=job.attempt + 1,
        dataset=job.dataset,
    )
    job.edge.job = new_job
    job.edge.save(update_fields=["job"])
    return new_job


def job_claim(*, job_id: int) -> Job | None:
    """Atomically start a new run attempt of a job; None when another worker holds it.

    Claimable: a queued job, or a running one whose heartbeat is older than JOB_STALE_SECONDS
    (its worker died) and that has run attempts left. One conditional UPDATE decides, so two
    deliveries of one message cannot both win.
    """
    now = timezone.now()
    stale = Q(heartbeat__isnull=True) | Q(
        heartbeat__lt=now - timedelta(seconds=django_settings.JOB_STALE_SECONDS)
    )
    abandoned = Q(status=JobStatus.RUNNING, run_attempt__lt=django_settings.JOB_MAX_RUN_ATTEMPTS) & stale
    claimed = Job.objects.filter(Q(status=JobStatus.QUEUED) | abandoned, pk=job_id).update(
        status=JobStatus.RUNNING,
        started=now,
        heartbeat=now,
        run_attempt=F("run_attempt") + 1,
        last_step=None,
        resend_after=None,
    )
    return (
        Job.objects.select_related("category_module", "task_module", "teacher_task_module", "owner").get(
            pk=job_id
        )
        if claimed
        else None
    )


@transaction.atomic
def _job_succeed(*, job_id: int, run_attempt: int, result: Any) -> Job | None:
    job = (
        Job.objects.select_for_update(of=("self",))
        .select_related("category_module", "task_module", "teacher_task_module", "owner")
        .get(pk=job_id)
    )
    if job.status != JobStatus.RUNNING or job.run_attempt != run_attempt:
        return None  # cancelled while the last steps ran, or taken over: keep nothing
    metrics = {k: float(v) for k, v in (result.metrics or {}).items()}
    adapter = module_register(
        stored=result.adapter, owner=job.owner, visibility=Visibility.PRIVATE, reuse_existing=True
    )
    if not adapter.metrics and metrics:
        adapter.metrics = metrics
        adapter.save(update_fields=["metrics"])
    module_link_parents(
        module=adapter,
        parents={
            ParentRole.CATEGORY: job.category_module,
            ParentRole.TASK: job.task_module,
            ParentRole.TEACHER_TASK: job.teacher_task_module,
        },
    )
    job.status = JobStatus.SUCCEEDED
    job.finished = timezone.now()
    job.final_metrics = metrics
    job.adapter = adapter
    job.save(update_fields=["status", "finished", "final_metrics", "adapter"])
    outcome = {"stopped": result.stopped, **({"choice": result.choice} if result.choice else {})}
    transaction.on_commit(
        lambda: _publish(
            job,
            EventType.SUCCEEDED,
            {
                "final_metrics": metrics,
                "evaluated": bool(metrics),  # no test set: the card says "not evaluated"
                "adapter": adapter.id,
                "reused": False,
                **outcome,
            },
        )
    )
    return job


@transaction.atomic
def _job_fail(*, job_id: int, run_attempt: int, error: str) -> None:
    job = Job.objects.select_for_update().get(pk=job_id)
    if job.status != JobStatus.RUNNING or job.run_attempt != run_attempt:
        return
    job.status = JobStatus.FAILED
    job.error = error
    job.finished = timezone.now()
    job.save(update_fields=["status", "error", "finished"])
    transaction.on_commit(lambda: _publish(job, EventType.FAILED, {"error": error}))


def _student_category_of(task: Module) -> Module | None:
    """The category module of the task module's own net (a stitching start fits to its features): the
    catalog's category module of the same teacher, the first one for a multi-category teacher."""
    if not task.teacher_id:
        return None
    return (
        Module.objects.filter(kind=ModuleKind.CATEGORY, teacher_id=task.teacher_id, owner=task.owner)
        .order_by("id")
        .first()
    )


def job_run(*, job_id: int) -> None:
    """Claim a job and train its adapter (the Dramatiq actor's body; never raises for job errors).

    Progress goes to the job's points and the graph's watchers; the adapter goes into the
    catalog with its lineage. An engine error ends the job as failed with the error kept.
    """
    job = job_claim(job_id=job_id)
    if job is None:
        logger.info("job %s is not queued any more; skipping (redelivery or cancel)", job_id)
        return
    if job.kind == JobKind.TEACHER:
        from webapp.jobs.teacher_jobs import teacher_job_train

        train = teacher_job_train
    else:
        train = _graft_train
    with Heartbeat(job_id=job.id, run_attempt=job.run_attempt) as heartbeat:
        _job_attempt(job, heartbeat, train)


def _graft_train(job: Job, recorder: JobRecorder) -> None:
    """Train a graft job's adapter and record it (the body of one run attempt)."""
    if None in (job.category_module, job.task_module, job.teacher_task_module):
        raise ApplicationError("A module of this job was deleted before it ran.")
    from webapp.jobs.edge_data import edge_task_data

    category, task = module_load(job.category_module), module_load(job.task_module)
    student_category = _student_category_of(job.task_module)
    result = engine.graft(
        _graft_config(job.settings),
        category=category,
        task=task,
        teacher_task=module_load(job.teacher_task_module),
        on_event=recorder,
        data=edge_task_data(job=job, category=category, task=task),
        student_category=module_load(student_category) if student_category else None,
        should_cancel=recorder.should_cancel,
    )
    recorder.flush()
    with_reconnect(lambda: _job_succeed(job_id=job.id, run_attempt=job.run_attempt, result=result))


def _job_attempt(job: Job, heartbeat: Heartbeat, train: Callable[[Job, JobRecorder], None]) -> None:
    """Run one claimed attempt of any kind of job: announce it, stream its progress to its
    watchers, and end the row as the engine ends (cancelled, out of time, interrupted, failed).

    Args:
        job: the claimed job.
        heartbeat: the attempt's heartbeat (it says when the row was taken from this worker).
        train: trains the job and records its success; gets the job and its recorder.
    """
    mine = job.run_attempt
    recorder = JobRecorder(
        job=job, publish=lambda kind, payload: _publish(job, kind, payload), lost=lambda: heartbeat.lost
    )
    try:
        _publish(job, EventType.STARTED, {"attempt": job.attempt, "run_attempt": mine})
        engine.keep_freed_memory()  # a worker trains job after job: reuse freed memory
        train(job, recorder)
    except engine.Cancelled:
        recorder.flush()
        logger.info("job %s stopped: cancelled or taken over", job.id)
    except TimeLimitExceeded:  # a BaseException: `except Exception` would leave the row running
        limit = django_settings.JOB_TIME_LIMIT_SECONDS
        logger.warning("job %s exceeded its time limit of %s s", job.id, limit)
        with_reconnect(
            lambda: _job_fail(
                job_id=job.id,
                run_attempt=mine,
                error=f"Stopped: the time limit of {limit} s exceeded. Train fewer steps, or ask the "
                "operator to raise TRANSPLANT_JOB_TIME_LIMIT.",
            )
        )
    except Interrupt:  # the worker is shutting down: hand the job to the next one
        logger.warning("job %s interrupted by a worker shutdown; back to the queue", job.id)
        _job_release(job_id=job.id, run_attempt=mine)
        raise
    except Exception as exc:  # the worker keeps serving; the row says what went wrong
        logger.exception("job %s failed", job.id)
        try:
            recorder.flush()
        except Exception:
            logger.exception("could not write the last points of job %s", job.id)
        message = exc.message if isinstance(exc, ApplicationError) else f"{type(exc).__name__}: {exc}"
        with_reconnect(lambda: _job_fail(job_id=job.id, run_attempt=mine, error=message))


def _job_release(*, job_id: int, run_attempt: int) -> None:
    """Put a job this worker holds back in the queue and send it again (graceful shutdown)."""
    released = with_reconnect(
        lambda: Job.objects.filter(pk=job_id, status=JobStatus.RUNNING, run_attempt=run_attempt).update(
            status=JobStatus.QUEUED,
            heartbeat=None,
            resend_after=timezone.now() + timedelta(seconds=django_settings.JOB_LOST_MESSAGE_SECONDS),
        )
    )
    if released:
        job_send(job_id=job_id)


def job_requeue_queued() -> int:
    """Send every queued job to the broker again (claiming makes repeats harmless).

    Returns:
        How many jobs were sent.
    """
    ids = list(Job.objects.filter(status=JobStatus.QUEUED).values_list("id", flat=True))
    for job_id in ids:
        job_send(job_id=job_id)
    return len(ids)


INSIGHT_IMAGES = 200


def job_insight(*, job: Job) -> dict[str, Any]:
    """Pseudo-gradient maps and PCA points of a succeeded job (the "see the method" panel).

    Returns:
        ``{"teacher": [[float]], "student": [[float]], "cosine": float,
        "pca": {<method>: [[x, y]]}}``, the PCA on test images of the category.
    """
    if job.status != JobStatus.SUCCEEDED or job.adapter is None:
        raise ApplicationError("Insight is available for succeeded jobs only.", code="conflict", status=409)
    if None in (job.category_module, job.task_module, job.teacher_task_module):
        raise ApplicationError("A module of this job was deleted.", code="conflict", status=409)
    category, task = module_load(job.category_module), module_load(job.task_module)
    adapter = module_load(job.adapter)
    maps = engine.pseudo_gradient_maps(category, task, module_load(job.teacher_task_module), adapter, seed=0)
    data = engine.load_task_data(job.category_module.category, job.task_module.task, seed=0)
    images = data.test.tensors[0][:INSIGHT_IMAGES]  # (B, C, H, W)
    learned_by = job.adapter.manifest.get("config", {}).get("method") or job.settings.get(
        "method", "back-distill"
    )
    pca = engine.feature_pca(category, task, {learned_by: adapter}, images)
    return {
        "teacher": maps["teacher"],
        "student": maps["student"],
        "cosine": float(maps.get("cosine", 0.0)),
        "pca": pca,
    }
