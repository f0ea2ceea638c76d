"""`keep_freed_memory`: training steps reuse freed memory instead of faulting fresh pages in again."""

import subprocess
import sys
from pathlib import Path

import pytest

from engine import keep_freed_memory

ROOT = Path(__file__).resolve().parents[2]

# Eleven training-like steps on 48 MiB activations, after three to warm up; prints the median page
# faults of a step.
# Blocks above 32 MiB, where glibc's own mmap threshold stops growing: by default each is mapped
# afresh and faulted in again on every step, which makes the contrast certain. (With 8 MiB blocks
# glibc's defaults sometimes settle into reuse, and both settings now and then fault a block in once.)
STEPS = """
import resource, statistics, sys, torch
from engine import keep_freed_memory
if sys.argv[1] == "keep":
    assert keep_freed_memory()
torch.set_num_threads(1)
scale = torch.nn.Parameter(torch.ones(16, 1, 1))
x = torch.randn(48, 16, 128, 128)  # (B, C, H, W): 48 MiB
def step():
    scale.grad = None
    (x * scale).relu().square().sum().backward()
def faults():
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(3):
    step()
per_step = []
for _ in range(11):
    before = faults()
    step()
    per_step.append(faults() - before)
print(statistics.median(per_step))
"""

PAGES_PER_MIB = 2**20 // 4096


def _page_faults(mode: str) -> int:
    """In a fresh process: the allocator's settings last for the whole process."""
    done = subprocess.run(
        [sys.executable, "-c", STEPS, mode], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return int(done.stdout)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt exists on Linux only")
def test_training_steps_fault_far_fewer_pages_with_freed_memory_kept():
    kept, default = _page_faults("keep"), _page_faults("default")
    # Measured, median pages per step: 0 against 98 312 (by default a step faults its 384 MiB of blocks
    # in again).
    assert kept < PAGES_PER_MIB, (kept, default)
    assert default > 48 * PAGES_PER_MIB, (kept, default)


def test_calling_it_again_is_harmless():
    assert keep_freed_memory() == keep_freed_memory()
