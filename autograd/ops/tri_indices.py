"""``tril_indices`` / ``triu_indices``: the coordinates of a matrix's triangle (moved out of
``selection`` to keep that module under 500 lines; re-exported there)."""
from __future__ import annotations

from .. import backend
from ..tensor import Tensor

__all__ = ["tril_indices", "triu_indices"]


def _tri_indices(row, col, offset, device, dtype, lower):
    from ..creation import _device

    dev = _device(device)
    xp = dev.xp
    r = xp.arange(row)[:, None]
    c = xp.arange(col)[None, :]
    keep = (c - r <= offset) if lower else (c - r >= offset)
    rr, cc = xp.nonzero(keep)
    out = xp.stack([rr, cc]).astype(backend.as_dtype(dtype) if dtype is not None else backend.int64)
    return Tensor._make(out, dev)


def tril_indices(row, col, offset=0, *, dtype=None, device=None):
    """The ``(2, N)`` coordinates of the lower triangle of a ``row x col`` matrix, row by row."""
    return _tri_indices(row, col, offset, device, dtype, True)


def triu_indices(row, col, offset=0, *, dtype=None, device=None):
    """The ``(2, N)`` coordinates of the upper triangle of a ``row x col`` matrix, row by row."""
    return _tri_indices(row, col, offset, device, dtype, False)
