"""Timing and memory measurement shared by the workloads."""
from __future__ import annotations

import gc
import statistics
import time
import tracemalloc


#: The clock ``timeit`` reads: wall time, or ``time.process_time`` (``python -m bench --cpu-time``:
#: this process' CPU time, all its threads summed, which other tenants of a busy machine disturb less).
CLOCK = time.perf_counter


def timeit(step, reps, warmup=3):
    """Median seconds of ``step()`` over ``reps`` runs after ``warmup`` runs (GC off while timing)."""
    clock = CLOCK
    for _ in range(warmup):
        step()
    times = []
    was = gc.isenabled()
    gc.disable()
    try:
        for _ in range(reps):
            t0 = clock()
            step()
            times.append(clock() - t0)
    finally:
        if was:
            gc.enable()
    return statistics.median(times)


def timeit_interleaved(steps, reps, warmup=3):
    """Median seconds of each of ``steps`` over ``reps`` rounds, one run of each per round (in an
    order that alternates between rounds), after ``warmup`` rounds; GC off while timing.

    A ratio of two medians measured this way compares the peers under the same conditions: on a
    shared machine, load that comes and goes slows every peer's runs alike instead of whichever
    peer was timed during it."""
    clock = CLOCK
    for _ in range(warmup):
        for step in steps:
            step()
    times = [[] for _ in steps]
    order = list(range(len(steps)))
    was = gc.isenabled()
    gc.disable()
    try:
        for _ in range(reps):
            for i in order:
                t0 = clock()
                steps[i]()
                times[i].append(clock() - t0)
            order.reverse()
    finally:
        if was:
            gc.enable()
    return [statistics.median(t) for t in times]


def peak_bytes(step):
    """Peak bytes allocated (Python and NumPy, through tracemalloc) during one ``step()``."""
    step()
    gc.collect()
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    step()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak - base


def sync(device):
    """Wait for the device (CUDA work is asynchronous)."""
    if str(device).startswith("cuda"):
        import cupy

        cupy.cuda.Device().synchronize()


def torch_or_none():
    try:
        import torch
    except ImportError:
        return None
    return torch
