"""nn.functional: activation functions.

Argument handling over the engine's ops: ``relu``, ``sigmoid``, ``tanh``, ``erf``,
``softmax``, ``log_softmax`` and the activation primitives of ``autograd/ops/activation.py``.
"""
from __future__ import annotations

import math
import warnings

import autograd as ag
from autograd import Tensor
from autograd import erf  # the engine's op, re-exported as F.erf
from autograd.ops.activation import Elu, Gelu, Hardtanh, LeakyRelu, Silu, Softplus


def _float(input, name):
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' must be Tensor, not {type(input).__name__}")
    if input.dtype.kind != "f":
        raise RuntimeError(f"{name}: expected a floating point input, got {input.dtype}")
    return input


def _in_place(input, fn, *args):
    """``fn(input, *args)`` written into ``input`` (``inplace=True``; recorded as PyTorch's in-place ops)."""
    from .activation_inplace import _copy_into

    return _copy_into(input, fn, *args)


# ---------------------------------------------------------------- public functions
def relu(input, inplace=False):
    """:math:`\\max(0, x)` elementwise (``inplace=True`` writes it into ``input``, as PyTorch)."""
    if inplace:
        return input.relu_()
    return ag.relu(input)


def relu6(input, inplace=False):
    """:math:`\\min(\\max(0, x), 6)` elementwise."""
    if inplace:
        return _in_place(input, hardtanh, 0.0, 6.0)
    return hardtanh(input, 0.0, 6.0)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """Clamp to ``[min_val, max_val]`` (zero gradient outside and at the bounds, as PyTorch)."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    if inplace:
        return _in_place(input, hardtanh, min_val, max_val)
    return Hardtanh.apply(_float(input, "hardtanh"), float(min_val), float(max_val))


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """:math:`x` for :math:`x > 0`, else :math:`\\text{negative\\_slope} \\cdot x`."""
    if inplace:
        return _in_place(input, leaky_relu, negative_slope)
    return LeakyRelu.apply(_float(input, "leaky_relu"), float(negative_slope))


def elu(input, alpha=1.0, inplace=False):
    """:math:`x` for :math:`x > 0`, else :math:`\\alpha (e^x - 1)`."""
    if inplace:
        return _in_place(input, elu, alpha)
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
    if inplace:
        return _in_place(input, silu)
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
