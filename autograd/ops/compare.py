"""Comparisons and selection: eq/ne/lt/le/gt/ge, logical ops, isnan/isfinite, where, maximum/minimum, clamp.

Comparisons return bool tensors and carry no gradient; ``where``,
``maximum``/``minimum`` (ties split the gradient evenly) and ``clamp`` route
the gradient to the selected operand.
"""
from __future__ import annotations

from .. import backend
from ..function import Primitive, check_same_device
from ..tensor import Tensor
from ._util import as_tensor_like, fill_int, promote, promote_all, wrap_int_scalar

__all__ = [
    "clamp", "clip", "maximum", "minimum", "where", "eq", "ne", "lt", "le", "gt", "ge", "logical_and",
    "logical_or", "logical_xor", "logical_not", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not",
    "isnan", "isfinite", "equal",
]


# ---------------------------------------------------------------- selection
class Clamp(Primitive):
    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.save_for_backward(x, lo, hi)
        xp = ctx.device.xp
        y = x
        if lo is not None:
            y = xp.maximum(y, lo)
        if hi is not None:
            y = xp.minimum(y, hi)
        return y.astype(x.dtype, copy=False) if y is not x else x.copy()

    @staticmethod
    def backward(ctx, g):
        keep = _inside(*ctx.saved_tensors)
        return (g if keep is None else where(keep, g, 0.0)), None, None

    @staticmethod
    def raw_backward(ctx, g):
        keep = _inside(*ctx.saved_arrays)
        return (g if keep is None else ctx.device.xp.where(keep, g, 0.0)), None, None


def _inside(x, lo, hi):
    """``lo <= x <= hi`` (Tensors or arrays; a None bound is no bound), or None with no bounds."""
    keep = None
    if lo is not None:
        keep = x >= lo
    if hi is not None:
        keep = (x <= hi) if keep is None else keep & (x <= hi)
    return keep


class Maximum(Primitive):
    """Ties split the gradient evenly, as PyTorch."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return ctx.device.xp.maximum(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return _split_tie(g, a > b, a < b, a == b, ctx.needs_input_grad)

    @staticmethod
    def raw_backward(ctx, g):
        a, b = ctx.saved_arrays
        return _split_tie(g, a > b, a < b, a == b, ctx.needs_input_grad, ctx.device.xp.where)


class Minimum(Primitive):
    """Ties split the gradient evenly, as PyTorch."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return ctx.device.xp.minimum(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return _split_tie(g, a < b, a > b, a == b, ctx.needs_input_grad)

    @staticmethod
    def raw_backward(ctx, g):
        a, b = ctx.saved_arrays
        return _split_tie(g, a < b, a > b, a == b, ctx.needs_input_grad, ctx.device.xp.where)


def _split_tie(g, a_wins, b_wins, tie, need, xp_where=None):
    """The gradients of a maximum or minimum: Tensors, or arrays with ``xp_where`` given. Ties split
    ``g``; where neither wins nor ties (a NaN) both get it whole, as PyTorch."""
    pick = where if xp_where is None else xp_where
    half = g * 0.5
    ga = pick(b_wins, 0.0, pick(tie, half, g)) if need[0] else None
    gb = pick(a_wins, 0.0, pick(tie, half, g)) if need[1] else None
    return ga, gb


class Where(Primitive):
    @staticmethod
    def forward(ctx, cond, a, b):
        ctx.save_for_backward(cond)
        return ctx.device.xp.where(cond, a, b)

    @staticmethod
    def backward(ctx, g):
        (cond,) = ctx.saved_tensors
        need = ctx.needs_input_grad
        ga = where(cond, g, 0.0) if need[1] else None
        gb = where(cond, 0.0, g) if need[2] else None
        return None, ga, gb

    @staticmethod
    def raw_backward(ctx, g):
        (cond,) = ctx.saved_arrays
        need, where_ = ctx.needs_input_grad, ctx.device.xp.where
        return None, (where_(cond, g, 0.0) if need[1] else None), (where_(cond, 0.0, g) if need[2] else None)


def clamp(input, min=None, max=None):
    """Limit values to ``[min, max]``; the gradient passes where ``min <= x <= max``.

    ``min``/``max`` may be numbers or tensors.
    """
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        return _clamp_by_tensors(input, min, max)
    for v in (min, max):
        if v is not None and backend.category(backend.scalar_dtype(v)) > backend.category(input.dtype):
            # a float bound: the default float dtype; an int bound of a bool tensor: int64, as PyTorch
            floating = backend.scalar_dtype(v).kind == "f"
            input = input.to(backend.get_default_dtype() if floating else backend.int64)
            break
    if input.dtype.kind in "iu":
        min, max = fill_int(min, input.dtype), fill_int(max, input.dtype)
    return Clamp.apply(input, min, max)




clip = clamp


def _clamp_by_tensors(x, lo, hi):
    """``clamp`` with a tensor bound, its gradient routed as PyTorch's: to ``x`` where
    ``lo <= x <= hi``, to ``lo`` where ``x < lo`` and ``lo < hi``, to ``hi`` where ``x > hi`` or
    ``hi < lo``, and to none where ``x < lo == hi`` or ``x`` or a bound is NaN (ties never split)."""
    x, lo, hi = promote_all(x, lo, hi)  # compared and selected in the result dtype of all three
    lo = None if lo is None else as_tensor_like(lo, x).to(x.dtype)
    hi = None if hi is None else as_tensor_like(hi, x).to(x.dtype)
    below = x < lo if lo is not None else None
    above = x > hi if hi is not None else None
    if hi is None:
        out = where(below, lo, x)
    elif lo is None:
        out = where(above, hi, x)
    else:
        to_hi = above | (hi < lo)
        tie = below & ~(lo < hi) & ~to_hi  # x < lo == hi: the bound's value, no gradient
        out = where(to_hi, hi, where(below, where(tie, lo.detach(), lo), x))
    if x.dtype.kind == "f":
        out = where(x != x, x.detach(), out)  # NaN stays NaN, with no gradient
        for bound in (lo, hi):  # a NaN bound gives NaN, with no gradient to anything, as PyTorch
            if bound is not None and bound.dtype.kind == "f":
                out = where(bound != bound, bound.detach(), out)
    return out


def maximum(input, other):
    """Elementwise maximum of two tensors (ties split the gradient)."""
    a, b = promote(input, as_tensor_like(other, input))
    return Maximum.apply(a, b)


def minimum(input, other):
    """Elementwise minimum of two tensors (ties split the gradient)."""
    a, b = promote(input, as_tensor_like(other, input))
    return Minimum.apply(a, b)


_NOT_GIVEN = object()


def where(condition, input=_NOT_GIVEN, other=_NOT_GIVEN):
    """``input`` where ``condition`` holds, else ``other``; either may be a number.

    ``where(condition)`` alone is ``nonzero(condition, as_tuple=True)``, as PyTorch's.
    """
    if input is _NOT_GIVEN and other is _NOT_GIVEN:
        from .selection import nonzero  # selection imports this module's family; late to avoid a cycle
        return nonzero(condition, as_tuple=True)
    if input is _NOT_GIVEN or other is _NOT_GIVEN:
        raise TypeError("where() takes the condition alone or the condition, input and other")
    if not isinstance(condition, Tensor):
        like = input if isinstance(input, Tensor) else other
        condition = as_tensor_like(condition, like)
    if condition._data.dtype.kind != "b":
        raise RuntimeError("where expected condition to be a boolean tensor, but got a tensor of dtype "
                        f"{condition.dtype}")
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        dtype = backend.result_type((), (), (input, other))
        input = Tensor._make(condition.device.xp.asarray(input, dtype=dtype), condition.device)
    a, b = promote(input, other)
    if isinstance(a, Tensor) and not isinstance(b, Tensor):  # an int scalar checked as a fill value
        b = fill_int(b, a._data.dtype)
    elif isinstance(b, Tensor) and not isinstance(a, Tensor):
        a = fill_int(a, b._data.dtype)
    return Where.apply(condition, a, b)


# ---------------------------------------------------------------- comparisons and logic (no grad)
def _data(x, like):
    return x._data if isinstance(x, Tensor) else x


def _compare(name):
    logical = name.startswith("logical")

    def fn(input, other):
        like = input if isinstance(input, Tensor) else other
        if isinstance(other, Tensor) and isinstance(input, Tensor):
            if input.device is not other.device:
                check_same_device(name, input, other)
            if not logical and input._data.dtype != other._data.dtype:
                # in PyTorch's common dtype (NumPy's would differ: uint8 < a 0-d int16 -6 compares
                # with 250, float16 == a 0-d float64 in float16, uint8 & 0-d int8 is uint8)
                input, other = promote(input, other)
        xp = like.device.xp
        input, other = wrap_int_scalar(input, other)  # uint8 == -1 compares with 255, as PyTorch
        out = getattr(xp, name)(_data(input, like), _data(other, like))
        return Tensor._make(backend.as_array(out, like.device), like.device)

    fn.__name__ = name
    fn.__doc__ = f"Elementwise ``{name}`` (a bool tensor; no gradient)."
    return fn


eq = _compare("equal")
ne = _compare("not_equal")
lt = _compare("less")
le = _compare("less_equal")
gt = _compare("greater")
ge = _compare("greater_equal")
logical_and = _compare("logical_and")
logical_or = _compare("logical_or")
logical_xor = _compare("logical_xor")
bitwise_and = _compare("bitwise_and")
bitwise_or = _compare("bitwise_or")
bitwise_xor = _compare("bitwise_xor")
logical_and.__doc__ = logical_or.__doc__ = logical_xor.__doc__ = (
    "Elementwise logic on the inputs' truth (nonzero is True), of any dtype; a bool tensor, no gradient.")
bitwise_and.__doc__ = bitwise_or.__doc__ = bitwise_xor.__doc__ = (
    "Elementwise bitwise logic of integer or bool tensors (``&``, ``|``, ``^``); no gradient.")


eq.__name__, ne.__name__, lt.__name__, le.__name__, gt.__name__, ge.__name__ = (
    "eq", "ne", "lt", "le", "gt", "ge")


def logical_not(input):
    """True where the element is zero (of any dtype): a bool tensor, no gradient."""
    out = input.device.xp.logical_not(input._data)
    return Tensor._make(backend.as_array(out, input.device), input.device)


def bitwise_not(input):
    """Elementwise not of a bool tensor, bitwise not of an integer one (``~``); no gradient."""
    return Tensor._make(backend.as_array(input.device.xp.invert(input._data), input.device), input.device)


def isnan(input):
    """True where the element is NaN."""
    return Tensor._make(backend.as_array(input.device.xp.isnan(input._data), input.device), input.device)


def isfinite(input):
    """True where the element is finite."""
    return Tensor._make(backend.as_array(input.device.xp.isfinite(input._data), input.device), input.device)


def equal(input, other) -> bool:
    """True when both tensors have the same shape and elements."""
    return input.shape == other.shape and bool((input == other).all())
