"""Process-level allocator tuning for streaming jobs.

Why: streaming a large file in batches allocates and frees buffers of a few MB per batch. With
glibc's defaults such buffers are ``mmap``-ed and returned to the kernel on every free, so every
batch pays page faults again (measured in docs/internals.md). Raising the mmap and trim thresholds lets the heap reuse those pages. Peak RSS is unchanged
(the same few batches are live at once); the memory is simply kept for the next batch.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

M_TRIM_THRESHOLD = -1
M_TOP_PAD = -2
M_MMAP_THRESHOLD = -3

_done = False


def tune_malloc_for_streaming(mmap_threshold: int = 64 << 20, trim_threshold: int = 256 << 20) -> bool:
    """Apply the glibc settings once per process; a no-op (False) elsewhere (macOS, musl)."""
    global _done
    if _done:
        return True
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    ok = all(
        mallopt(param, value) == 1
        for param, value in (
            (M_MMAP_THRESHOLD, mmap_threshold),
            (M_TRIM_THRESHOLD, trim_threshold),
            (M_TOP_PAD, 64 << 20),
        )
    )
    _done = ok
    return ok
