"""``LayerNorm``, ``GroupNorm`` and ``RMSNorm``."""
from __future__ import annotations

import numbers

import autograd as ag

from .. import functional as F
from .. import init
from ..parameter import Parameter
from .module import Module

__all__ = ["LayerNorm", "GroupNorm", "RMSNorm"]


def _affine_parameters(module, affine, bias, shape, device, dtype):
    """Register ``weight`` and (with ``bias``) ``bias`` of ``shape`` when ``affine``, else both as None."""
    if affine:
        module.weight = Parameter(ag.empty(*shape, device=device, dtype=dtype))
        if bias:
            module.bias = Parameter(ag.empty(*shape, device=device, dtype=dtype))
        else:
            module.register_parameter("bias", None)
    else:
        module.register_parameter("weight", None)
        module.register_parameter("bias", None)


def _reset_affine(module):
    """The norms' affine initialisation: ``weight`` ones, ``bias`` zeros (where present)."""
    if module.weight is not None:
        init.ones_(module.weight)
    if module.bias is not None:
        init.zeros_(module.bias)


def _normalized(module, normalized_shape, eps, elementwise_affine):
    """The attributes LayerNorm and RMSNorm share (an int shape is a 1-tuple)."""
    if isinstance(normalized_shape, numbers.Integral):
        normalized_shape = (int(normalized_shape),)
    module.normalized_shape = tuple(normalized_shape)
    module.eps = eps
    module.elementwise_affine = elementwise_affine


class LayerNorm(Module):
    """Layer normalization over the trailing ``normalized_shape``: see :func:`nn.functional.layer_norm`.

    Args:
        normalized_shape: int or tuple.
        eps: added to the variance. Default: 1e-5.
        elementwise_affine: learn ``weight`` (ones) and, with ``bias``, ``bias`` (zeros).
        bias: learn the additive bias (when ``elementwise_affine``). Default: True.

    Example::

        >>> nn.LayerNorm(4)(ag.randn(2, 3, 4)).shape
        (2, 3, 4)
    """

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True, device=None,
                 dtype=None):
        super().__init__()
        _normalized(self, normalized_shape, eps, elementwise_affine)
        _affine_parameters(self, elementwise_affine, bias, self.normalized_shape, device, dtype)
        self.reset_parameters()

    def reset_parameters(self):
        _reset_affine(self)

    def forward(self, input):
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return ("{normalized_shape}, eps={eps}, elementwise_affine={elementwise_affine}, "
                "bias={use_bias}").format(**self.__dict__, use_bias=self.bias is not None)


class GroupNorm(Module):
    """Group normalization: see :func:`nn.functional.group_norm`.

    Args:
        num_groups: groups the channels are split into (must divide ``num_channels``).
        num_channels: ``C``.
        eps: added to the variance. Default: 1e-5.
        affine: learn per-channel ``weight`` (ones) and ``bias`` (zeros). Default: True.
        bias: (keyword) learn ``bias`` when ``affine``. Default: True.
    """

    def __init__(self, num_groups, num_channels, eps=1e-5, affine=True, device=None, dtype=None, *,
                 bias=True):
        super().__init__()
        if num_channels % num_groups != 0:
            raise ValueError("num_channels must be divisible by num_groups")
        self.num_groups = num_groups
        self.num_channels = num_channels
        self.eps = eps
        self.affine = affine
        _affine_parameters(self, affine, bias, (num_channels,), device, dtype)
        self.reset_parameters()

    def reset_parameters(self):
        _reset_affine(self)

    def forward(self, input):
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return ("{num_groups}, {num_channels}, eps={eps}, affine={affine}, "
                "bias={use_bias}").format(**self.__dict__, use_bias=self.bias is not None)


class RMSNorm(Module):
    """Root mean square normalization over the trailing ``normalized_shape``: see
    :func:`nn.functional.rms_norm`.

    Args:
        normalized_shape: int or tuple.
        eps: added to the mean square. Default: ``None`` (the machine epsilon of the
            computation dtype).
        elementwise_affine: learn a ``weight`` (ones). Default: True.

    Example::

        >>> nn.RMSNorm([2, 3])(ag.randn(4, 2, 3)).shape
        (4, 2, 3)
    """

    def __init__(self, normalized_shape, eps=None, elementwise_affine=True, device=None, dtype=None):
        super().__init__()
        _normalized(self, normalized_shape, eps, elementwise_affine)
        if elementwise_affine:
            self.weight = Parameter(ag.empty(*self.normalized_shape, device=device, dtype=dtype))
        else:
            self.register_parameter("weight", None)
        self.reset_parameters()

    def reset_parameters(self):
        if self.weight is not None:
            init.ones_(self.weight)

    def forward(self, input):
        return F.rms_norm(input, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self):
        return ("{normalized_shape}, eps={eps}, "
                "elementwise_affine={elementwise_affine}").format(**self.__dict__)
