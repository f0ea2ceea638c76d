"""How fast is back-distillation? Time per step against direct-learn on the same adapter and batches,
peak memory, and the zero-sample graft end to end (fast path, naive path, exact least squares).

    nice -n 10 /work/venv/bin/python -m benchmarks.speed                      # vgg-mini on the CPU
    python -m benchmarks.speed --device cuda --arch vgg16                      # on a GPU, later

vgg-mini uses a cached Animal-MNIST teacher. vgg16 takes 3 x 224 x 224 images, which Animal-MNIST
does not have, so there the teacher is trained for one pass over random images: its figures are
timings and memory only (its errors mean nothing). Writes benchmarks/results/speed-<device>-<arch>.json.
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time

import torch
from torch.utils.data import TensorDataset

from engine import GraftConfig, Method, StepEvent, Task, TaskData, TeacherConfig, graft, train_teacher

from benchmarks.common import RESULTS, Teacher, limit_threads, task_data, teacher, write_json


class PeakMemory:
    """Peak memory while a block runs, above what was in use when it started: CUDA's allocator
    statistics on a GPU; on a CPU the resident set size, sampled every millisecond (torch's CPU tensors
    bypass Python's allocator, so tracemalloc would not see them)."""

    def __init__(self, device: torch.device) -> None:
        self.device, self.peak_mib = device, 0.0

    @staticmethod
    def _rss() -> int:
        with open("/proc/self/statm") as stream:
            return int(stream.read().split()[1]) * 4096

    def __enter__(self) -> "PeakMemory":
        if self.device.type == "cuda":
            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
            self._start = torch.cuda.memory_allocated()
            return self
        self._start, self._peak, self._running = self._rss(), self._rss(), True

        def sample() -> None:
            while self._running:
                self._peak = max(self._peak, self._rss())
                time.sleep(0.001)

        self._thread = threading.Thread(target=sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        if self.device.type == "cuda":
            torch.cuda.synchronize()
            self.peak_mib = (torch.cuda.max_memory_allocated() - self._start) / 2**20
            return
        self._running = False
        self._thread.join()
        self.peak_mib = (self._peak - self._start) / 2**20


def modules(arch: str, device: str) -> tuple[Teacher, TaskData]:
    """A teacher and its data: Animal-MNIST for vgg-mini, random 224 x 224 colour images for vgg16."""
    if arch == "vgg-mini":
        return teacher("cat", Task.CLASSIFICATION, seed=0, epochs=6, limit_train=None), task_data("cat", Task.CLASSIFICATION)
    generator = torch.Generator().manual_seed(0)
    images = torch.rand(256, 3, 224, 224, generator=generator)  # (N, 3, 224, 224)
    labels = (torch.rand(256, generator=generator) < 0.5).float()
    data = TaskData(Task.CLASSIFICATION, TensorDataset(images[:192], labels[:192]), TensorDataset(images[192:], labels[192:]))
    result = train_teacher(TeacherConfig(category="cat", architecture=arch, epochs=1, batch_size=16, device=device),
                           data={Task.CLASSIFICATION: data})
    return Teacher(dict(result.category_modules), result.tasks[Task.CLASSIFICATION]), data


def timed_graft(config: GraftConfig, own: Teacher, data: TaskData) -> dict:
    """Run one graft; return its step times (s), end-to-end seconds, peak memory and final metrics."""
    device = torch.device(config.device)
    marks: list[float] = []

    def on_event(event: object) -> None:
        if isinstance(event, StepEvent):
            if device.type == "cuda":
                torch.cuda.synchronize()
            marks.append(time.perf_counter())

    start = time.perf_counter()
    with PeakMemory(device) as memory:
        result = graft(config, category=own.category, task=own.task, teacher_task=own.task, data=data, on_event=on_event)
    steps = [later - earlier for earlier, later in zip(marks, marks[1:])]
    return {"step_seconds": steps, "seconds": time.perf_counter() - start, "peak_mib": memory.peak_mib,
            "metrics": result.metrics}


def per_step(own: Teacher, data: TaskData, args: argparse.Namespace) -> dict:
    """Median time per step of direct-learn, back-distill (bank) and back-distill (naive), interleaved
    over rounds so that a busy neighbour slows every method alike; same seed, so same adapter and batches."""
    methods = {
        "direct-learn": dict(method=Method.DIRECT_LEARN),
        "back-distill": dict(method=Method.BACK_DISTILL, bank_size=args.bank_size),
        "back-distill (naive, bank_size=0)": dict(method=Method.BACK_DISTILL, bank_size=0),
    }
    report = {}
    for layers in (1, 3):
        times: dict[str, list[float]] = {name: [] for name in methods}
        memory: dict[str, float] = {name: 0.0 for name in methods}
        for _ in range(args.rounds):
            for name, overrides in methods.items():
                config = GraftConfig(samples=args.samples, adapter_layers=layers, kernel_size=3, steps=args.steps,
                                     eval_every=args.steps, batch_size=args.batch, device=args.device,
                                     **{"bank_size": 1024, **overrides})
                run = timed_graft(config, own, data)
                times[name] += run["step_seconds"][args.warmup:]
                memory[name] = max(memory[name], run["peak_mib"])
        medians = {name: statistics.median(values) for name, values in times.items()}
        report[f"{layers}-conv"] = {
            name: {"median_step_ms": 1000 * medians[name], "images_per_s": args.batch / medians[name],
                   "ratio_to_direct_learn": medians[name] / medians["direct-learn"], "peak_mib": memory[name]}
            for name in methods
        }
    return report


def zero_sample(own: Teacher, data: TaskData, args: argparse.Namespace) -> dict:
    """A one-conv adapter from zero labelled samples, end to end (bank building included)."""
    base = dict(samples=0, adapter_layers=1, kernel_size=3, device=args.device)
    runs = {
        "adam, bank (fast path)": GraftConfig(steps=args.zero_steps, eval_every=args.zero_steps, bank_size=args.bank_size, **base),
        "adam, naive (bank_size=0)": GraftConfig(steps=args.zero_steps, eval_every=args.zero_steps, bank_size=0, **base),
        "least-squares": GraftConfig(solver="least-squares", bank_size=512, **base),
    }
    report = {}
    for name, config in runs.items():
        run = timed_graft(config, own, data)
        report[name] = {"seconds": run["seconds"], "peak_mib": run["peak_mib"], **run["metrics"]}
    return report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu", help="cpu or cuda")
    parser.add_argument("--arch", default="vgg-mini", choices=["vgg-mini", "vgg16"])
    parser.add_argument("--samples", type=int, default=100, help="labelled samples (the task term is on)")
    parser.add_argument("--batch", type=int, default=32, help="labelled batch and draws per step")
    parser.add_argument("--steps", type=int, default=60, help="steps per timed graft")
    parser.add_argument("--warmup", type=int, default=10, help="first step intervals ignored")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved repetitions of each method")
    parser.add_argument("--bank-size", type=int, default=1024)
    parser.add_argument("--zero-steps", type=int, default=600, help="Adam steps of the zero-sample grafts")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    limit_threads(args.threads)
    own, data = modules(args.arch, args.device)
    report = {"device": args.device, "arch": args.arch, "threads": args.threads, "batch": args.batch,
              "samples": args.samples, "per_step": per_step(own, data, args), "zero_sample": zero_sample(own, data, args)}
    if args.device.startswith("cuda"):
        report["gpu"] = torch.cuda.get_device_name()
    write_json(RESULTS / f"speed-{args.device.split(':')[0]}-{args.arch}.json", report)
    for adapter, rows in report["per_step"].items():
        print(f"\nper step, {adapter} adapter, batch {args.batch}, {args.samples} labelled samples:")
        for name, row in rows.items():
            print(f"  {name:<36} {row['median_step_ms']:7.2f} ms  {row['images_per_s']:8.0f} img/s  "
                  f"ratio {row['ratio_to_direct_learn']:.2f}  peak +{row['peak_mib']:.1f} MiB")
    print("\nzero-sample graft, one-conv adapter, end to end:")
    for name, row in report["zero_sample"].items():
        print(f"  {name:<28} {row['seconds']:6.2f} s  error {row.get('error', float('nan')):6.2f} %  peak +{row['peak_mib']:.1f} MiB")


if __name__ == "__main__":
    main()
