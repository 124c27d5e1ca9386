"""Convolution layers: ``Conv1d``, ``Conv2d``, ``Conv3d``, ``ConvTranspose1d``, ``ConvTranspose2d``."""
from __future__ import annotations


import autograd as ag

from .. import functional as F
from ..parameter import Parameter
from .linear import _kaiming_default_
from .module import Module

__all__ = ["Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d"]


def _ntuple(value, n):
    if isinstance(value, (tuple, list)):
        return tuple(value) if len(value) != 1 else tuple(value) * n
    return (value,) * n


class _ConvNd(Module):
    """Shared state of convolution layers (PyTorch's ``_ConvNd``)."""

    _nd = 2

    def __init__(self, in_channels, out_channels, kernel_size, stride, padding, dilation, transposed,
                 output_padding, groups, bias, padding_mode, device=None, dtype=None):
        super().__init__()
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(f"Invalid padding string {padding!r}, should be one of ['valid', 'same']")
            if padding == "same" and any(s != 1 for s in stride):
                raise ValueError("padding='same' is not supported for strided convolutions")
        modes = ("zeros", "reflect", "replicate", "circular")
        if padding_mode not in modes:
            raise ValueError(f"padding_mode must be one of {set(modes)}, but got "
                             f"padding_mode='{padding_mode}'")
        if transposed and padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {type(self).__name__}')
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = kernel_size
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.transposed = transposed
        self.output_padding = output_padding
        self.groups = groups
        self.padding_mode = padding_mode
        if transposed:
            shape = (in_channels, out_channels // groups, *kernel_size)
        else:
            shape = (out_channels, in_channels // groups, *kernel_size)
        self.weight = Parameter(ag.empty(*shape, device=device, dtype=dtype))
        if bias:
            self.bias = Parameter(ag.empty(out_channels, device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        """PyTorch's default: kaiming_uniform_(a=sqrt(5)); bias U(-1/sqrt(fan_in), 1/sqrt(fan_in))."""
        _kaiming_default_(self.weight, self.bias)

    def extra_repr(self):
        s = "{in_channels}, {out_channels}, kernel_size={kernel_size}, stride={stride}"
        if self.padding != (0,) * len(self.padding):
            s += ", padding={padding}"
        if self.dilation != (1,) * len(self.dilation):
            s += ", dilation={dilation}"
        if self.output_padding != (0,) * len(self.output_padding):
            s += ", output_padding={output_padding}"
        if self.groups != 1:
            s += ", groups={groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += ", padding_mode={padding_mode}"
        return s.format(**self.__dict__)


class _Conv(_ConvNd):
    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode="zeros", device=None, dtype=None):
        n = self._nd
        padding = padding if isinstance(padding, str) else _ntuple(padding, n)
        super().__init__(in_channels, out_channels, _ntuple(kernel_size, n), _ntuple(stride, n), padding,
                         _ntuple(dilation, n), False, _ntuple(0, n), groups, bias, padding_mode,
                         device=device, dtype=dtype)

    def forward(self, input):
        if self.padding_mode != "zeros":  # pad with the mode first, then convolve without padding
            input = F.pad(input, self._reversed_padding_repeated_twice(), mode=self.padding_mode)
            return self._conv(input, self.weight, self.bias, self.stride, 0, self.dilation, self.groups)
        return self._conv(input, self.weight, self.bias, self.stride, self.padding, self.dilation,
                          self.groups)

    def _reversed_padding_repeated_twice(self):
        """``F.pad``'s widths (last dimension first) for this layer's padding."""
        return tuple(w for pair in reversed(self._padding_tuple()) for w in pair)

    def _padding_tuple(self):
        if self.padding == "valid":
            return [(0, 0)] * self._nd
        if self.padding == "same":
            return [(d * (k - 1) // 2, d * (k - 1) - d * (k - 1) // 2)
                    for k, d in zip(self.kernel_size, self.dilation)]
        return [(p, p) for p in self.padding]


class Conv1d(_Conv):
    """1-D convolution over ``(N, C_in, L)``: see :func:`nn.functional.conv1d`.

    Args:
        in_channels, out_channels: channel counts.
        kernel_size, stride, dilation: int or 1-tuple.
        padding: int, 1-tuple, ``"valid"`` or ``"same"``.
        groups: independent channel groups.
        bias: learn an additive bias.

    Example::

        >>> nn.Conv1d(4, 8, 3)(ag.ones(2, 4, 10)).shape
        (2, 8, 8)
    """

    _nd = 1
    _conv = staticmethod(F.conv1d)


class Conv2d(_Conv):
    """2-D convolution over ``(N, C_in, H, W)``: see :func:`nn.functional.conv2d`.

    Weight ``(out_channels, in_channels / groups, kH, kW)``, bias ``(out_channels,)``.

    Example::

        >>> conv = nn.Conv2d(3, 6, 5, padding="same")
        >>> conv(ag.ones(1, 3, 28, 28)).shape
        (1, 6, 28, 28)
    """

    _nd = 2
    _conv = staticmethod(F.conv2d)


class Conv3d(_Conv):
    """3-D convolution over ``(N, C_in, D, H, W)``."""

    _nd = 3
    _conv = staticmethod(F.conv3d)


class _ConvTransposeNd(_ConvNd):
    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0,
                 groups=1, bias=True, dilation=1, padding_mode="zeros", device=None, dtype=None):
        n = self._nd
        if isinstance(padding, str):
            raise ValueError(f"padding {padding!r} is not supported by {type(self).__name__}")
        super().__init__(in_channels, out_channels, _ntuple(kernel_size, n), _ntuple(stride, n),
                         _ntuple(padding, n), _ntuple(dilation, n), True, _ntuple(output_padding, n),
                         groups, bias, padding_mode, device=device, dtype=dtype)

    def _output_padding(self, input, output_size):
        """The output_padding that gives ``output_size`` (as PyTorch's ``_output_padding``)."""
        if output_size is None:
            return self.output_padding
        n = self._nd
        output_size = tuple(output_size)[-n:]
        spatial = input.shape[input.ndim - n:]
        result = []
        for i in range(n):
            lo = ((spatial[i] - 1) * self.stride[i] - 2 * self.padding[i]
                  + self.dilation[i] * (self.kernel_size[i] - 1) + 1)
            hi = lo + self.stride[i] - 1
            if not lo <= output_size[i] <= hi:
                raise ValueError(
                    f"requested an output size of {output_size}, but valid sizes range from {lo} to {hi} "
                    f"(for an input of {tuple(spatial)})")
            result.append(output_size[i] - lo)
        return tuple(result)

    def forward(self, input, output_size=None):
        op = self._output_padding(input, output_size)
        return self._conv(input, self.weight, self.bias, self.stride, self.padding, op, self.groups,
                          self.dilation)


class ConvTranspose1d(_ConvTransposeNd):
    """1-D transposed convolution: see :func:`nn.functional.conv_transpose1d`."""

    _nd = 1
    _conv = staticmethod(F.conv_transpose1d)


class ConvTranspose2d(_ConvTransposeNd):
    """2-D transposed convolution: see :func:`nn.functional.conv_transpose2d`.

    Weight ``(in_channels, out_channels / groups, kH, kW)``. ``forward(input,
    output_size=None)``: ``output_size`` picks the output padding.

    Example::

        >>> up = nn.ConvTranspose2d(4, 2, 3, stride=2, padding=1, output_padding=1)
        >>> up(ag.ones(1, 4, 5, 5)).shape
        (1, 2, 10, 10)
    """

    _nd = 2
    _conv = staticmethod(F.conv_transpose2d)


class ConvTranspose3d(_ConvTransposeNd):
    """3-D transposed convolution: see :func:`nn.functional.conv_transpose3d`.

    Weight ``(in_channels, out_channels / groups, kD, kH, kW)``. ``forward(input,
    output_size=None)``: ``output_size`` picks the output padding.

    Example::

        >>> up = nn.ConvTranspose3d(2, 3, 3, stride=2, padding=1, output_padding=1)
        >>> up(ag.ones(1, 2, 3, 4, 5)).shape
        (1, 3, 6, 8, 10)
    """

    _nd = 3
    _conv = staticmethod(F.conv_transpose3d)
