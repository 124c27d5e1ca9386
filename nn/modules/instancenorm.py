"""Instance normalization (``InstanceNorm1d/2d/3d``) and ``LocalResponseNorm``."""
from __future__ import annotations

import warnings

from .. import functional as F
from .batchnorm import _NormBase
from .module import Module

__all__ = ["InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d", "LocalResponseNorm"]


class _InstanceNorm(_NormBase):
    """Instance norms: ``_NormBase`` with ``affine`` and ``track_running_stats`` off by default."""

    _no_batch_dim = 2

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=False, track_running_stats=False,
                 device=None, dtype=None, *, bias=True):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype, bias=bias)

    def _check_input_dim(self, input):
        d = self._no_batch_dim
        if input.ndim not in (d, d + 1):
            raise ValueError(f"expected {d}D or {d + 1}D input (got {input.ndim}D input)")

    def forward(self, input):
        self._check_input_dim(input)
        feature_dim = input.ndim - self._no_batch_dim
        if input.shape[feature_dim] != self.num_features:
            if self.affine:
                raise ValueError(f"expected input's size at dim={feature_dim} to match num_features "
                                 f"({self.num_features}), but got: {input.shape[feature_dim]}.")
            warnings.warn(f"input's size at dim={feature_dim} does not match num_features. You can silence "
                          "this warning by not passing in num_features, which is not used because "
                          "affine=False", stacklevel=2)
        unbatched = input.ndim == self._no_batch_dim
        x = input.unsqueeze(0) if unbatched else input
        # as PyTorch: num_batches_tracked is never counted and momentum=None means 0
        y = F.instance_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                            self.training or not self.track_running_stats,
                            self.momentum if self.momentum is not None else 0.0, self.eps)
        return y.squeeze(0) if unbatched else y


class InstanceNorm1d(_InstanceNorm):
    """Instance normalization over ``(N, C, L)`` or unbatched ``(C, L)``: see :func:`F.instance_norm`.

    Args:
        num_features: ``C``.
        eps: added to the variance. Default: 1e-5.
        momentum: running-average factor (None counts as 0). Default: 0.1.
        affine: learn per-channel ``weight`` (ones) and ``bias`` (zeros). Default: False.
        track_running_stats: keep ``running_mean``/``running_var`` (averaged over the batch)
            and use them in eval mode. Default: False.

    Example::

        >>> nn.InstanceNorm1d(3, affine=True)(ag.randn(2, 3, 5)).shape
        (2, 3, 5)
    """


class InstanceNorm2d(_InstanceNorm):
    """Instance normalization over ``(N, C, H, W)`` or unbatched ``(C, H, W)`` (see ``InstanceNorm1d``)."""

    _no_batch_dim = 3


class InstanceNorm3d(_InstanceNorm):
    """Instance normalization over ``(N, C, D, H, W)`` or unbatched ``(C, D, H, W)`` (see above)."""

    _no_batch_dim = 4


class LocalResponseNorm(Module):
    """Local response normalization across channels: see :func:`nn.functional.local_response_norm`.

    Args:
        size: number of neighbouring channels summed.
        alpha: multiplicative factor. Default: 1e-4.
        beta: exponent. Default: 0.75.
        k: additive factor. Default: 1.

    Example::

        >>> nn.LocalResponseNorm(2)(ag.randn(2, 4, 3, 3)).shape
        (2, 4, 3, 3)
    """

    def __init__(self, size, alpha=1e-4, beta=0.75, k=1.0):
        super().__init__()
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    def forward(self, input):
        return F.local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self):
        return "{size}, alpha={alpha}, beta={beta}, k={k}".format(**self.__dict__)
