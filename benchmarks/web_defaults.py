"""What a new edge's default settings give in the web app, across nets: zero labelled samples or ten.

    python -m benchmarks.web_defaults        # about 3 minutes on a 2-core CPU, teachers included

The demo catalog's teachers (trained as `manage.py seed_demo` trains them: classification and
segmentation together, 2 epochs on 1000 images each) for cat and dog; the cat's category module is
grafted onto the dog's classifier and segmenter with the web app's settings (back-distill, one 3x3
conv, 300 Adam steps) and 0 or 10 labelled samples, and by direct-learn with the same 10, for seeds
0, 1 and 2. This is the measurement behind `webapp.jobs.edge_settings.CROSS_NET_SAMPLES`. Writes
benchmarks/results/web-defaults.json.
"""

from __future__ import annotations

import argparse
import statistics

from benchmarks.common import CACHE, RESULTS, code_fingerprint, tune_process, write_json
from engine import GraftConfig, Method, Task, TeacherConfig, graft, load_module, save_module, train_teacher
from engine.storage import StoredModule

# As webapp/embedded/services.py seeds the demo catalog (the benchmarks import nothing of the web app).
DEMO_TEACHER = dict(architecture="vgg-mini", seed=0, epochs=2, limit_train=1000, evaluate_each_epoch=False)
WEB_SETTINGS = dict(
    adapter_layers=1, steps=300
)  # webapp.jobs.edge_settings.DEFAULT_SETTINGS; each row sets the rest
ROWS = {
    "back-distill, 0 samples": (Method.BACK_DISTILL, 0),
    "back-distill, 10 samples": (Method.BACK_DISTILL, 10),
    "direct-learn, 10 samples": (Method.DIRECT_LEARN, 10),
}
METRIC = {Task.CLASSIFICATION: "error", Task.SEGMENTATION: "pixel_accuracy"}


def demo_teacher(category: str) -> dict[str, StoredModule]:
    """The category's demo-style teacher, by part ("category", "classification", "segmentation"); cached."""
    folder = CACHE / "web-defaults" / f"{category}-{code_fingerprint('vgg-mini')}"
    parts = ("category", *(str(task) for task in Task))
    if not (folder / str(Task.SEGMENTATION) / "manifest.json").is_file():
        result = train_teacher(
            TeacherConfig(category=category, tasks=tuple(Task), device="cpu", **DEMO_TEACHER)
        )
        save_module(result.category, folder / "category")
        for task in Task:  # the segmenter last: its manifest marks the folder complete
            save_module(result.tasks[task], folder / str(task))
    return {part: load_module(folder / part) for part in parts}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3, help="graft seeds 0..N-1")
    args = parser.parse_args(argv)
    tune_process(1)
    cat, dog = demo_teacher("cat"), demo_teacher("dog")
    report: dict = {
        "teachers": {
            name: {str(task): teacher[str(task)].manifest.metrics for task in Task}
            for name, teacher in (("cat", cat), ("dog", dog))
        },
        "grafts": {},
    }
    for name, metrics in report["teachers"].items():
        print(
            f"{name} teacher: "
            + ", ".join(
                f"{task} {m[METRIC[Task(task)]]:.2f} % {METRIC[Task(task)]}" for task, m in metrics.items()
            )
        )
    for task in Task:
        rows = {}
        for row, (method, samples) in ROWS.items():
            values = []
            for seed in range(args.seeds):
                config = GraftConfig(method=method, samples=samples, seed=seed, device="cpu", **WEB_SETTINGS)
                result = graft(
                    config, category=cat["category"], task=dog[str(task)], teacher_task=cat[str(task)]
                )
                values.append(result.metrics[METRIC[task]])
            rows[row] = values
            print(
                f"cat onto the dog's {task}: {row:<26} {METRIC[task]} % "
                f"{' / '.join(f'{v:.2f}' for v in values)}  (mean {statistics.mean(values):.2f})",
                flush=True,
            )
        report["grafts"][str(task)] = rows
    write_json(RESULTS / "web-defaults.json", report)


if __name__ == "__main__":
    main()
