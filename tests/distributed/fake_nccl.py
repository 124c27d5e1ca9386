"""A stand-in of ``cupy.cuda.nccl`` on host memory, its communication done by MPI (mpi4py).

It has CuPy's NCCL API: ``get_unique_id()`` (a tuple of 128 byte values),
``NcclCommunicator(ndev, commId, rank)`` whose ``allReduce``, ``reduce``,
``broadcast``, ``allGather``, ``reduceScatter``, ``send`` and ``recv`` take raw
buffer addresses, element counts, NCCL's dtype and reduction codes and a stream
address, and ``groupStart``/``groupEnd``. Memory is reached through the
addresses alone (as NCCL does): a buffer is rebuilt from ``(address, count,
dtype)``. Each call is queued on its stream and returns at once; a stream starts
its queued operations one after the other (non-blocking MPI calls on the
communicator's own MPI communicator) as it is polled, through ``Event.done`` or
the next call on it, so calls never block the host, as on a GPU.

``install()`` makes xpgrad's NCCL engine use it (with :class:`FakeRuntime`, the
CUDA side: streams, events, devices, pointers of shadow-device arrays).

What it cannot be: ``NCCL_BFLOAT16`` (NumPy has no bfloat16) raises; the process
that draws a unique id must be a member of the communicator built from it (NCCL
runs the rendezvous in a thread of that process; here the member does it).
"""
from __future__ import annotations

import ctypes
import itertools
import struct
import sys
import types
from collections import deque

import numpy as np

from autograd.distributed import nccl_backend

NCCL_INT8 = NCCL_CHAR = 0
NCCL_UINT8 = 1
NCCL_INT32 = NCCL_INT = 2
NCCL_UINT32 = 3
NCCL_INT64 = 4
NCCL_UINT64 = 5
NCCL_FLOAT16 = NCCL_HALF = 6
NCCL_FLOAT32 = NCCL_FLOAT = 7
NCCL_FLOAT64 = NCCL_DOUBLE = 8
NCCL_BFLOAT16 = 9
NCCL_SUM, NCCL_PROD, NCCL_MAX, NCCL_MIN, NCCL_AVG = 0, 1, 2, 3, 4
available = True

_DTYPES = dict(enumerate(map(np.dtype, ("int8", "uint8", "int32", "uint32", "int64", "uint64", "float16",
                                         "float32", "float64"))))
_MAGIC = b"FAKENCCL"
_TAG = 31000  # rendezvous tags: _TAG + serial (to the root), _TAG + 1 + serial (back)
_state = {"world": None, "serial": itertools.count(), "group": None}
#: How many times each communicator call ran in this process (the tests check the engine got here).
calls: dict = {}


class NcclError(RuntimeError):
    """An NCCL call failed (``cupy.cuda.nccl.NcclError``)."""


def _mpi():
    from mpi4py import MPI

    return MPI


def get_version():
    return 22000


def get_unique_id():
    """A fresh id naming this process (the rendezvous root) and a serial number: 128 byte values."""
    world = _state["world"]
    raw = _MAGIC + struct.pack("<ii", world.Get_rank(), next(_state["serial"]) * 2)
    return tuple(np.frombuffer(raw.ljust(128, b"\0"), np.int8).tolist())


def _buffer(ptr, count, datatype):
    """The ``count`` elements of NCCL type ``datatype`` at address ``ptr``, as a writable array."""
    if datatype not in _DTYPES:
        raise NcclError(f"NCCL_ERROR_INVALID_ARGUMENT: datatype {datatype} (bfloat16 cannot be faked)")
    dt = _DTYPES[datatype]
    if count == 0:
        return np.empty(0, dt)
    return np.frombuffer((ctypes.c_char * (count * dt.itemsize)).from_address(ptr), dt)


def _op(op, dt):
    MPI = _mpi()
    table = {NCCL_SUM: MPI.SUM, NCCL_PROD: MPI.PROD, NCCL_MAX: MPI.MAX, NCCL_MIN: MPI.MIN, NCCL_AVG: MPI.SUM}
    if op not in table or (op == NCCL_AVG and dt.kind != "f"):
        raise NcclError(f"NCCL_ERROR_INVALID_ARGUMENT: reduction {op} on {dt}")
    return table[op]


class _Op:
    """One queued call: ``start()`` gives MPI requests; ``then`` runs once they are all complete."""

    def __init__(self, start, then=None):
        self.start, self.then, self.requests = start, then, None

    def test(self):
        if self.requests is None:
            self.requests = self.start()
        if not _mpi().Request.Testall(self.requests):
            return False
        if self.then is not None:
            self.then()
        return True


class Stream:
    """A stream: calls run in the order they were queued."""

    _all: dict = {}

    def __init__(self, ptr):
        self.ptr, self.queue, self.queued, self.finished = ptr, deque(), 0, 0
        Stream._all[ptr] = self

    def enqueue(self, op):
        self.queue.append(op)
        self.queued += 1
        self.progress()

    def progress(self):
        while self.queue and self.queue[0].test():
            self.queue.popleft()
            self.finished += 1

    def synchronize(self):
        while self.queue:
            self.progress()


NULL_STREAM = Stream(0)


class Event:
    """``cupy.cuda.Event``: ``record()`` on the current stream, ``done`` once what preceded it finished."""

    def __init__(self, block=False, disable_timing=False, interprocess=False):
        self.stream, self.mark = NULL_STREAM, 0

    def record(self, stream=None):
        self.stream = stream or NULL_STREAM
        self.mark = self.stream.queued

    @property
    def done(self):
        self.stream.progress()
        return self.stream.finished >= self.mark


def groupStart():
    """Calls up to the matching ``groupEnd`` start together (one queued operation per stream)."""
    if _state["group"] is None:
        _state["group"] = {}


def groupEnd():
    group, _state["group"] = _state["group"], None
    for ptr, ops in (group or {}).items():
        Stream._all[ptr].enqueue(_Op(lambda ops=ops: [r for o in ops for r in o.start()],
                                     lambda ops=ops: [o.then() for o in ops if o.then is not None]))


class NcclCommunicator:
    """``NcclCommunicator(ndev, commId, rank)``: rank ``rank`` of ``ndev``, all ranks passing the same id.

    The ranks meet at the id's root process (over MPI), which hands every member the
    list of their MPI ranks; they then build their own MPI communicator.
    """

    def __init__(self, ndev, commId, rank):
        raw = np.asarray(commId, np.int8).tobytes()
        if len(commId) != 128 or not raw.startswith(_MAGIC):
            raise NcclError("NCCL_ERROR_INVALID_ARGUMENT: not a unique id of get_unique_id()")
        if not 0 <= rank < ndev:
            raise NcclError(f"NCCL_ERROR_INVALID_RANK: rank {rank} of {ndev}")
        root, serial = struct.unpack("<ii", raw[8:16])
        world = _state["world"]
        me = world.Get_rank()
        sent = [world.isend((rank, me), dest=root, tag=_TAG + serial)]
        if me == root:
            members = dict(world.recv(source=_mpi().ANY_SOURCE, tag=_TAG + serial) for _ in range(ndev))
            order = [members[r] for r in range(ndev)]
            sent += [world.isend(order, dest=r, tag=_TAG + 1 + serial) for r in order]
        order = world.recv(source=root, tag=_TAG + 1 + serial)
        _mpi().Request.waitall(sent)
        self._comm = world.Create_group(world.Get_group().Incl(order), tag=serial)
        self._rank, self._size = rank, ndev

    def rank_id(self):
        return self._rank

    def size(self):
        return self._size

    def device_id(self):
        return 0

    def destroy(self):
        if self._comm is not None:
            self._comm.Free()
            self._comm = None

    def abort(self):
        self.destroy()

    def check_async_error(self):
        pass

    def _queue(self, stream, start, then=None):
        name = sys._getframe(1).f_code.co_name
        calls[name] = calls.get(name, 0) + 1
        if self._comm is None:
            raise NcclError("NCCL_ERROR_INVALID_ARGUMENT: the communicator was destroyed")
        op = _Op(start, then)
        group = _state["group"]
        if group is not None:
            group.setdefault(stream, []).append(op)
            Stream._all.get(stream) or Stream(stream)
        else:
            (Stream._all.get(stream) or Stream(stream)).enqueue(op)

    def _reduce_then(self, buf, op):
        if op != NCCL_AVG:
            return None

        def avg():
            buf[...] /= self._size
        return avg

    def allReduce(self, sendbuf, recvbuf, count, datatype, op, stream):
        send, recv = _buffer(sendbuf, count, datatype), _buffer(recvbuf, count, datatype)
        mop = _op(op, recv.dtype)
        src = _mpi().IN_PLACE if sendbuf == recvbuf else send
        self._queue(stream, lambda: [self._comm.Iallreduce(src, recv, op=mop)], self._reduce_then(recv, op))

    def reduce(self, sendbuf, recvbuf, count, datatype, op, root, stream):
        send = _buffer(sendbuf, count, datatype)
        mop = _op(op, send.dtype)
        if self._rank != root:
            self._queue(stream, lambda: [self._comm.Ireduce(send, None, op=mop, root=root)])
            return
        recv = _buffer(recvbuf, count, datatype)
        src = _mpi().IN_PLACE if sendbuf == recvbuf else send
        self._queue(stream, lambda: [self._comm.Ireduce(src, recv, op=mop, root=root)],
                    self._reduce_then(recv, op))

    def broadcast(self, sendbuff, recvbuff, count, datatype, root, stream):
        send, recv = _buffer(sendbuff, count, datatype), _buffer(recvbuff, count, datatype)

        def start():
            if self._rank == root and sendbuff != recvbuff:
                recv[...] = send
            return [self._comm.Ibcast(recv, root=root)]
        self._queue(stream, start)

    def bcast(self, buff, count, datatype, root, stream):
        self.broadcast(buff, buff, count, datatype, root, stream)

    def allGather(self, sendbuf, recvbuf, count, datatype, stream):
        send = _buffer(sendbuf, count, datatype)
        recv = _buffer(recvbuf, count * self._size, datatype)
        inplace = sendbuf == recvbuf + self._rank * count * send.itemsize
        src = _mpi().IN_PLACE if inplace else send
        self._queue(stream, lambda: [self._comm.Iallgather(src, recv)])

    def reduceScatter(self, sendbuf, recvbuf, recvcount, datatype, op, stream):
        send = _buffer(sendbuf, recvcount * self._size, datatype)
        recv = _buffer(recvbuf, recvcount, datatype)
        mop = _op(op, recv.dtype)
        keep = []  # in place (recvbuf inside sendbuf): MPI needs the input apart, copied when it starts

        def start():
            keep.append(send.copy() if recvbuf - sendbuf in range(send.nbytes) else send)
            return [self._comm.Ireduce_scatter_block(keep[0], recv, op=mop)]
        self._queue(stream, start, self._reduce_then(recv, op))

    def send(self, sendbuf, count, datatype, peer, stream):
        send = _buffer(sendbuf, count, datatype)
        self._queue(stream, lambda: [self._comm.Isend(send, dest=peer, tag=7)])

    def recv(self, recvbuf, count, datatype, peer, stream):
        recv = _buffer(recvbuf, count, datatype)
        self._queue(stream, lambda: [self._comm.Irecv(recv, source=peer, tag=7)])


class _Device:
    def __init__(self, index=0):
        self.id = int(index)

    def use(self):
        if self.id != 0:
            raise NcclError(f"the fake has one device, not {self.id}")


class FakeRuntime(nccl_backend.CupyRuntime):
    """xpgrad's CuPy runtime of the NCCL engine, its ``cupy`` a stand-in of the few CUDA calls it makes
    and its ``nccl`` this module; device pointers are the addresses of shadow-device arrays."""

    def __init__(self):
        cuda = types.SimpleNamespace(get_current_stream=lambda: NULL_STREAM, Event=Event, Device=_Device)
        self.cupy, self.nccl = types.SimpleNamespace(cuda=cuda), sys.modules[__name__]

    def ptr(self, a):
        return a.data_ptr  # cupy: a.data.ptr


def install():
    """Use the stand-in in every process group made from now on (call on every rank, before
    ``init_process_group``)."""
    if _state["world"] is None:
        _state["world"] = _mpi().COMM_WORLD.Dup()
    nccl_backend._override["runtime"] = FakeRuntime()
