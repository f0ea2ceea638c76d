"""Compare methods: one edge's pair trained by several methods at the same samples and seeds.

A compare is a group of sibling jobs (``Job.compare``). They run like any other job, but never
become the edge's current job and never reuse a finished adapter: a race is there to be watched.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Prefetch, QuerySet

import engine
from webapp.errors import ApplicationError
from webapp.graphs.models import Edge
from webapp.jobs.models import Compare, Job
from webapp.jobs.services import job_create, job_settings_clean

# The paper's race is back-distill against direct-learn and Jacobian distillation; every method
# the engine adds later (such as "auto") joins it. Plain output distillation and stitching (a
# baseline that learns from no labels at all) stay available through an explicit ``methods`` list.
RACE_METHODS: tuple[str, ...] = tuple(
    str(m) for m in engine.Method if m not in (engine.Method.DISTILL, engine.Method.STITCH)
)
MAX_SEEDS = 5


def needs_labelled_samples(method: str) -> bool:
    """Whether the engine refuses ``method`` at 0 labelled samples (its own rule, asked directly)."""
    try:
        engine.GraftConfig(method=method, samples=0)
    except ValueError:
        return True
    return False


def _methods_checked(methods: Sequence[str] | None) -> list[str]:
    if methods is None:
        return list(RACE_METHODS)
    known = [str(m) for m in engine.Method]
    unknown = [m for m in methods if m not in known]
    if unknown:
        raise ApplicationError(
            f"Unknown method(s): {', '.join(unknown)}. Known: {', '.join(known)}.", code="invalid_settings"
        )
    return list(dict.fromkeys(methods))  # in the order given, each once


def _edge_of(*, owner: AbstractBaseUser, edge_id: int) -> Edge:
    edge = (
        Edge.objects.select_related("job__category_module", "job__task_module", "job__teacher_task_module")
        .filter(pk=edge_id, graph__owner_id=owner.id)
        .first()
    )
    if edge is None:
        raise ApplicationError(
            f"Edge #{edge_id} does not exist or is not yours.", code="not_found", status=404
        )
    job = edge.job
    if job is None or None in (job.category_module, job.task_module, job.teacher_task_module):
        raise ApplicationError(
            "A module of this edge is gone; draw the edge again to compare.", code="conflict", status=409
        )
    return edge


@transaction.atomic
def compare_create(
    *,
    owner: AbstractBaseUser,
    edge_id: int,
    methods: Sequence[str] | None = None,
    seeds: int = 1,
    samples: int | None = None,
    steps: int | None = None,
) -> Compare:
    """Race methods on an edge's pair: one sibling job per (method, seed), queued after commit.

    Args:
        owner: who asks (must own the edge's graph; owns the jobs).
        edge_id: the edge whose category and task modules are raced.
        methods: the methods to race; ``RACE_METHODS`` when None.
        seeds: how many seeds, counted up from the edge's seed (1 to ``MAX_SEEDS``).
        samples: labelled samples for every run; the edge's when None.
        steps: training steps for every run; the edge's when None.

    Returns:
        The compare with its jobs. Methods the engine refuses at 0 samples are left out and
        listed in ``skipped`` with the reason.

    Raises:
        ApplicationError: ``not_found`` for an unknown edge, ``invalid_settings`` for bad values
            or when no method is left to race.
    """
    if not 1 <= seeds <= MAX_SEEDS:
        raise ApplicationError(
            f"seeds must be between 1 and {MAX_SEEDS}; got {seeds}.", code="invalid_settings"
        )
    edge = _edge_of(owner=owner, edge_id=edge_id)
    base = {**edge.settings}
    if samples is not None:
        base["samples"] = samples
    if steps is not None:
        base["steps"] = steps
    raced, skipped = [], []
    for method in _methods_checked(methods):
        if base.get("samples", 0) == 0 and needs_labelled_samples(method):
            skipped.append(
                {
                    "method": method,
                    "reason": f"{method} needs labelled samples, so it "
                    "is left out at 0; give 1 or more samples to race it.",
                }
            )
        else:
            raced.append(method)
    if not raced:
        raise ApplicationError(
            f"None of {', '.join(item['method'] for item in skipped)} can train from 0 labelled "
            "samples; give 1 or more samples, or add back-distill.",
            code="invalid_settings",
            details={"skipped": skipped},
        )
    first_seed = int(base.get("seed", 0))
    seed_list = [first_seed + offset for offset in range(seeds)]
    runs = [
        job_settings_clean({**base, "method": method, "seed": seed}, onto_own_teacher=True)
        for method in raced
        for seed in seed_list
    ]
    compare = Compare.objects.create(
        owner=owner,
        graph_id=edge.graph_id,
        edge=edge,
        methods=raced,
        seeds=seed_list,
        samples=runs[0]["samples"],
        steps=runs[0]["steps"],
        skipped=skipped,
    )
    source = edge.job
    for run in runs:
        job_create(
            owner=owner,
            edge=edge,
            category=source.category_module,
            task=source.task_module,
            teacher_task=source.teacher_task_module,
            job_settings=run,
            compare=compare,
            reuse=False,
        )
    return compare


def compare_list(*, user: AbstractBaseUser, graph_id: int | None = None) -> QuerySet[Compare]:
    """The user's compares, newest first, optionally of one graph, with their jobs."""
    queryset = Compare.objects.filter(owner_id=user.id).prefetch_related(
        Prefetch("jobs", Job.objects.order_by("id"))
    )
    if graph_id is not None:
        queryset = queryset.filter(graph_id=graph_id)
    return queryset


def compare_get(*, user: AbstractBaseUser, compare_id: int) -> Compare:
    """Return one of the user's compares with its jobs, or raise a 404 ApplicationError."""
    compare = compare_list(user=user).filter(pk=compare_id).first()
    if compare is None:
        raise ApplicationError(
            f"Compare #{compare_id} does not exist or is not yours.", code="not_found", status=404
        )
    return compare
