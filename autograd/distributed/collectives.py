"""The collectives on tensors, as ``torch.distributed``: all_reduce, broadcast, all_gather, ...

Each works in place on the tensors' own arrays (MPI reads and writes
``tensor._data`` directly when it is contiguous; otherwise through one
contiguous copy that is written back). ``async_op=True`` returns a
:class:`~.work.Work`; otherwise the call returns when the collective is done.
``src``/``dst`` are global ranks, as in PyTorch.
"""
from __future__ import annotations

import pickle

from .. import backend
from ..tensor import Tensor
from .group import resolve
from .reduce_op import ReduceOp, check_op
from .work import _Done

__all__ = ["all_reduce", "broadcast", "reduce", "all_gather", "all_gather_into_tensor", "reduce_scatter",
           "reduce_scatter_tensor", "gather", "scatter", "send", "recv", "isend", "irecv", "barrier",
           "all_gather_object", "broadcast_object_list"]


def _check(t, fn, what="tensor"):
    if not isinstance(t, Tensor):
        raise TypeError(f"{fn}: {what} must be a Tensor, got {type(t).__name__}")
    return t


def _buffer(t):
    """``(array MPI/NCCL may use in place, write-back or None)`` for tensor ``t``."""
    a = t._data
    if a.flags.c_contiguous:
        return a, None
    buf = t.device.xp.ascontiguousarray(a)

    def back():
        a[...] = buf
    return buf, back


def _then(*steps):
    steps = [s for s in steps if s is not None]
    if not steps:
        return None

    def run():
        for s in steps:
            s()
    return run


def _finish(work, async_op):
    if async_op:
        return work
    work.wait()
    return None


def _group_rank(pg, rank, what):
    if rank not in pg.global_ranks:
        raise ValueError(f"{what}={rank} is not a rank of the process group (ranks {pg.global_ranks})")
    return pg.global_ranks.index(rank)


def _avg_step(op, a, n, fn):
    if op is not ReduceOp.AVG:
        return None
    if a.dtype.kind not in "fc":
        raise ValueError(f"{fn}: ReduceOp.AVG needs a floating-point tensor, got {a.dtype}")

    def avg():
        a[...] /= n
    return avg


def all_reduce(tensor, op=ReduceOp.SUM, group=None, async_op=False):
    """Reduce ``tensor`` across all ranks, in place on every rank."""
    pg, op = resolve(group), check_op(op)
    a, back = _buffer(_check(tensor, "all_reduce"))
    work = pg.engine_for(tensor.device).allreduce(
        a, op, _then(_avg_step(op, a, pg.size(), "all_reduce"), back, tensor._bump))
    return _finish(work, async_op)


def broadcast(tensor, src, group=None, async_op=False):
    """Copy ``tensor`` from rank ``src`` into ``tensor`` on every other rank."""
    pg = resolve(group)
    a, back = _buffer(_check(tensor, "broadcast"))
    work = pg.engine_for(tensor.device).broadcast(a, _group_rank(pg, src, "src"), _then(back, tensor._bump))
    return _finish(work, async_op)


def reduce(tensor, dst, op=ReduceOp.SUM, group=None, async_op=False):
    """Reduce ``tensor`` across ranks into ``tensor`` on rank ``dst`` only."""
    pg, op = resolve(group), check_op(op)
    a, back = _buffer(_check(tensor, "reduce"))
    d = _group_rank(pg, dst, "dst")
    avg = _avg_step(op, a, pg.size(), "reduce") if pg.rank() == d else None
    work = pg.engine_for(tensor.device).reduce(a, op, d, _then(avg, back, tensor._bump))
    return _finish(work, async_op)


def _same(tensors, like, fn, what):
    for i, t in enumerate(tensors):
        _check(t, fn, f"{what}[{i}]")
        if t.shape != like.shape or t.dtype != like.dtype:
            raise ValueError(f"{fn}: {what}[{i}] has shape {tuple(t.shape)} and dtype {t.dtype}; "
                             f"expected shape {tuple(like.shape)} and dtype {like.dtype} like the input")


def _copy_out(flat, tensors):
    def copy():
        for i, t in enumerate(tensors):
            t._data[...] = flat[i]
            t._bump()
    return copy


def all_gather(tensor_list, tensor, group=None, async_op=False):
    """Fill ``tensor_list[i]`` with rank ``i``'s ``tensor``, on every rank."""
    pg = resolve(group)
    _check(tensor, "all_gather")
    if len(tensor_list) != pg.size():
        raise ValueError(f"all_gather: tensor_list has {len(tensor_list)} tensors but the group has "
                         f"{pg.size()} ranks")
    _same(tensor_list, tensor, "all_gather", "tensor_list")
    a, _ = _buffer(tensor)
    recv = tensor.device.xp.empty((pg.size(),) + tuple(a.shape), a.dtype)
    work = pg.engine_for(tensor.device).allgather(a, recv, _copy_out(recv, tensor_list))
    return _finish(work, async_op)


def all_gather_into_tensor(output_tensor, input_tensor, group=None, async_op=False):
    """Gather every rank's ``input_tensor`` into ``output_tensor`` (concatenated or stacked on dim 0)."""
    pg = resolve(group)
    _check(output_tensor, "all_gather_into_tensor", "output_tensor")
    _check(input_tensor, "all_gather_into_tensor", "input_tensor")
    if (output_tensor._data.size != pg.size() * input_tensor._data.size
            or output_tensor.dtype != input_tensor.dtype):
        raise ValueError(f"all_gather_into_tensor: output_tensor of shape {tuple(output_tensor.shape)} "
                         f"({output_tensor.dtype}) must hold {pg.size()} inputs of shape "
                         f"{tuple(input_tensor.shape)} ({input_tensor.dtype})")
    out, back = _buffer(output_tensor)
    a, _ = _buffer(input_tensor)
    work = pg.engine_for(input_tensor.device).allgather(a, out, _then(back, output_tensor._bump))
    return _finish(work, async_op)


def reduce_scatter_tensor(output, input, op=ReduceOp.SUM, group=None, async_op=False):
    """Reduce ``input`` across ranks and leave rank ``i`` the ``i``-th of its equal slices."""
    pg, op = resolve(group), check_op(op)
    _check(output, "reduce_scatter_tensor", "output")
    _check(input, "reduce_scatter_tensor", "input")
    if input._data.size != pg.size() * output._data.size or output.dtype != input.dtype:
        raise ValueError(f"reduce_scatter_tensor: input of shape {tuple(input.shape)} ({input.dtype}) "
                         f"must be {pg.size()} slices of the output's shape {tuple(output.shape)} "
                         f"({output.dtype})")
    out, back = _buffer(output)
    a, _ = _buffer(input)
    work = pg.engine_for(input.device).reduce_scatter(
        a, out, op, _then(_avg_step(op, out, pg.size(), "reduce_scatter_tensor"), back, output._bump))
    return _finish(work, async_op)


def reduce_scatter(output, input_list, op=ReduceOp.SUM, group=None, async_op=False):
    """Reduce ``input_list[i]`` across ranks into ``output`` on rank ``i``."""
    pg = resolve(group)
    _check(output, "reduce_scatter", "output")
    if len(input_list) != pg.size():
        raise ValueError(f"reduce_scatter: input_list has {len(input_list)} tensors but the group has "
                         f"{pg.size()} ranks")
    _same(input_list, output, "reduce_scatter", "input_list")
    xp = output.device.xp
    flat = xp.concatenate([t._data.reshape(-1) for t in input_list])
    return reduce_scatter_tensor(output, Tensor._make(flat, output.device), op, group, async_op)


def gather(tensor, gather_list=None, dst=0, group=None, async_op=False):
    """Collect every rank's ``tensor`` into ``gather_list`` on rank ``dst``."""
    pg = resolve(group)
    _check(tensor, "gather")
    d = _group_rank(pg, dst, "dst")
    a, _ = _buffer(tensor)
    recv, done = None, None
    if pg.rank() == d:
        if gather_list is None or len(gather_list) != pg.size():
            raise ValueError(f"gather: rank {dst} needs a gather_list of {pg.size()} tensors")
        _same(gather_list, tensor, "gather", "gather_list")
        recv = tensor.device.xp.empty((pg.size(),) + tuple(a.shape), a.dtype)
        done = _copy_out(recv, gather_list)
    elif gather_list:
        raise ValueError("Argument ``gather_list`` must NOT be specified on non-destination ranks.")
    return _finish(pg.engine_for(tensor.device).gather(a, recv, d, done), async_op)


def scatter(tensor, scatter_list=None, src=0, group=None, async_op=False):
    """Give rank ``i`` the tensor ``scatter_list[i]`` of rank ``src``, into ``tensor``."""
    pg = resolve(group)
    _check(tensor, "scatter")
    s = _group_rank(pg, src, "src")
    out, back = _buffer(tensor)
    send = None
    if pg.rank() == s:
        if scatter_list is None or len(scatter_list) != pg.size():
            raise ValueError(f"scatter: rank {src} needs a scatter_list of {pg.size()} tensors")
        _same(scatter_list, tensor, "scatter", "scatter_list")
        send = tensor.device.xp.concatenate([t._data.reshape(-1) for t in scatter_list])
    elif scatter_list:
        raise ValueError("Argument ``scatter_list`` must NOT be specified on non-source ranks.")
    return _finish(pg.engine_for(tensor.device).scatter(send, out, s, _then(back, tensor._bump)), async_op)


def isend(tensor, dst, group=None, tag=0):
    """Start sending ``tensor`` to rank ``dst``; returns a :class:`Work`."""
    pg = resolve(group)
    a, _ = _buffer(_check(tensor, "isend"))
    return pg.engine_for(tensor.device).send(a, _group_rank(pg, dst, "dst"), tag)


def irecv(tensor, src=None, group=None, tag=0):
    """Start receiving into ``tensor`` from rank ``src`` (None: any rank); returns a :class:`Work`."""
    pg = resolve(group)
    a, back = _buffer(_check(tensor, "irecv"))
    work = pg.engine_for(tensor.device).recv(a, None if src is None else _group_rank(pg, src, "src"), tag)
    work._finish = _then(back, tensor._bump)
    return work


def send(tensor, dst, group=None, tag=0):
    """Send ``tensor`` to rank ``dst`` (returns when the buffer may be reused)."""
    isend(tensor, dst, group, tag).wait()


def recv(tensor, src=None, group=None, tag=0):
    """Receive into ``tensor`` from rank ``src`` (None: any); returns the sender's rank."""
    pg = resolve(group)
    work = irecv(tensor, src, group, tag)
    work.wait()
    source = getattr(work, "source", None)
    return src if source is None else pg.global_ranks[source()]


def barrier(group=None, async_op=False, device_ids=None):
    """Wait until every rank of the group has reached this call."""
    pg = resolve(group)
    if pg.size() == 1:
        return _Done("barrier") if async_op else None
    return _finish(pg.mpi.barrier(), async_op)


def _bytes_allgather(pg, payload):
    """Every rank's bytes ``payload`` (two host all-gathers: the lengths, then the padded bytes)."""
    np = backend.Device("cpu").xp  # object collectives always travel as host bytes
    n = pg.size()
    sizes = np.zeros(n, np.int64)
    pg.mpi.allgather(np.array([len(payload)], np.int64), sizes).wait()
    width = int(sizes.max())
    mine = np.zeros(width, np.uint8)
    mine[:len(payload)] = np.frombuffer(payload, np.uint8)
    out = np.empty((n, width), np.uint8)
    pg.mpi.allgather(mine, out).wait()
    return [out[i, :sizes[i]].tobytes() for i in range(n)]


def all_gather_object(object_list, obj, group=None):
    """Fill ``object_list[i]`` with rank ``i``'s picklable ``obj``."""
    pg = resolve(group)
    if len(object_list) != pg.size():
        raise ValueError(f"all_gather_object: object_list has {len(object_list)} entries but the group has "
                         f"{pg.size()} ranks")
    for i, b in enumerate(_bytes_allgather(pg, pickle.dumps(obj))):
        object_list[i] = pickle.loads(b)


def broadcast_object_list(object_list, src=0, group=None, device=None):
    """Replace ``object_list`` on every rank by rank ``src``'s (picklable objects)."""
    pg = resolve(group)
    s = _group_rank(pg, src, "src")
    got = _bytes_allgather(pg, pickle.dumps(list(object_list)) if pg.rank() == s else b"")
    object_list[:] = pickle.loads(got[s])
