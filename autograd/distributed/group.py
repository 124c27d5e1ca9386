"""Process groups: ``init_process_group``, ``new_group`` and who is who (``get_rank``, ...)."""
from __future__ import annotations

import datetime
import os

from . import faults
from .mpi_backend import MPIEngine
from .work import _seconds

#: PyTorch's default collective timeout (30 minutes; 10 for NCCL).
default_pg_timeout = datetime.timedelta(minutes=30)
default_pg_nccl_timeout = datetime.timedelta(minutes=10)

_BACKENDS = ("mpi", "nccl")
_world = {"pg": None}


class Backend(str):
    """A backend's name: ``Backend.MPI`` (``"mpi"``) or ``Backend.NCCL`` (``"nccl"``)."""

    MPI = "mpi"
    NCCL = "nccl"
    UNDEFINED = "undefined"


class ProcessGroup:
    """A set of ranks that communicate together.

    Host (cpu) tensors travel through MPI; device (cuda) tensors through NCCL
    when the group was created with ``backend="nccl"``.
    """

    def __init__(self, backend, comm, timeout, global_ranks, nccl=None):
        self.backend, self.timeout = backend, timeout
        self.mpi = MPIEngine(comm, timeout)
        self.nccl = nccl
        self.global_ranks = list(global_ranks)

    def rank(self):
        return self.mpi.rank

    def size(self):
        return self.mpi.size

    def engine_for(self, device):
        """The engine that moves arrays living on ``device``."""
        if device.type == "cpu":
            return self.mpi
        if self.nccl is None:
            raise RuntimeError(
                f"process group backend '{self.backend}' moves cpu tensors only; this tensor is on "
                f"{device}: initialise with backend='nccl' for device tensors")
        return self.nccl

    def __repr__(self):
        return f"ProcessGroup(backend={self.backend!r}, rank={self.rank()}, size={self.size()})"


class GroupMember:
    """``GroupMember.WORLD`` (the default group) and ``NON_GROUP_MEMBER`` as in PyTorch."""

    WORLD = None
    NON_GROUP_MEMBER = object()


def is_available():
    """True: the ``autograd.distributed`` package is always importable."""
    return True


def is_mpi_available():
    """Whether mpi4py (and an MPI library) can be imported."""
    try:
        import mpi4py.MPI  # noqa: F401
    except Exception:  # noqa: BLE001  (ImportError, or a broken MPI library)
        return False
    return True


def is_nccl_available():
    """Whether CuPy with its NCCL bindings can be imported."""
    from . import nccl_backend

    return nccl_backend.load_runtime() is not None


def is_initialized():
    """Whether the default process group exists."""
    return _world["pg"] is not None


def _default():
    pg = _world["pg"]
    if pg is None:
        raise ValueError("Default process group has not been initialized, please make sure to call "
                         "init_process_group.")
    return pg


def resolve(group):
    """The process group to use for ``group`` (None: the default one)."""
    if group is GroupMember.NON_GROUP_MEMBER:
        raise ValueError("this rank is not a member of the given process group")
    return _default() if group is None else group


def init_process_group(backend=None, init_method=None, timeout=None, world_size=-1, rank=-1,
                       store=None, group_name="", pg_options=None, device_id=None):
    """Join the default process group.

    Start the program with ``mpiexec -n N python train.py``: rank and world size
    come from the MPI launcher. ``world_size`` and ``rank``, when given, must agree
    with it.

    Args:
        backend (str): ``"mpi"`` (cpu tensors, through mpi4py) or ``"nccl"`` (cuda
            tensors through ``cupy.cuda.nccl``, cpu tensors through MPI; the NCCL
            unique id is broadcast over MPI). Default: ``"nccl"`` when CuPy's NCCL
            is available, else ``"mpi"``.
        init_method: accepted for compatibility (``"env://"``); MPI does the rendezvous.
        timeout (timedelta or float seconds): how long any collective may wait before
            raising (default 30 min, 10 min for NCCL).
    """
    if _world["pg"] is not None:
        raise ValueError("trying to initialize the default process group twice!")
    if backend is None:
        backend = "nccl" if is_nccl_available() else "mpi"
    backend = str(backend).lower()
    if backend not in _BACKENDS:
        raise ValueError(f"backend must be one of {_BACKENDS}, got {backend!r} (gloo is not available: "
                         "use 'mpi' on cpus)")
    if init_method not in (None, "env://") and not str(init_method).startswith(("env://", "file://", "tcp://")):
        raise ValueError(f"unsupported init_method {init_method!r}")
    if not is_mpi_available():
        raise RuntimeError("autograd.distributed needs mpi4py and an MPI library: pip install "
                           "'xpgrad[distributed]' (mpi4py and mpich), then start with "
                           "mpiexec -n N python script.py")
    from mpi4py import MPI

    world = MPI.COMM_WORLD
    n, r = world.Get_size(), world.Get_rank()
    if world_size not in (-1, None) and int(world_size) != n:
        raise ValueError(f"world_size={world_size} but the MPI launcher started {n} processes")
    if rank not in (-1, None) and int(rank) != r:
        raise ValueError(f"rank={rank} but MPI gave this process rank {r}")
    if timeout is None:
        timeout = default_pg_nccl_timeout if backend == "nccl" else default_pg_timeout
    seconds = _seconds(timeout)
    comm = world.Dup()
    nccl = None
    if backend == "nccl":
        from .nccl_backend import NCCLEngine

        nccl = NCCLEngine.create(comm, seconds, device_id)
    faults.install(world)
    os.environ.setdefault("RANK", str(r))
    os.environ.setdefault("WORLD_SIZE", str(n))
    _world["pg"] = ProcessGroup(backend, comm, seconds, range(n), nccl)


def destroy_process_group(group=None):
    """Leave the default group (or free ``group``)."""
    pg = _default() if group is None else group
    if pg is GroupMember.NON_GROUP_MEMBER:
        return
    if pg.nccl is not None:
        pg.nccl.destroy()
    try:
        pg.mpi.comm.Free()
    except Exception:  # noqa: BLE001
        pass
    if group is None or pg is _world["pg"]:
        _world["pg"] = None
        faults.uninstall()


def new_group(ranks=None, timeout=None, backend=None, pg_options=None, use_local_synchronization=False):
    """A process group of the given global ``ranks`` (all ranks must call it).

    Returns ``GroupMember.NON_GROUP_MEMBER`` on ranks outside ``ranks``.
    """
    pg = _default()
    world = pg.mpi.comm
    ranks = list(range(pg.size())) if ranks is None else sorted(int(r) for r in ranks)
    bad = [r for r in ranks if not 0 <= r < pg.size()]
    if bad or len(set(ranks)) != len(ranks):
        raise ValueError(f"new_group: ranks must be distinct and in [0, {pg.size()}), got {ranks}")
    sub = world.Create_group(world.Get_group().Incl(ranks))
    if pg.rank() not in ranks:
        return GroupMember.NON_GROUP_MEMBER
    seconds = pg.timeout if timeout is None else _seconds(timeout)
    nccl = None
    if pg.nccl is not None and (backend or pg.backend) == "nccl":
        nccl = type(pg.nccl).create(sub, seconds, pg.nccl.device_index)
    return ProcessGroup(backend or pg.backend, sub, seconds, ranks, nccl)


def get_rank(group=None):
    """This process's rank in ``group`` (the default group: the MPI rank); -1 outside the group."""
    if group is GroupMember.NON_GROUP_MEMBER:
        return -1
    return resolve(group).rank()


def get_world_size(group=None):
    """The number of ranks in ``group``; -1 outside the group."""
    if group is GroupMember.NON_GROUP_MEMBER:
        return -1
    return resolve(group).size()


def get_backend(group=None):
    """The backend's name of ``group``: ``"mpi"`` or ``"nccl"``."""
    return resolve(group).backend


def get_global_rank(group, group_rank):
    """The global rank of ``group``'s rank ``group_rank``."""
    return resolve(group).global_ranks[group_rank]


def get_group_rank(group, global_rank):
    """``group``'s rank of the process with global rank ``global_rank``."""
    ranks = resolve(group).global_ranks
    if global_rank not in ranks:
        raise ValueError(f"global rank {global_rank} is not part of the group (ranks {ranks})")
    return ranks.index(global_rank)


def get_process_group_ranks(group):
    """The global ranks of ``group``'s members."""
    return list(resolve(group).global_ranks)
