"""``gradient``: PyTorch's ``torch.gradient``, the central-difference estimate of a sampled
function's derivative along each dimension, composed of slices and arithmetic (differentiable in
the input and in the coordinates), in ATen's order of operations."""
from __future__ import annotations

import numbers

from ..tensor import Tensor
from ._util import norm_dim

__all__ = ["gradient"]

_SIZE = "torch.gradient expected each dimension size to be at least edge_order+1"


def _spacings(spacing, dims, ndim, dim_given):
    """One spacing per differentiated dimension: a number (uniform) or a 1-d tensor of coordinates."""
    if isinstance(spacing, Tensor) and spacing.ndim == 0:
        spacing = spacing.item()
    if isinstance(spacing, numbers.Number) and not isinstance(spacing, bool):
        return [spacing] * len(dims)
    if not isinstance(spacing, (list, tuple)):
        raise TypeError(f"gradient(): argument 'spacing' must be a number, or a list or tuple of numbers "
                        f"or tensors, not {type(spacing).__name__}")
    if len(spacing) != len(dims):
        if dim_given:
            raise RuntimeError("torch.gradient expected spacing to be unspecified, a scalar or it's spacing "
                               "and dim arguments to have the same length, but got a spacing argument of "
                               f"length {len(spacing)} and a dim argument of length {len(dims)}.")
        raise RuntimeError("torch.gradient expected spacing to be unspecified, a scalar, or a list of "
                           f"length equal to 'self.dim() = {ndim}', since dim argument was not given, but "
                           f"got a list of length {len(spacing)}")
    tensors = [isinstance(s, Tensor) for s in spacing]
    if any(tensors) and not all(tensors):
        bad = tensors.index(False)
        raise TypeError(f"expected Tensor as element {bad} in argument 1, but got "
                        f"{type(spacing[bad]).__name__}")
    if all(tensors):
        for s in spacing:
            if s.ndim != 1:
                raise RuntimeError(f"torch.gradient expected each element of spacing to have one dimension, "
                                   f"but got an element with {s.ndim} dimensions!")
    return list(spacing)


def _slice(x, d, start, stop=None):
    return x[(slice(None),) * d + (slice(start, stop),)]


def _uniform(f, d, h, edge_order):
    center = (_slice(f, d, 2) - _slice(f, d, 0, -2)) / h
    if edge_order == 1:
        prepend = (_slice(f, d, 1, 2) - _slice(f, d, 0, 1)) / h
        append = (_slice(f, d, -1) - _slice(f, d, -2, -1)) / h
    else:
        prepend = (-1.5 * _slice(f, d, 0, 1) + 2 * _slice(f, d, 1, 2) - 0.5 * _slice(f, d, 2, 3)) / h
        append = (0.5 * _slice(f, d, -3, -2) - 2 * _slice(f, d, -2, -1) + 1.5 * _slice(f, d, -1)) / h
    return center / 2, prepend, append


def _coordinates(f, d, x, edge_order):
    from .cum_diff import diff

    dx = diff(x, 1, 0)
    dx1, dx2 = dx[:-1], dx[1:]
    shape = [1] * f.ndim
    shape[d] = -1
    a = (-dx2 / (dx1 * (dx1 + dx2))).reshape(shape)
    b = ((dx2 - dx1) / (dx1 * dx2)).reshape(shape)
    c = (dx1 / (dx2 * (dx1 + dx2))).reshape(shape)
    center = a * _slice(f, d, 0, -2) + b * _slice(f, d, 1, -1) + c * _slice(f, d, 2)
    if edge_order == 1:
        prepend = (_slice(f, d, 1, 2) - _slice(f, d, 0, 1)) / dx[0]
        append = (_slice(f, d, -1) - _slice(f, d, -2, -1)) / dx[-1]
    else:
        h0, h1, hl, hm = dx[0], dx[1], dx[-1], dx[-2]
        a = -(2.0 * h0 + h1) / (h0 * (h0 + h1))
        b = (h0 + h1) / (h0 * h1)
        c = (-h0) / (h1 * (h0 + h1))
        prepend = a * _slice(f, d, 0, 1) + b * _slice(f, d, 1, 2) + c * _slice(f, d, 2, 3)
        a = hl / (hm * (hl + hm))
        b = -(hl + hm) / (hl * hm)
        c = (2 * hl + hm) / (hl * (hl + hm))
        append = a * _slice(f, d, -3, -2) + b * _slice(f, d, -2, -1) + c * _slice(f, d, -1)
    return center, prepend, append


def gradient(input, *, spacing=1, dim=None, edge_order=1):
    """The derivative estimate of ``input`` along each of ``dim`` (default: all) as a tuple, as
    ``torch.gradient``: central differences inside, one-sided differences of order ``edge_order``
    (1 or 2) at the ends; ``spacing`` is a number, one per dimension, or the coordinates (1-d
    tensors) of the samples along each dimension.

    Example::

        >>> ag.gradient(ag.tensor([1.0, 2.0, 4.0, 8.0]))
        (tensor([1.0000, 1.5000, 3.0000, 4.0000]),)
    """
    from .. import backend
    from .shape import cat

    if not isinstance(input, Tensor):
        raise TypeError(f"gradient(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    if edge_order not in (1, 2) or isinstance(edge_order, bool):
        raise RuntimeError("torch.gradient only supports edge_order=1 and edge_order=2.")
    dim_given = dim is not None
    if isinstance(dim, (list, tuple)):
        dims = []
        for d in dim:  # in the order given
            k = norm_dim(d, input.ndim)
            if k in dims:
                raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
            dims.append(k)
    else:
        dims = list(range(input.ndim)) if dim is None else [norm_dim(dim, input.ndim)]
    spacings = _spacings(spacing, dims, input.ndim, dim_given)
    for d in dims:
        if input.shape[d] < edge_order + 1:
            raise RuntimeError(_SIZE)
    f = input if input.dtype.kind == "f" or input.dtype.kind == "b" else input.to(backend.get_default_dtype())
    out = []
    for d, h in zip(dims, spacings):
        parts = _coordinates(f, d, h, edge_order) if isinstance(h, Tensor) else _uniform(f, d, h, edge_order)
        center, prepend, append = parts
        out.append(cat([prepend, center, append], d))
    return tuple(out)
