"""``nn.FractionalMaxPool2d`` / ``nn.FractionalMaxPool3d``: max pooling over pseudo-random windows."""
from __future__ import annotations

from .. import functional as F
from .module import Module

__all__ = ["FractionalMaxPool2d", "FractionalMaxPool3d"]


class _FractionalMaxPoolNd(Module):
    _nd = 2

    def __init__(self, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                 _random_samples=None):
        super().__init__()
        nd = self._nd

        def ntuple(v):
            return tuple(v) if isinstance(v, (tuple, list)) else (v,) * nd

        self.kernel_size = ntuple(kernel_size)
        self.return_indices = return_indices
        self.register_buffer("_random_samples", _random_samples)
        self.output_size = ntuple(output_size) if output_size is not None else None
        self.output_ratio = ntuple(output_ratio) if output_ratio is not None else None
        if output_size is None and output_ratio is None:
            raise ValueError(f"{type(self).__name__} requires specifying either an output size, "
                             "or a pooling ratio")
        if output_size is not None and output_ratio is not None:
            raise ValueError("only one of output_size and output_ratio may be specified")
        if self.output_ratio is not None and not all(0 < r < 1 for r in self.output_ratio):
            raise ValueError(f"output_ratio must be between 0 and 1 (got {output_ratio})")

    def forward(self, input):
        fn = F.fractional_max_pool2d if self._nd == 2 else F.fractional_max_pool3d
        return fn(input, self.kernel_size, self.output_size, self.output_ratio, self.return_indices,
                  _random_samples=self._random_samples)


class FractionalMaxPool2d(_FractionalMaxPoolNd):
    """2D fractional max pooling, as ``torch.nn.FractionalMaxPool2d``.

    Args:
        kernel_size (int or tuple): the window size.
        output_size (int or tuple): the output's ``(oH, oW)``; or
        output_ratio (float or tuple): in (0, 1), the output's size relative to the input's.
        return_indices (bool): also return the flat indices of the maxima. Default: False.
        _random_samples (Tensor): fixed ``(N, C, 2)`` samples placing the windows (a buffer).

    Shape:
        - Input: ``(N, C, H, W)`` or ``(C, H, W)``; output: ``(N, C, oH, oW)`` or ``(C, oH, oW)``.

    Example::

        >>> m = nn.FractionalMaxPool2d(3, output_ratio=(0.5, 0.5))
        >>> m(ag.randn(2, 4, 10, 12)).shape
        (2, 4, 5, 6)
    """

    _nd = 2


class FractionalMaxPool3d(_FractionalMaxPoolNd):
    """3D fractional max pooling, as ``torch.nn.FractionalMaxPool3d``; samples are ``(N, C, 3)``.

    See :class:`FractionalMaxPool2d`.
    """

    _nd = 3
