"""Batch normalization: ``BatchNorm1d``, ``BatchNorm2d``, ``BatchNorm3d``."""
from __future__ import annotations

import autograd as ag
from autograd.grad_mode import no_grad

from .. import functional as F
from .module import Module
from .normalization import _affine_parameters, _reset_affine

__all__ = ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d"]


class _NormBase(Module):
    """Parameters and running-statistics buffers shared by the batch norms (PyTorch's ``_NormBase``)."""

    _version = 2  # version 2 added num_batches_tracked

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
                 device=None, dtype=None, *, bias=True):
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        _affine_parameters(self, affine, bias, (num_features,), device, dtype)
        if track_running_stats:
            self.register_buffer("running_mean", ag.zeros(num_features, device=device, dtype=dtype))
            self.register_buffer("running_var", ag.ones(num_features, device=device, dtype=dtype))
            self.register_buffer("num_batches_tracked", ag.tensor(0, dtype=ag.int64, device=device))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys,
                              unexpected_keys, error_msgs):
        # a checkpoint from before version 2 (or a dict without versions) may lack num_batches_tracked:
        # the current value is kept, as PyTorch
        key = prefix + "num_batches_tracked"
        version = local_metadata.get("version")
        if (version is None or version < 2) and self.track_running_stats and key not in state_dict:
            state_dict[key] = self.num_batches_tracked
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys,
                                      unexpected_keys, error_msgs)

    def reset_running_stats(self):
        if self.track_running_stats:
            with no_grad():
                self.running_mean.zero_()
                self.running_var.fill_(1)
                self.num_batches_tracked.zero_()

    def reset_parameters(self):
        self.reset_running_stats()
        _reset_affine(self)

    def _check_input_dim(self, input):
        raise NotImplementedError

    def extra_repr(self):
        return ("{num_features}, eps={eps}, momentum={momentum}, affine={affine}, bias={use_bias}, "
                "track_running_stats={track_running_stats}").format(**self.__dict__,
                                                                     use_bias=self.bias is not None)


class _BatchNorm(_NormBase):
    def forward(self, input):
        self._check_input_dim(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            with no_grad():
                self.num_batches_tracked.add_(1)
            if self.momentum is None:  # cumulative moving average
                factor = 1.0 / float(self.num_batches_tracked.item())
        bn_training = self.training or (self.running_mean is None and self.running_var is None)
        use_running = not self.training or self.track_running_stats
        return self._batch_norm(input, self.running_mean if use_running else None,
                                self.running_var if use_running else None, bn_training, factor)

    def _batch_norm(self, input, running_mean, running_var, bn_training, factor):
        """The normalization itself, once the running statistics to use are chosen (``SyncBatchNorm``
        replaces it by one over the combined batch of the ranks)."""
        return F.batch_norm(input, running_mean, running_var, self.weight, self.bias, bn_training,
                            factor, self.eps)


class BatchNorm1d(_BatchNorm):
    """Batch normalization over ``(N, C)`` or ``(N, C, L)``: see :func:`nn.functional.batch_norm`.

    Args:
        num_features: ``C``.
        eps: added to the variance. Default: 1e-5.
        momentum: running-average factor; None for a cumulative moving average. Default: 0.1.
        affine: learn ``weight`` (ones) and ``bias`` (zeros). Default: True.
        bias: (keyword) learn ``bias`` when ``affine``. Default: True.
        track_running_stats: keep ``running_mean``/``running_var``/``num_batches_tracked``
            buffers and use them in eval mode. Default: True.

    Example::

        >>> bn = nn.BatchNorm1d(3)
        >>> bn(ag.randn(8, 3)).shape
        (8, 3)
    """

    def _check_input_dim(self, input):
        if input.ndim not in (2, 3):
            raise ValueError(f"expected 2D or 3D input (got {input.ndim}D input)")


class BatchNorm2d(_BatchNorm):
    """Batch normalization over ``(N, C, H, W)`` (see :class:`BatchNorm1d`)."""

    def _check_input_dim(self, input):
        if input.ndim != 4:
            raise ValueError(f"expected 4D input (got {input.ndim}D input)")


class BatchNorm3d(_BatchNorm):
    """Batch normalization over ``(N, C, D, H, W)`` (see :class:`BatchNorm1d`)."""

    def _check_input_dim(self, input):
        if input.ndim != 5:
            raise ValueError(f"expected 5D input (got {input.ndim}D input)")
