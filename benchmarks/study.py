"""Why cross-net grafts lose, measured (issue 13): candidate methods on Tables 3 and 4 under one protocol,
and what predicts the gain of back-distill over direct-learn.

    python -m benchmarks.study --jobs 2                      # classification (Tables 3-4 top), 3 seeds
    python -m benchmarks.study --tasks segmentation --jobs 2 # Tables 3-4 bottom

Hypotheses, each a set of rows (every row at the same steps, seeds and samples as the tables):
- weight of the distillation term against the labels: `back-distill, c/n` scales the paper's c by 1/n
  (a prior that the labels outweigh as they grow, as in a posterior);
- a start from the zero-sample least-squares adapter (`... from least squares`), then labels;
- stitching on unlabelled images (`stitch`, no labels), and as a start for direct-learn;
- pseudo-gradient agreement: cos(alpha D'_S, D'_T) at the start, per pair, against the gain;
- how far the category modules move: the feature cosine of the source's and the student net's category
  modules on the target's test images (before the reorder).
Results: results/study/<task>.json and .md (the README's study table is written from them).
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import time

import torch
import torch.nn.functional as F

from benchmarks.common import RESULTS, task_data, tune_process, write_json
from benchmarks.experiments import FULL, GraftJob, Record, loo_teacher, own_teacher, transplant_tables
from benchmarks.pool import run_jobs
from engine import GraftConfig, Method, Task, graft_session

LAYERS = {Task.CLASSIFICATION: 3, Task.SEGMENTATION: 1}


def pairs(task: Task, seeds):
    """(table, target, seed, student spec, source spec) of Tables 3 and 4 for `task`."""
    targets = FULL.targets if task is Task.CLASSIFICATION else FULL.segmentation_targets
    for seed in seeds:
        for target in targets:
            source = own_teacher(FULL, target, task, seed)
            yield "table3", target, seed, own_teacher(FULL, "dog", task, seed), source
            if task in FULL.table4_tasks:
                yield "table4", target, seed, loo_teacher(FULL, target, task, seed), source


def study_jobs(task: Task, *, with_auto: bool) -> list[GraftJob]:
    """The full profile's Tables 3 and 4 jobs for `task`, every study row included (the records are shared
    with `benchmarks.replicate` through the record cache)."""
    jobs = [
        job
        for leave_one_out in (False, True)
        for job in transplant_tables(FULL, leave_one_out_modules=leave_one_out, tasks=(task,))
    ]
    return [job for job in jobs if with_auto or job.config.method is not Method.AUTO]


@torch.no_grad()
def feature_cosine(source_category, student_category, images) -> float:
    """Mean per-image cosine of two category modules' features (before any reorder)."""
    a, b = (
        source_category.network.eval()(images).flatten(1),
        student_category.network.eval()(images).flatten(1),
    )
    return float(F.cosine_similarity(a, b).mean())


def gradient_agreement(task: Task, target: str, seed: int, student, source) -> float:
    """cos(alpha D'_S, D'_T) per draw, averaged over a bank of draws, with the adapter at its start."""
    config = GraftConfig(
        samples=0,
        adapter_layers=LAYERS[task],
        kernel_size=1,
        seed=seed,
        device="cpu",
        bank_size=FULL.bank_size,
        solver="adam",
    )
    teacher, student_teacher = source.load(), student.load()
    with graft_session(
        config,
        category=teacher.categories[target],
        task=student_teacher.task,
        teacher_task=teacher.task,
        data=task_data(target, task),
    ) as session:
        bank, objective = session.bank, session.objective
        d_s = objective.student_pseudo_gradient(bank.student_upstream).detach().flatten(1) * objective.alpha
        return float(F.cosine_similarity(d_s, bank.teacher.flatten(1)).mean())


def measurements(task: Task, seeds) -> list[dict]:
    rows = []
    for table, target, seed, student, source in pairs(task, seeds):
        images = task_data(target, task).test.tensors[0][:400]
        rows.append(
            {
                "table": f"{table}-{task}",
                "category": target,
                "seed": seed,
                "feature_cosine": feature_cosine(
                    source.load().categories[target], student.load().category, images
                ),
                "gradient_cosine": gradient_agreement(task, target, seed, student, source),
            }
        )
    return rows


def summary(records: list[Record], metric_lower_is_better: bool) -> dict:
    """{table: {row: {n: (mean over seeds of the category average, std over seeds)}}}."""
    cells: dict = {}
    for r in records:
        cells.setdefault(r.table, {}).setdefault(r.row, {}).setdefault(r.samples, {}).setdefault(
            r.seed, []
        ).append(r.value)
    out: dict = {}
    for table, rows in cells.items():
        for row, by_n in rows.items():
            for n, by_seed in by_n.items():
                averages = [statistics.fmean(v) for v in by_seed.values()]
                spread = statistics.stdev(averages) if len(averages) > 1 else 0.0
                out.setdefault(table, {}).setdefault(row, {})[n] = (statistics.fmean(averages), spread)
    return out


def markdown(task: Task, table_summary: dict, samples) -> str:
    unit = "error %, lower is better" if task is Task.CLASSIFICATION else "pixel accuracy %, higher is better"
    lines = []
    for table, rows in sorted(table_summary.items()):
        lines += [
            f"### {table} ({unit}; mean ± std over seeds of the targets' average)",
            "",
            "| row | " + " | ".join(f"n={n}" for n in samples) + " | zero samples |",
            "|---|" + "---|" * (len(samples) + 1),
        ]
        for row, by_n in rows.items():
            cells = [f"{by_n[n][0]:.2f} ± {by_n[n][1]:.2f}" if n in by_n else "–" for n in samples]
            zero = f"{by_n[0][0]:.2f} ± {by_n[0][1]:.2f}" if 0 in by_n else "–"
            lines.append(f"| {row} | " + " | ".join(cells) + f" | {zero} |")
        lines.append("")
    return "\n".join(lines)


def agreement_report(task: Task, records: list[Record], measured: list[dict]) -> str:
    """Does the pseudo-gradient agreement (or the feature cosine) at the start predict back-distill's gain
    over direct-learn? One point per (table, target, seed): the gain averaged over the sample counts."""
    sign = -1.0 if task is Task.CLASSIFICATION else 1.0  # a gain is positive when back-distill is better
    values: dict = {}
    for r in records:
        if r.row in ("back-distill", "direct-learn") and r.samples:
            values.setdefault((r.table, r.category, r.seed), {}).setdefault(r.row, []).append(r.value)
    points = []
    for m in measured:
        rows = values.get((m["table"], m["category"], m["seed"]), {})
        if len(rows) == 2:
            gain = sign * (statistics.fmean(rows["back-distill"]) - statistics.fmean(rows["direct-learn"]))
            points.append((m["gradient_cosine"], m["feature_cosine"], gain, m["table"]))
    if len(points) < 3:
        return ""
    gains = [p[2] for p in points]
    lines = [
        "### Does agreement at the start predict back-distill's gain over direct-learn?",
        "",
        "| table | pairs | cos(alpha D'_S, D'_T) mean | feature cosine mean "
        "| gain of back-distill (points) |",
        "|---|---|---|---|---|",
    ]
    for table in sorted({p[3] for p in points}):
        group = [p for p in points if p[3] == table]
        lines.append(
            f"| {table} | {len(group)} | {statistics.fmean(p[0] for p in group):.3f} | "
            f"{statistics.fmean(p[1] for p in group):.3f} | {statistics.fmean(p[2] for p in group):+.2f} |"
        )
    lines += [
        "",
        f"Pearson r over the {len(points)} pairs: gradient cosine vs gain "
        f"{statistics.correlation([p[0] for p in points], gains):+.2f}; feature cosine vs gain "
        f"{statistics.correlation([p[1] for p in points], gains):+.2f}.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", default="classification")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument(
        "--no-auto", action="store_true", help="leave out the auto row (before its rule is set)"
    )
    args = parser.parse_args(argv)
    tune_process(1)
    seeds, samples = FULL.seeds, FULL.samples
    started = time.perf_counter()

    def log(record: Record) -> None:
        print(
            f"[{time.perf_counter() - started:6.0f}s] {record.table} {record.row:<38} n={record.samples:<3} "
            f"{record.category:<6} seed={record.seed} -> {record.value:6.2f} ({record.seconds:.1f}s)",
            flush=True,
        )

    for task in (Task(t) for t in args.tasks.split(",")):
        records = run_jobs(
            study_jobs(task, with_auto=not args.no_auto),
            workers=args.jobs,
            log=log,
            kept_adapters=RESULTS / "unused",
        )
        measured = measurements(task, seeds)
        table_summary = summary(records, task is Task.CLASSIFICATION)
        out = RESULTS / "study"
        write_json(
            out / f"{task}.json",
            {
                "records": [dataclasses.asdict(r) for r in records],
                "measurements": measured,
                "seeds": seeds,
                "samples": samples,
                "wall_seconds": time.perf_counter() - started,
            },
        )
        text = markdown(task, table_summary, samples) + "\n" + agreement_report(task, records, measured)
        (out / f"{task}.md").write_text(text)
        print(text)
        for m in measured:
            print(m)


if __name__ == "__main__":
    main()
