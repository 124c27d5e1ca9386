"""Activation primitives: leaky_relu, elu, gelu, hardtanh, silu, softplus.

One node each, with numerically stable forwards on raw arrays and backwards
written with Tensor ops (so double backward works). ``nn.functional`` checks the
arguments and calls them.
"""
from __future__ import annotations

import math

from .. import backend
from ..function import Primitive
from .compare import where
from .unary import exp, erf, sigmoid, sigmoid_array, tanh

_SQRT2 = math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_GELU_K = math.sqrt(2.0 / math.pi)
_GELU_C = 0.044715

def softplus_array(xp, z):
    """``log(1 + exp(z))`` of an array without overflow: ``max(z, 0) + log1p(exp(-|z|))``."""
    return xp.maximum(z, 0) + xp.log1p(xp.exp(-xp.abs(z)))


class LeakyRelu(Primitive):
    """``x`` where ``x > 0``, else ``slope * x``. For ``0 < slope <= 1`` (every real use) the
    select is computed branch-free, 3-4x faster than ``where`` on an irregular mask and equal to
    it bit for bit: ``max(x, slope * x)`` forward, ``g * max(x > 0, slope)`` backward."""

    @staticmethod
    def forward(ctx, x, slope):
        ctx.save_for_backward(x)
        ctx.slope = slope
        xp = ctx.device.xp
        if 0.0 < slope <= 1.0:  # slope 0 would give max(inf, inf * 0) = nan
            return xp.maximum(x, x * slope)
        return xp.where(x > 0, x, x * slope)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return where(x > 0, g, g * ctx.slope), None

    @staticmethod
    def raw_backward(ctx, g):
        (x,) = ctx.saved_arrays
        xp, slope = ctx.device.xp, ctx.slope
        if 0.0 < slope <= 1.0 and g.dtype == x.dtype:
            factor = xp.maximum(x > 0, slope, dtype=g.dtype)  # 1 where x > 0, else slope
            factor *= g
            return factor, None
        return xp.where(x > 0, g, g * slope), None


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
        return where(x > 0, g, g * (ctx.alpha * exp(x.clamp(max=0)))), None

    @staticmethod
    def raw_backward(ctx, g):
        (x,) = ctx.saved_arrays
        xp = ctx.device.xp
        return xp.where(x > 0, g, g * (ctx.alpha * xp.exp(xp.minimum(x, 0)))), None


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
        return g * _gelu_slope(ctx.approximate, x, tanh, erf, exp), None

    @staticmethod
    def raw_backward(ctx, g):
        (x,) = ctx.saved_arrays
        xp, erf_array = ctx.device.xp, ctx.device.backend.erf

        def erf_(v):
            return erf_array(v).astype(v.dtype, copy=False)
        return g * _gelu_slope(ctx.approximate, x, xp.tanh, erf_, xp.exp), None


def _gelu_slope(approximate, x, tanh, erf, exp):
    """GELU's derivative at ``x``, with the given ``tanh``/``erf``/``exp`` (Tensor ops or array functions)."""
    if approximate == "tanh":
        x2 = x * x
        t = tanh(_GELU_K * (x + _GELU_C * x2 * x))
        return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * (_GELU_K * (1 + 3 * _GELU_C * x2))
    cdf = 0.5 * (1 + erf(x / _SQRT2))
    return cdf + x * (_INV_SQRT_2PI * exp(-0.5 * (x * x)))


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
        return where((x > ctx.lo) & (x < ctx.hi), g, 0.0), None, None

    @staticmethod
    def raw_backward(ctx, g):
        (x,) = ctx.saved_arrays
        return ctx.device.xp.where((x > ctx.lo) & (x < ctx.hi), g, 0.0), None, None


class Silu(Primitive):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * sigmoid_array(ctx.device.xp, x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        s = sigmoid(x)
        return g * (s * (1 + x * (1 - s)))

    @staticmethod
    def raw_backward(ctx, g):
        (x,) = ctx.saved_arrays
        s = sigmoid_array(ctx.device.xp, x)
        return g * (s * (1 + x * (1 - s)))


class Softplus(Primitive):
    @staticmethod
    def forward(ctx, x, beta, threshold):
        xp = ctx.device.xp
        ctx.save_for_backward(x)
        ctx.beta, ctx.threshold = beta, threshold
        z = x * beta if beta != 1 else x
        soft = softplus_array(xp, z)
        if beta != 1:
            soft = soft / beta
        return xp.where(z > threshold, x, soft).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        z = x * ctx.beta if ctx.beta != 1 else x
        return where(z > ctx.threshold, g, g * sigmoid(z)), None, None

    @staticmethod
    def raw_backward(ctx, g):
        (x,) = ctx.saved_arrays
        xp = ctx.device.xp
        z = x * ctx.beta if ctx.beta != 1 else x
        return xp.where(z > ctx.threshold, g, g * sigmoid_array(xp, z)), None, None
