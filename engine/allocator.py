"""The C allocator behind PyTorch's CPU tensors: keep freed memory for the next training step.

glibc's malloc hands large blocks back to the kernel when they are freed (its mmap threshold grows
only to 32 MiB, and the top of the heap is trimmed once 2x that is free). A training step frees its
activations at the end and allocates them again at the start of the next, so every step faulted
tens of megabytes of fresh zeroed pages back in. Measured on the 2-core CPU with one torch thread,
vgg-mini graft on 64 x 64 scenes: 74-84 ms per step with glibc's defaults, 51-55 ms with the
thresholds below; 28 x 28 classification steps (small tensors) do not change. This is the effect that
jemalloc or tcmalloc fix for PyTorch on CPUs; here it takes two `mallopt` calls and no new library.

Memory is then returned to the kernel only above `TRIM_THRESHOLD` of free heap, so a long-lived
process keeps its peak working set: right for a training worker, which needs it again soon.
"""

from __future__ import annotations

import ctypes
import sys

# glibc's mallopt parameter numbers (malloc.h).
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3

# Blocks above this still get their own mapping (a huge tensor is returned when freed). Some glibc
# versions refuse more than 32 MiB; then 32 MiB it is.
MMAP_THRESHOLD = 256 * 2**20
MMAP_THRESHOLD_FALLBACK = 32 * 2**20
# Free memory at the top of the heap is given back only above this.
TRIM_THRESHOLD = 1024 * 2**20


def keep_freed_memory() -> bool:
    """Tell glibc to keep freed blocks for reuse instead of returning them to the kernel at once.

    Call it once at the start of a process that trains on the CPU (the `transplant` command, a
    web worker, a benchmark); it changes the whole process and is safe to call again. Elsewhere
    (not Linux, or a C library without glibc's `mallopt`) it does nothing.

    Returns:
        True when both thresholds were set.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    # Setting either threshold by hand also stops glibc from adjusting them on its own, so set both.
    mapped = mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD) or mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD_FALLBACK)
    return bool(mapped) and bool(mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))
