"""Teacher jobs: train a teacher net from a dataset in the browser (``engine.train_teacher``).

A teacher job is a Job row of kind ``teacher`` without edge or modules: its settings name the
dataset, the category (the class folder of the positives), the architecture, tasks and epochs. It
runs on the same Dramatiq workers as edge jobs, through the same run attempt
(``webapp.jobs.services._job_attempt``: heartbeat, cancel, time limit, failure), and ends with the
teacher's category module and task modules in the catalog, each with the dataset in its lineage
(role ``data``, by SHA-256). Having no graph, it streams its live events (queued, started, progress
each step with the epoch's test metrics, and its end) to its own watchers: ``/ws/jobs/<id>/``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings as django_settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

import engine
from webapp.catalog.models import Visibility
from webapp.catalog.services import module_register
from webapp.datasets.selectors import dataset_visible
from webapp.datasets.services import DATA_SEED, dataset_task_data
from webapp.errors import ApplicationError
from webapp.jobs.db import with_reconnect
from webapp.jobs.models import Job, JobKind, JobStatus
from webapp.jobs.recorder import JobRecorder
from webapp.jobs.services import job_publish, job_send
from webapp.live.services import EventType


def _invalid(message: str) -> ApplicationError:
    return ApplicationError(message, code="invalid_settings")


def _teacher_config(job_settings: dict[str, Any], *, device: str) -> Any:
    return engine.TeacherConfig(
        category=job_settings["category"],
        name=job_settings.get("name") or None,
        tasks=tuple(job_settings["tasks"]),
        architecture=job_settings["architecture"],
        epochs=int(job_settings["epochs"]),
        seed=int(job_settings["seed"]),
        data_seed=DATA_SEED,
        device=device,
    )


@transaction.atomic
def teacher_job_create(*, owner: AbstractBaseUser, raw: dict[str, Any], attempt: int = 1) -> Job:
    """Check a teacher job's settings against its dataset and queue it.

    Args:
        owner: who starts the job (owns the modules it makes).
        raw: ``dataset`` (id), ``category`` (a class of it), ``architecture``, ``tasks`` (default
            the dataset's task), ``epochs``, ``seed``, ``name``.
        attempt: 1, or the number of a retry.

    Raises:
        ApplicationError: 400 ``invalid_settings`` naming what does not fit.
    """

    dataset = dataset_visible(user=owner).filter(pk=raw.get("dataset")).first()
    if dataset is None:
        raise _invalid(f"Dataset #{raw.get('dataset')} does not exist or is not visible to you.")
    job_settings = {
        "architecture": "vgg-mini",
        "epochs": 10,
        "seed": 0,
        **raw,
        "tasks": list(raw.get("tasks") or [dataset.task]),
    }
    if job_settings["tasks"] != [dataset.task]:
        raise _invalid(
            f"Dataset {dataset.name!r} serves {dataset.task} only; train the teacher's "
            f"{dataset.task} task from it."
        )
    if dataset.task == "classification" and job_settings["category"] not in dataset.classes:
        raise _invalid(
            f"Dataset {dataset.name!r} has no class folder {job_settings['category']!r}; "
            f"pick one of {', '.join(dataset.classes)}."
        )
    try:
        _teacher_config(job_settings, device=django_settings.TRANSPLANT_DEVICE)
        engine.native_input_shape(job_settings["architecture"], dataset.task)
    except (ValueError, TypeError, KeyError, engine.TransplantError) as exc:
        raise _invalid(f"Invalid teacher settings: {exc}") from exc
    resend_after = timezone.now() + timedelta(seconds=django_settings.JOB_LOST_MESSAGE_SECONDS)
    job = Job.objects.create(
        kind=JobKind.TEACHER,
        owner=owner,
        dataset=dataset,
        settings=job_settings,
        reuse_key="",
        attempt=attempt,
        resend_after=resend_after,
    )
    transaction.on_commit(
        lambda: (job_publish(job=job, event_type=EventType.QUEUED), job_send(job_id=job.id))
    )
    return job


@transaction.atomic
def _teacher_job_succeed(*, job_id: int, run_attempt: int, result: Any, origin: Any) -> Job | None:
    job = Job.objects.select_for_update(of=("self",)).select_related("owner").get(pk=job_id)
    if job.status != JobStatus.RUNNING or job.run_attempt != run_attempt:  # cancelled, or taken over
        return None
    made = [
        module_register(
            stored=engine.with_data_origin(stored, origin),
            owner=job.owner,
            visibility=Visibility.PRIVATE,
            reuse_existing=True,
        )
        for stored in (result.category, *result.tasks.values())
    ]
    job.made_modules.set(made)
    job.status = JobStatus.SUCCEEDED
    job.finished = timezone.now()
    job.final_metrics = {
        f"{task}.{name}": float(value)
        for task, metrics in result.metrics.items()
        for name, value in metrics.items()
    }
    job.save(update_fields=["status", "finished", "final_metrics"])
    made_ids = [module.id for module in made]
    transaction.on_commit(
        lambda: job_publish(
            job=job,
            event_type=EventType.SUCCEEDED,
            payload={
                "final_metrics": job.final_metrics,
                "evaluated": bool(job.final_metrics),
                "made_modules": made_ids,
                "adapter": None,
            },
        )
    )
    return job


def teacher_job_train(job: Job, recorder: JobRecorder) -> None:
    """Train the teacher of a claimed job and put its modules in the catalog (one run attempt's
    body; ``webapp.jobs.services`` runs it and ends the row if it raises).

    Args:
        job: the claimed teacher job.
        recorder: the attempt's points, live progress and cancel check.
    """
    if job.dataset is None:
        raise ApplicationError("The dataset of this job was deleted before it ran.")
    job_settings = job.settings
    config = _teacher_config(job_settings, device=django_settings.TRANSPLANT_DEVICE)
    data = {
        engine.Task(task): dataset_task_data(
            dataset=job.dataset,
            category=job_settings["category"],
            task=task,
            input_shape=engine.native_input_shape(config.architecture, task),
        )
        for task in job_settings["tasks"]
    }
    result = engine.train_teacher(config, data=data, on_event=recorder, should_cancel=recorder.should_cancel)
    recorder.flush()
    origin = engine.DataOrigin(job.dataset.name, job.dataset.sha256)
    with_reconnect(
        lambda: _teacher_job_succeed(job_id=job.id, run_attempt=job.run_attempt, result=result, origin=origin)
    )
