"""``split_with_sizes``, ``unsafe_split``, ``unsafe_chunk`` and ``rsub``: PyTorch's spellings of
:func:`split`, :func:`chunk` and :func:`sub` with its own argument checks and messages.

The ``unsafe_`` forms are PyTorch's variants whose pieces are not tracked as views of the input (so
an in-place op on one is not checked against the input's other uses); xpgrad gives the same
pieces, values and gradients as ``split`` / ``chunk``.
"""
from __future__ import annotations

import numbers

from ..tensor import Tensor
from . import shape
from ._util import norm_dim

__all__ = ["split_with_sizes", "unsafe_split", "unsafe_chunk", "rsub"]


def _is_int(v):
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


def split_with_sizes(input, split_sizes, dim=0):
    """Split ``input`` along ``dim`` into pieces of the listed sizes (which must sum to its size
    there): a tuple of views, as ``torch.split_with_sizes``."""
    if not isinstance(split_sizes, (list, tuple)) or not all(_is_int(s) for s in split_sizes):
        raise TypeError(f"split_with_sizes(): argument 'split_sizes' (position 2) must be tuple of ints, "
                        f"not {type(split_sizes).__name__}")
    if input.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    n = input.shape[norm_dim(dim, input.ndim)]
    sizes = [int(s) for s in split_sizes]
    if any(s < 0 for s in sizes):
        raise RuntimeError(f"split_with_sizes expects split_sizes have only non-negative entries, but got "
                           f"split_sizes={sizes}")
    if sum(sizes) != n:
        raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size "
                           f"at dimension {dim}), but got split_sizes={sizes}")
    return shape.split(input, sizes, dim)


def unsafe_split(input, split_size, dim=0):
    """Split ``input`` along ``dim`` into pieces of ``split_size`` (the last may be smaller), as
    ``torch.unsafe_split`` (an int size only)."""
    if isinstance(split_size, Tensor) and split_size.ndim == 0 and split_size.dtype.kind in "iu":
        split_size = int(split_size.item())
    if not _is_int(split_size):
        raise TypeError(f"unsafe_split(): argument 'split_size' (position 2) must be int, not "
                        f"{type(split_size).__name__}")
    if input.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    n = input.shape[norm_dim(dim, input.ndim)]
    if split_size < 0:
        raise RuntimeError(f"split expects split_size be non-negative, but got split_size={split_size}")
    if split_size == 0 and n != 0:
        raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {n}")
    return shape.split(input, int(split_size), dim)


def unsafe_chunk(input, chunks, dim=0):
    """``input`` in ``chunks`` nearly equal pieces along ``dim``, as ``torch.unsafe_chunk``."""
    if input.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    return shape.chunk(input, chunks, dim)


def rsub(input, other, *, alpha=1):
    """``other - alpha * input``, as ``torch.rsub`` (``other`` may be a number)."""
    from .elementwise import sub

    if not isinstance(input, Tensor):
        raise TypeError(f"rsub(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    return sub(other, input, alpha=alpha)
