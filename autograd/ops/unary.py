"""Unary math: exp, log, log1p, expm1, sqrt, rsqrt, sin, cos, tanh, sigmoid, erf, reciprocal, relu, abs, sign.

Float-only functions compute integer inputs in the default float dtype, as PyTorch.
"""
from __future__ import annotations

import math

from .. import backend
from ..function import Primitive
from ..tensor import Tensor
from ._util import errstate, sign_array, zero_grad

_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)

__all__ = [
    "exp", "log", "log1p", "expm1", "sqrt", "rsqrt", "sin", "cos", "tanh", "sigmoid", "reciprocal", "erf",
    "relu", "abs", "absolute", "sign",
]


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

    @staticmethod
    def raw_backward(ctx, g):
        return g * ctx.saved_arrays[0]


class Log(Primitive):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.device.xp.log(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / x


    @staticmethod
    def raw_backward(ctx, g):
        return g / ctx.saved_arrays[0]


class Log1p(Primitive):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.device.xp.log1p(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / (x + 1)


    @staticmethod
    def raw_backward(ctx, g):
        return g / (ctx.saved_arrays[0] + 1)


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


    @staticmethod
    def raw_backward(ctx, g):
        return g * (ctx.saved_arrays[0] + 1)


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


    @staticmethod
    def raw_backward(ctx, g):
        return g / (2 * ctx.saved_arrays[0])


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


    @staticmethod
    def raw_backward(ctx, g):
        y = ctx.saved_arrays[0]
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


    @staticmethod
    def raw_backward(ctx, g):
        return g * ctx.device.xp.cos(ctx.saved_arrays[0])


class Cos(Primitive):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.device.xp.cos(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return -g * sin(x)


    @staticmethod
    def raw_backward(ctx, g):
        return -g * ctx.device.xp.sin(ctx.saved_arrays[0])


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

    @staticmethod
    def raw_backward(ctx, g):
        return TanhGrad.forward(None, g, ctx.saved_arrays[0])


class TanhGrad(Primitive):
    """``g * (1 - y²)``: tanh's backward as one op (one node instead of three)."""

    @staticmethod
    def forward(ctx, g, y):
        if ctx is not None:
            ctx.save_for_backward(g, y)
        return g * (1 - y * y)

    @staticmethod
    def backward(ctx, gg):
        g, y = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (TanhGrad.apply(gg, y) if need[0] else None), (-2 * gg * g * y if need[1] else None)

    @staticmethod
    def raw_backward(ctx, gg):
        g, y = ctx.saved_arrays
        need = ctx.needs_input_grad
        return (TanhGrad.forward(None, gg, y) if need[0] else None), (-2 * gg * g * y if need[1] else None)


def sigmoid_array(xp, x, out=None):
    """The logistic function of an array, ``1 / (1 + exp(-x))`` in place in one new array (or in
    ``out``, which may be ``x``): four passes. As in PyTorch, where ``exp(-x)`` overflows (x below
    about -88 in float32) the result is 0, and the overflow is not a warning."""
    e = xp.negative(x, out=xp.empty_like(x) if out is None else out)  # an array even when 0-d
    with errstate(xp, over="ignore"):
        xp.exp(e, out=e)
    e += 1
    return xp.reciprocal(e, out=e)


class Sigmoid(Primitive):
    @staticmethod
    def forward(ctx, x):
        y = sigmoid_array(ctx.device.xp, x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return SigmoidGrad.apply(g, y)

    @staticmethod
    def raw_backward(ctx, g):
        return SigmoidGrad.forward(None, g, ctx.saved_arrays[0])


class SigmoidGrad(Primitive):
    """``g * y * (1 - y)``: sigmoid's backward as one op."""

    @staticmethod
    def forward(ctx, g, y):
        if ctx is not None:
            ctx.save_for_backward(g, y)
        return g * y * (1 - y)

    @staticmethod
    def backward(ctx, gg):
        g, y = ctx.saved_tensors
        need = ctx.needs_input_grad
        return ((SigmoidGrad.apply(gg, y) if need[0] else None),
                (gg * g * (1 - 2 * y) if need[1] else None))

    @staticmethod
    def raw_backward(ctx, gg):
        g, y = ctx.saved_arrays
        need = ctx.needs_input_grad
        return ((SigmoidGrad.forward(None, gg, y) if need[0] else None),
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
        return ReluGrad.apply(g, y)


    @staticmethod
    def raw_backward(ctx, g):
        return backend.keep_where(g, ctx.saved_arrays[0] <= 0, invert=True)


class ReluGrad(Primitive):
    """``g`` where not ``y <= 0`` (a NaN passes it, as PyTorch's), else 0: relu's backward as one
    branch-free op."""

    @staticmethod
    def forward(ctx, g, y):
        ctx.save_for_backward(y)
        return backend.keep_where(g, y <= 0, invert=True)

    @staticmethod
    def backward(ctx, gg):
        (y,) = ctx.saved_tensors
        return ReluGrad.apply(gg, y), None  # piecewise constant in y: no gradient for it

    @staticmethod
    def raw_backward(ctx, gg):
        return backend.keep_where(gg, ctx.saved_arrays[0] <= 0, invert=True), None


class Abs(Primitive):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.device.xp.abs(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * sign(x)


    @staticmethod
    def raw_backward(ctx, g):
        return g * sign_array(ctx.device.xp, ctx.saved_arrays[0])


class Sign(Primitive):
    @staticmethod
    def forward(ctx, x):
        if x.dtype.kind == "b":  # a bool tensor is its own sign, as PyTorch (NumPy has no bool sign)
            return x.copy()
        return sign_array(ctx.device.xp, x)

    @staticmethod
    def backward(ctx, g):
        return zero_grad(g)

    raw_backward = backward  # the same on arrays


class Erf(Primitive):
    """The error function (SciPy's or CuPy's ufunc, through the backend)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.device.backend.erf(x).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * _TWO_OVER_SQRT_PI * exp(-(x * x))


    @staticmethod
    def raw_backward(ctx, g):
        x = ctx.saved_arrays[0]
        return g * _TWO_OVER_SQRT_PI * ctx.device.xp.exp(-(x * x))


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


    @staticmethod
    def raw_backward(ctx, g):
        y = ctx.saved_arrays[0]
        return -g * y * y


# ---------------------------------------------------------------- public functions
def _unary(cls, name):
    def fn(input):
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}(): argument 'input' must be Tensor, not {type(input).__name__}")
        if input._data.dtype.kind != "f":
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
erf = _unary(Erf, "erf")


def relu(input):
    """``max(input, 0)``; the gradient at 0 is 0, as PyTorch."""
    if isinstance(input, Tensor) and input._data.dtype.kind == "b":
        raise RuntimeError("Boolean inputs not supported for relu")
    return Relu.apply(input)


def abs(input):
    """Elementwise absolute value; the gradient at 0 is 0."""
    if isinstance(input, Tensor) and input._data.dtype.kind == "b":
        raise NotImplementedError("\"abs_cpu\" not implemented for 'Bool'")
    return Abs.apply(input)


absolute = abs


def sign(input):
    """-1, 0 or 1 by the sign of each element; zero gradient."""
    return Sign.apply(input)
