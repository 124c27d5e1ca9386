"""``flip`` and ``roll``: movement ops that copy (re-exported by ``ops/shape.py``)."""
from __future__ import annotations

from ..function import Primitive
from ._util import norm_dim, norm_dims


class Flip(Primitive):
    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return ctx.device.xp.flip(x, axis=dims).copy()

    @staticmethod
    def backward(ctx, g):
        return flip(g, ctx.dims), None

    @staticmethod
    def raw_backward(ctx, g):
        return ctx.device.xp.flip(g, axis=ctx.dims), None


class Roll(Primitive):
    @staticmethod
    def forward(ctx, x, shifts, dims):
        ctx.shifts, ctx.dims = shifts, dims
        if not dims:  # a 0-d tensor (NumPy's roll rejects empty axes)
            return x.copy()
        return ctx.device.xp.roll(x, shifts, axis=dims)

    @staticmethod
    def backward(ctx, g):
        return roll(g, tuple(-s for s in ctx.shifts), ctx.dims), None, None

    @staticmethod
    def raw_backward(ctx, g):
        if not ctx.dims:
            return g, None, None
        return ctx.device.xp.roll(g, tuple(-s for s in ctx.shifts), axis=ctx.dims), None, None


def _dims_arg(dims):
    if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
        return tuple(dims[0])
    return tuple(dims)


def flip(input, *dims, **kwargs):
    """Reverse the order of elements along ``dims`` (a copy, as PyTorch); ``dims=`` as a keyword too."""
    if kwargs:
        if set(kwargs) != {"dims"} or dims:
            raise TypeError(f"flip() got an unexpected keyword argument {next(iter(kwargs))!r}")
        dims = (kwargs["dims"],)
    axes = _dims_arg(dims)
    norm = norm_dims(axes, input.ndim) if axes else ()
    if input.ndim == 0:
        return Flip.apply(input, ())
    return Flip.apply(input, norm)


def roll(input, shifts, dims=None):
    """Shift elements circularly by ``shifts`` along ``dims`` (flattened when ``dims`` is None)."""
    shifts_t = tuple(shifts) if isinstance(shifts, (tuple, list)) else (shifts,)
    if dims is None:
        if len(shifts_t) != 1:
            raise RuntimeError(f"roll: shifts must be a single int when dims is None, got {shifts}")
        return roll(input.reshape(-1), shifts_t, 0).reshape(input.shape)
    dims_t = tuple(dims) if isinstance(dims, (tuple, list)) else (dims,)
    if len(shifts_t) != len(dims_t):
        raise RuntimeError(
            f"shifts and dimensions must align. shifts: {len(shifts_t)}, dims:{len(dims_t)}"
        )
    dims_t = tuple(norm_dim(d, input.ndim) for d in dims_t)
    shifts_t = tuple(int(s) for s in shifts_t)
    if input.ndim == 0:
        return Roll.apply(input, (), ())
    return Roll.apply(input, shifts_t, dims_t)
