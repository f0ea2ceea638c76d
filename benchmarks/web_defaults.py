"""What a new edge's default settings give in the web app across nets, on the committed demo catalog.

    python -m benchmarks.web_defaults        # about 25 minutes on one core (--tasks runs one task)

The cat's category module (demo_catalog/, as `manage.py seed_demo` registers it) is grafted onto the dog's
classifier and segmenter with the web app's cross-net settings (three 3x3 convs, 1000 Adam steps) for seeds
0, 1 and 2: by auto (which has the cat teacher label the cat problem's training images) with 0 or 10
labelled samples, with one conv, with the 300 steps of an edge within one net, and by direct-learn with the
same 10. This is the measurement behind the cross-net defaults in `engine.auto` (CROSS_NET_SAMPLES,
CROSS_NET_ADAPTER_LAYERS, CROSS_NET_STEPS), which the web app publishes. Writes
benchmarks/results/web-defaults.json (a run of one task keeps the other's figures).
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

from benchmarks.common import RESULTS, tune_process, write_json
from engine import GraftConfig, Method, Task, graft, load_module
from engine.auto import CROSS_NET_STEPS

CATALOG = Path(__file__).resolve().parents[1] / "demo_catalog"
WITHIN_NET_STEPS = 300  # webapp.jobs.edge_settings: the steps setting's default
ROWS = {  # name -> (method, labelled samples, adapter layers, steps)
    "auto, 0 samples, one conv": (Method.AUTO, 0, 1, CROSS_NET_STEPS),
    "auto, 10 samples, one conv": (Method.AUTO, 10, 1, CROSS_NET_STEPS),
    "auto, 10 samples, three convs": (Method.AUTO, 10, 3, CROSS_NET_STEPS),
    "auto, 10 samples, three convs, 300 steps": (Method.AUTO, 10, 3, WITHIN_NET_STEPS),
    "direct-learn, 10 samples, three convs": (Method.DIRECT_LEARN, 10, 3, CROSS_NET_STEPS),
}
METRIC = {Task.CLASSIFICATION: "error", Task.SEGMENTATION: "pixel_accuracy"}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3, help="graft seeds 0..N-1")
    parser.add_argument("--tasks", default="classification,segmentation", help="tasks to run")
    args = parser.parse_args(argv)
    tune_process(1)
    module = {name: load_module(CATALOG / name) for name in ("cat/category", "dog/category")}
    out = RESULTS / "web-defaults.json"
    for task in (Task(name) for name in args.tasks.split(",")):
        cat_task, dog_task = (
            load_module(CATALOG / "cat" / str(task)),
            load_module(CATALOG / "dog" / str(task)),
        )
        print(f"{task}: cat teacher {cat_task.manifest.metrics}, dog teacher {dog_task.manifest.metrics}")
        rows = {}
        for row, (method, samples, layers, steps) in ROWS.items():
            values = []
            for seed in range(args.seeds):
                config = GraftConfig(
                    method=method,
                    samples=samples,
                    adapter_layers=layers,
                    steps=steps,
                    seed=seed,
                    device="cpu",
                )
                result = graft(
                    config,
                    category=module["cat/category"],
                    task=dog_task,
                    teacher_task=cat_task,
                    student_category=module["dog/category"],
                )
                values.append(result.metrics[METRIC[task]])
            rows[row] = values
            print(
                f"cat onto the dog's {task}: {row:<38} {METRIC[task]} % "
                f"{' / '.join(f'{v:.2f}' for v in values)}  (mean {statistics.mean(values):.2f})",
                flush=True,
            )
        # Read just before writing: a run of the other task may have written its figures meanwhile.
        report = json.loads(out.read_text()) if out.is_file() else {"teachers": {}, "grafts": {}}
        report["teachers"][str(task)] = {"cat": cat_task.manifest.metrics, "dog": dog_task.manifest.metrics}
        report["grafts"][str(task)] = rows
        write_json(out, report)


if __name__ == "__main__":
    main()
