"""Elementwise breadth ops, composed from existing primitives: fmax / fmin, logaddexp / logaddexp2,
sgn, positive, deg2rad / rad2deg, sinc, copysign, float_power, and heaviside (no gradient).

Each is a composite of differentiable ops (``where``, ``exp``, ``log``, ``abs``, ``pow`` ...), so the
gradients, second derivatives included, come from those ops' backwards.
"""
from __future__ import annotations

import math

from .. import backend
from ..tensor import Tensor
from . import elementwise as ew
from ..function import Primitive
from ._util import as_tensor_like, errstate, promote, promote_float, zero_grad
from .compare import isnan, where
from .unary import sigmoid, sign, sin

__all__ = [
    "fmax", "fmin", "logaddexp", "logaddexp2", "sgn", "positive", "deg2rad", "rad2deg", "sinc",
    "copysign", "float_power", "heaviside", "hypot",
]


def need_tensor(name, value, arg="input", pos=1):
    if not isinstance(value, Tensor):
        raise TypeError(f"{name}(): argument '{arg}' (position {pos}) must be Tensor, "
                        f"not {type(value).__name__}")


def _tensors(name, input, other, what="other"):
    need_tensor(name, input)
    need_tensor(name, other, what, 2)
    return promote(input, other)


#: PyTorch's scalar type names, as its "not implemented for 'Long'" errors spell them
_TORCH_NAMES = {"bool": "Bool", "uint8": "Byte", "int8": "Char", "int16": "Short", "int32": "Int",
                "int64": "Long", "float16": "Half", "float32": "Float", "float64": "Double"}


def torch_name(dtype):
    return _TORCH_NAMES.get(str(dtype), str(dtype))


def _float(x):
    return x if x._data.dtype.kind == "f" else x.to(backend.get_default_dtype())


# ---------------------------------------------------------------- NaN-ignoring extrema
def fmax(input, other):
    """Elementwise maximum that ignores NaN: NaN only where both are NaN.

    The gradient goes to the chosen element (to ``input`` on ties), as PyTorch.

    Example::

        >>> ag.fmax(ag.tensor([1., float("nan")]), ag.tensor([float("nan"), 2.]))
        tensor([1., 2.])
    """
    a, b = _tensors("fmax", input, other)
    return where(ew.ge(a, b) | isnan(b), a, b)


def fmin(input, other):
    """Elementwise minimum that ignores NaN: NaN only where both are NaN.

    The gradient goes to the chosen element (to ``input`` on ties), as PyTorch.

    Example::

        >>> ag.fmin(ag.tensor([1., float("nan")]), ag.tensor([float("nan"), 2.]))
        tensor([1., 2.])
    """
    a, b = _tensors("fmin", input, other)
    return where(ew.le(a, b) | isnan(b), a, b)


# ---------------------------------------------------------------- log-add-exp
class LogAddExp(Primitive):
    """``log(exp(a) + exp(b))`` (base 2 with ``base2``), shifted by the larger operand; PyTorch's
    gradients ``g / (1 + exp(b - a))`` (1 for ``a = inf`` against a finite ``b``, not inf / inf)."""

    @staticmethod
    def forward(ctx, a, b, base2):
        xp = ctx.device.xp
        ex, lg = (xp.exp2, xp.log2) if base2 else (xp.exp, xp.log)
        ctx.save_for_backward(a, b)
        ctx.base2 = base2
        m = xp.maximum(a, b)  # an infinite shift would give inf - inf: those elements shift by 0
        m = xp.where(xp.isinf(m) | xp.isnan(m), 0, m)
        with errstate(xp, divide="ignore", invalid="ignore"):  # log(0) = -inf where both are -inf
            return (m + lg(ex(a - m) + ex(b - m))).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        # PyTorch's g / (1 + exp(b - a)), written as a sigmoid so that its own gradient is stable too
        d = ew.sub(a, b)
        d = ew.mul(d, math.log(2.0)) if ctx.base2 else d
        ga = g * sigmoid(d) if ctx.needs_input_grad[0] else None
        gb = g * sigmoid(ew.neg(d)) if ctx.needs_input_grad[1] else None
        return ga, gb, None


def _logaddexp(name, input, other, base2):
    a, b = _tensors(name, input, other)
    if a._data.dtype.kind != "f":
        raise NotImplementedError(f'"{name}_cpu" not implemented for \'{torch_name(a.dtype)}\'')
    return LogAddExp.apply(a, b, base2)


def logaddexp(input, other):
    """``log(exp(input) + exp(other))`` computed stably (float tensors only).

    Example::

        >>> ag.logaddexp(ag.tensor([1000.]), ag.tensor([1000.]))
        tensor([1000.6932])
    """
    return _logaddexp("logaddexp", input, other, False)


def logaddexp2(input, other):
    """``log2(2**input + 2**other)`` computed stably (float tensors only).

    Example::

        >>> ag.logaddexp2(ag.tensor([3.]), ag.tensor([3.]))
        tensor([4.])
    """
    return _logaddexp("logaddexp2", input, other, True)


# ---------------------------------------------------------------- unary
def sgn(input):
    """``sign`` for real tensors: -1, 0 or 1 by the sign of each element (zero gradient); a bool
    tensor is its own sign."""
    if isinstance(input, Tensor) and input._data.dtype.kind == "b":
        return ew.clone(input)
    return sign(input)


def positive(input):
    """``input`` itself (``+input``); bool tensors raise, as PyTorch."""
    need_tensor("positive", input)
    if input._data.dtype.kind == "b":
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


def deg2rad(input):
    """Degrees to radians; integer and bool tensors give the default float dtype.

    Example::

        >>> ag.deg2rad(ag.tensor([180.]))
        tensor([3.1416])
    """
    return ew.mul(_float(input), math.pi / 180.0)


def rad2deg(input):
    """Radians to degrees; integer and bool tensors give the default float dtype.

    Example::

        >>> ag.rad2deg(ag.tensor([3.141592653589793]))
        tensor([180.])
    """
    return ew.mul(_float(input), 180.0 / math.pi)


def sinc(input):
    """The normalised sinc, ``sin(pi x) / (pi x)``, 1 at 0 (where its gradient is 0, as PyTorch).

    Example::

        >>> ag.sinc(ag.tensor([0., 0.5]))
        tensor([1.0000, 0.6366])
    """
    x = _float(input)
    # near 0, 1 - (pi x)^2 / 6 (exact to rounding below 1e-4): the quotient's gradient loses every
    # digit there and overflows to -inf below ~1e-150 (1 / (pi x)^2)
    small = ew.lt(x.abs(), 1e-4)
    px = ew.mul(where(small, 1.0, x), math.pi)  # no 0/0 in the branch ``where`` discards (its gradient)
    near = ew.sub(1.0, ew.mul(ew.mul(x, x), math.pi * math.pi / 6))
    return where(small, near, ew.div(sin(px), px))


class Hypot(Primitive):
    """``sqrt(a² + b²)`` without overflow or underflow (``xp.hypot``: inf where either is infinite,
    even against NaN). PyTorch's gradients: ``g * a / result`` and ``g * b / result``."""

    @staticmethod
    def forward(ctx, a, b):
        y = ctx.device.xp.hypot(a, b)
        ctx.save_for_backward(a, b, y)
        return y

    @staticmethod
    def backward(ctx, g):
        a, b, y = ctx.saved_tensors
        return _hypot_grads(ctx, g, a, b, y)

    @staticmethod
    def raw_backward(ctx, g):
        with errstate(ctx.device.xp, invalid="ignore", divide="ignore"):
            return _hypot_grads(ctx, g, *ctx.saved_arrays)


def _hypot_grads(ctx, g, a, b, y):
    need = ctx.needs_input_grad
    return (g * a / y if need[0] else None), (g * b / y if need[1] else None)


def hypot(input, other):
    """``sqrt(input² + other²)`` elementwise, computed without overflow (as ``std::hypot``); floating
    results only, as PyTorch.

    Example::

        >>> ag.hypot(ag.tensor([3., 5.]), ag.tensor([4., 12.]))
        tensor([ 5., 13.])
    """
    a, b = _tensors("hypot", input, other)
    if a._data.dtype.kind != "f":
        raise NotImplementedError(f"\"hypot_cpu\" not implemented for '{torch_name(a._data.dtype)}'")
    return Hypot.apply(a, b)


class Lerp(Primitive):
    """``lerp`` with a tensor weight: ``a + w * (b - a)``, from ``b`` for ``|w| >= 0.5`` (PyTorch's
    kernel). One node with PyTorch's gradients ``g * (1 - w)``, ``g * w``, ``g * (b - a)``: a where
    of the two formulas sent ``0 * inf = nan`` through the unused one at an infinite weight."""

    @staticmethod
    def forward(ctx, a, b, w):
        ctx.save_for_backward(a, b, w)
        xp, diff = ctx.device.xp, b - a
        with errstate(xp, invalid="ignore", over="ignore"):
            return xp.where(xp.abs(w) < 0.5, a + w * diff, b - diff * (1 - w))

    @staticmethod
    def backward(ctx, g):
        a, b, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (g * (1 - w) if need[0] else None), (g * w if need[1] else None), \
            (g * (b - a) if need[2] else None)


class Copysign(Primitive):
    """``|a|`` with the sign bit of ``b``. PyTorch's gradients: ``g * result / a`` for ``a`` (0 where
    ``a`` is 0, NaN where it is infinite or NaN), zeros for ``b``."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return ctx.device.xp.copysign(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = (t.detach() for t in ctx.saved_tensors)
        ga = gb = None
        if ctx.needs_input_grad[0]:
            with errstate(a.device.xp, invalid="ignore"):
                ga = g * where(ew.eq(a, 0), 0.0, ew.div(Copysign.apply(a, b), a))
        if ctx.needs_input_grad[1]:
            gb = zero_grad(g)
        return ga, gb


def copysign(input, other):
    """``|input|`` with the sign (bit) of ``other``; float result. The gradient flows to ``input``
    (0 where ``input`` is 0), ``other``'s is zeros, as PyTorch.

    Example::

        >>> ag.copysign(ag.tensor([1., -2.]), -0.0)
        tensor([-1., -2.])
    """
    need_tensor("copysign", input)
    a, b = promote_float(input, other)
    b = as_tensor_like(b, a) if not isinstance(b, Tensor) else b
    return Copysign.apply(a, b if b.dtype == a.dtype else b.to(a.dtype))


def float_power(input, exponent):
    """``input ** exponent`` computed in float64 (the result is float64 whatever the inputs).

    Example::

        >>> ag.float_power(ag.tensor([2, 3]), 2)
        tensor([4., 9.], dtype=autograd.float64)
    """
    if not isinstance(input, Tensor) and not isinstance(exponent, Tensor):
        raise TypeError("float_power(): expected a Tensor for 'input' or 'exponent'")
    f64 = backend.float64
    if isinstance(input, Tensor):
        input = input.to(f64)
    if isinstance(exponent, Tensor):
        exponent = exponent.to(f64)
        if not isinstance(input, Tensor):
            input = Tensor._make(exponent.device.xp.asarray(float(input), dtype=f64), exponent.device)
    else:
        exponent = float(exponent)
    return ew.pow(input, exponent)


def heaviside(input, values):
    """The Heaviside step: 0 where ``input < 0``, ``values`` where it is 0, 1 where ``input > 0``
    (and 0 for NaN); both tensors of one dtype; no gradient.

    Example::

        >>> ag.heaviside(ag.tensor([-1., 0., 2.]), ag.tensor(0.5))
        tensor([0.0000, 0.5000, 1.0000])
    """
    _tensors("heaviside", input, values, "values")
    if input.dtype != values.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")
    xp = input.device.xp
    x, v = input._data, values._data
    out = xp.where(x == 0, v, (x > 0).astype(x.dtype)).astype(x.dtype, copy=False)
    return Tensor._make(backend.as_array(out, input.device), input.device)
