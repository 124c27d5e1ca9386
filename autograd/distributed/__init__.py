"""Communication between processes, as ``torch.distributed``: MPI on cpus, NCCL on GPUs.

Start ``N`` processes with ``mpiexec -n N python train.py``; each calls
:func:`init_process_group` and then uses the collectives.

Example::

    import autograd as ag
    import autograd.distributed as dist

    dist.init_process_group("mpi")
    t = ag.ones(3) * dist.get_rank()
    dist.all_reduce(t)                      # in place: the sum over the ranks
    work = dist.all_reduce(t, op=dist.ReduceOp.AVG, async_op=True)
    work.wait()
    dist.destroy_process_group()
"""
from .collectives import *  # noqa: F401,F403
from .collectives import __all__ as _collectives_all
from .faults import DistBackendError
from .group import (Backend, GroupMember, ProcessGroup, default_pg_timeout, destroy_process_group,
                    get_backend,
                    get_global_rank, get_group_rank, get_process_group_ranks, get_rank, get_world_size,
                    init_process_group, is_available, is_initialized, is_mpi_available, is_nccl_available,
                    new_group)
from .reduce_op import ReduceOp
from .work import Work

__all__ = ["init_process_group", "destroy_process_group", "is_available", "is_initialized",
           "is_mpi_available", "is_nccl_available", "get_rank", "get_world_size", "get_backend",
           "get_global_rank", "get_group_rank", "get_process_group_ranks", "new_group", "ReduceOp",
           "Backend", "GroupMember", "ProcessGroup", "Work", "DistBackendError",
           "default_pg_timeout"] + list(_collectives_all)
