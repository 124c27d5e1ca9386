"""What the programs run under ``mpiexec`` share: the repository on ``sys.path``, a registry of checks
run in order (``PASS <name>`` printed on rank 0 after each, all ranks in step), per-rank test data."""
import os
import sys

import numpy as np

ROOT = os.path.abspath(__file__)
for _ in range(4):
    ROOT = os.path.dirname(ROOT)
sys.path.insert(0, ROOT)

CHECKS = []


def check(fn):
    """Register ``fn`` as a check of this program (run in the order of registration)."""
    CHECKS.append(fn)
    return fn


def data(shape, dtype, rank, salt=0):
    """Rank ``rank``'s random input (every rank can compute every rank's)."""
    rng = np.random.default_rng(1000 * salt + rank)
    if np.dtype(dtype).kind == "b":
        return rng.random(shape) < 0.5
    if np.dtype(dtype).kind in "iu":
        return rng.integers(1, 4, shape).astype(dtype)
    return (rng.random(shape) + 0.5).astype(dtype)


def host(t):
    """A NumPy copy of tensor ``t``, wherever it lives."""
    return t.detach().cpu().numpy()


def run_checks(dist):
    """Run the checks named on the command line (all by default), then leave the process group."""
    names = sys.argv[1:] or [c.__name__ for c in CHECKS]
    for c in CHECKS:
        if c.__name__ in names:
            c()
            dist.barrier()
            if dist.get_rank() == 0:
                print("PASS", c.__name__, flush=True)
    if dist.get_backend() == "nccl" and dist.get_rank() == 0:
        from fake_nccl import calls

        print("NCCL calls:", " ".join(f"{k}={v}" for k, v in sorted(calls.items())), flush=True)
    dist.destroy_process_group()


def setup(timeout=20):
    """Join the process group; returns ``(autograd.distributed, device name)``.

    With ``XPGRAD_TEST_NCCL=1`` in the environment the group's backend is ``"nccl"`` on the shadow
    device (tests/shadow.py), its NCCL the MPI-backed stand-in of ``cupy.cuda.nccl`` (fake_nccl.py);
    otherwise ``"mpi"`` on the cpu.
    """
    import autograd.distributed as dist

    if os.environ.get("XPGRAD_TEST_NCCL") == "1":
        tests = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        sys.path.insert(0, tests)
        sys.path.insert(0, os.path.join(tests, "distributed"))
        from fake_nccl import install
        from shadow import register_shadow

        device = register_shadow()
        install()
        dist.init_process_group("nccl", timeout=timeout)
        return dist, device
    dist.init_process_group("mpi", timeout=timeout)
    return dist, "cpu"
