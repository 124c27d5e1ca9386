"""``mpiexec -n 2 python -m bench --distributed``: communication and data-parallel scaling.

1. All-reduce bandwidth of DDP's buckets (``dist.all_reduce`` with ``async_op=True``
   and a polled ``wait``, as the reducer launches them) against mpi4py's raw blocking
   ``Allreduce`` on the same buffers (the floor), for bucket sizes up to DDP's 25 MiB.
2. Step time of the MLP workload (784-512-512-10, batch 128 per rank, SGD) on one
   process and under DDP on all ranks, with the same per-rank batch: the
   scaling efficiency is t(1 rank) / t(N ranks) (1.0 is perfect weak scaling).
"""
from __future__ import annotations

import os
import platform

from . import mlp
from .common import timeit


def _model(ag, nn):
    ag.manual_seed(0)
    layers = []
    for i in range(len(mlp.SIZES) - 1):
        layers += [nn.Linear(mlp.SIZES[i], mlp.SIZES[i + 1]), nn.ReLU()]
    return nn.Sequential(*layers[:-1])


def _step(model, ag, optim, F):
    opt = optim.SGD(model.parameters(), lr=mlp.LR)
    xn, yn = mlp.data()
    x, y = ag.tensor(xn), ag.tensor(yn)

    def step():
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()
    return step


def main(quick=False):
    import numpy as np
    from mpi4py import MPI

    import autograd as ag
    import autograd.distributed as dist
    import nn
    import nn.functional as F
    import optim

    dist.init_process_group("mpi")
    rank, n = dist.get_rank(), dist.get_world_size()
    comm = MPI.COMM_WORLD
    reps = 3 if quick else 20
    say = print if rank == 0 else (lambda *a, **k: None)
    say(f"# xpgrad distributed bench: {n} ranks (mpiexec), {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}, "
        f"{MPI.Get_library_version().splitlines()[0].strip()}{', quick' if quick else ''}")
    say(f"{'bucket MiB':>10} {'DDP GB/s':>9} {'raw MPI GB/s':>12} {'DDP/raw':>8}")
    rows = {}
    for mib in (1, 4, 25) if not quick else (1,):
        buf = np.ones(mib * 2**20 // 4, np.float32)
        t = ag.from_numpy(buf)

        def ddp():
            dist.all_reduce(t, async_op=True).wait()

        def raw():
            comm.Allreduce(MPI.IN_PLACE, buf, op=MPI.SUM)

        comm.Barrier()
        td = timeit(ddp, reps)
        comm.Barrier()
        tr = timeit(raw, reps)
        rows[mib] = (buf.nbytes / td / 1e9, buf.nbytes / tr / 1e9)
        say(f"{mib:>10} {rows[mib][0]:>9.2f} {rows[mib][1]:>12.2f} {tr / td:>8.2f}")

    # the same per-rank batch on 1 rank (rank 0 alone) and on all ranks under DDP
    comm.Barrier()
    one = timeit(_step(_model(ag, nn), ag, optim, F), reps) if rank == 0 else None
    comm.Barrier()
    ddp_model = nn.parallel.DistributedDataParallel(_model(ag, nn))
    many = timeit(_step(ddp_model, ag, optim, F), reps)
    many = comm.allreduce(many, op=MPI.MAX)
    if rank == 0:
        say(f"mlp step (batch {mlp.BATCH} per rank): 1 rank {one * 1e3:.2f} ms, {n} ranks DDP "
            f"{many * 1e3:.2f} ms, scaling efficiency {one / many:.2f} "
            f"({n * mlp.BATCH / many:.0f} vs {mlp.BATCH / one:.0f} samples/s)")
    dist.destroy_process_group()
    return rows
