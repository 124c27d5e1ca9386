"""More elementwise math: rounding (floor, ceil, round, trunc, frac), log2/log10/exp2, erfinv, square,
the trigonometric and hyperbolic rest, and the binary fmod, atan2, hypot (lerp, addcmul, addcdiv
are in ``ops/ternary.py``, re-exported here).

Rounding functions have a zero gradient (as PyTorch) and copy integer inputs (bool raises); the
float-only ones compute integer inputs in the default float dtype, as ``ops/unary.py`` does.
"""
from __future__ import annotations

import math

from .. import backend
from ..arraylib import special as _special
from ..function import Primitive
from ..tensor import Tensor
from . import elementwise as ew
from ._util import as_tensor_like, errstate, promote, promote_float, wrap_int_scalar, zero_grad
from .unary import _unary, exp, sqrt

__all__ = [
    "floor", "ceil", "round", "trunc", "fix", "frac", "log2", "log10", "exp2", "erfinv", "square", "tan",
    "sinh", "cosh", "asin", "acos", "atan", "arcsin", "arccos", "arctan", "fmod", "atan2", "arctan2",
    "lerp", "addcmul", "addcdiv", "hypot", "logit", "xlogy",
]

_LN2, _LN10 = math.log(2.0), math.log(10.0)
_SQRT_PI_OVER_2 = math.sqrt(math.pi) / 2


# ---------------------------------------------------------------- rounding (zero gradient)
class _Rounding(Primitive):
    @staticmethod
    def backward(ctx, g):
        return zero_grad(g)

    raw_backward = backward  # the same on arrays


class Floor(_Rounding):
    @staticmethod
    def forward(ctx, x):
        return ctx.device.xp.floor(x)


class Ceil(_Rounding):
    @staticmethod
    def forward(ctx, x):
        return ctx.device.xp.ceil(x)


class Trunc(_Rounding):
    @staticmethod
    def forward(ctx, x):
        return ctx.device.xp.trunc(x)


class Round(_Rounding):
    """Half to even, as PyTorch (and NumPy); ``decimals`` rounds to that many decimal places."""

    @staticmethod
    def forward(ctx, x, decimals):
        return ctx.device.xp.round(x, decimals)

    @staticmethod
    def backward(ctx, g):
        return zero_grad(g), None

    raw_backward = backward  # the same on arrays


def _rounding(cls, name):
    def fn(input):
        _check(input, name)
        return _integer_copy(input, name + "_vml") if input._data.dtype.kind in "iub" else cls.apply(input)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Elementwise ``{name}`` (zero gradient); an integer tensor gives a copy of itself."
    return fn


def _integer_copy(input, kernel):
    """``floor``/``ceil``/``trunc``/``round`` of integers: a copy, as PyTorch's (returning the input
    itself let a write to the result change it); bool raises, as PyTorch."""
    if input._data.dtype.kind == "b":
        _not_implemented(kernel, input)
    return ew.clone(input)


def _not_implemented(kernel, input):
    from .math_more import torch_name

    raise NotImplementedError(f"\"{kernel}_cpu\" not implemented for '{torch_name(input._data.dtype)}'")


def _check(input, name):
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' must be Tensor, not {type(input).__name__}")


floor = _rounding(Floor, "floor")
ceil = _rounding(Ceil, "ceil")
trunc = _rounding(Trunc, "trunc")
fix = trunc


def round(input, *, decimals=0):  # noqa: A001 - PyTorch's name
    """Round half to even, to ``decimals`` decimal places (zero gradient)."""
    _check(input, "round")
    if input._data.dtype.kind in "iub":
        if decimals:  # PyTorch has no integer kernel for decimals (-1 gave zeros)
            _not_implemented("round", input)
        return _integer_copy(input, "round_vml")
    return Round.apply(input, int(decimals))


def frac(input):
    """``input - trunc(input)`` (gradient 1); floating tensors only, as PyTorch."""
    _check(input, "frac")
    if input._data.dtype.kind != "f":
        _not_implemented("frac", input)
    return ew.sub(input, trunc(input).detach())


# ---------------------------------------------------------------- float-only unary math
class Log2(Primitive):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.device.xp.log2(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / (x * _LN2)

    @staticmethod
    def raw_backward(ctx, g):
        return g / (ctx.saved_arrays[0] * _LN2)


class Log10(Primitive):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.device.xp.log10(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / (x * _LN10)

    @staticmethod
    def raw_backward(ctx, g):
        return g / (ctx.saved_arrays[0] * _LN10)


class Exp2(Primitive):
    @staticmethod
    def forward(ctx, x):
        y = ctx.device.xp.exp2(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * y * _LN2

    @staticmethod
    def raw_backward(ctx, g):
        return g * ctx.saved_arrays[0] * _LN2


class Erfinv(Primitive):
    """Inverse error function on (-1, 1) (±inf at ±1, nan outside): Giles' single-precision
    approximation refined by Newton steps on the backend's ``erf`` (exact to float64 rounding)."""

    @staticmethod
    def forward(ctx, x):
        # x is saved, not the result: the backward recomputes erfinv(x), as PyTorch's, so that an
        # in-place op on the result (erfinv(x).relu_()) is allowed there too
        ctx.save_for_backward(x)
        return Erfinv._values(ctx.device, x)

    @staticmethod
    def _values(device, x):
        xp = device.xp
        erf = device.backend.erf
        x64 = x.astype(backend.float64)
        inside = xp.abs(x64) < 1
        w = -xp.log(xp.where(inside, (1.0 - x64) * (1.0 + x64), 1.0))
        small = w < 5.0
        ws, wl = w - 2.5, xp.sqrt(xp.maximum(w, 5.0)) - 3.0
        p_s, p_l = 2.81022636e-08, -0.000200214257
        for c in (3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503,
                  -0.00417768164, 0.246640727, 1.50140941):
            p_s = c + p_s * ws
        for c in (0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613,
                  0.00943887047, 1.00167406, 2.83297682):
            p_l = c + p_l * wl
        y = xp.where(small, p_s, p_l) * x64
        yi = xp.where(inside, y, 0.0)
        # Newton on erf(y) = x, and for |x| > 0.5 on log erfc(|y|) = log(1 - |x|) (1 - |x| is exact
        # there; nearly linear in y^2, so it converges from the single-precision start even where
        # that is poor): erf(y) rounds to 1 near the ends, which left erfinv(1 - 2**-52) at 5.50, not 5.81
        erfc = _special.function(device.backend, "erfc")
        tail = xp.abs(x64) > 0.5
        log_rest = xp.log(xp.where(inside & tail, 1.0 - xp.abs(x64), 1.0))
        sign = xp.where(x64 < 0, -1.0, 1.0)
        for _ in range(4):
            slope = 2.0 / math.sqrt(math.pi) * xp.exp(-yi * yi)
            step_mid = (erf(yi) - x64) / slope
            e = xp.where(tail, erfc(xp.abs(yi)), 1.0)
            step_tail = sign * (log_rest - xp.log(e)) * e / slope
            yi = yi - xp.where(tail, step_tail, step_mid)
            yi = xp.where(inside, yi, 0.0)
        edge = xp.where(x64 == 1, xp.inf, xp.where(x64 == -1, -xp.inf, xp.nan))
        return xp.where(inside, yi, edge).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        y = Erfinv.apply(x)  # differentiable again (double backward)
        return g * _SQRT_PI_OVER_2 * exp(y * y)

    @staticmethod
    def raw_backward(ctx, g):
        y = Erfinv._values(ctx.device, ctx.saved_arrays[0])
        return g * _SQRT_PI_OVER_2 * ctx.device.xp.exp(y * y)


class Tan(Primitive):
    @staticmethod
    def forward(ctx, x):
        y = ctx.device.xp.tan(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * (1 + y * y)

    @staticmethod
    def raw_backward(ctx, g):
        y = ctx.saved_arrays[0]
        return g * (1 + y * y)


class Sinh(Primitive):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.device.xp.sinh(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * cosh(x)

    @staticmethod
    def raw_backward(ctx, g):
        return g * ctx.device.xp.cosh(ctx.saved_arrays[0])


class Cosh(Primitive):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.device.xp.cosh(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * sinh(x)

    @staticmethod
    def raw_backward(ctx, g):
        return g * ctx.device.xp.sinh(ctx.saved_arrays[0])


class Asin(Primitive):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.device.xp.arcsin(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / sqrt(1 - x * x)

    @staticmethod
    def raw_backward(ctx, g):
        x = ctx.saved_arrays[0]
        return g / ctx.device.xp.sqrt(1 - x * x)


class Acos(Primitive):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.device.xp.arccos(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return -g / sqrt(1 - x * x)

    @staticmethod
    def raw_backward(ctx, g):
        x = ctx.saved_arrays[0]
        return -g / ctx.device.xp.sqrt(1 - x * x)


class Atan(Primitive):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.device.xp.arctan(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / (1 + x * x)

    @staticmethod
    def raw_backward(ctx, g):
        x = ctx.saved_arrays[0]
        return g / (1 + x * x)


log2 = _unary(Log2, "log2")
log10 = _unary(Log10, "log10")
exp2 = _unary(Exp2, "exp2")
erfinv = _unary(Erfinv, "erfinv")
tan = _unary(Tan, "tan")
sinh = _unary(Sinh, "sinh")
cosh = _unary(Cosh, "cosh")
asin = arcsin = _unary(Asin, "asin")
acos = arccos = _unary(Acos, "acos")
atan = arctan = _unary(Atan, "atan")


def square(input):
    """``input * input``; a bool tensor squares in int64, as PyTorch."""
    if isinstance(input, Tensor) and input.dtype.kind == "b":
        input = input.to(backend.int64)
    return ew.mul(input, input)


class Logit(Primitive):
    """``log(p / (1 - p))``, ``p`` the input clamped to ``[eps, 1 - eps]`` when ``eps`` is given. The
    gradient is PyTorch's: ``g / (x (1 - x))``, NaN outside ``[0, 1]`` (no eps) or 0 outside
    ``[eps, 1 - eps]``."""

    @staticmethod
    def forward(ctx, x, eps):
        xp = ctx.device.xp
        ctx.save_for_backward(x)
        ctx.eps = eps
        p = x if eps is None else xp.clip(x, eps, 1 - eps)
        with errstate(xp, divide="ignore", invalid="ignore"):
            return xp.log(p / (1 - p))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        eps = ctx.eps
        lo, hi, fill = (0.0, 1.0, math.nan) if eps is None else (eps, 1 - eps, 0.0)
        with errstate(x.device.xp, divide="ignore", invalid="ignore"):
            return ew.where((x < lo) | (x > hi), fill, g / (x * (1 - x))), None


def logit(input, eps=None):
    """``log(p / (1 - p))``; with ``eps``, ``p`` is first clamped to ``[eps, 1 - eps]``."""
    if input.dtype.kind != "f":  # integers: in the default float dtype (1 - p would wrap in uint8)
        input = input.to(backend.get_default_dtype())
    return Logit.apply(input, None if eps is None else float(eps))


# ---------------------------------------------------------------- binary
class Fmod(Primitive):
    """C's ``fmod``: the remainder with the dividend's sign (``remainder`` has the divisor's)."""

    @staticmethod
    def forward(ctx, a, b):
        xp = ctx.device.xp
        if a.dtype.kind in "iu" and getattr(b, "dtype", a.dtype).kind in "iu":
            r = xp.remainder(a, b)
            return xp.where((r != 0) & ((r < 0) != (a < 0)), r - b, r)
        ctx.save_for_backward(a, b)
        return xp.fmod(a, b)  # C's fmod: exact, fmod(x, inf) = x (a remainder moved by b would be inf - inf)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        gb = None
        if need[1]:
            gb = -g * trunc(ew.div(a, b)).detach()
        return (g if need[0] else None), gb

    @staticmethod
    def raw_backward(ctx, g):
        a, b = ctx.saved_arrays
        need = ctx.needs_input_grad
        return (g if need[0] else None), (-g * ctx.device.xp.trunc(a / b) if need[1] else None)


def fmod(input, other):
    """Elementwise remainder with the sign of ``input`` (C's ``fmod``), broadcasting; an integer
    divisor of 0 raises, as PyTorch."""
    a, b = wrap_int_scalar(*promote(input, other))
    if (a if isinstance(a, Tensor) else b)._data.dtype.kind == "b":
        raise NotImplementedError("\"fmod_cpu\" not implemented for 'Bool'")
    ew._check_int_zero("fmod", a, b)
    return Fmod.apply(a, b)


class Atan2(Primitive):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return ctx.device.xp.arctan2(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return _atan2_grads(g, a, b, ew.where)

    @staticmethod
    def raw_backward(ctx, g):
        a, b = ctx.saved_arrays
        return _atan2_grads(g, a, b, ctx.device.xp.where)


def _atan2_grads(g, a, b, where_):
    """``g * b / (a² + b²)`` and ``-g * a / (a² + b²)`` (Tensors or arrays); 0 at the origin, as
    PyTorch (not 0 / 0)."""
    d = a * a + b * b
    d = where_(d == 0, 1.0, d)
    return g * b / d, -g * a / d


def atan2(input, other):
    """Elementwise ``atan(input / other)`` in the right quadrant."""
    return Atan2.apply(*promote_float(input, other))


arctan2 = atan2


from .math_more import hypot  # noqa: E402  (a primitive there: std::hypot, no overflow)


class Xlogy(Primitive):
    """``a * log(b)``, 0 where ``a`` is 0 unless ``b`` is NaN. Gradients as PyTorch's:
    ``xlogy(g, b)`` for ``a`` (0 where ``a == 0`` and ``b <= 0``), ``g * a / b`` for ``b``."""

    @staticmethod
    def forward(ctx, a, b):
        xp = ctx.device.xp
        ctx.save_for_backward(a, b)
        zero = (a == 0) & ~xp.isnan(b)  # a NaN in other propagates, as PyTorch documents
        with errstate(xp, divide="ignore", invalid="ignore"):
            return xp.where(zero, 0, a * xp.log(xp.where(zero, 1, b))).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        ga = gb = None
        with errstate(a.device.xp, divide="ignore", invalid="ignore"):
            if ctx.needs_input_grad[0]:
                ga = ew.where(ew.eq(a, 0) & (b <= 0), 0.0, Xlogy.apply(g, b))
            if ctx.needs_input_grad[1]:
                gb = g * a / b
        return ga, gb


def xlogy(input, other):
    """``input * log(other)``, 0 where ``input`` is 0 (even for ``other`` 0) unless ``other`` is NaN."""
    a, b = promote_float(input, other)
    t = a if isinstance(a, Tensor) else b  # a Python number becomes a tensor of the result's dtype
    a, b = (o if isinstance(o, Tensor) else as_tensor_like(o, t).to(t.dtype) for o in (a, b))
    return Xlogy.apply(a, b)


from .ternary import addcdiv, addcmul, lerp  # noqa: E402,F401  (three-operand ops, their own module)
