"""``diagonal`` as a view (PyTorch's), its adjoint, and ``diagonal_scatter``.

A diagonal shares its input's memory, so that ``A.diagonal().add_(eps)`` changes ``A`` (the
usual way to add jitter to a covariance matrix) and a recorded in-place op on it reaches ``A``'s
history through the view machinery (``ops/inplace._apply_on_view``).
"""
from __future__ import annotations

from ..function import Primitive
from ..tensor import Tensor
from ._util import norm_dim


def _view(xp, x, offset, d1, d2):
    """The diagonal of array ``x`` as a view, writable when ``x`` is (NumPy's is read-only)."""
    out = xp.diagonal(x, offset, d1, d2)
    flags = getattr(out, "flags", None)
    if flags is not None and not flags.writeable and x.flags.writeable:
        flags.writeable = True
    return out


def _embed(xp, g, shape, offset, d1, d2):
    """Zeros of ``shape`` with ``g`` on the diagonal: the adjoint of :func:`_view`."""
    out = xp.zeros(shape, dtype=g.dtype)
    _view(xp, out, offset, d1, d2)[...] = g
    return out


class Diagonal(Primitive):
    """The ``offset`` diagonal of the ``(d1, d2)`` planes as the last dimension, a view."""

    is_view = True

    @staticmethod
    def forward(ctx, x, offset, d1, d2):
        ctx.args = (x.shape, offset, d1, d2)
        return _view(ctx.device.xp, x, offset, d1, d2)

    @staticmethod
    def backward(ctx, g):
        return DiagonalEmbed.apply(g, *ctx.args), None, None, None

    @staticmethod
    def raw_backward(ctx, g):
        return _embed(ctx.device.xp, g, *ctx.args), None, None, None


class DiagonalEmbed(Primitive):
    """Zeros of ``shape`` with the input on the ``offset`` diagonal of the ``(d1, d2)`` planes."""

    @staticmethod
    def forward(ctx, g, shape, offset, d1, d2):
        ctx.args = (offset, d1, d2)
        return _embed(ctx.device.xp, g, shape, offset, d1, d2)

    @staticmethod
    def backward(ctx, gg):
        return Diagonal.apply(gg, *ctx.args), None, None, None, None

    @staticmethod
    def raw_backward(ctx, gg):
        return _view(ctx.device.xp, gg, *ctx.args).copy(), None, None, None, None


def _dims(input, dim1, dim2, name):
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' must be Tensor, not {type(input).__name__}")
    if input.ndim < 2:
        raise RuntimeError(f"{name}(): input must have at least 2 dimensions, got {input.ndim}")
    d1, d2 = norm_dim(dim1, input.ndim), norm_dim(dim2, input.ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return d1, d2


def diagonal(input, offset=0, dim1=0, dim2=1):
    """The ``offset`` diagonal of the ``(dim1, dim2)`` planes as the last dimension: a view of
    ``input`` (writing into it writes ``input``, as PyTorch's)."""
    d1, d2 = _dims(input, dim1, dim2, "diagonal")
    return Diagonal.apply(input, int(offset), d1, d2)


def diagonal_scatter(input, src, offset=0, dim1=0, dim2=1):
    """A copy of ``input`` with ``src`` written on its ``offset`` diagonal of the ``(dim1, dim2)``
    planes (out of place; differentiable in both)."""
    d1, d2 = _dims(input, dim1, dim2, "diagonal_scatter")
    if not isinstance(src, Tensor):
        raise TypeError(f"diagonal_scatter(): argument 'src' must be Tensor, not {type(src).__name__}")
    out = input.clone()
    view = Diagonal.apply(out, int(offset), d1, d2)
    if tuple(src.shape) != tuple(view.shape):
        raise RuntimeError(f"diagonal_scatter(): expected src to have a size equal to the slice of self. "
                           f"src size = {list(src.shape)}, slice size = {list(view.shape)}")
    view.copy_(src)
    return out
