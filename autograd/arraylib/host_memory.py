"""Host memory: freed array memory stays in the process for the next step's arrays.

A training step allocates and frees arrays of the same sizes every step. glibc's
``malloc`` serves blocks above its mmap threshold (128 KiB at first) straight
from the OS and unmaps them on ``free``, and trims freed memory off the top of
its heap beyond 128 KiB; either way the next step's arrays fault their pages in
again, one 4 KiB page at a time. For LeNet at batch 64 that is ~900 page faults
a step, a third of its CPU time (PyTorch avoids it with its own CPU allocator;
NumPy programs often preload jemalloc for the same reason).

On import, xpgrad raises the mmap threshold to glibc's maximum (32 MiB on 64-bit
systems) and the trim threshold to 256 MiB, so blocks below 32 MiB come from
the heap and up to 256 MiB of freed memory is kept for reuse. Peak memory is
unchanged; what changes is that memory freed after a step is kept rather than
returned to the OS. Set ``XPGRAD_KEEP_HOST_MEMORY=0`` in the environment to keep
glibc's defaults. Elsewhere (macOS, Windows, musl) nothing is changed.
"""
from __future__ import annotations

import ctypes
import os
import sys

_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt parameters (malloc.h)
MMAP_THRESHOLD = 32 << 20  # glibc's upper limit on 64-bit systems (DEFAULT_MMAP_THRESHOLD_MAX)
TRIM_THRESHOLD = 256 << 20


def keep_freed_host_memory(mmap_threshold: int = MMAP_THRESHOLD,
                           trim_threshold: int = TRIM_THRESHOLD) -> bool:
    """Ask glibc's ``malloc`` to serve blocks below ``mmap_threshold`` bytes from its heap and to keep
    up to ``trim_threshold`` bytes of freed memory. Returns whether both settings were taken (False
    where the C library is not glibc)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the process' own C library
    except (OSError, AttributeError):  # no mallopt: not glibc
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    mmap_taken = mallopt(_M_MMAP_THRESHOLD, mmap_threshold)
    trim_taken = mallopt(_M_TRIM_THRESHOLD, trim_threshold)
    return bool(mmap_taken and trim_taken)


def configure_from_environment() -> bool:
    """Apply :func:`keep_freed_host_memory` unless ``XPGRAD_KEEP_HOST_MEMORY=0``."""
    if os.environ.get("XPGRAD_KEEP_HOST_MEMORY", "1").strip().lower() in ("0", "false", "no", "off"):
        return False
    return keep_freed_host_memory()
