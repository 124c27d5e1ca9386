"""nn.functional: more activations, each a composite of existing ops (stable, and double-differentiable
for free): ``hardsigmoid``, ``hardswish``, ``mish``, ``prelu``, ``rrelu``, ``threshold``, ``glu``,
``selu``, ``celu``, ``softsign``, ``tanhshrink``, ``softshrink``, ``hardshrink``."""
from __future__ import annotations

import autograd as ag
from autograd.random import uniform_array

from .activation import _in_place, elu, hardtanh, leaky_relu, softplus

__all__ = ["hardsigmoid", "hardswish", "mish", "prelu", "rrelu", "threshold", "glu", "selu", "celu",
           "softsign", "tanhshrink", "softshrink", "hardshrink"]

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def hardsigmoid(input, inplace=False):
    """:math:`\\text{ReLU6}(x + 3) / 6` (gradient 1/6 strictly inside ``(-3, 3)``, as PyTorch)."""
    if inplace:
        return _in_place(input, hardsigmoid)
    return hardtanh(input + 3.0, 0.0, 6.0) / 6.0


def hardswish(input, inplace=False):
    """:math:`x \\cdot \\text{ReLU6}(x + 3) / 6` (MobileNetV3)."""
    if inplace:
        return _in_place(input, hardswish)
    return input * hardsigmoid(input)


def mish(input, inplace=False):
    """:math:`x \\tanh(\\text{softplus}(x))`."""
    if inplace:
        return _in_place(input, mish)
    return input * softplus(input).tanh()


def prelu(input, weight):
    """:math:`x` for :math:`x > 0`, else ``weight * x``; ``weight`` has 1 or ``C`` (dim 1) entries."""
    if weight.ndim > 1:
        raise RuntimeError(f"prelu: weight must be 0-D or 1-D, got {weight.ndim}-D")
    n = weight.numel()
    if n != 1:
        channels = input.shape[1] if input.ndim >= 2 else 1  # as PyTorch: no channel dim below 2-D
        if n != channels:
            raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found parameter "
                               f"numbers = {n} and channel size = {channels}.")
        if input.ndim >= 2:
            weight = weight.reshape((n,) + (1,) * (input.ndim - 2))
    return ag.where(input > 0, input, weight * input)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """Leaky ReLU with a slope drawn from ``U(lower, upper)`` per element in training, else their mean."""
    if inplace:
        return _in_place(input, rrelu, lower, upper, training)
    if not training:
        return leaky_relu(input, (lower + upper) / 2)
    slope = ag.Tensor._make(uniform_array(input.shape, input.dtype, input.device, lower, upper), input.device)
    return ag.where(input >= 0, input, input * slope)


def threshold(input, threshold, value, inplace=False):
    """``value`` where ``input <= threshold``, else ``input`` (NaN stays NaN, as PyTorch)."""
    if inplace:
        return _in_place(input, _threshold_fn, threshold, value)
    return ag.where(input <= threshold, value, input)


_threshold_fn = threshold  # (``threshold``'s argument of the same name hides the function in it)


def glu(input, dim=-1):
    """Gated linear unit: :math:`a \\otimes \\sigma(b)`, ``a, b`` the halves of ``input`` along ``dim``."""
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    n = input.shape[dim]
    if n % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {dim % input.ndim} is size {n}")
    a, b = input.chunk(2, dim)
    return a * b.sigmoid()


def selu(input, inplace=False):
    """:math:`\\text{scale} \\cdot \\text{ELU}(x, \\alpha)` with the self-normalising constants."""
    if inplace:
        return _in_place(input, selu)
    return elu(input, _SELU_ALPHA) * _SELU_SCALE


def celu(input, alpha=1.0, inplace=False):
    """:math:`\\max(0, x) + \\min(0, \\alpha (e^{x/\\alpha} - 1))`."""
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha of celu must not be 0")
    if inplace:
        return _in_place(input, celu, alpha)
    return elu(input / alpha, 1.0) * alpha


def softsign(input):
    """:math:`x / (1 + |x|)`."""
    return input / (input.abs() + 1)


def tanhshrink(input):
    """:math:`x - \\tanh(x)`."""
    return input - input.tanh()


def _check_lambd(lambd, name):
    if lambd < 0:
        raise RuntimeError(f"{name}: lambda must be greater or equal to 0, but found to be {lambd}.")


def softshrink(input, lambd=0.5):
    """``x - lambd`` above ``lambd``, ``x + lambd`` below ``-lambd``, else 0."""
    _check_lambd(lambd, "softshrink")
    # |x| <= lambd is False for NaN: NaN stays NaN and passes its gradient, as in PyTorch
    return ag.where(input.abs() <= lambd, 0.0, input - input.sign() * lambd)


def hardshrink(input, lambd=0.5):
    """``x`` where ``|x| > lambd``, else 0."""
    _check_lambd(lambd, "hardshrink")
    return ag.where(input.abs() <= lambd, 0.0, input)  # NaN stays NaN, as in PyTorch
