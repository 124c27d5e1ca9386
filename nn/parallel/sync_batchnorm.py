"""``SyncBatchNorm``: batch normalization over the combined batch of all ranks of a process group."""
from __future__ import annotations

import autograd as ag
from autograd import distributed as dist
from autograd.grad_mode import no_grad

from .. import functional as F
from ..modules.batchnorm import _BatchNorm

__all__ = ["SyncBatchNorm"]


class SyncBatchNorm(_BatchNorm):
    """Batch normalization whose batch statistics are those of every rank's batch together.

    In training under an initialised process group of more than one rank, each
    rank sums its input and its squares per channel and counts its values; one
    all-reduce of ``(sum, sum of squares, count)`` (in float64) gives every rank
    the mean and biased variance of the combined batch, which normalize the input
    and update the running statistics (unbiased variance) exactly as
    :class:`BatchNorm2d` would on the combined batch. That all-reduce is recorded
    in the graph (:func:`autograd.distributed.nn.all_reduce`), so backward
    all-reduces the gradients of the two sums, as PyTorch's SyncBatchNorm: each
    input's gradient is that of the combined batch. Without a process group, with
    one rank, or in eval mode it is plain batch normalization.

    Takes inputs of any ``(N, C, *)`` shape. Unlike PyTorch, cpu tensors are
    synchronised too (through MPI).

    Args:
        num_features: ``C``.
        eps, momentum, affine, track_running_stats: as :class:`BatchNorm1d`.
        process_group: the ranks whose batches are combined (default: the default group).

    Example::

        >>> model = nn.SyncBatchNorm.convert_sync_batchnorm(model)   # doctest: +SKIP
        >>> ddp = nn.parallel.DistributedDataParallel(model)           # doctest: +SKIP
    """

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
                 process_group=None, device=None, dtype=None, *, bias=True):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype,
                         bias=bias)
        self.process_group = process_group

    def _check_input_dim(self, input):
        if input.ndim < 2:
            raise ValueError(f"expected at least 2D input (got {input.ndim}D input)")
        if input.shape[1] == 0:
            raise ValueError("SyncBatchNorm number of input channels should be non-zero")

    def _group(self):
        """The process group to synchronise over, or None when there is nothing to synchronise."""
        if not (self.training and dist.is_initialized()):
            return None
        group = dist.group.resolve(self.process_group)
        return group if group.size() > 1 else None

    def _batch_norm(self, input, running_mean, running_var, bn_training, factor):
        group = self._group() if bn_training else None
        if group is None:
            return super()._batch_norm(input, running_mean, running_var, bn_training, factor)
        from autograd.distributed import nn as dist_nn

        c = input.shape[1]
        dims = (0,) + tuple(range(2, input.ndim))
        wide = input.to(ag.float64)  # E[x^2] - E[x]^2 cancels: the sums are taken in float64
        local = ag.cat([wide.sum(dim=dims), (wide * wide).sum(dim=dims),
                        ag.full((1,), input.numel() // c, dtype=ag.float64, device=input.device)])
        total = dist_nn.all_reduce(local, group=group)
        n = total[2 * c].item()
        if n <= 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size "
                             f"{tuple(input.shape)} on this rank and {int(n)} values per channel in all")
        mean = total[:c] / n
        var = (total[c:2 * c] / n - mean * mean).clamp(min=0)
        if running_mean is not None and running_var is not None:
            with no_grad():
                running_mean.mul_(1 - factor).add_(mean.detach().to(running_mean.dtype) * factor)
                unbiased = var.detach() * (n / (n - 1))
                running_var.mul_(1 - factor).add_(unbiased.to(running_var.dtype) * factor)
        work = ag.float32 if input.dtype == ag.float16 else input.dtype  # as BatchNorm: half in float32
        # normalizing by given statistics is batch_norm's evaluation path; the statistics carry the graph
        y = F.batch_norm(input.to(work), mean.to(work), var.to(work), self.weight, self.bias, False, 0.0,
                         self.eps)
        return y.to(input.dtype)

    @classmethod
    def convert_sync_batchnorm(cls, module, process_group=None):
        """``module`` with every ``BatchNorm*D`` layer replaced by a :class:`SyncBatchNorm` that keeps its
        parameters, buffers and training flag (the same objects, as PyTorch's).

        Example::

            >>> net = nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4))
            >>> nn.SyncBatchNorm.convert_sync_batchnorm(net)[1]
            SyncBatchNorm(4, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
        """
        out = module
        if isinstance(module, _BatchNorm):
            out = cls(module.num_features, module.eps, module.momentum, module.affine,
                      module.track_running_stats, process_group)
            if module.affine:
                out.weight, out.bias = module.weight, module.bias
            out.running_mean = module.running_mean
            out.running_var = module.running_var
            out.num_batches_tracked = module.num_batches_tracked
            out.training = module.training
            if hasattr(module, "qconfig"):
                out.qconfig = module.qconfig
        for name, child in module.named_children():
            out.add_module(name, cls.convert_sync_batchnorm(child, process_group))
        return out
