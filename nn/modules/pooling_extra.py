"""Pooling layers: 3-D max and average pooling, adaptive max pooling, adaptive 3-D average pooling."""
from __future__ import annotations

from .. import functional as F
from .pooling import AvgPool2d, _AdaptiveAvgPoolNd, _MaxPoolNd

__all__ = ["MaxPool3d", "AvgPool3d", "AdaptiveAvgPool3d", "AdaptiveMaxPool1d", "AdaptiveMaxPool2d",
           "AdaptiveMaxPool3d"]


class MaxPool3d(_MaxPoolNd):
    """3-D max pooling over ``(N, C, D, H, W)``: see :func:`nn.functional.max_pool3d`."""

    _pool = staticmethod(F.max_pool3d)


class AvgPool3d(AvgPool2d):
    """3-D average pooling over ``(N, C, D, H, W)``: see :func:`nn.functional.avg_pool3d`."""

    def forward(self, input):
        return F.avg_pool3d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad, self.divisor_override)


class AdaptiveAvgPool3d(_AdaptiveAvgPoolNd):
    """3-D adaptive average pooling to ``output_size`` (int or triple; None keeps a size)."""

    def forward(self, input):
        return F.adaptive_avg_pool3d(input, self.output_size)


class _AdaptiveMaxPoolNd(_AdaptiveAvgPoolNd):
    def __init__(self, output_size, return_indices=False):
        super().__init__(output_size)
        self.return_indices = return_indices

    def forward(self, input):
        return self._pool(input, self.output_size, self.return_indices)


class AdaptiveMaxPool1d(_AdaptiveMaxPoolNd):
    """1-D adaptive max pooling to ``output_size`` bins (``return_indices`` also gives the argmax)."""

    _pool = staticmethod(F.adaptive_max_pool1d)


class AdaptiveMaxPool2d(_AdaptiveMaxPoolNd):
    """2-D adaptive max pooling to ``output_size`` (int or pair; None keeps that size).

    Example::

        >>> nn.AdaptiveMaxPool2d((1, 1))(ag.ones(2, 3, 7, 5)).shape
        (2, 3, 1, 1)
    """

    _pool = staticmethod(F.adaptive_max_pool2d)


class AdaptiveMaxPool3d(_AdaptiveMaxPoolNd):
    """3-D adaptive max pooling to ``output_size`` (int or triple; None keeps a size)."""

    _pool = staticmethod(F.adaptive_max_pool3d)
