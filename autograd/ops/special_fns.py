"""Special functions: inverse hyperbolic, erfc / erfcx, the gamma family (lgamma, digamma,
polygamma, mvlgamma, igamma / igammac), modified Bessel (i0, i0e, i1, i1e), the normal
distribution (ndtri, log_ndtr), entr, xlog1py and zeta.

The values come from the backend's special functions (``scipy.special`` on the CPU,
``cupyx.scipy.special`` on CUDA; see ``arraylib/special.py``). Integer and bool inputs are
computed in the default float dtype, as PyTorch. Gradients are PyTorch's formulas, written with
Tensor ops so that they differentiate again.
"""
from __future__ import annotations

import math

from .. import backend
from ..arraylib import special as _special
from ..function import Primitive
from ..tensor import Tensor
from . import elementwise as ew
from ._util import as_tensor_like, errstate, promote
from .inplace import _apply
from .unary import _unary, exp, log, rsqrt

# ``torch``'s top-level names; the rest (erfcx, ndtr, i1, zeta, ...) are ``ag.special``'s only
__all__ = [
    "asinh", "acosh", "atanh", "arcsinh", "arccosh", "arctanh", "erfc", "lgamma", "digamma", "polygamma",
    "mvlgamma", "i0", "igamma", "igammac",
]

_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_SQRT_2PI = math.sqrt(2 * math.pi)


def _sp(ctx, name, *arrays):
    """The backend's special function ``name`` on ``arrays``, in the first one's dtype."""
    xp = ctx.device.xp
    with errstate(xp, divide="ignore", invalid="ignore", over="ignore"):
        return _special.function(ctx.device.backend, name)(*arrays).astype(arrays[-1].dtype, copy=False)


class _Unary(Primitive):
    """An elementwise special function of one input, which backward needs."""

    scipy_name = ""

    @classmethod
    def forward(cls, ctx, x):
        ctx.save_for_backward(x)
        return _sp(ctx, cls.scipy_name, x)


# ---------------------------------------------------------------- inverse hyperbolic
class Asinh(Primitive):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.device.xp.arcsinh(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * rsqrt(x * x + 1)


class Acosh(Primitive):
    """The gradient is ``g / sqrt(x^2 - 1)``: inf at 1, NaN inside (-1, 1), as PyTorch."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with errstate(ctx.device.xp, invalid="ignore"):
            return ctx.device.xp.arccosh(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        with errstate(x.device.xp, divide="ignore", invalid="ignore"):
            return g * rsqrt(x * x - 1)


class Atanh(Primitive):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with errstate(ctx.device.xp, divide="ignore", invalid="ignore"):
            return ctx.device.xp.arctanh(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        with errstate(x.device.xp, divide="ignore"):
            return g / (1 - x * x)


# ---------------------------------------------------------------- error function family
class Erfc(_Unary):
    scipy_name = "erfc"

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return -g * _TWO_OVER_SQRT_PI * exp(-(x * x))


class Erfcx(_Unary):
    """``exp(x^2) erfc(x)``, finite where ``erfc`` underflows."""

    scipy_name = "erfcx"

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        with errstate(x.device.xp, invalid="ignore"):
            return g * (2 * x * erfcx(x) - _TWO_OVER_SQRT_PI)


class Ndtri(_Unary):
    """The inverse of the standard normal CDF."""

    scipy_name = "ndtri"

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        y = ndtri(x)
        return g * _SQRT_2PI * exp(y * y / 2)


class LogNdtr(_Unary):
    scipy_name = "log_ndtr"

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        with errstate(x.device.xp, invalid="ignore"):
            return g / _SQRT_2PI * exp(-(log_ndtr(x) + x * x / 2))


# ---------------------------------------------------------------- gamma family
class Lgamma(_Unary):
    """``log|Gamma(x)|``: inf at the non-positive integers and at -inf, as PyTorch."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        xp = ctx.device.xp
        y = _sp(ctx, "gammaln", x)
        return xp.where(x == -xp.inf, xp.inf, y).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * digamma(x)


class Digamma(_Unary):
    """``d/dx lgamma``: -inf at +0, inf at -0, NaN at the negative integers, as PyTorch."""

    scipy_name = "digamma"

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * polygamma(1, x)


class Polygamma(Primitive):
    """The ``n``-th derivative of digamma (``n >= 1``). At +inf it is 0 for every ``n`` (PyTorch 2.13:
    NaN for ``n >= 2``); at the non-positive integers inf (PyTorch's trigamma: ~1e32)."""

    @staticmethod
    def forward(ctx, x, n):
        ctx.save_for_backward(x)
        ctx.n = n
        xp = ctx.device.xp
        y = _sp(ctx, "polygamma", xp.asarray(n, dtype=x.dtype), x)
        if n == 1:  # trigamma(-inf) is NaN in PyTorch (SciPy: inf); higher orders agree
            y = xp.where(x == -xp.inf, xp.nan, y).astype(x.dtype, copy=False)
        return y

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * polygamma(ctx.n + 1, x), None


class Igamma(Primitive):
    """The regularized lower (``upper=False``) or upper incomplete gamma function of ``(a, x)``.
    As PyTorch, only ``x`` has a gradient: asking for ``a``'s raises ``NotImplementedError``."""

    @staticmethod
    def forward(ctx, a, x, upper):
        ctx.save_for_backward(a, x)
        ctx.upper = upper
        return _sp(ctx, "gammaincc" if upper else "gammainc", a, x)

    @staticmethod
    def backward(ctx, g):
        name = "igammac" if ctx.upper else "igamma"
        if ctx.needs_input_grad[0]:
            raise NotImplementedError(f"the derivative for '{name}: input' is not implemented.")
        a, x = ctx.saved_tensors
        with errstate(x.device.xp, divide="ignore", invalid="ignore"):
            gx = g * exp((a - 1) * log(x) - x - lgamma(a))
        return None, -gx if ctx.upper else gx, None


class Zeta(Primitive):
    """The Hurwitz zeta function; PyTorch has no derivative for it and neither has this."""

    @staticmethod
    def forward(ctx, x, q):
        return _sp(ctx, "zeta", x, q)

    @staticmethod
    def backward(ctx, g):
        raise NotImplementedError("the derivative for 'zeta' is not implemented.")


# ---------------------------------------------------------------- modified Bessel functions
class I0(_Unary):
    scipy_name = "i0"

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * i1(x)


class I0e(_Unary):
    """``exp(-|x|) i0(x)``."""

    scipy_name = "i0e"

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * (i1e(x) - ew.sign(x) * i0e(x))


def _not_tiny(x):
    """PyTorch's guard of the i1 / i1e gradients: ``|x| > eps`` (0.5 elsewhere, NaN included), and
    ``x`` with the tiny values replaced by eps (so that no branch divides by 0, even twice)."""
    eps = float(x.device.xp.finfo(x.dtype).eps)
    keep = ew.abs(x) > eps
    return keep, ew.where(keep, x, eps)


class I1(_Unary):
    scipy_name = "i1"

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        keep, s = _not_tiny(x)
        return g * ew.where(keep, i0(s) - i1(s) / s, 0.5)


class I1e(_Unary):
    """``exp(-|x|) i1(x)``."""

    scipy_name = "i1e"

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        keep, s = _not_tiny(x)
        return g * ew.where(keep, i0e(s) - i1e(s) * (ew.sign(s) + 1 / s), 0.5)


# ---------------------------------------------------------------- entropy and xlog1py
class Entr(_Unary):
    """``-x log(x)``: 0 at 0, -inf below; the gradient ``-(1 + log x)``."""

    scipy_name = "entr"

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        with errstate(x.device.xp, divide="ignore", invalid="ignore"):
            return -g * (1 + log(x))


class Xlog1py(Primitive):
    """``a * log1p(b)``, 0 where ``a == 0`` unless ``b`` is NaN. PyTorch's gradients:
    ``xlog1py(g, b)`` for ``a`` (0 where ``a == 0`` and ``b <= -1``), ``g * a / (1 + b)`` for ``b``."""

    @staticmethod
    def forward(ctx, a, b):
        xp = ctx.device.xp
        ctx.save_for_backward(a, b)
        zero = (a == 0) & ~xp.isnan(b)
        with errstate(xp, divide="ignore", invalid="ignore"):
            return xp.where(zero, 0, a * xp.log1p(xp.where(zero, 0, b))).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        ga = gb = None
        with errstate(a.device.xp, divide="ignore", invalid="ignore"):
            if ctx.needs_input_grad[0]:
                ga = ew.where(ew.eq(a, 0) & (b <= -1), 0.0, Xlog1py.apply(g, b))
            if ctx.needs_input_grad[1]:
                gb = g * a / (1 + b)
        return ga, gb


# ---------------------------------------------------------------- public functions
asinh = arcsinh = _unary(Asinh, "asinh")
acosh = arccosh = _unary(Acosh, "acosh")
atanh = arctanh = _unary(Atanh, "atanh")
erfc = _unary(Erfc, "erfc")
erfcx = _unary(Erfcx, "erfcx")
ndtri = _unary(Ndtri, "ndtri")
log_ndtr = _unary(LogNdtr, "log_ndtr")
lgamma = _unary(Lgamma, "lgamma")
digamma = _unary(Digamma, "digamma")
i0 = _unary(I0, "i0")
i0e = _unary(I0e, "i0e")
i1 = _unary(I1, "i1")
i1e = _unary(I1e, "i1e")
entr = _unary(Entr, "entr")


def ndtr(input):
    """The standard normal CDF, ``erfc(-x / sqrt(2)) / 2`` (erfc keeps the lower tail's precision)."""
    return erfc(input * (-1 / math.sqrt(2))) * 0.5


def polygamma(n, input):
    """The ``n``-th derivative of :func:`digamma` (``polygamma(0, x)`` is ``digamma(x)``)."""
    if isinstance(n, Tensor) or not isinstance(n, int) or isinstance(n, bool):
        raise TypeError(f"polygamma(): argument 'n' must be int, not {type(n).__name__}")
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    if n == 0:
        return digamma(input)
    return Polygamma.apply(_floating(input, "polygamma"), n)


def mvlgamma(input, p):
    """The multivariate log-gamma of dimension ``p``:
    ``p (p - 1) / 4 log(pi) + sum_{i < p} lgamma(input - i / 2)``."""
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    if isinstance(input, Tensor) and input.dtype.kind == "b":
        raise RuntimeError("The input tensor may not be a boolean tensor.")
    x = _floating(input, "mvlgamma")
    out = lgamma(x)  # a sum of p shifted lgammas: p is small, and each term's gradient is digamma's
    for i in range(1, p):
        out = out + lgamma(x - i / 2)
    return out + p * (p - 1) / 4 * math.log(math.pi)


def _floating(input, name):
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' must be Tensor, not {type(input).__name__}")
    return input if input.dtype.kind == "f" else input.to(backend.get_default_dtype())


def _igamma(input, other, upper):
    name = "igammac" if upper else "igamma"
    for arg, what in ((input, "input"), (other, "other")):
        if not isinstance(arg, Tensor):
            raise TypeError(f"{name}(): argument '{what}' must be Tensor, not {type(arg).__name__}")
    a, x = promote(input, other)
    if a.dtype.kind != "f":
        kind = {"b": "Bool", "u": "Byte"}.get(a.dtype.kind, "Long" if a.dtype.itemsize == 8 else "Int")
        raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{kind}'")
    return Igamma.apply(a, x, upper)


def igamma(input, other):
    """The regularized lower incomplete gamma function ``P(input, other)``; only ``other`` has a
    gradient (PyTorch raises for ``input``'s, and so does this)."""
    return _igamma(input, other, False)


def igammac(input, other):
    """The regularized upper incomplete gamma function ``Q(input, other) = 1 - P(input, other)``."""
    return _igamma(input, other, True)


def _float_pair(input, other):
    a, b = promote(input, other)
    a = a if isinstance(a, Tensor) else as_tensor_like(a, b)
    b = b if isinstance(b, Tensor) else as_tensor_like(b, a)
    a, b = promote(a, b)
    if a.dtype.kind != "f":
        a, b = a.to(backend.get_default_dtype()), b.to(backend.get_default_dtype())
    return a, b


def xlog1py(input, other):
    """``input * log1p(other)``, 0 where ``input`` is 0 unless ``other`` is NaN."""
    return Xlog1py.apply(*_float_pair(input, other))


def zeta(input, other):
    """The Hurwitz zeta function ``sum_k (k + other) ** -input``; no gradient, as PyTorch."""
    return Zeta.apply(*_float_pair(input, other))


# ---------------------------------------------------------------- in-place forms
def _inplace(fn, name):
    def method(input, *args):
        return _apply(input, fn, *args)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"In-place ``{name[:-1]}``."
    return method


asinh_ = arcsinh_ = _inplace(asinh, "asinh_")
acosh_ = arccosh_ = _inplace(acosh, "acosh_")
atanh_ = arctanh_ = _inplace(atanh, "atanh_")
erfc_ = _inplace(erfc, "erfc_")
lgamma_ = _inplace(lgamma, "lgamma_")
digamma_ = _inplace(digamma, "digamma_")
i0_ = _inplace(i0, "i0_")
igamma_ = _inplace(igamma, "igamma_")
igammac_ = _inplace(igammac, "igammac_")
polygamma_ = _inplace(lambda x, n: polygamma(n, x), "polygamma_")
mvlgamma_ = _inplace(mvlgamma, "mvlgamma_")
