"""Run graft jobs on several CPU cores: the teachers first (each trained once, into the disk cache), then
the grafts, the costliest first so that no core idles at the end. Results do not depend on the number of
workers: every teacher and graft is seeded on its own."""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from benchmarks.common import tune_process
from benchmarks.experiments import GraftJob, Record, TeacherSpec, run_job
from engine import Method, Task

METHOD_COST = {
    Method.DIRECT_LEARN: 1,
    Method.BACK_DISTILL: 2,
    Method.DISTILL: 2,
    Method.JACOBIAN: 4,
    Method.STITCH: 1,
    Method.AUTO: 2,
}


def _train(spec: TeacherSpec) -> str:
    """Train into the disk cache (nothing but this label travels back between processes)."""
    started = time.perf_counter()
    spec.load()
    name = f"{spec.name or spec.categories}" + (
        f" (fine-tuned from {spec.start.label})" if spec.start else ""
    )
    return f"teacher {name} {spec.task} seed {spec.seed} ready ({time.perf_counter() - started:.0f}s)"


def _teacher_cost(spec: TeacherSpec) -> tuple[bool, int]:
    return spec.task is Task.SEGMENTATION, 1 if isinstance(spec.categories, str) else len(spec.categories)


def _job_cost(job: GraftJob) -> tuple[bool, int, int]:
    return job.task is Task.SEGMENTATION, METHOD_COST[job.config.method], job.config.steps


def run_jobs(
    jobs: list[GraftJob], *, workers: int, log: Callable[[Record], None], kept_adapters: Path
) -> list[Record]:
    """Every job's record, in the order of `jobs`. `workers` processes of one torch thread each."""
    specs = sorted(
        dict.fromkeys(spec for job in jobs for spec in (job.source, job.student)),
        key=_teacher_cost,
        reverse=True,
    )
    # Teachers that others are fine-tuned from train first, so that no two workers train the same one.
    phases = [list(dict.fromkeys(spec.start for spec in specs if spec.start is not None)), specs]
    if workers == 1:
        for spec in (spec for phase in phases for spec in phase):
            print(_train(spec), flush=True)
        records = []
        for job in jobs:
            records.append(run_job(job, kept_adapters))
            log(records[-1])
        return records
    context = multiprocessing.get_context("spawn")  # a fresh interpreter per worker: no forked torch state
    with ProcessPoolExecutor(workers, mp_context=context, initializer=tune_process, initargs=(1,)) as pool:
        for phase in phases:
            for future in as_completed([pool.submit(_train, spec) for spec in phase]):
                print(future.result(), flush=True)
        order = sorted(range(len(jobs)), key=lambda i: _job_cost(jobs[i]), reverse=True)
        futures = {pool.submit(run_job, jobs[i], kept_adapters): i for i in order}
        records: dict[int, Record] = {}
        for future in as_completed(futures):
            records[futures[future]] = future.result()
            log(records[futures[future]])
    return [records[i] for i in range(len(jobs))]
