"""Stochastic Weight Averaging and EMA, as ``torch.optim.swa_utils``: AveragedModel, SWALR, update_bn."""
from __future__ import annotations

import copy
import itertools
import math
import warnings

import autograd as ag
import nn
from nn.modules.batchnorm import _BatchNorm

from .lr_scheduler.base import LRScheduler, _format_param

__all__ = ["AveragedModel", "update_bn", "SWALR", "get_ema_multi_avg_fn", "get_swa_multi_avg_fn",
           "get_ema_avg_fn", "get_swa_avg_fn"]


def _lerp_(averaged, current, weight):
    """``averaged += weight * (current - averaged)`` in place, as PyTorch's CPU lerp kernel.

    That kernel computes ``base + coeff * (current - averaged)`` in one fused
    multiply-add (``base, coeff = averaged, w`` for ``|w| < 0.5``, else
    ``current, w - 1``); half and single precision get it exactly from a
    float64 product, rounded once.
    """
    a, b = averaged._data, current._data
    small = abs(weight) < 0.5
    coeff = a.dtype.type(weight) - (0 if small else a.dtype.type(1))
    base, diff = (a if small else b), b - a
    wide = averaged.device.xp.float64 if a.dtype.itemsize < 8 else a.dtype.type
    a[...] = (base.astype(wide) + wide(coeff) * diff.astype(wide)).astype(a.dtype)


def _assign_(dst, src):
    """``dst.copy_(src)`` on the arrays, casting as PyTorch's copy_ (a float into an integer truncates)."""
    dst._data[...] = src._data.astype(dst._data.dtype)


def _check_decay(decay):
    if decay < 0.0 or decay > 1.0:
        raise ValueError(f"Invalid decay value {decay} provided. Please provide a value in [0,1] range.")


def get_ema_multi_avg_fn(decay=0.999):
    """In-place exponential moving average of lists of tensors: ``ema = decay * ema + (1 - decay) * p``."""
    _check_decay(decay)

    def ema_update(ema_param_list, current_param_list, _):
        with ag.no_grad():
            for p_ema, p_model in zip(ema_param_list, current_param_list, strict=True):
                if p_ema.is_floating_point():
                    _lerp_(p_ema, p_model, 1 - decay)
                else:
                    _assign_(p_ema, p_ema * decay + p_model * (1 - decay))
    return ema_update


def get_swa_multi_avg_fn():
    """An in-place running (equal-weight) average over lists of tensors."""

    def swa_update(averaged_param_list, current_param_list, num_averaged):
        with ag.no_grad():
            n = int(num_averaged)
            for p_avg, p_model in zip(averaged_param_list, current_param_list, strict=True):
                if p_avg.is_floating_point():
                    _lerp_(p_avg, p_model, 1 / (n + 1))
                else:
                    _assign_(p_avg, p_avg + (p_model - p_avg) * (1.0 / (n + 1)))
    return swa_update


def get_ema_avg_fn(decay=0.999):
    """The exponential moving average of one tensor: ``decay * ema + (1 - decay) * p``."""
    _check_decay(decay)

    def ema_update(ema_param, current_param, num_averaged):
        with ag.no_grad():
            return decay * ema_param + (1 - decay) * current_param
    return ema_update


def get_swa_avg_fn():
    """The running average of one tensor: ``avg + (p - avg) / (num_averaged + 1)``."""

    def swa_update(averaged_param, current_param, num_averaged):
        with ag.no_grad():
            return averaged_param + (current_param - averaged_param) / (num_averaged + 1)
    return swa_update


class AveragedModel(nn.Module):
    """A copy of ``model`` whose parameters are a running average (SWA) or an EMA of ``model``'s.

    Args:
        model (Module): the model to average (deep-copied).
        device (str, optional): where to keep the average.
        avg_fn (callable, optional): ``avg_fn(averaged, current, num_averaged) -> new averaged``, per tensor.
        multi_avg_fn (callable, optional): ``multi_avg_fn(averaged_list, current_list, num_averaged)``
            updating in place (e.g. :func:`get_ema_multi_avg_fn`). Default: the equal-weight average.
        use_buffers (bool): average the buffers too (else copy them from ``model``) (default: False).

    Example::

        >>> ema = AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(0.99))  # doctest: +SKIP
        >>> ema.update_parameters(model)  # doctest: +SKIP
    """

    def __init__(self, model, device=None, avg_fn=None, multi_avg_fn=None, use_buffers=False):
        super().__init__()
        if avg_fn is not None and multi_avg_fn is not None:
            raise AssertionError("Only one of avg_fn and multi_avg_fn should be provided")
        self.module = copy.deepcopy(model)
        if device is not None:
            self.module = self.module.to(device)
        self.register_buffer("n_averaged", ag.tensor(0, dtype=ag.int64, device=device))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers

    def forward(self, *args, **kwargs):
        return self.module(*args, **kwargs)

    def update_parameters(self, model):
        """Fold ``model``'s current parameters (and buffers, with ``use_buffers``) into the average."""
        if self.use_buffers:
            ours = list(itertools.chain(self.module.parameters(), self.module.buffers()))
            theirs = list(itertools.chain(model.parameters(), model.buffers()))
        else:
            ours, theirs = list(self.parameters()), list(model.parameters())
        ours = [p.detach() for p in ours]
        theirs = [p.detach().to(a.device) for a, p in zip(ours, theirs)]
        first = int(self.n_averaged) == 0
        with ag.no_grad():
            if first:
                for a, p in zip(ours, theirs):
                    _assign_(a, p)
            elif self.avg_fn is None:
                (self.multi_avg_fn or _default_multi_avg)(ours, theirs, self.n_averaged)
            else:
                for a, p in zip(ours, theirs):
                    _assign_(a, self.avg_fn(a, p, self.n_averaged))
            if not self.use_buffers:  # the buffers follow the model's (update_bn recomputes BatchNorm's)
                for b_avg, b_model in zip(self.module.buffers(), model.buffers(), strict=True):
                    _assign_(b_avg, b_model.detach().to(b_avg.device))
            self.n_averaged += 1


def _default_multi_avg(averaged, current, num_averaged):
    # PyTorch's CPU path: per tensor, avg + (p - avg) / (n + 1) (its foreach lerp runs on CUDA only)
    fn = get_swa_avg_fn()
    for a, p in zip(averaged, current):
        _assign_(a, fn(a, p, num_averaged))


def update_bn(loader, model, device=None):
    """Recompute the BatchNorm running statistics of ``model`` with one pass over ``loader``.

    The statistics are reset and averaged with equal weights (``momentum=None``)
    over the batches; each batch is the loader's item (or its first element).

    Args:
        loader (iterable): batches of inputs.
        model (Module): the model (e.g. an :class:`AveragedModel`).
        device (str, optional): where to move each batch.
    """
    momenta = {}
    for module in model.modules():
        if isinstance(module, _BatchNorm):
            module.reset_running_stats()
            momenta[module] = module.momentum
    if not momenta:
        return
    was_training = model.training
    model.train()
    for module in momenta:
        module.momentum = None
    with ag.no_grad():
        for batch in loader:
            if isinstance(batch, (list, tuple)):
                batch = batch[0]
            if device is not None:
                batch = batch.to(device)
            model(batch)
    for module, momentum in momenta.items():
        module.momentum = momentum
    model.train(was_training)


class SWALR(LRScheduler):
    """Anneal each group's lr to its ``swa_lr`` over ``anneal_epochs`` epochs, then hold it (for SWA).

    Args:
        optimizer (Optimizer): wrapped optimizer.
        swa_lr (float or list): the SWA learning rate(s), one per group or shared.
        anneal_epochs (int): epochs of the annealing (default: 10).
        anneal_strategy (str): ``"cos"`` or ``"linear"`` (default: ``"cos"``).
        last_epoch (int): the index of the last epoch (default: -1).
    """

    def __init__(self, optimizer, swa_lr, anneal_epochs=10, anneal_strategy="cos", last_epoch=-1):
        for lr, group in zip(_format_param("swa_lr", optimizer, swa_lr), optimizer.param_groups):
            group["swa_lr"] = lr
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(
                f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}")
        self._set_anneal_func(anneal_strategy)
        if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got {anneal_epochs}")
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)

    @staticmethod
    def _linear_anneal(t):
        return t

    @staticmethod
    def _cosine_anneal(t):
        return (1 - math.cos(math.pi * t)) / 2

    @staticmethod
    def _get_initial_lr(lr, swa_lr, alpha):
        if alpha == 1:
            return swa_lr
        return (lr - alpha * swa_lr) / (1 - alpha)

    def get_lr(self):
        if not self._get_lr_called_within_step:
            warnings.warn("To get the last learning rate computed by the scheduler, please use "
                          "`get_last_lr()`.", UserWarning, stacklevel=2)
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        groups = self.optimizer.param_groups
        # recover the lr the annealing started from, then move along the annealing curve (chainable form)
        prev_alpha = self.anneal_func(max(0, min(1, (step - 1) / max(1, self.anneal_epochs))))
        prev_lrs = [self._get_initial_lr(g["lr"], g["swa_lr"], prev_alpha) for g in groups]
        alpha = self.anneal_func(max(0, min(1, step / max(1, self.anneal_epochs))))
        return [g["swa_lr"] * alpha + lr * (1 - alpha) for g, lr in zip(groups, prev_lrs)]

    def _set_anneal_func(self, anneal_strategy):
        self._anneal_strategy = anneal_strategy
        self.anneal_func = self._cosine_anneal if anneal_strategy == "cos" else self._linear_anneal

    def state_dict(self):
        """The state without the annealing function."""
        return {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "anneal_func")}

    def load_state_dict(self, state_dict):
        self.__dict__.update(state_dict)
        self._set_anneal_func(self._anneal_strategy)
