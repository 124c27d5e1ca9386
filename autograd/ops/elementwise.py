"""Elementwise operations: arithmetic, unary math, comparisons, ``where``.

Binary ops broadcast; the engine sums gradients back to each input's shape.
"""
from __future__ import annotations

import numbers

from .. import backend
from ..function import Primitive, check_same_device
from ..tensor import Tensor
from ._util import as_tensor_like, promote


# ---------------------------------------------------------------- arithmetic
class Add(Primitive):
    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, g):
        return g, g


class Sub(Primitive):
    @staticmethod
    def forward(ctx, a, b):
        return a - b

    @staticmethod
    def backward(ctx, g):
        return g, (-g if ctx.needs_input_grad[1] else None)


class Mul(Primitive):
    @staticmethod
    def forward(ctx, a, b):
        need = ctx.needs_input_grad
        if need:  # save only what the other input's gradient needs
            ctx.save_for_backward(b if need[0] else None, a if need[1] else None)
        return a * b

    @staticmethod
    def backward(ctx, g):
        b, a = ctx.saved_tensors
        return (g * b if b is not None else None), (g * a if a is not None else None)


class Div(Primitive):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a if ctx.needs_input_grad and ctx.needs_input_grad[1] else None, b)
        return a / b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        ga = g / b if ctx.needs_input_grad[0] else None
        gb = -g * a / (b * b) if ctx.needs_input_grad[1] else None
        return ga, gb


class FloorDivide(Primitive):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a // b

    @staticmethod
    def backward(ctx, g):
        # piecewise constant: zero gradient, as PyTorch
        return g * 0, (g * 0 if ctx.needs_input_grad[1] else None)


class Remainder(Primitive):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return ctx.device.xp.remainder(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        gb = -g * floor_divide(a, b) if ctx.needs_input_grad[1] else None
        return (g if ctx.needs_input_grad[0] else None), gb


class Neg(Primitive):
    @staticmethod
    def forward(ctx, a):
        return -a

    @staticmethod
    def backward(ctx, g):
        return -g


class PowScalar(Primitive):
    """``x ** p`` for a Python number ``p``."""

    @staticmethod
    def forward(ctx, x, p):
        ctx.save_for_backward(x, p)
        return x ** p

    @staticmethod
    def backward(ctx, g):
        x, p = ctx.saved_tensors
        if p == 0:
            return g * 0, None
        if p == 1:
            return g, None
        if p == 2:
            return g * 2 * x, None
        return g * p * x ** (p - 1), None


class Pow(Primitive):
    """``a ** b`` with a tensor exponent (``a`` a tensor or a Python number)."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a ** b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        ga = gb = None
        if ctx.needs_input_grad[0]:
            ga = where(b == 0, 0.0, g * b * a ** (b - 1))
        if ctx.needs_input_grad[1]:
            if isinstance(a, Tensor):
                gb = where((a == 0) & (b >= 0), 0.0, g * a ** b * log(a))
            else:
                gb = g * a ** b * _log_scalar(a)
        return ga, gb


def _log_scalar(a):
    import math

    return math.log(a) if a > 0 else float("nan") if a < 0 else float("-inf")


# ---------------------------------------------------------------- unary math
class Exp(Primitive):
    @staticmethod
    def forward(ctx, x):
        y = ctx.device.xp.exp(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * y


class Log(Primitive):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.device.xp.log(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / x


class Log1p(Primitive):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.device.xp.log1p(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / (x + 1)


class Expm1(Primitive):
    @staticmethod
    def forward(ctx, x):
        y = ctx.device.xp.expm1(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * (y + 1)


class Sqrt(Primitive):
    @staticmethod
    def forward(ctx, x):
        y = ctx.device.xp.sqrt(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g / (2 * y)


class Rsqrt(Primitive):
    @staticmethod
    def forward(ctx, x):
        y = 1 / ctx.device.xp.sqrt(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * -0.5 * y * y * y


class Sin(Primitive):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.device.xp.sin(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * cos(x)


class Cos(Primitive):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.device.xp.cos(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return -g * sin(x)


class Tanh(Primitive):
    @staticmethod
    def forward(ctx, x):
        y = ctx.device.xp.tanh(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return TanhGrad.apply(g, y)


class TanhGrad(Primitive):
    """``g * (1 - y²)``: tanh's backward as one op (one node instead of three)."""

    @staticmethod
    def forward(ctx, g, y):
        ctx.save_for_backward(g, y)
        return g * (1 - y * y)

    @staticmethod
    def backward(ctx, gg):
        g, y = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (TanhGrad.apply(gg, y) if need[0] else None), (-2 * gg * g * y if need[1] else None)


class Sigmoid(Primitive):
    @staticmethod
    def forward(ctx, x):
        xp = ctx.device.xp
        # exp of a non-positive number only: no overflow, and accurate in both tails
        e = xp.exp(-xp.abs(x))
        y = xp.where(x >= 0, 1.0, e).astype(x.dtype, copy=False)
        y /= 1 + e
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return SigmoidGrad.apply(g, y)


class SigmoidGrad(Primitive):
    """``g * y * (1 - y)``: sigmoid's backward as one op."""

    @staticmethod
    def forward(ctx, g, y):
        ctx.save_for_backward(g, y)
        return g * y * (1 - y)

    @staticmethod
    def backward(ctx, gg):
        g, y = ctx.saved_tensors
        need = ctx.needs_input_grad
        return ((SigmoidGrad.apply(gg, y) if need[0] else None),
                (gg * g * (1 - 2 * y) if need[1] else None))


class Relu(Primitive):
    @staticmethod
    def forward(ctx, x):
        y = ctx.device.xp.maximum(x, 0)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return where(y > 0, g, 0.0)


class Abs(Primitive):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.device.xp.abs(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * sign(x)


class Sign(Primitive):
    @staticmethod
    def forward(ctx, x):
        return ctx.device.xp.sign(x)

    @staticmethod
    def backward(ctx, g):
        return g * 0


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
        x, lo, hi = ctx.saved_tensors
        keep = None
        if lo is not None:
            keep = x >= lo
        if hi is not None:
            keep = (x <= hi) if keep is None else keep & (x <= hi)
        return (g if keep is None else where(keep, g, 0.0)), None, None


class Reciprocal(Primitive):
    @staticmethod
    def forward(ctx, x):
        y = 1 / x
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return -g * y * y


class Maximum(Primitive):
    """Ties split the gradient evenly, as PyTorch."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return ctx.device.xp.maximum(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return _split_tie(g, a > b, a == b, ctx.needs_input_grad)


class Minimum(Primitive):
    """Ties split the gradient evenly, as PyTorch."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return ctx.device.xp.minimum(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return _split_tie(g, a < b, a == b, ctx.needs_input_grad)


def _split_tie(g, a_wins, tie, need):
    half = g * 0.5
    ga = where(a_wins, g, where(tie, half, 0.0)) if need[0] else None
    gb = where(a_wins, 0.0, where(tie, half, g)) if need[1] else None
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


class Clone(Primitive):
    @staticmethod
    def forward(ctx, x):
        return x.copy()

    @staticmethod
    def backward(ctx, g):
        return g


# ---------------------------------------------------------------- public functions
def add(input, other, *, alpha=1):
    """``input + alpha * other``, broadcasting."""
    if alpha != 1:
        other = mul(other, alpha)
    a, b = promote(input, other)
    return Add.apply(a, b)


def sub(input, other, *, alpha=1):
    """``input - alpha * other``, broadcasting."""
    if alpha != 1:
        other = mul(other, alpha)
    a, b = promote(input, other)
    try:
        return Sub.apply(a, b)
    except TypeError:  # NumPy refuses bool - bool; say it as PyTorch does
        _raise_bool("Subtraction, the `-` operator, with two bool tensors", a, b)
        raise


def mul(input, other):
    """Elementwise product, broadcasting."""
    a, b = promote(input, other)
    return Mul.apply(a, b)


def div(input, other, *, rounding_mode=None):
    """True division (integers give floats); ``rounding_mode`` ``"trunc"`` or ``"floor"``."""
    if rounding_mode == "floor":
        return floor_divide(input, other)
    a, b = promote(input, other)
    if rounding_mode == "trunc":
        q = Div.apply(*_float_operands(a, b))
        out = _trunc(q)
        return out.to(_dtype_of(a, b)) if _dtype_of(a, b).kind != "f" else out
    if rounding_mode is not None:
        raise ValueError("div expected rounding_mode to be one of None, 'trunc', or 'floor' "
                         f"but found '{rounding_mode}'")
    return Div.apply(*_float_operands(a, b))


def _dtype_of(a, b):
    return a.dtype if isinstance(a, Tensor) else b.dtype


def _float_operands(a, b):
    """Integer/bool true division gives the default float dtype, as PyTorch."""
    dtype = _dtype_of(a, b)
    if dtype.kind != "f":
        f = backend.get_default_dtype()
        a = a.to(f) if isinstance(a, Tensor) else float(a)
        b = b.to(f) if isinstance(b, Tensor) else float(b)
    return a, b


def _trunc(q):
    return Trunc.apply(q)


class Trunc(Primitive):
    @staticmethod
    def forward(ctx, x):
        return ctx.device.xp.trunc(x)

    @staticmethod
    def backward(ctx, g):
        return g * 0


true_divide = div


def floor_divide(input, other):
    """``input // other`` (floor division, Python's semantics); zero gradient."""
    a, b = promote(input, other)
    _check_int_zero("floor_divide", a, b)
    return FloorDivide.apply(a, b)


def remainder(input, other):
    """``input % other`` with the sign of the divisor (Python's semantics)."""
    a, b = promote(input, other)
    _check_int_zero("remainder", a, b)
    return Remainder.apply(a, b)


def _check_int_zero(op, a, b):
    """Integer division by zero raises, as in PyTorch (NumPy would return 0 with a warning)."""
    if isinstance(b, Tensor):
        if b.data.dtype.kind in "iub" and bool((b.data == 0).any()):
            raise RuntimeError(f"ZeroDivisionError: integer division by zero in {op}() (divisor of shape "
                               f"{tuple(b.shape)} and dtype {b.dtype})")
    elif b == 0 and isinstance(a, Tensor) and a.data.dtype.kind in "iub":
        raise RuntimeError(f"ZeroDivisionError: integer division by zero in {op}()")


def pow(input, exponent):
    """``input ** exponent``; either may be a Python number."""
    try:
        if isinstance(exponent, numbers.Number) and isinstance(input, Tensor):
            a, _ = promote(input, exponent)
            return PowScalar.apply(a, exponent)
        a, b = promote(input, exponent)
        return Pow.apply(a, b)
    except ValueError as e:  # NumPy: integers to negative integer powers
        raise RuntimeError(f"pow: {e}") from None


def neg(input):
    """``-input``."""
    try:
        return Neg.apply(input)
    except TypeError:
        _raise_bool("Negation, the `-` operator, on a bool tensor", input)
        raise


def _raise_bool(what, *operands):
    if all(not isinstance(o, Tensor) or o.dtype.kind == "b" for o in operands):
        raise RuntimeError(f"{what} is not supported. If you are trying to invert a mask, use the "
                           "`~` or `logical_not()` operator instead.") from None


negative = neg


def _unary(cls, name):
    def fn(input):
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}(): argument 'input' must be Tensor, not {type(input).__name__}")
        if input.data.dtype.kind != "f":
            input = input.to(backend.get_default_dtype())
        return cls.apply(input)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Elementwise ``{name}``; integer inputs are computed in the default float dtype."
    return fn


exp = _unary(Exp, "exp")
log = _unary(Log, "log")
log1p = _unary(Log1p, "log1p")
expm1 = _unary(Expm1, "expm1")
sqrt = _unary(Sqrt, "sqrt")
rsqrt = _unary(Rsqrt, "rsqrt")
sin = _unary(Sin, "sin")
cos = _unary(Cos, "cos")
tanh = _unary(Tanh, "tanh")
sigmoid = _unary(Sigmoid, "sigmoid")
reciprocal = _unary(Reciprocal, "reciprocal")


def relu(input):
    """``max(input, 0)``; the gradient at 0 is 0, as PyTorch."""
    return Relu.apply(input)


def abs(input):
    """Elementwise absolute value; the gradient at 0 is 0."""
    return Abs.apply(input)


absolute = abs


def sign(input):
    """-1, 0 or 1 by the sign of each element; zero gradient."""
    return Sign.apply(input)


def clamp(input, min=None, max=None):
    """Limit values to ``[min, max]``; the gradient passes where ``min <= x <= max``.

    ``min``/``max`` may be numbers or tensors.
    """
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        out = input
        if min is not None:
            out = maximum(out, min) if isinstance(min, Tensor) else clamp(out, min=min)
        if max is not None:
            out = minimum(out, max) if isinstance(max, Tensor) else clamp(out, max=max)
        return out
    for v in (min, max):
        if v is not None and backend.category(backend.scalar_dtype(v)) > backend.category(input.dtype):
            input = input.to(backend.get_default_dtype())
            break
    return Clamp.apply(input, min, max)


clip = clamp


def maximum(input, other):
    """Elementwise maximum of two tensors (ties split the gradient)."""
    a, b = promote(input, as_tensor_like(other, input))
    return Maximum.apply(a, b)


def minimum(input, other):
    """Elementwise minimum of two tensors (ties split the gradient)."""
    a, b = promote(input, as_tensor_like(other, input))
    return Minimum.apply(a, b)


def where(condition, input, other):
    """``input`` where ``condition`` holds, else ``other``; either may be a number."""
    if not isinstance(condition, Tensor):
        like = input if isinstance(input, Tensor) else other
        condition = as_tensor_like(condition, like)
    if condition.data.dtype.kind != "b":
        raise RuntimeError("where expected condition to be a boolean tensor, but got a tensor of dtype "
                        f"{condition.dtype}")
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        dtype = backend.result_type((), (), (input, other))
        input = Tensor._make(condition.device.xp.asarray(input, dtype=dtype), condition.device)
    a, b = promote(input, other)
    return Where.apply(condition, a, b)


def clone(input):
    """A copy that stays in the graph."""
    return Clone.apply(input)


# ---------------------------------------------------------------- comparisons and logic (no grad)
def _data(x, like):
    return x.data if isinstance(x, Tensor) else x


def _compare(name):
    def fn(input, other):
        like = input if isinstance(input, Tensor) else other
        if isinstance(other, Tensor) and isinstance(input, Tensor) and input.device is not other.device:
            check_same_device(name, input, other)
        xp = like.device.xp
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
logical_and = _compare("bitwise_and")
logical_or = _compare("bitwise_or")
logical_xor = _compare("bitwise_xor")
eq.__name__, ne.__name__, lt.__name__, le.__name__, gt.__name__, ge.__name__ = (
    "eq", "ne", "lt", "le", "gt", "ge")


def logical_not(input):
    """Elementwise not of a bool tensor (bitwise not of an integer one)."""
    return Tensor._make(backend.as_array(input.device.xp.invert(input.data), input.device), input.device)


def isnan(input):
    """True where the element is NaN."""
    return Tensor._make(backend.as_array(input.device.xp.isnan(input.data), input.device), input.device)


def isfinite(input):
    """True where the element is finite."""
    return Tensor._make(backend.as_array(input.device.xp.isfinite(input.data), input.device), input.device)


def equal(input, other) -> bool:
    """True when both tensors have the same shape and elements."""
    return input.shape == other.shape and bool((input == other).all())


__all__ = [
    "add", "sub", "mul", "div", "true_divide", "floor_divide", "remainder", "pow", "neg",
    "negative", "exp", "log", "log1p", "expm1", "sqrt", "rsqrt", "sin", "cos", "tanh",
    "sigmoid", "relu", "abs", "absolute", "sign", "clamp", "clip", "reciprocal", "maximum",
    "minimum", "where", "clone", "eq", "ne", "lt", "le", "gt", "ge", "logical_and",
    "logical_or", "logical_xor", "logical_not", "isnan", "isfinite", "equal",
]
