"""What a new edge's default settings give in the web app across nets, on the committed demo catalog.

    python -m benchmarks.web_defaults        # about 8 minutes on a 2-core CPU

The cat's category module (demo_catalog/, as `manage.py seed_demo` registers it) is grafted onto the dog's
classifier and segmenter with the web app's settings (one or three 3x3 convs, 300 Adam steps) for seeds 0, 1
and 2: by auto (which has the cat teacher label the cat problem's training images) with 0 or 10 labelled
samples, and by direct-learn with the same 10. This is the measurement behind the cross-net defaults in
`webapp.jobs.edge_settings` (CROSS_NET_SAMPLES, CROSS_NET_ADAPTER_LAYERS). Writes
benchmarks/results/web-defaults.json.
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

from benchmarks.common import RESULTS, tune_process, write_json
from engine import GraftConfig, Method, Task, graft, load_module

CATALOG = Path(__file__).resolve().parents[1] / "demo_catalog"
STEPS = 300  # webapp.jobs.edge_settings: the steps setting's default
ROWS = {  # name -> (method, labelled samples, adapter layers)
    "auto, 0 samples, one conv": (Method.AUTO, 0, 1),
    "auto, 10 samples, one conv": (Method.AUTO, 10, 1),
    "auto, 10 samples, three convs": (Method.AUTO, 10, 3),
    "direct-learn, 10 samples, three convs": (Method.DIRECT_LEARN, 10, 3),
}
METRIC = {Task.CLASSIFICATION: "error", Task.SEGMENTATION: "pixel_accuracy"}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3, help="graft seeds 0..N-1")
    args = parser.parse_args(argv)
    tune_process(1)
    module = {name: load_module(CATALOG / name) for name in ("cat/category", "dog/category")}
    report: dict = {"teachers": {}, "grafts": {}}
    for task in Task:
        cat_task, dog_task = (
            load_module(CATALOG / "cat" / str(task)),
            load_module(CATALOG / "dog" / str(task)),
        )
        report["teachers"][str(task)] = {"cat": cat_task.manifest.metrics, "dog": dog_task.manifest.metrics}
        print(f"{task}: cat teacher {cat_task.manifest.metrics}, dog teacher {dog_task.manifest.metrics}")
        rows = {}
        for row, (method, samples, layers) in ROWS.items():
            values = []
            for seed in range(args.seeds):
                config = GraftConfig(
                    method=method,
                    samples=samples,
                    adapter_layers=layers,
                    steps=STEPS,
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
        report["grafts"][str(task)] = rows
    write_json(RESULTS / "web-defaults.json", report)


if __name__ == "__main__":
    main()
