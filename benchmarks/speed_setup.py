"""What the speed benchmark measures with: a cached teacher per architecture, and peak memory."""

from __future__ import annotations

import threading
import time

import torch
from torch.utils.data import TensorDataset

from benchmarks.common import CACHE, code_fingerprint, task_data, teacher
from engine import StoredModule, Task, TaskData, TeacherConfig, load_module, save_module, train_teacher


class PeakMemory:
    """Peak memory while a block runs, above what was in use when it started: CUDA's allocator
    statistics on a GPU; on a CPU the resident set size, sampled every millisecond (torch's CPU tensors
    bypass Python's allocator, so tracemalloc would not see them). On a CPU, use it in a fresh process:
    memory freed by an earlier block stays resident (`engine.keep_freed_memory`) and would hide the peak."""

    def __init__(self, device: torch.device) -> None:
        self.device, self.peak_mib = device, 0.0

    @staticmethod
    def _rss() -> int:
        with open("/proc/self/statm") as stream:
            return int(stream.read().split()[1]) * 4096

    def __enter__(self) -> PeakMemory:
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


# The task each architecture's speed teacher learns.
SPEED_TASKS = {"vgg-mini": Task.CLASSIFICATION, "vgg16": Task.CLASSIFICATION, "fcn8s": Task.SEGMENTATION}


def _random_images(task: Task) -> TaskData:
    """256 random 3 x 224 x 224 images with random labels or masks (timings only; 192 train, 64 test)."""
    generator = torch.Generator().manual_seed(0)
    images = torch.rand(256, 3, 224, 224, generator=generator)  # (N, 3, 224, 224)
    if task is Task.CLASSIFICATION:
        targets = (torch.rand(256, generator=generator) < 0.5).float()  # (N,)
    else:
        targets = (torch.rand(256, 224, 224, generator=generator) < 0.5).long()  # (N, 224, 224)
    return TaskData(
        task, TensorDataset(images[:192], targets[:192]), TensorDataset(images[192:], targets[192:])
    )


def speed_teacher(arch: str, device: str) -> tuple[tuple[StoredModule, StoredModule], TaskData]:
    """(category module, task module) of a cat teacher, and its data; cached on disk, so that every
    process of one run (the benchmark spawns several) uses the same modules. vgg-mini learns
    Animal-MNIST; vgg16 and fcn8s learn one pass over random 224 x 224 images."""
    task = SPEED_TASKS[arch]
    if arch == "vgg-mini":
        own = teacher("cat", task, seed=0, epochs=6, limit_train=None)
        return (own.category, own.task), task_data("cat", task)
    data = _random_images(task)
    folder = (
        CACHE / "speed" / f"{arch}-{device.split(':')[0]}-{code_fingerprint(arch)}"
    )  # changed code retrains
    if not (folder / "task" / "manifest.json").is_file():
        config = TeacherConfig(
            category="cat", architecture=arch, tasks=(task,), epochs=1, batch_size=16, device=device
        )
        result = train_teacher(config, data={task: data})
        save_module(result.category, folder / "category")
        save_module(result.tasks[task], folder / "task")  # last: its manifest marks the folder complete
    return (load_module(folder / "category"), load_module(folder / "task")), data
