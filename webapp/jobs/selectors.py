"""Reads about jobs, limited to the jobs of graphs the user owns (or their own jobs)."""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from webapp.errors import ApplicationError
from webapp.jobs.models import Job, JobKind, JobPoint, JobStatus

MAX_POINTS = 1000


def job_visible(*, user: AbstractBaseUser) -> QuerySet[Job]:
    """Jobs the user may see: the ones they started."""
    return Job.objects.filter(owner_id=user.id)


def job_may_watch(*, user: AbstractBaseUser, job_id: int) -> bool:
    """Whether the user may subscribe to a job's own live events: their teacher job. A graph's jobs
    stream to the graph's watchers instead (``graph_may_watch``)."""
    return (
        user.is_authenticated
        and Job.objects.filter(pk=job_id, owner_id=user.id, kind=JobKind.TEACHER).exists()
    )


def job_evaluated(*, job: Job) -> bool | None:
    """Whether a finished job's result was measured on a test set: None until it succeeds, then
    False when there was none (a zero-sample edge of a category no data holds: "not evaluated")."""
    if job.status != JobStatus.SUCCEEDED:
        return None
    return bool(job.final_metrics)


def job_list(
    *,
    user: AbstractBaseUser,
    graph_id: int | None = None,
    status: str | None = None,
    ids: list[int] | None = None,
) -> QuerySet[Job]:
    """Visible jobs, optionally of one graph, one status and some ids, newest first."""
    queryset = job_visible(user=user)
    if ids is not None:
        queryset = queryset.filter(pk__in=ids)
    if graph_id is not None:
        queryset = queryset.filter(graph_id=graph_id)
    if status:
        queryset = queryset.filter(status=status)
    return queryset


def job_get(*, user: AbstractBaseUser, job_id: int) -> Job:
    """Return a visible job or raise a 404 ApplicationError."""
    job = (
        job_visible(user=user)
        .select_related("category_module", "task_module", "teacher_task_module", "adapter", "edge")
        .filter(pk=job_id)
        .first()
    )
    if job is None:
        raise ApplicationError(f"Job #{job_id} does not exist or is not yours.", code="not_found", status=404)
    return job


def job_points(*, job: Job, after: int | None = None) -> QuerySet[JobPoint]:
    """The points of the job's latest run attempt after a step (all when None), by step, at most 1000.

    An abandoned attempt's points stay in the table but are not shown: the curve never mixes two
    attempts or runs backwards.
    """
    queryset = JobPoint.objects.filter(job=job, run_attempt=max(job.run_attempt, 1))
    if after is not None:
        queryset = queryset.filter(step__gt=after)
    return queryset.order_by("step")[:MAX_POINTS]
