"""Run the benchmarks and print one table: ``python -m bench [--quick] [--device cuda]``.

Each workload is timed after warm-up as the median of several repetitions, in one
process, float32, fixed seeds, for xpgrad, the same math written by hand in NumPy
(the practical floor of a NumPy engine) and PyTorch (when installed, with the
same number of threads). The three are timed in rounds, one run of each per round,
so that a ratio compares them under the same load. Peak memory is measured with tracemalloc, which sees
Python and NumPy allocations (PyTorch's are invisible to it, so its column is
left empty).
"""
from __future__ import annotations

import argparse
import os
import platform
import time

from . import attention, cnn, common, deep_chain, lstm, lstm_cells, mlp, tiny_ops
from .common import peak_bytes, sync, timeit_interleaved, torch_or_none
from .overhead import no_provenance

WORKLOADS = {m.NAME: m for m in (mlp, tiny_ops, cnn, lstm, lstm_cells, attention, deep_chain)}
REPS = {"mlp": 30, "tiny_ops": 50, "cnn": 20, "lstm": 10, "lstm_cells": 10, "attention": 10, "deep_chain": 3}


def _synced(step, device):
    def synced():
        step()
        sync(device)

    return synced


def _fmt(v, digits=2):
    return "–" if v is None else f"{v:.{digits}f}"


def _provenance_cost(device, reps):
    """tiny_ops per-op time with and without recording file:line on each node."""
    bare = tiny_ops.xpgrad_step(device)

    def without_site():
        with no_provenance():
            bare()

    with_site, without = timeit_interleaved([tiny_ops.xpgrad_step(device), without_site], reps)
    return with_site / tiny_ops.PER_STEP * 1e6, without / tiny_ops.PER_STEP * 1e6


def main(argv=None):
    p = argparse.ArgumentParser(description="xpgrad benchmarks")
    p.add_argument("--quick", action="store_true", help="a few repetitions (CI keeps the bench alive)")
    p.add_argument("--device", default="cpu")
    p.add_argument("--only", nargs="*", choices=sorted(WORKLOADS), help="run only these workloads")
    p.add_argument("--no-memory", action="store_true", help="skip the peak-memory pass")
    p.add_argument("--cpu-time", action="store_true",
                   help="time by this process' CPU time (all threads summed), not wall time: steadier "
                        "on a shared machine; with OMP_NUM_THREADS=1 the three columns are one core each")
    p.add_argument("--distributed", action="store_true",
                   help="all-reduce bandwidth and DDP scaling (run under mpiexec -n 2)")
    args = p.parse_args(argv)
    if args.distributed:
        from . import distributed

        return distributed.main(args.quick)

    if args.cpu_time:
        common.CLOCK = time.process_time
    torch = torch_or_none()
    threads = int(os.environ.get("OMP_NUM_THREADS", os.cpu_count() or 1))
    if torch is not None:
        torch.set_num_threads(threads)
    names = args.only or list(WORKLOADS)
    on_cpu = args.device == "cpu"
    print(f"# xpgrad bench: device={args.device}, {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} cores, torch threads={threads}, "
          f"torch {'not installed' if torch is None else torch.__version__}"
          f"{', quick' if args.quick else ''}{', CPU time' if args.cpu_time else ''}")
    header = (f"{'workload':<11} {'unit':<6} {'xpgrad':>9} {'numpy':>9} {'torch':>9} "
              f"{'xp/numpy':>8} {'xp/torch':>8} {'mem xp MB':>9} {'mem np MB':>9} {'mem ratio':>9}")
    print(header)
    print("-" * len(header))
    rows = {}
    for name in names:
        w = WORKLOADS[name]
        reps = 3 if args.quick else REPS[name]
        if args.quick and name == "deep_chain":
            reps = 1
        per = getattr(w, "PER_STEP", 1)
        memory = not args.no_memory and name != "deep_chain" or (name == "deep_chain" and not args.quick)
        steps = [_synced(w.xpgrad_step(args.device), args.device)]
        if on_cpu:
            steps.append(w.numpy_step())
            if torch is not None:
                steps.append(w.torch_step(torch))
        pools = ["numpy", "numpy", "torch"][:len(steps)]  # xpgrad and the floor share OpenBLAS
        times = timeit_interleaved(steps, reps, warmup=1 if reps <= 3 else 3, pools=pools,
                                   pause=0.0 if args.quick else 0.2) + [None, None]
        xt, nt, tt = times[:3]
        xm = peak_bytes(steps[0]) if memory else None
        nm = peak_bytes(steps[1]) if memory and on_cpu else None
        scale = w.SCALE / per
        row = rows[name] = {
            "xpgrad": xt * scale, "numpy": nt and nt * scale, "torch": tt and tt * scale,
            "mem_xp": xm, "mem_np": nm,
        }
        print(f"{name:<11} {w.UNIT:<6} {_fmt(row['xpgrad']):>9} {_fmt(row['numpy']):>9} "
              f"{_fmt(row['torch']):>9} {_fmt(nt and xt / nt):>8} {_fmt(tt and xt / tt):>8} "
              f"{_fmt(xm and xm / 2**20, 1):>9} {_fmt(nm and nm / 2**20, 1):>9} "
              f"{_fmt(xm and nm and xm / nm):>9}", flush=True)
    if "tiny_ops" in names:
        on, off = _provenance_cost(args.device, 3 if args.quick else REPS["tiny_ops"])
        print(f"provenance (file:line on every node): {on:.2f} µs/op with, {off:.2f} without "
              f"({(on - off) / off * 100:+.1f}%)")
    return rows


if __name__ == "__main__":
    main()
