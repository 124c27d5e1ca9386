"""The NCCL engine of a process group: CuPy's ``cupy.cuda.nccl`` on device arrays.

The communicator is built from a unique id that rank 0 draws and broadcasts
over MPI. Each call is queued on the current CuPy stream; its
:class:`~.work.Work` polls a CUDA event recorded after it, so a wait is bounded
by the group's timeout (after which the communicator is aborted).

The engine reaches CUDA only through a small *runtime* object (``nccl`` module,
array pointers, stream, event), which the tests replace by a stand-in that
runs the same calls over MPI on the shadow device.
"""
from __future__ import annotations

from .reduce_op import ReduceOp
from .work import Work

R = ReduceOp.RedOpType
_override = {"runtime": None}


class CupyRuntime:
    """CUDA through CuPy: ``nccl`` bindings, device pointers, the current stream, events."""

    def __init__(self):
        import cupy
        from cupy.cuda import nccl

        self.cupy, self.nccl = cupy, nccl

    def ptr(self, a):
        return a.data.ptr

    def stream_ptr(self):
        return self.cupy.cuda.get_current_stream().ptr

    def record_event(self):
        ev = self.cupy.cuda.Event(block=False, disable_timing=True)
        ev.record()
        return ev

    def use_device(self, index):
        self.cupy.cuda.Device(index).use()

    def current_device(self):
        return self.cupy.cuda.Device().id


def load_runtime():
    """The runtime to use: a test's stand-in if set, else CuPy's (None when CuPy or NCCL is missing)."""
    if _override["runtime"] is not None:
        return _override["runtime"]
    try:
        rt = CupyRuntime()
        if not getattr(rt.nccl, "available", True):
            return None
        return rt
    except Exception:  # noqa: BLE001  (no CuPy, no GPU driver, no NCCL)
        return None


def _dtype_code(nccl, dtype):
    names = {"float16": "NCCL_FLOAT16", "float32": "NCCL_FLOAT32", "float64": "NCCL_FLOAT64",
             "int8": "NCCL_INT8", "uint8": "NCCL_UINT8", "bool": "NCCL_UINT8", "int32": "NCCL_INT32",
             "uint32": "NCCL_UINT32", "int64": "NCCL_INT64", "uint64": "NCCL_UINT64"}
    name = names.get(str(dtype))
    if name is None:
        raise TypeError(f"NCCL cannot move {dtype} tensors")
    return getattr(nccl, name)


def _op_code(nccl, op, dtype):
    if dtype.kind == "b":  # bools travel as uint8: or = max, and = min
        op = {R.SUM: R.MAX, R.BOR: R.MAX, R.MAX: R.MAX, R.MIN: R.MIN, R.BAND: R.MIN,
              R.PRODUCT: R.MIN}.get(op, op)
    names = {R.SUM: "NCCL_SUM", R.AVG: "NCCL_SUM", R.PRODUCT: "NCCL_PROD", R.MIN: "NCCL_MIN",
             R.MAX: "NCCL_MAX"}
    if op not in names:
        raise ValueError(f"ReduceOp.{op.name} is not supported by NCCL")
    return getattr(nccl, names[op])


class NCCLEngine:
    """Collectives over one NCCL communicator, for the arrays of one CUDA device."""

    name = "nccl"

    def __init__(self, runtime, comm, rank, size, timeout, device_index):
        self.rt, self.comm, self.rank, self.size = runtime, comm, rank, size
        self.timeout, self.device_index = timeout, device_index

    @classmethod
    def create(cls, mpi_comm, timeout, device_id=None):
        """Build the communicator of the ranks of ``mpi_comm``: rank 0's unique id goes over MPI."""
        rt = load_runtime()
        if rt is None:
            raise RuntimeError("backend='nccl' needs CuPy with NCCL (pip install 'xpgrad[cuda]') and a GPU")
        rank, size = mpi_comm.Get_rank(), mpi_comm.Get_size()
        index = getattr(device_id, "index", device_id)
        if index is None:
            index = rt.current_device()
        rt.use_device(index)
        uid = rt.nccl.get_unique_id() if rank == 0 else None
        uid = mpi_comm.bcast(uid, root=0)
        comm = rt.nccl.NcclCommunicator(size, uid, rank)
        return cls(rt, comm, rank, size, timeout, index)

    def _work(self, name, finish=None):
        ev = self.rt.record_event()
        w = Work(lambda: ev.done, name, self.timeout, finish)
        inner = w.wait

        def wait(timeout=None):
            try:
                return inner(timeout)
            except Exception:
                self.comm.abort()  # a stuck NCCL kernel would otherwise never return
                raise
        w.wait = wait
        return w

    def _args(self, a):
        nccl = self.rt.nccl
        return self.rt.ptr(a), a.size, _dtype_code(nccl, a.dtype)

    def allreduce(self, a, op, finish=None):
        p, n, dt = self._args(a)
        self.comm.allReduce(p, p, n, dt, _op_code(self.rt.nccl, op, a.dtype), self.rt.stream_ptr())
        return self._work("all_reduce", finish)

    def broadcast(self, a, src, finish=None):
        p, n, dt = self._args(a)
        self.comm.broadcast(p, p, n, dt, src, self.rt.stream_ptr())
        return self._work("broadcast", finish)

    def reduce(self, a, op, dst, finish=None):
        p, n, dt = self._args(a)
        self.comm.reduce(p, p, n, dt, _op_code(self.rt.nccl, op, a.dtype), dst, self.rt.stream_ptr())
        return self._work("reduce", finish)

    def allgather(self, send, recv, finish=None):
        p, n, dt = self._args(send)
        self.comm.allGather(p, self.rt.ptr(recv), n, dt, self.rt.stream_ptr())
        return self._work("all_gather", finish)

    def reduce_scatter(self, send, recv, op, finish=None):
        p, n, dt = self._args(recv)
        self.comm.reduceScatter(self.rt.ptr(send), p, n, dt, _op_code(self.rt.nccl, op, send.dtype),
                                self.rt.stream_ptr())
        return self._work("reduce_scatter", finish)

    def _p2p_group(self, calls):
        nccl = self.rt.nccl
        nccl.groupStart()
        try:
            for c in calls:
                c()
        finally:
            nccl.groupEnd()

    def gather(self, send, recv, dst, finish=None):
        s, n, dt = self._args(send)
        st = self.rt.stream_ptr()
        if self.rank == dst:
            flat = recv.reshape(self.size, -1)
            flat[dst][...] = send.reshape(-1)
            self._p2p_group([lambda r=r: self.comm.recv(self.rt.ptr(flat[r]), n, dt, r, st)
                             for r in range(self.size) if r != dst])
        else:
            self.comm.send(s, n, dt, dst, st)
        return self._work("gather", finish)

    def scatter(self, send, recv, src, finish=None):
        r_, n, dt = self._args(recv)
        st = self.rt.stream_ptr()
        if self.rank == src:
            flat = send.reshape(self.size, -1)
            recv.reshape(-1)[...] = flat[src]
            self._p2p_group([lambda r=r: self.comm.send(self.rt.ptr(flat[r]), n, dt, r, st)
                             for r in range(self.size) if r != src])
        else:
            self.comm.recv(r_, n, dt, src, st)
        return self._work("scatter", finish)

    def send(self, a, dst, tag):
        p, n, dt = self._args(a)
        self.comm.send(p, n, dt, dst, self.rt.stream_ptr())
        return self._work("send")

    def recv(self, a, src, tag):
        if src is None:
            raise ValueError("NCCL recv needs an explicit src rank")
        p, n, dt = self._args(a)
        self.comm.recv(p, n, dt, src, self.rt.stream_ptr())
        return self._work("recv")

    def destroy(self):
        self.comm.destroy()
