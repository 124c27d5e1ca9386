"""Power-average pooling layers: ``LPPool1d``, ``LPPool2d``, ``LPPool3d``."""
from __future__ import annotations

from .. import functional as F
from .module import Module

__all__ = ["LPPool1d", "LPPool2d", "LPPool3d"]


class _LPPoolNd(Module):
    def __init__(self, norm_type, kernel_size, stride=None, ceil_mode=False):
        super().__init__()
        self.norm_type = norm_type
        self.kernel_size = kernel_size
        self.stride = stride
        self.ceil_mode = ceil_mode

    def forward(self, input):
        return self._pool(input, float(self.norm_type), self.kernel_size, self.stride, self.ceil_mode)

    def extra_repr(self):
        return ("norm_type={norm_type}, kernel_size={kernel_size}, stride={stride}, "
                "ceil_mode={ceil_mode}").format(**self.__dict__)


class LPPool1d(_LPPoolNd):
    """1-D power-average pooling: see :func:`nn.functional.lp_pool1d`.

    Args:
        norm_type: the exponent ``p`` (``inf`` gives max pooling of ``|x|``).
        kernel_size: the window size.
        stride: the window step. Default: ``kernel_size``.
        ceil_mode: use ceil instead of floor for the output size.

    Shape:
        - Input: ``(N, C, L_in)`` or ``(C, L_in)``.
        - Output: ``(N, C, L_out)`` or ``(C, L_out)``.

    Example::

        >>> nn.LPPool1d(2, 3, stride=2)(ag.randn(20, 16, 50)).shape
        (20, 16, 24)
    """

    _pool = staticmethod(F.lp_pool1d)


class LPPool2d(_LPPoolNd):
    """2-D power-average pooling over ``(N, C, H, W)``: see :class:`LPPool1d`."""

    _pool = staticmethod(F.lp_pool2d)


class LPPool3d(_LPPoolNd):
    """3-D power-average pooling over ``(N, C, D, H, W)``: see :class:`LPPool1d`."""

    _pool = staticmethod(F.lp_pool3d)
