"""Elementwise operations: arithmetic here; unary math (``ops/unary.py``) and comparisons/``where``
(``ops/compare.py``) are re-exported, so every elementwise op is importable from this module.

Binary ops broadcast; the engine sums gradients back to each input's shape.
"""
from __future__ import annotations

import math
import numbers

from .. import backend
from ..function import Primitive
from ..tensor import Tensor
from . import compare, unary
from ._util import errstate, promote, promote_float, wrap_int_scalar, zero_grad
from .compare import *  # noqa: F401,F403
from .compare import where
from .unary import *  # noqa: F401,F403
from .unary import log

__all__ = [
    "add", "sub", "mul", "div", "true_divide", "floor_divide", "remainder", "pow", "neg", "negative", "clone",
] + compare.__all__ + unary.__all__


# ---------------------------------------------------------------- arithmetic
class Add(Primitive):
    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, g):
        return g, g

    raw_backward = backward  # the same on arrays


class Sub(Primitive):
    @staticmethod
    def forward(ctx, a, b):
        return a - b

    @staticmethod
    def backward(ctx, g):
        return g, (-g if ctx.needs_input_grad[1] else None)

    raw_backward = backward  # the same on arrays


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

    @staticmethod
    def raw_backward(ctx, g):
        b, a = ctx.saved_arrays
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

    @staticmethod
    def raw_backward(ctx, g):
        a, b = ctx.saved_arrays
        need = ctx.needs_input_grad
        return (g / b if need[0] else None), (-g * a / (b * b) if need[1] else None)


class FloorDivide(Primitive):
    @staticmethod
    def forward(ctx, a, b):
        return a // b

    @staticmethod
    def backward(ctx, g):
        # piecewise constant: zero gradient, as PyTorch's div(rounding_mode="floor") (zeros, not g * 0,
        # which is NaN where g is inf)
        zero = Tensor._make(ctx.device.xp.zeros_like(g._data), g.device)
        return zero, (zero if ctx.needs_input_grad[1] else None)

    @staticmethod
    def raw_backward(ctx, g):
        zero = ctx.device.xp.zeros_like(g)
        return zero, (zero if ctx.needs_input_grad[1] else None)


class TruncDivide(FloorDivide):
    """``trunc(a / b)`` of floats; zero gradient, as PyTorch's div(rounding_mode="trunc") (the chain
    through a / b gave 0 * inf = NaN where b is 0 or tiny)."""

    @staticmethod
    def forward(ctx, a, b):
        return ctx.device.xp.trunc(a / b)


class Remainder(Primitive):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        xp = ctx.device.xp
        r = xp.remainder(a, b)
        if r.dtype.kind == "f":  # a zero takes the dividend's sign (PyTorch: fmod, moved by b only if
            r = xp.where(r == 0, xp.copysign(r, a), r)  # nonzero), not the divisor's as NumPy's
        return r

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        gb = -g * floor_divide(a, b) if ctx.needs_input_grad[1] else None
        return (g if ctx.needs_input_grad[0] else None), gb

    @staticmethod
    def raw_backward(ctx, g):
        a, b = ctx.saved_arrays
        return (g if ctx.needs_input_grad[0] else None), (-g * (a // b) if ctx.needs_input_grad[1] else None)


class Neg(Primitive):
    @staticmethod
    def forward(ctx, a):
        return -a

    @staticmethod
    def backward(ctx, g):
        return -g

    raw_backward = backward  # the same on arrays


class PowScalar(Primitive):
    """``x ** p`` for a Python number ``p``."""

    @staticmethod
    def forward(ctx, x, p):
        ctx.save_for_backward(x, p)
        return _power(x, p)

    @staticmethod
    def backward(ctx, g):
        return _pow_scalar_grad(g, *ctx.saved_tensors), None

    @staticmethod
    def raw_backward(ctx, g):
        return _pow_scalar_grad(g, *ctx.saved_arrays), None


def _pow_scalar_grad(g, x, p):
    """``g * p * x ** (p - 1)`` (Tensors or arrays). On arrays (no graph) without the power for p in
    0, 1, 2; on Tensors always through the power, as PyTorch, so that x ** 3 has a fourth derivative
    (0, through x ** 0) and x ** 1 a second one."""
    if p == 0:
        return zero_grad(g)
    if isinstance(x, Tensor):
        return g * p * x ** (p - 1)
    if p == 1:
        return g
    if p == 2:
        return g * 2 * x
    return g * p * _power(x, p - 1)


def _int_pow_negative(xp, a, b):
    """Integer ``a ** b`` with some ``b < 0``, as PyTorch's integer pow by a tensor: 1 for ``a = 1``,
    +-1 for ``a = -1`` (by ``b``'s parity), else 0 (NumPy raises)."""
    negative = b < 0
    r = a ** xp.where(negative, 0, b)
    small = xp.where(a == 1, 1, xp.where(a == -1, 1 - 2 * (b & 1), 0))
    return xp.where(negative, small, r).astype(r.dtype, copy=False)


def _power(x, p):
    """``x ** p`` on an array; ``p = -0.5`` as PyTorch's rsqrt (-inf at -0.0, NaN at -inf, where C's
    pow gives inf and 0), as NumPy's ``**`` already takes ``p = 0.5`` as sqrt."""
    if p == -0.5 and x.dtype.kind == "f":
        return 1 / backend.device_of(x).xp.sqrt(x)
    return x ** p


class Pow(Primitive):
    """``a ** b`` with a tensor exponent (``a`` a tensor or a Python number)."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        if b.dtype.kind in "iu" and getattr(a, "dtype", b.dtype).kind in "iu" and bool((b < 0).any()):
            return _int_pow_negative(ctx.device.xp, a, b)
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
            elif a == 0:  # PyTorch: 0 where b >= 0 (not 0 * -inf = nan), -inf where b < 0
                gb = g * where(b >= 0, 0.0, -math.inf)
            else:
                gb = g * a ** b * _log_scalar(a)
        return ga, gb

    @staticmethod
    def raw_backward(ctx, g):
        a, b = ctx.saved_arrays
        xp = ctx.device.xp
        ga = gb = None
        if ctx.needs_input_grad[0]:
            ga = xp.where(b == 0, 0, g * b * a ** (b - 1))
        if ctx.needs_input_grad[1]:
            if backend.is_array(a):
                gb = xp.where((a == 0) & (b >= 0), 0, g * a ** b * xp.log(a))
            elif a == 0:
                gb = g * xp.where(b >= 0, 0.0, -math.inf).astype(g.dtype, copy=False)
            else:
                gb = g * a ** b * _log_scalar(a)
        return ga, gb


def _log_scalar(a):
    return math.log(a) if a > 0 else float("nan") if a < 0 else float("-inf")


class Clone(Primitive):
    @staticmethod
    def forward(ctx, x):
        return x.copy()

    @staticmethod
    def backward(ctx, g):
        return g

    raw_backward = backward  # the same on arrays


# ---------------------------------------------------------------- public functions
def add(input, other, *, alpha=1):
    """``input + alpha * other``, broadcasting."""
    if alpha != 1:
        _check_alpha(input, other, alpha)
    a, b = wrap_int_scalar(*promote(input, other))
    return Add.apply(a, b if alpha == 1 else _times_alpha(a, b, alpha))


def sub(input, other, *, alpha=1):
    """``input - alpha * other``, broadcasting (a bool operand raises, as PyTorch)."""
    _check_sub_bool(input, other)
    if alpha != 1:
        _check_alpha(input, other, alpha)
    a, b = wrap_int_scalar(*promote(input, other))
    return Sub.apply(a, b if alpha == 1 else _times_alpha(a, b, alpha))


def _times_alpha(a, b, alpha):
    """``alpha * b`` for the promoted operands, in the result's dtype, as PyTorch's kernels (a bool
    result takes alpha as a bool; a float32 result scales a float16 operand after its cast)."""
    if alpha == 1:
        return b
    if _dtype_of(a, b).kind == "b":
        alpha = bool(alpha)
        if not isinstance(b, Tensor):
            return bool(b) and alpha
    if isinstance(b, Tensor):
        return mul(b, alpha)
    return wrap_int_scalar(a, b * alpha)[1]  # a Python number times alpha in Python


def _check_sub_bool(input, other):
    """PyTorch refuses a subtraction with a bool tensor or a Python bool operand."""
    def is_bool(o):
        return isinstance(o, bool) or isinstance(o, Tensor) and o.dtype.kind == "b"

    if is_bool(input) or is_bool(other):
        if isinstance(input, Tensor) and isinstance(other, Tensor) and is_bool(input) and is_bool(other):
            raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. Use "
                               "the `^` or `logical_xor()` operator instead.")
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
                           "trying to invert a mask, use the `~` or `logical_not()` operator instead.")


def _check_alpha(input, other, alpha):
    """PyTorch refuses a float ``alpha`` when both operands are integers (or bools)."""
    integral = all(o.dtype.kind in "iub" if isinstance(o, Tensor) else isinstance(o, int)
                   for o in (input, other))
    if integral and isinstance(alpha, float):
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating point number.")


def mul(input, other):
    """Elementwise product, broadcasting."""
    f16 = backend.float16  # checked first, by identity: most products are not half
    half = (isinstance(input, Tensor) and input._data.dtype is f16
            or isinstance(other, Tensor) and other._data.dtype is f16)
    if half and (_half_opmath(input, other)
                 or isinstance(input, (int, float)) and _half_opmath(other, input)):
        return _in_float32(mul, input, other)
    a, b = wrap_int_scalar(*promote(input, other))
    return Mul.apply(a, b)


def _half_opmath(t, s):
    """Whether PyTorch multiplies or divides float16 ``t`` by the scalar ``s`` in float32 with ``s``
    unrounded (its CPU kernels read a scalar operand in the op's float32 math type): ``s`` a Python
    number or a 0-d tensor of another dtype. Rounded to float16 first, ``x / 1e5`` would be 0 (1e5
    is inf in float16) and ``x * 1e-7`` 19% off (1e-7 is a subnormal 1.19e-7)."""
    if not (isinstance(t, Tensor) and t._data.dtype == backend.float16):
        return False
    if isinstance(s, Tensor):  # a 0-d tensor of another dtype, the result staying float16
        f16 = backend.float16
        if s._data.ndim or s._data.dtype == f16:
            return False
        return t._data.ndim > 0 or backend.promote_types(f16, s._data.dtype) == f16
    return isinstance(s, (int, float)) and not isinstance(s, bool)


def _in_float32(op, a, b):
    """``op(a, b)`` for a float16 tensor and a scalar, computed in float32 and rounded to float16."""
    f32, xp = backend.float32, (a if isinstance(a, Tensor) else b).device.xp
    a, b = (o.to(f32) if isinstance(o, Tensor) else o for o in (a, b))
    with errstate(xp, over="ignore"):  # beyond float16's range is inf, as PyTorch's, silently
        return op(a, b).to(backend.float16)


def div(input, other, *, rounding_mode=None):
    """True division (integers give floats); ``rounding_mode`` ``"trunc"`` or ``"floor"``."""
    if rounding_mode == "floor":
        return floor_divide(input, other)
    if rounding_mode == "trunc":
        a, b = wrap_int_scalar(*promote(input, other))
        if _dtype_of(a, b).kind == "f":
            return TruncDivide.apply(a, b)
        if _dtype_of(a, b).kind == "b":
            raise NotImplementedError("\"div_trunc_cpu\" not implemented for 'Bool'")
        _check_int_zero("div", a, b)
        return _int_trunc_div(a, b)
    if rounding_mode is not None:
        raise ValueError("div expected rounding_mode to be one of None, 'trunc', or 'floor' "
                         f"but found '{rounding_mode}'")
    if _half_opmath(input, other):
        return _in_float32(div, input, other)
    if isinstance(input, (int, float)) and _half_opmath(other, input):  # PyTorch's number / tensor
        with errstate(other.device.xp, divide="ignore"):
            return mul(unary.reciprocal(other), input)
    return Div.apply(*promote_float(input, other))


def _int_trunc_div(a, b):
    """Integer division rounded toward zero, exact in the operands' integer dtype (as PyTorch's; a
    float32 quotient loses int64's low digits): the floor quotient, plus one where the remainder is
    nonzero and the signs differ. No gradient (integers)."""
    t = a if isinstance(a, Tensor) else b
    x, y = (o._data if isinstance(o, Tensor) else o for o in (a, b))
    xp = t.device.xp
    with errstate(xp, over="ignore", divide="ignore", invalid="ignore"):
        q = x // y
        q = q + ((x - q * y != 0) & ((x < 0) != (y < 0))).astype(q.dtype)
    return Tensor._make(backend.as_array(q, t.device), t.device)


def _dtype_of(a, b):
    return a.dtype if isinstance(a, Tensor) else b.dtype


true_divide = div


def floor_divide(input, other):
    """``input // other`` (floor division, Python's semantics); zero gradient."""
    a, b = wrap_int_scalar(*promote(input, other))
    if _dtype_of(a, b).kind == "b":
        raise NotImplementedError("\"div_floor_cpu\" not implemented for 'Bool'")
    _check_int_zero("floor_divide", a, b)
    return FloorDivide.apply(a, b)


def remainder(input, other):
    """``input % other`` with the sign of the divisor (Python's semantics)."""
    a, b = wrap_int_scalar(*promote(input, other))
    if _dtype_of(a, b).kind == "b":
        raise NotImplementedError("\"remainder_cpu\" not implemented for 'Bool'")
    _check_int_zero("remainder", a, b)
    return Remainder.apply(a, b)


def _check_int_zero(op, a, b):
    """Integer division by zero raises, as in PyTorch (NumPy would return 0 with a warning); not
    when the broadcast result is empty."""
    if any(isinstance(o, Tensor) and o._data.size == 0 for o in (a, b)):
        return
    if isinstance(b, Tensor):
        if b._data.dtype.kind in "iub" and bool((b._data == 0).any()):
            raise RuntimeError(f"ZeroDivisionError: integer division by zero in {op}() (divisor of shape "
                               f"{tuple(b.shape)} and dtype {b.dtype})")
    elif b == 0 and isinstance(a, Tensor) and a._data.dtype.kind in "iub":
        raise RuntimeError(f"ZeroDivisionError: integer division by zero in {op}()")


def pow(input, exponent):
    """``input ** exponent``; either may be a Python number."""
    try:
        if isinstance(exponent, numbers.Number) and isinstance(input, Tensor):
            a, _ = promote(input, exponent)
            kind = a._data.dtype.kind
            if kind == "b":  # bool ** bool stays bool, as PyTorch (x ** True is x, x ** False True)
                return PowScalar.apply(a.to(backend.int8), int(exponent)).to(backend.bool_)
            if kind in "iu" and isinstance(exponent, numbers.Integral) and exponent < 0:
                raise ValueError("Integers to negative integer powers are not allowed.")  # even if empty
            return PowScalar.apply(a, exponent)
        a, b = promote(input, exponent)
        if _dtype_of(a, b).kind == "b":
            raise NotImplementedError("\"pow\" not implemented for 'Bool'")
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


def clone(input):
    """A copy that stays in the graph."""
    return Clone.apply(input)
