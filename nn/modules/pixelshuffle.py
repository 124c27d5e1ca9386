"""``PixelShuffle``, ``PixelUnshuffle``, ``ChannelShuffle``, ``Fold`` and ``Unfold``: wrappers of the
functional forms with PyTorch's reprs."""
from __future__ import annotations

from .. import functional as F
from .module import Module

__all__ = ["PixelShuffle", "PixelUnshuffle", "ChannelShuffle", "Fold", "Unfold"]


class _Shuffle(Module):
    """A shuffle with one integer argument, stored under PyTorch's name ``_arg``."""

    _arg = ""
    _fn = None

    def __init__(self, factor):
        super().__init__()
        setattr(self, self._arg, factor)

    def forward(self, input):
        return type(self)._fn(input, getattr(self, self._arg))

    def extra_repr(self):
        return f"{self._arg}={getattr(self, self._arg)}"


class PixelShuffle(_Shuffle):
    """``(*, C r^2, H, W)`` -> ``(*, C, H r, W r)`` (sub-pixel convolution).

    Example::

        >>> nn.PixelShuffle(3)(ag.zeros(1, 9, 4, 4)).shape
        (1, 1, 12, 12)
    """

    _arg = "upscale_factor"
    _fn = staticmethod(F.pixel_shuffle)


class PixelUnshuffle(_Shuffle):
    """``(*, C, H r, W r)`` -> ``(*, C r^2, H, W)``."""

    _arg = "downscale_factor"
    _fn = staticmethod(F.pixel_unshuffle)


class ChannelShuffle(_Shuffle):
    """Interleave the channels of ``groups`` groups."""

    _arg = "groups"
    _fn = staticmethod(F.channel_shuffle)


class Unfold(Module):
    """Sliding blocks as columns: ``(N, C, H, W)`` -> ``(N, C kH kW, L)`` (:func:`nn.functional.unfold`)."""

    def __init__(self, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        self.kernel_size, self.dilation, self.padding, self.stride = kernel_size, dilation, padding, stride

    def forward(self, input):
        return F.unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, dilation={self.dilation}, padding={self.padding}, "
                f"stride={self.stride}")


class Fold(Module):
    """Columns summed back into an image: ``(N, C kH kW, L)`` -> ``(N, C, *output_size)``."""

    def __init__(self, output_size, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        self.output_size = output_size
        self.kernel_size, self.dilation, self.padding, self.stride = kernel_size, dilation, padding, stride

    def forward(self, input):
        return F.fold(input, self.output_size, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self):
        return (f"output_size={self.output_size}, kernel_size={self.kernel_size}, dilation={self.dilation}, "
                f"padding={self.padding}, stride={self.stride}")
