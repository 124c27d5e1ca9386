"""nn.functional: power-average (LP) pooling, composed of average or max pooling as PyTorch does."""
from __future__ import annotations

import math
import numbers

import autograd as ag

from .activation import relu
from .pooling import avg_pool1d, avg_pool2d, max_pool1d, max_pool2d
from .pooling_extra import avg_pool3d, max_pool3d

__all__ = ["lp_pool1d", "lp_pool2d", "lp_pool3d"]


def _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, nd, avg_pool, max_pool):
    if isinstance(norm_type, (int, float)):
        if norm_type == math.inf:
            return max_pool(input.abs(), kernel_size, stride, 0, 1, ceil_mode)
        if norm_type == -math.inf:
            return -max_pool(-input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    k = (kernel_size,) * nd if isinstance(kernel_size, numbers.Integral) else tuple(kernel_size)
    stride = kernel_size if stride is None else stride
    out = avg_pool(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    # PyTorch's formula: sign(out) * relu(|out|) keeps a window whose sum is zero at a zero gradient (relu's
    # gradient selects); sign's gradient is zero, so it is taken of the detached sum (its backward is
    # g * 0, which would turn the infinite gradient of pow at 0 into NaN)
    return (ag.sign(out.detach()) * relu(out.abs())).mul(math.prod(k)).pow(1.0 / norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """1-D power-average pooling: ``(sum over the window of x ** p) ** (1 / p)``.

    ``p = inf`` is max pooling of ``|x|``. With ``ceil_mode``, a window that overhangs the
    input is scaled as PyTorch scales it (its average times the kernel size).

    Args:
        input: ``(N, C, L)`` or ``(C, L)``.
        norm_type: the exponent ``p``.
        kernel_size: the window size.
        stride: the window step. Default: ``kernel_size``.
        ceil_mode: use ceil instead of floor for the output size.

    Example::

        >>> F.lp_pool1d(ag.tensor([[[3.0, 4.0]]]), 2, 2)
        tensor([[[5.]]])
    """
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 1, avg_pool1d, max_pool1d)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """2-D power-average pooling over ``(N, C, H, W)`` or ``(C, H, W)``: see :func:`lp_pool1d`."""
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 2, avg_pool2d, max_pool2d)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """3-D power-average pooling over ``(N, C, D, H, W)`` or ``(C, D, H, W)``: see :func:`lp_pool1d`."""
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 3, avg_pool3d, max_pool3d)
