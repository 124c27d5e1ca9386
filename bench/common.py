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


def timeit_interleaved(steps, reps, warmup=3, pools=None, phases=3, pause=0.2):
    """Median seconds of each of ``steps`` over ``reps`` rounds, one run of each per round (in an
    order that alternates between rounds), after ``warmup`` rounds; GC off while timing.

    A ratio of two medians measured this way compares the peers under the same conditions: on a
    shared machine, load that comes and goes slows every peer's runs alike instead of whichever
    peer was timed during it.

    ``pools`` names each step's thread pool (xpgrad and the NumPy floor share NumPy's OpenBLAS,
    PyTorch has its own). Steps of different pools are never interleaved: after a GEMM, OpenBLAS's
    workers spin for up to ~0.1 s and PyTorch's OpenMP workers too, and at two threads on two cores
    the other pool's spinning slowed each peer 2-3x (PyTorch's mlp step: 5 ms alone, 10-21 ms
    interleaved with NumPy's). The rounds are then split into ``phases`` turns per pool, in an
    order that alternates, each after ``pause`` seconds idle and one untimed round."""
    clock = CLOCK
    pools = list(pools) if pools is not None else [0] * len(steps)
    groups = list(dict.fromkeys(pools))
    for _ in range(warmup):
        for step in steps:
            step()
    times = [[] for _ in steps]

    def rounds(n, order):
        for _ in range(n):
            for i in order:
                t0 = clock()
                steps[i]()
                times[i].append(clock() - t0)
            order.reverse()

    was = gc.isenabled()
    gc.disable()
    try:
        if len(groups) == 1:
            rounds(reps, list(range(len(steps))))
        else:
            phases = max(1, min(phases, reps))
            for k in range(phases):
                n = reps // phases + (k < reps % phases)
                for g in (groups if k % 2 == 0 else groups[::-1]):
                    members = [i for i, p in enumerate(pools) if p == g]
                    time.sleep(pause)  # the other pool's workers stop spinning
                    for i in members:  # and this pool's wake up
                        steps[i]()
                    rounds(n, members)
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
