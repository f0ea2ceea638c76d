"""Replicate the paper's Tables 2-4 and Figure 5 on Animal-MNIST with vgg-mini teachers.

    python -m benchmarks.replicate --quick --jobs 2     # a few minutes
    python -m benchmarks.replicate --jobs 2             # the full profile

Teachers are cached under benchmarks/.cache/ (safetensors module folders), so a second run only grafts.
Results go to benchmarks/results/<profile>/: raw records (JSON), one Markdown file per table, fig5.png.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time

from benchmarks.common import CACHE, RESULTS, tune_process, write_json
from benchmarks.experiments import (
    FULL,
    PRETRAINING_CATEGORY,
    QUICK,
    Record,
    fine_tuned_teacher,
    loo_teacher,
    own_teacher,
    table2,
    transplant_tables,
)
from benchmarks.figure5 import figure5
from benchmarks.pool import run_jobs
from benchmarks.report import auto_verdicts, comparisons, markdown, summarise
from engine import Task, load_module

TITLES = {
    "table2-one-conv": "Table 2 (left): Exp. 1, one 3x3 conv adapter in each category's own classifier",
    "table2-three-conv": "Table 2 (right): Exp. 1, three 3x3 conv adapters in each category's own classifier",
    "table3-classification": "Table 3 (top): category modules onto the dog's classifier (three 1x1 convs)",
    "table3-segmentation": "Table 3 (bottom): category modules onto the dog's segmenter (one 1x1 conv)",
    "table4-classification": "Table 4 (top): onto leave-one-out classifiers (three 1x1 convs)",
    "table4-segmentation": "Table 4 (bottom): onto leave-one-out segmenters (one 1x1 conv)",
    "table3-pretrained-classification": (
        "Table 3 (top), variant: every teacher fine-tuned from one pretrained "
        "giraffe classifier, as the paper's all came from one ImageNet VGG-16"
    ),
}


def kept_records(
    path, redone: set[str], rows: set[str] | None = None
) -> tuple[list[dict], dict[str, dict[str, float]]]:
    """Records of the tables this run did not redo (e.g. "table3-segmentation"), or with `rows` of the rows
    it did not redo, and the teachers' metrics, from an earlier run of the same profile, so that running one
    table (or row) at a time builds up one results folder (and no teacher of a table not run now is trained
    just to be listed)."""
    if not path.is_file():
        return [], {}
    earlier = json.loads(path.read_text())
    kept = [
        r
        for r in earlier["records"]
        if r["table"] not in redone or (rows is not None and r["row"] not in rows)
    ]
    return kept, earlier.get("teachers", {})


def record_order(record: dict) -> tuple:
    """raw.json lists records in this order, whichever tables were run now and which were kept."""
    return record["table"], record["row"], record["samples"], record["category"], record["seed"]


def teacher_metrics(profile, tables: set[str]) -> dict[str, dict[str, float]]:
    """Test metrics of every teacher behind the given tables of this run (e.g. "table3-segmentation"; all
    cached by now, so nothing trains here), keyed "<name> <task> seed <s>"."""
    wanted = (
        [(c, Task.CLASSIFICATION) for c in profile.table2_categories] if "table2-one-conv" in tables else []
    )
    pretrained: list[tuple[str, Task]] = []
    targets = {Task.CLASSIFICATION: profile.targets, Task.SEGMENTATION: profile.segmentation_targets}
    for task in Task:
        if f"table3-{task}" in tables:
            wanted += [(c, task) for c in ("dog", *targets[task])]
        if f"table4-{task}" in tables:
            wanted += [(c, task) for c in targets[task]]
        if f"table3-pretrained-{task}" in tables:
            pretrained += [(c, task) for c in (PRETRAINING_CATEGORY, "dog", *targets[task])]
    metrics = {}
    for seed in profile.seeds:
        for category, task in dict.fromkeys(wanted):
            metrics[f"{category} {task} seed {seed}"] = (
                own_teacher(profile, category, task, seed).load().task.manifest.metrics
            )
        for category, task in dict.fromkeys(pretrained):
            start = category == PRETRAINING_CATEGORY
            spec = (own_teacher if start else fine_tuned_teacher)(profile, category, task, seed)
            label = f"{category}({'start' if start else 'fine-tuned'})"
            metrics[f"{label} {task} seed {seed}"] = spec.load().task.manifest.metrics
        for task in Task:
            if f"table4-{task}" in tables:
                for target in targets[task]:
                    module = loo_teacher(profile, target, task, seed).load().task.manifest
                    metrics[f"all-but-{target} {task} seed {seed}"] = module.metrics
    return metrics


def teachers_markdown(profile, teachers: dict[str, dict[str, float]]) -> str:
    lines = [
        f"# Teachers of the `{profile.name}` profile",
        "",
        f"Classifiers: {profile.classifier_epochs} epochs; segmenters: {profile.segmenter_epochs} epochs; "
        f"leave-one-out modules: {profile.loo_epochs} epochs on {profile.loo_limit_train or 'all'} "
        "images per category problem. Test metrics (%); a leave-one-out module's are averaged over its "
        "nine categories, each through its own category module.",
        "",
        "| teacher | task | seed | error | pixel accuracy | mean IoU |",
        "|---|---|---|---|---|---|",
    ]
    for key, metrics in sorted(teachers.items()):  # one order whatever order the workers finished in
        name, task, _, seed = key.split(" ")
        cells = [
            f"{metrics[m]:.2f}" if m in metrics else "–" for m in ("error", "pixel_accuracy", "mean_iou")
        ]
        lines.append(f"| {name} | {task} | {seed} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="the ten-minute profile (fewer categories and steps)"
    )
    parser.add_argument(
        "--tables",
        default="2,3,4",
        help="comma-separated subset of 2,3,4,3p (Figure 5 comes with 2; 3p, not run by default: Table 3 "
        "top with teachers fine-tuned from one pretrained teacher, a variant the paper does not have)",
    )
    parser.add_argument(
        "--tasks", default="classification,segmentation", help="tasks of Tables 3 and 4 to run"
    )
    parser.add_argument(
        "--rows",
        default=None,
        help="comma-separated rows to run (e.g. 'direct-learn,auto'); the other rows of the tables run keep "
        "their records from the earlier raw.json (default: every row)",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=1,
        help="worker processes, one torch thread each (2 uses both cores of an idle 2-core machine)",
    )
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error("--jobs must be 1 or more")
    tune_process(1)
    profile = QUICK if args.quick else FULL
    out = RESULTS / profile.name
    started = time.perf_counter()

    def log(record: Record) -> None:
        print(
            f"[{time.perf_counter() - started:6.0f}s] {record.table} {record.row:<30} n={record.samples:<3} "
            f"{record.category:<6} seed={record.seed} -> {record.value:6.2f} ({record.seconds:.1f}s)",
            flush=True,
        )

    tables = set(args.tables.split(","))
    tasks3and4 = tuple(Task(name) for name in args.tasks.split(","))
    jobs = table2(profile) if "2" in tables else []
    if "3" in tables:
        jobs += transplant_tables(profile, leave_one_out_modules=False, tasks=tasks3and4)
    if "4" in tables:
        jobs += transplant_tables(profile, leave_one_out_modules=True, tasks=tasks3and4)
    if "3p" in tables:
        # Classification only: the variant tests why Table 3 (top) differs from the paper.
        classification = tuple(task for task in tasks3and4 if task is Task.CLASSIFICATION)
        jobs += transplant_tables(profile, leave_one_out_modules=False, tasks=classification, fine_tuned=True)
    rows = set(args.rows.split(",")) if args.rows else None
    if rows is not None:
        jobs = [job for job in jobs if job.row in rows]
    kept = CACHE / "adapters" / profile.name
    records = run_jobs(jobs, workers=args.jobs, log=log, kept_adapters=kept)
    if "2" in tables:
        seed, samples = profile.seeds[0], min(profile.samples)
        adapters = {
            (job.row, job.config.samples, job.category, job.seed): load_module(kept / job.key)
            for job in jobs
            if job.keep
        }
        teachers = {
            c: own_teacher(profile, c, Task.CLASSIFICATION, seed).load() for c in profile.table2_categories
        }
        write_json(out / "fig5.json", figure5(adapters, teachers, samples, seed, out / "fig5.png"))
    redone = {r.table for r in records}
    earlier_records, earlier_teachers = kept_records(out / "raw.json", redone, rows)
    raw = sorted(earlier_records + [dataclasses.asdict(r) for r in records], key=record_order)
    teachers = {**earlier_teachers, **teacher_metrics(profile, redone)}
    write_json(
        out / "raw.json",
        {
            "profile": dataclasses.asdict(profile),
            "records": raw,
            "teachers": teachers,
            "wall_seconds": time.perf_counter() - started,
        },
    )
    (out / "teachers.md").write_text(teachers_markdown(profile, teachers))
    summary = summarise(raw)
    for table, cells in summary.items():
        segmentation = table.endswith("segmentation")
        unit = (
            "Pixel accuracy %, higher is better"
            if segmentation
            else "Classification error %, lower is better"
        )
        text = f"# {TITLES[table]}\n\nProfile `{profile.name}`. {markdown(table, cells, unit)}\n"
        text += (
            "Back-distill vs direct-learn (average over categories):\n"
            + "\n".join(comparisons(cells, lower_is_better=not segmentation))
            + "\n"
        )
        verdicts = auto_verdicts(cells, lower_is_better=not segmentation)
        if verdicts:
            text += "\nThe product's default (auto) vs direct-learn:\n" + "\n".join(verdicts) + "\n"
        (out / f"{table}.md").write_text(text)
        print(text)
    print(f"done in {time.perf_counter() - started:.0f}s; results in {out}")


if __name__ == "__main__":
    main()
