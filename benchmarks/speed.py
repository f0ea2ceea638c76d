"""How fast is back-distillation? Time per step against direct-learn on the same adapter and batches,
peak memory, and the zero-sample graft end to end (fast path, naive path, exact least squares).

    python -m benchmarks.speed                                   # vgg-mini on the CPU, 2-3 minutes
    python -m benchmarks.speed --device cuda --arch vgg16        # on a GPU; also --arch fcn8s

Steps are timed in pairs inside one graft session: a direct-learn step (the task term alone) and a
back-distill step (task term + distillation term) on the same labelled batch and the same adapter,
in alternating order. A shared machine's speed drifts by tens of percent within seconds; pairing
cancels the drift, so the ratio holds still where separate runs would not. The same sessions time,
also in pairs, the adapter's own forward and backward against the distillation term's: what
back-distill adds to a step, against what the adapter itself costs. Memory and the
end-to-end grafts run each in a fresh process, since an allocator that keeps freed memory
(`engine.keep_freed_memory`) would hide one graft's peak behind the last one's.

vgg-mini uses a cached Animal-MNIST teacher. vgg16 and fcn8s take 3 x 224 x 224 images, which
Animal-MNIST does not have, so there the teacher is trained for one pass over random images: their
figures are timings and memory only (their errors mean nothing). Writes
benchmarks/results/speed-<device>-<arch>.json.
"""

from __future__ import annotations

import argparse
import dataclasses
import multiprocessing
import platform
import statistics
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import torch
from torch import nn

from benchmarks.common import RESULTS, tune_process, write_json
from benchmarks.speed_setup import SPEED_TASKS, PeakMemory, speed_teacher
from engine import GraftConfig, GraftSession, Method, graft, graft_session


class TaskTermOnly(nn.Module):
    """Direct-learn's objective over another objective's student: its task term alone."""

    def __init__(self, objective: nn.Module) -> None:
        super().__init__()
        self.objective = objective

    def forward(self, batch):
        output, task = self.objective.task_term(batch)
        return {"loss": task, "output": output, "task": task}


def _synchronise(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def _alternate(
    runners: dict[str, Callable[[Any], object]],
    next_input: Callable[[], Any],
    pairs: int,
    warmup: int,
    device: torch.device,
) -> dict[str, list[float]]:
    """Seconds per call of two runners, called in pairs on one input each, in an order that swaps every
    pair."""
    times: dict[str, list[float]] = {name: [] for name in runners}
    order = list(runners.items())
    for index in range(warmup + pairs):
        given = next_input()
        for name, runner in order if index % 2 == 0 else reversed(order):
            _synchronise(device)
            start = time.perf_counter()
            runner(given)
            _synchronise(device)
            if index >= warmup:
                times[name].append(time.perf_counter() - start)
    return times


def paired_steps(session: GraftSession, pairs: int, warmup: int) -> dict[str, list[float]]:
    """Seconds per step of direct-learn and of the session's own objective, timed in alternating pairs."""
    direct = dataclasses.replace(session, objective=TaskTermOnly(session.objective))
    runners = {"direct-learn": direct.step, "back-distill": session.step}
    return _alternate(runners, session.next_batch, pairs, warmup, _device(session))


def paired_parts(session: GraftSession, pairs: int, warmup: int) -> dict[str, list[float]]:
    """Seconds of the adapter's own forward and backward over a labelled batch (its part of the task
    term) and of the distillation term's forward and backward, timed in alternating pairs.

    The second is what back-distill adds to a direct-learn step; it cannot cost much less than the
    first: both run the adapter's convolutions (transposed, for D'_S) forward, then their weight and
    input gradients, over as many maps of the same size.
    """
    adapter, objective = session.adapter, session.objective

    def adapter_part(features: torch.Tensor) -> None:
        output = adapter(features)
        output.backward(torch.ones_like(output))
        adapter.zero_grad(set_to_none=True)

    def distill_term(_: object) -> None:
        objective.distill_term().backward()
        adapter.zero_grad(set_to_none=True)

    runners = {"adapter": adapter_part, "distillation term": distill_term}
    return _alternate(runners, lambda: session.next_batch().features, pairs, warmup, _device(session))


def _device(session: GraftSession) -> torch.device:
    return next(session.adapter.parameters()).device


def per_step(teacher_modules, data, args: argparse.Namespace) -> dict:
    """For each adapter depth and path (bank, naive): median ms per step, images/s and the ratio of the
    medians."""
    category, task = teacher_modules
    report = {}
    for layers in (1, 3):
        rows = {}
        for path, bank_size, pairs in (
            ("bank", args.bank_size, args.pairs),
            ("naive", 0, max(1, args.pairs // 4)),
        ):
            config = GraftConfig(
                samples=args.samples,
                adapter_layers=layers,
                kernel_size=3,
                batch_size=args.batch,
                bank_size=bank_size,
                device=args.device,
                steps=1,
            )
            rounds, parts = [], []
            for _ in range(args.rounds):
                with graft_session(
                    config, category=category, task=task, teacher_task=task, data=data
                ) as session:
                    rounds.append(paired_steps(session, pairs, args.warmup))
                    if path == "bank":
                        parts.append(paired_parts(session, pairs, args.warmup))
            rows[path] = _summary(rounds, args.batch)
            if parts:
                rows[path]["parts"] = _parts_summary(parts)
        report[f"{layers}-conv"] = rows
    return report


def _summary(rounds: list[dict[str, list[float]]], batch: int) -> dict:
    """Medians over all pairs, and the ratio back-distill / direct-learn per round and overall."""
    merged = {name: [t for times in rounds for t in times[name]] for name in rounds[0]}
    medians = {name: statistics.median(values) for name, values in merged.items()}
    per_round = [statistics.median(r["back-distill"]) / statistics.median(r["direct-learn"]) for r in rounds]
    return {
        "direct_learn_ms": 1000 * medians["direct-learn"],
        "back_distill_ms": 1000 * medians["back-distill"],
        "direct_learn_images_per_s": batch / medians["direct-learn"],
        "back_distill_images_per_s": batch / medians["back-distill"],
        "ratio": medians["back-distill"] / medians["direct-learn"],
        "ratio_per_round": per_round,
        "pairs": len(merged["direct-learn"]),
    }


def _parts_summary(rounds: list[dict[str, list[float]]]) -> dict:
    """Median ms of the adapter's part of a direct-learn step and of the distillation term, and their
    ratio."""
    adapter = statistics.median([t for r in rounds for t in r["adapter"]])
    distill = statistics.median([t for r in rounds for t in r["distillation term"]])
    return {
        "adapter_ms": 1000 * adapter,
        "distill_term_ms": 1000 * distill,
        "distill_over_adapter": distill / adapter,
    }


def one_graft(arch: str, device: str, threads: int, config: GraftConfig) -> dict:
    """In a fresh process: one whole graft's seconds, peak memory above the loaded modules, metrics."""
    tune_process(threads)
    (category, task), data = speed_teacher(arch, device)
    with PeakMemory(torch.device(device)) as memory:
        start = time.perf_counter()
        result = graft(config, category=category, task=task, teacher_task=task, data=data)
        seconds = time.perf_counter() - start
    return {"seconds": seconds, "peak_mib": memory.peak_mib, **result.metrics}


def fresh_process_grafts(args: argparse.Namespace, configs: dict[str, GraftConfig]) -> dict[str, dict]:
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=context, max_tasks_per_child=1) as pool:
        futures = {
            name: pool.submit(one_graft, args.arch, args.device, args.threads, config)
            for name, config in configs.items()
        }
        return {name: future.result() for name, future in futures.items()}


def memory(args: argparse.Namespace) -> dict:
    """Peak memory of a short graft per method and path (three-conv adapter, labelled samples)."""
    base = dict(
        samples=args.samples,
        adapter_layers=3,
        kernel_size=3,
        batch_size=args.batch,
        device=args.device,
        steps=args.memory_steps,
        eval_every=args.memory_steps,
    )
    return fresh_process_grafts(
        args,
        {
            "direct-learn": GraftConfig(method=Method.DIRECT_LEARN, **base),
            "back-distill": GraftConfig(bank_size=args.bank_size, **base),
            "back-distill (naive, bank_size=0)": GraftConfig(bank_size=0, **base),
        },
    )


def zero_sample(args: argparse.Namespace) -> dict:
    """A one-conv adapter from zero labelled samples, end to end (bank building and evaluation included)."""
    base = dict(samples=0, adapter_layers=1, kernel_size=3, device=args.device)
    return fresh_process_grafts(
        args,
        {
            "adam, bank (fast path)": GraftConfig(
                steps=args.zero_steps, eval_every=args.zero_steps, bank_size=args.bank_size, **base
            ),
            "adam, naive (bank_size=0)": GraftConfig(
                steps=args.zero_steps, eval_every=args.zero_steps, bank_size=0, **base
            ),
            "least-squares": GraftConfig(solver="least-squares", bank_size=min(512, args.bank_size), **base),
        },
    )


def cpu_name() -> str:
    """The CPU's model name (Linux), since the ratio depends on it: see benchmarks/README.md, "Speed"."""
    try:
        with open("/proc/cpuinfo") as stream:
            return next(line.split(":", 1)[1].strip() for line in stream if line.startswith("model name"))
    except (OSError, StopIteration):
        return platform.processor() or "unknown"


def print_report(report: dict) -> None:
    for adapter, rows in report["per_step"].items():
        print(
            f"\nper step, {adapter} adapter, batch {report['batch']}, {report['samples']} labelled samples:"
        )
        for path, row in rows.items():
            rounds = ", ".join(f"{r:.2f}" for r in row["ratio_per_round"])
            print(
                f"  {path:<6} direct-learn {row['direct_learn_ms']:7.2f} ms"
                f"  back-distill {row['back_distill_ms']:7.2f} ms"
                f"  ratio {row['ratio']:.2f} (rounds {rounds}; {row['pairs']} pairs)"
            )
            if "parts" in row:
                parts = row["parts"]
                print(
                    f"         the adapter's forward + backward {parts['adapter_ms']:5.2f} ms"
                    "  the distillation term's"
                    f" {parts['distill_term_ms']:5.2f} ms  ({parts['distill_over_adapter']:.2f}x)"
                )
    print("\npeak memory of a three-conv graft above the loaded modules:")
    for name, row in report["memory"].items():
        print(f"  {name:<36} +{row['peak_mib']:.1f} MiB")
    print("\nzero-sample graft, one-conv adapter, end to end:")
    for name, row in report["zero_sample"].items():
        metric = (
            f"error {row['error']:6.2f} %"
            if "error" in row
            else f"pixel accuracy {row['pixel_accuracy']:6.2f} %"
        )
        print(f"  {name:<28} {row['seconds']:6.2f} s  {metric}  peak +{row['peak_mib']:.1f} MiB")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu", help="cpu or cuda")
    parser.add_argument("--arch", default="vgg-mini", choices=sorted(SPEED_TASKS))
    parser.add_argument("--samples", type=int, default=100, help="labelled samples (the task term is on)")
    parser.add_argument("--batch", type=int, default=32, help="labelled batch and draws per step")
    parser.add_argument(
        "--pairs", type=int, default=200, help="timed step pairs per round (the naive path: a quarter)"
    )
    parser.add_argument("--warmup", type=int, default=10, help="untimed pairs at the start of each round")
    parser.add_argument("--rounds", type=int, default=3, help="graft sessions per adapter and path")
    parser.add_argument(
        "--bank-size", type=int, default=None, help="draws in the bank (default 1024; vgg16, fcn8s: 128)"
    )
    parser.add_argument(
        "--memory-steps", type=int, default=30, help="steps of the grafts whose memory is measured"
    )
    parser.add_argument("--zero-steps", type=int, default=600, help="Adam steps of the zero-sample grafts")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    if args.bank_size is None:
        args.bank_size = 1024 if args.arch == "vgg-mini" else 128
    tune_process(args.threads)
    (category, task), data = speed_teacher(args.arch, args.device)
    report = {
        "device": args.device,
        "cpu": cpu_name(),
        "arch": args.arch,
        "threads": args.threads,
        "batch": args.batch,
        "samples": args.samples,
        "bank_size": args.bank_size,
        "per_step": per_step((category, task), data, args),
        "memory": memory(args),
        "zero_sample": zero_sample(args),
    }
    if args.device.startswith("cuda"):
        report["gpu"] = torch.cuda.get_device_name()
    write_json(RESULTS / f"speed-{args.device.split(':')[0]}-{args.arch}.json", report)
    print_report(report)


if __name__ == "__main__":
    main()
