"""autograd.distributed, DistributedDataParallel and DistributedSampler under real MPI.

Each test launches ``mpiexec -n N python tests/distributed/programs/<program>.py`` in a
subprocess (mpich's launcher from the ``distributed`` extra); skipped, with the reason,
when mpi4py or mpiexec is missing.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
PROGRAMS = os.path.join(HERE, "programs")


def _mpiexec():
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        pytest.skip("mpi4py is not installed (pip install 'xpgrad[distributed]')")
    exe = shutil.which("mpiexec", path=os.path.dirname(sys.executable)) or shutil.which("mpiexec")
    if exe is None:
        pytest.skip("mpiexec not found (pip install mpich, or a system MPI)")
    return exe


def run_mpi(n, program, *args, timeout=90, env=None):
    cmd = [_mpiexec(), "-n", str(n)]
    if "Open MPI" in subprocess.run([cmd[0], "--version"], capture_output=True, text=True).stdout:
        cmd += ["--allow-run-as-root", "--oversubscribe"]
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1",
               PYTHONUNBUFFERED="1", **(env or {}))
    start = time.monotonic()
    proc = subprocess.run(cmd + [sys.executable, os.path.join(PROGRAMS, program), *args],
                          capture_output=True, text=True, timeout=timeout, env=env)
    return proc, time.monotonic() - start


@pytest.mark.parametrize("n", [2, 3])
def test_collectives_ddp_and_sampler_under_mpiexec(n):
    proc, _ = run_mpi(n, "checks.py")
    _passes(proc, ("collectives_reduce", "collectives_async_and_views", "collectives_gather_scatter",
                   "collectives_point_to_point", "ddp_matches_single_process", "ddp_buckets_overlap_backward",
                   "ddp_no_sync_accumulates", "ddp_runs_parameter_hooks", "ddp_unused_parameters",
                   "ddp_broadcasts_and_checks_shapes", "sampler_covers_each_epoch"))


def _passes(proc, names):
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-4000:]
    for name in names:
        assert f"PASS {name}" in proc.stdout, out[-4000:]


@pytest.mark.parametrize("n", [2, 3])
def test_sync_batchnorm_under_mpiexec(n):
    proc, _ = run_mpi(n, "sync_bn.py")
    _passes(proc, ("all_reduce_op_gradients", "sync_bn_matches_combined_batch",
                   "sync_bn_ddp_training_matches_batchnorm"))


@pytest.mark.parametrize("program,names", [
    ("checks.py", ("collectives_reduce", "collectives_async_and_views", "collectives_gather_scatter",
                   "collectives_point_to_point", "ddp_matches_single_process", "ddp_buckets_overlap_backward",
                   "ddp_no_sync_accumulates", "ddp_runs_parameter_hooks", "ddp_unused_parameters",
                   "ddp_broadcasts_and_checks_shapes")),
    ("sync_bn.py", ("all_reduce_op_gradients", "sync_bn_matches_combined_batch",
                    "sync_bn_ddp_training_matches_batchnorm"))])
def test_nccl_backend_on_the_shadow_device(program, names):
    """backend="nccl" with tensors on the shadow device, NCCL being fake_nccl.py (cupy.cuda.nccl's API
    over MPI): the same checks as on the cpu."""
    proc, _ = run_mpi(2, program, *names, env={"XPGRAD_TEST_NCCL": "1"})
    _passes(proc, names)
    calls = dict(kv.split("=") for kv in proc.stdout.split("NCCL calls:")[1].split())
    wanted = ("allReduce", "broadcast", "reduce", "allGather", "reduceScatter", "send", "recv")
    assert all(int(calls.get(k, 0)) > 0 for k in wanted[:2 if program == "sync_bn.py" else None]), calls


def test_a_failing_rank_takes_every_rank_down_with_a_message():
    proc, took = run_mpi(3, "fault.py", "1", "raise", "20")
    err = proc.stderr
    assert proc.returncode != 0
    assert "ValueError: boom on rank 1 at step 2" in err
    assert "rank 1 failed with ValueError: boom on rank 1 at step 2; taking the process group" in err
    for r in (0, 2):  # the others learn it at their next collective, long before the 20 s timeout
        assert f"rank {r}: stopping because a peer rank failed" in err, err[-3000:]
    assert "finished" not in proc.stdout
    assert took < 15, took


def test_a_hanging_rank_ends_the_others_at_the_timeout():
    proc, took = run_mpi(2, "fault.py", "0", "hang", "2")
    assert proc.returncode != 0
    assert "timed out after 2 s on rank 1" in proc.stderr, proc.stderr[-3000:]
    assert took < 20, took
