"""nn.functional: activation functions.

``relu``, ``sigmoid``, ``tanh``, ``erf``, ``softmax`` and ``log_softmax`` are the engine's
ops (one definition each). The others are primitives here: one node each, with
numerically stable forwards and backwards written with Tensor ops (so double
backward works).
"""
from __future__ import annotations

import math
import warnings

import autograd as ag
from autograd import Tensor, backend
from autograd import erf  # the engine's op, re-exported as F.erf
from autograd.function import Primitive

_SQRT2 = math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_GELU_K = math.sqrt(2.0 / math.pi)
_GELU_C = 0.044715


def _sigmoid_array(xp, x):
    """Logistic function of an array, without overflow for large ``|x|``."""
    e = xp.exp(-xp.abs(x))
    return xp.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


def _softplus_array(xp, z):
    """``log(1 + exp(z))`` without overflow: ``max(z, 0) + log1p(exp(-|z|))``."""
    return xp.maximum(z, 0) + xp.log1p(xp.exp(-xp.abs(z)))


def _float(input, name):
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' must be Tensor, not {type(input).__name__}")
    if input.dtype.kind != "f":
        raise RuntimeError(f"{name}: expected a floating point input, got {input.dtype}")
    return input


# ---------------------------------------------------------------- primitives
class LeakyRelu(Primitive):
    @staticmethod
    def forward(ctx, x, slope):
        ctx.save_for_backward(x)
        ctx.slope = slope
        return ctx.device.xp.where(x > 0, x, x * slope)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return ag.where(x > 0, g, g * ctx.slope), None


class Elu(Primitive):
    @staticmethod
    def forward(ctx, x, alpha):
        xp = ctx.device.xp
        ctx.save_for_backward(x)
        ctx.alpha = alpha
        return xp.where(x > 0, x, alpha * xp.expm1(xp.minimum(x, 0))).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return ag.where(x > 0, g, g * (ctx.alpha * ag.exp(x.clamp(max=0)))), None


class Gelu(Primitive):
    """``x * Phi(x)``; ``approximate='tanh'`` uses PyTorch's tanh formula."""

    @staticmethod
    def forward(ctx, x, approximate):
        xp = ctx.device.xp
        ctx.save_for_backward(x)
        ctx.approximate = approximate
        if approximate == "tanh":
            inner = _GELU_K * (x + _GELU_C * x * x * x)
            return (0.5 * x * (1 + xp.tanh(inner))).astype(x.dtype, copy=False)
        return (0.5 * x * (1 + backend.erf(x / _SQRT2))).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        if ctx.approximate == "tanh":
            x2 = x * x
            t = ag.tanh(_GELU_K * (x + _GELU_C * x2 * x))
            d = 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * (_GELU_K * (1 + 3 * _GELU_C * x2))
        else:
            cdf = 0.5 * (1 + erf(x / _SQRT2))
            d = cdf + x * (_INV_SQRT_2PI * ag.exp(-0.5 * (x * x)))
        return g * d, None


class Hardtanh(Primitive):
    """Clamp whose gradient is zero at the bounds too (PyTorch's ``hardtanh``, unlike ``clamp``)."""

    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.save_for_backward(x)
        ctx.lo, ctx.hi = lo, hi
        return ctx.device.xp.clip(x, lo, hi).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return ag.where((x > ctx.lo) & (x < ctx.hi), g, 0.0), None, None


class Silu(Primitive):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * _sigmoid_array(ctx.device.xp, x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        s = ag.sigmoid(x)
        return g * (s * (1 + x * (1 - s)))


class Softplus(Primitive):
    @staticmethod
    def forward(ctx, x, beta, threshold):
        xp = ctx.device.xp
        ctx.save_for_backward(x)
        ctx.beta, ctx.threshold = beta, threshold
        z = x * beta if beta != 1 else x
        soft = _softplus_array(xp, z)
        if beta != 1:
            soft = soft / beta
        return xp.where(z > threshold, x, soft).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        z = x * ctx.beta if ctx.beta != 1 else x
        return ag.where(z > ctx.threshold, g, g * ag.sigmoid(z)), None, None


# ---------------------------------------------------------------- public functions
def relu(input, inplace=False):
    """:math:`\\max(0, x)` elementwise (``inplace`` is accepted; the result is a new tensor)."""
    return ag.relu(input)


def relu6(input, inplace=False):
    """:math:`\\min(\\max(0, x), 6)` elementwise."""
    return hardtanh(input, 0.0, 6.0)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """Clamp to ``[min_val, max_val]`` (zero gradient outside and at the bounds, as PyTorch)."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return Hardtanh.apply(_float(input, "hardtanh"), float(min_val), float(max_val))


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """:math:`x` for :math:`x > 0`, else :math:`\\text{negative\\_slope} \\cdot x`."""
    return LeakyRelu.apply(_float(input, "leaky_relu"), float(negative_slope))


def elu(input, alpha=1.0, inplace=False):
    """:math:`x` for :math:`x > 0`, else :math:`\\alpha (e^x - 1)`."""
    return Elu.apply(_float(input, "elu"), float(alpha))


def gelu(input, approximate="none"):
    """Gaussian error linear unit :math:`x \\Phi(x)`.

    Args:
        approximate (str): ``'none'`` (exact, with erf) or ``'tanh'``
            (:math:`0.5 x (1 + \\tanh(\\sqrt{2/\\pi}(x + 0.044715 x^3)))`).
    """
    if approximate not in ("none", "tanh"):
        raise RuntimeError(f"approximate argument must be either none or tanh, got {approximate!r}")
    return Gelu.apply(_float(input, "gelu"), approximate)


def silu(input, inplace=False):
    """:math:`x \\sigma(x)` (also called swish)."""
    return Silu.apply(_float(input, "silu"))


def softplus(input, beta=1.0, threshold=20.0):
    """:math:`\\frac{1}{\\beta}\\log(1 + e^{\\beta x})`; linear where :math:`\\beta x > \\text{threshold}`."""
    return Softplus.apply(_float(input, "softplus"), beta, threshold)


def logsigmoid(input):
    """:math:`\\log \\sigma(x) = -\\text{softplus}(-x)`, stable for large ``|x|``."""
    return -Softplus.apply(-_float(input, "logsigmoid"), 1.0, math.inf)


def sigmoid(input):
    """:math:`1 / (1 + e^{-x})` elementwise."""
    return ag.sigmoid(input)


def tanh(input):
    """Hyperbolic tangent elementwise."""
    return ag.tanh(input)


def _get_softmax_dim(name, ndim):
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. "
                  "Change the call to include dim=X as an argument.", stacklevel=3)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """:math:`e^{x_i} / \\sum_j e^{x_j}` along ``dim`` (stable for large inputs)."""
    if dim is None:
        dim = _get_softmax_dim("softmax", input.ndim)
    return ag.softmax(input, dim, dtype=dtype)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """``softmax(-input)``."""
    if dim is None:
        dim = _get_softmax_dim("softmin", input.ndim)
    return ag.softmax(-input, dim, dtype=dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """:math:`x_i - \\log \\sum_j e^{x_j}` along ``dim`` (stable for large inputs)."""
    if dim is None:
        dim = _get_softmax_dim("log_softmax", input.ndim)
    return ag.log_softmax(input, dim, dtype=dtype)


__all__ = [
    "erf", "relu", "relu6", "hardtanh", "leaky_relu", "elu", "gelu", "silu", "softplus", "logsigmoid",
    "sigmoid", "tanh", "softmax", "softmin", "log_softmax",
]
