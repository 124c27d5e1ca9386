"""``select_scatter``, ``slice_scatter`` and ``as_strided_scatter``: out-of-place writes of ``src``
into a view of a copy of ``input``.

``select_scatter`` and ``slice_scatter`` clone ``input`` and copy ``src`` into the view of the clone
(PyTorch's own decomposition), so the view machinery records the write and both ``input`` and
``src`` get their gradients (the pattern of :func:`diagonal_scatter`); ``as_strided_scatter`` picks,
for each element of ``input``, the element of ``src`` written at its storage position (a gather and
a ``where``: PyTorch's positions are those of ``input``'s own storage, which a view cannot give).
"""
from __future__ import annotations

from ..tensor import Tensor
from ._util import norm_dim

__all__ = ["select_scatter", "slice_scatter", "as_strided_scatter"]


def _check(input, src, name):
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if not isinstance(src, Tensor):
        raise TypeError(f"{name}(): argument 'src' (position 2) must be Tensor, not {type(src).__name__}")


def _write(out, view, src):
    if tuple(src.shape) != tuple(view.shape):
        raise RuntimeError(f"expected src to have a size equal to the slice of self. src size = "
                           f"{list(src.shape)}, slice size = {list(view.shape)}")
    view.copy_(src)
    return out


def select_scatter(input, src, dim, index):
    """A copy of ``input`` with ``src`` written at ``index`` along ``dim`` (as ``torch.select_scatter``)."""
    from .selection import select

    _check(input, src, "select_scatter")
    out = input.clone()
    return _write(out, select(out, dim, index), src)


def slice_scatter(input, src, dim=0, start=None, end=None, step=1):
    """A copy of ``input`` with ``src`` written into ``input[start:end:step]`` along ``dim`` (as
    ``torch.slice_scatter``; ``start`` / ``end`` are clamped, the step must be positive)."""
    from .indexing import getitem

    _check(input, src, "slice_scatter")
    d = norm_dim(dim, input.ndim)
    if int(step) <= 0:
        raise RuntimeError("slice step must be positive")
    out = input.clone()
    key = (slice(None),) * d + (slice(None if start is None else int(start),
                                      None if end is None else int(end), int(step)),)
    return _write(out, getitem(out, key), src)


def _storage_positions(x):
    """Where ``x``'s elements lie in its storage (flat element positions, shaped like ``x``), the
    storage's size in elements and ``x``'s offset in it: PyTorch's ``clone_preserve_strides`` copies
    the whole storage and keeps ``x``'s strides and offset. An input whose elements overlap (or run
    backwards) is cloned contiguous instead, as there."""
    from .. import backend
    from ..tensor_memory import UntypedStorage, storage_offset
    from .view_ops import _positions

    xp = x.device.xp
    size, n = tuple(x.shape), x.numel()
    stride = x.stride()
    if all(s >= 0 for s in stride):
        pos = _positions(xp, size, stride, storage_offset(x))
        if int(xp.unique(pos).size) == n:
            return pos, UntypedStorage(x).nbytes() // x.dtype.itemsize, storage_offset(x)
    return xp.arange(n, dtype=backend.int64).reshape(size), n, 0


def as_strided_scatter(input, src, size, stride, storage_offset=None):
    """A copy of ``input`` with ``src`` written at the storage positions ``storage_offset +
    sum(i_k * stride_k)`` (as ``torch.as_strided_scatter``: the positions are those of ``input``'s
    own storage, ``storage_offset`` defaults to ``input``'s). Differentiable in both: ``input``'s
    gradient is zero at the elements written over (PyTorch 2.13's formula passes it there instead)."""
    from .. import backend
    from . import shape
    from .compare import where
    from .view_ops import _positions

    _check(input, src, "as_strided_scatter")
    size, stride = [int(s) for s in size], [int(s) for s in stride]
    if any(s < 0 for s in stride):
        raise RuntimeError("as_strided: Negative strides are not supported at the moment, got strides: "
                           f"{stride}")
    if len(size) != len(stride):
        raise RuntimeError(f"mismatch in length of sizes and strides: {len(size)} vs {len(stride)}")
    if any(s < 0 for s in size):
        raise RuntimeError(f"as_strided: Negative sizes are not supported, got sizes: {size}")
    xp, device = input.device.xp, input.device
    mine, n_storage, own = _storage_positions(input)
    offset = own if storage_offset is None else int(storage_offset)
    numel = 1
    for s in size:
        numel *= s
    need = offset + sum((k - 1) * t for k, t in zip(size, stride)) + 1 if numel else 0
    item = input.dtype.itemsize
    if need > n_storage:
        raise RuntimeError(f"setStorage: sizes {size}, strides {stride}, storage offset {offset}, and "
                           f"itemsize {item} requiring a storage size of {need * item} are out of bounds for "
                           f"storage of size {n_storage * item}")
    if tuple(src.shape) != tuple(size):
        raise RuntimeError(f"expected src to have a size equal to the slice of self. src size = "
                           f"{list(src.shape)}, slice size = {size}")
    # which element of src lands on each storage position (the last write wins), then on input's
    written = _positions(xp, tuple(size), tuple(stride), offset).reshape(-1)
    lut = xp.full(max(n_storage, 1), -1, dtype=backend.int64)
    lut[written] = xp.arange(written.size, dtype=backend.int64)
    pick = lut[mine]
    mask = Tensor._make(pick >= 0, device)
    if not numel:
        return input.clone()
    taken = shape.reshape(src.to(input.dtype), -1)[Tensor._make(xp.maximum(pick, 0), device)]
    return where(mask, taken, input)
