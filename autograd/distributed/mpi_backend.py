"""The MPI engine of a process group: non-blocking mpi4py collectives on contiguous host arrays.

Each method starts one MPI operation on the arrays it is given (no copies: the
arrays themselves are MPI's buffers) and returns a :class:`~.work.Work`.
"""
from __future__ import annotations

from .reduce_op import ReduceOp
from .work import Work

R = ReduceOp.RedOpType


def _mpi():
    from mpi4py import MPI

    return MPI


def mpi_op(op, dtype):
    """The MPI reduction for ``op`` on arrays of ``dtype`` (bool: logical or / and)."""
    MPI = _mpi()
    if dtype.kind == "b":
        table = {R.SUM: MPI.LOR, R.MAX: MPI.LOR, R.BOR: MPI.LOR, R.MIN: MPI.LAND,
                 R.PRODUCT: MPI.LAND, R.BAND: MPI.LAND, R.BXOR: MPI.LXOR}
    else:
        table = {R.SUM: MPI.SUM, R.AVG: MPI.SUM, R.PRODUCT: MPI.PROD, R.MIN: MPI.MIN,
                 R.MAX: MPI.MAX, R.BAND: MPI.BAND, R.BOR: MPI.BOR, R.BXOR: MPI.BXOR}
    if op not in table:
        raise ValueError(f"ReduceOp.{op.name} is not supported for {dtype} tensors")
    return table[op]


class MPIEngine:
    """Collectives over one MPI communicator (``comm``), each bounded by ``timeout`` seconds."""

    name = "mpi"

    def __init__(self, comm, timeout):
        self.comm, self.timeout = comm, timeout
        self.rank, self.size = comm.Get_rank(), comm.Get_size()

    def _work(self, req, name, finish=None, result=None):
        return Work(req.Test, name, self.timeout, finish, result)

    def allreduce(self, a, op, finish=None):
        MPI = _mpi()
        return self._work(self.comm.Iallreduce(MPI.IN_PLACE, a, op=mpi_op(op, a.dtype)), "all_reduce", finish)

    def broadcast(self, a, src, finish=None):
        return self._work(self.comm.Ibcast(a, root=src), "broadcast", finish)

    def reduce(self, a, op, dst, finish=None):
        MPI = _mpi()
        mop = mpi_op(op, a.dtype)
        if self.rank == dst:
            req = self.comm.Ireduce(MPI.IN_PLACE, a, op=mop, root=dst)
        else:
            req = self.comm.Ireduce(a, None, op=mop, root=dst)
        return self._work(req, "reduce", finish)

    def allgather(self, send, recv, finish=None):
        return self._work(self.comm.Iallgather(send, recv), "all_gather", finish)

    def reduce_scatter(self, send, recv, op, finish=None):
        req = self.comm.Ireduce_scatter_block(send, recv, op=mpi_op(op, send.dtype))
        return self._work(req, "reduce_scatter", finish)

    def gather(self, send, recv, dst, finish=None):
        return self._work(self.comm.Igather(send, recv if self.rank == dst else None, root=dst),
                          "gather", finish)

    def scatter(self, send, recv, src, finish=None):
        return self._work(self.comm.Iscatter(send if self.rank == src else None, recv, root=src),
                          "scatter", finish)

    def send(self, a, dst, tag):
        return self._work(self.comm.Isend(a, dest=dst, tag=tag), "send")

    def recv(self, a, src, tag):
        MPI = _mpi()
        status = MPI.Status()
        req = self.comm.Irecv(a, source=MPI.ANY_SOURCE if src is None else src, tag=tag)
        w = Work(lambda: req.Test(status), "recv", self.timeout)
        w.source = status.Get_source
        return w

    def barrier(self):
        return self._work(self.comm.Ibarrier(), "barrier")
