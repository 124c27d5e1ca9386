"""``LRScheduler``, the base class of the learning-rate schedulers, and their shared argument checks."""
from __future__ import annotations

import functools
import warnings
import weakref

from autograd.tensor import Tensor

from ..optimizer import Optimizer

__all__ = ["LRScheduler"]


def _check_optimizer(optimizer):
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")


def _format_param(name, optimizer, value):
    """One value per param group (a list of that length, or a single value repeated)."""
    if isinstance(value, (list, tuple)):
        if len(value) != len(optimizer.param_groups):
            raise ValueError(f"{name} must have the same length as optimizer.param_groups. {name} has "
                             f"{len(value)} values, param_groups has {len(optimizer.param_groups)}.")
        return [_copy(v) for v in value]
    return [_copy(value) for _ in optimizer.param_groups]


def _copy(value):
    """A Tensor hyperparameter cloned (never aliased), anything else as is."""
    return value.clone() if isinstance(value, Tensor) else value


def _set_group_value(group, key, value):
    """``group[key] = value``; a Tensor there is filled in place (it stays the same tensor, as PyTorch)."""
    if isinstance(group[key], Tensor):
        group[key].fill_(value.item() if isinstance(value, Tensor) else value)
    else:
        group[key] = value


def _group_values(optimizer, key):
    """Each group's ``key``, Tensors cloned so that changing them never changes the groups."""
    return [_copy(group[key]) for group in optimizer.param_groups]


def _uses_beta1(optimizer):
    """Whether momentum cycling (OneCycleLR, CyclicLR) drives ``betas[0]`` (else ``momentum``)."""
    if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
        raise ValueError("optimizer must support momentum or beta1 with `cycle_momentum` option enabled")
    return "betas" in optimizer.defaults


def _set_momentum(group, value, use_beta1):
    if use_beta1:
        group["betas"] = (value, *group["betas"][1:])
    else:
        group["momentum"] = value


def _track_step_called(optimizer):
    """Wrap ``optimizer.step`` (on this instance) to record that it ran, as PyTorch's schedulers do.

    ``LRScheduler.step`` reads the mark to warn when it is called before the
    optimizer's first step.
    """
    if getattr(optimizer.step, "_wrapped_by_lr_sched", False):
        return
    opt_ref = weakref.ref(optimizer)
    func = optimizer.step.__func__

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        opt = opt_ref()
        opt._opt_called = True
        return func.__get__(opt, type(opt))(*args, **kwargs)

    wrapper._wrapped_by_lr_sched = True
    optimizer.step = wrapper


class LRScheduler:
    """Base class of the learning-rate schedulers.

    Args:
        optimizer (Optimizer): the optimizer whose learning rates are scheduled.
        last_epoch (int): the index of the last epoch; ``-1`` (default) starts a
            new schedule (and records each group's ``initial_lr``), another value
            resumes one (the groups must hold ``initial_lr`` already).

    Attributes:
        base_lrs (list): each group's ``initial_lr``.
        last_epoch (int): the number of ``step()`` calls, minus one.
    """

    _get_lr_called_within_step = False
    _is_initial = False

    def __init__(self, optimizer, last_epoch=-1):
        _check_optimizer(optimizer)
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", _copy(group["lr"]))
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(f"param 'initial_lr' is not specified in param_groups[{i}] when resuming "
                                   "scheduler with last_epoch >= 0; load the optimizer's state first")
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        _track_step_called(optimizer)
        self._initial_step()

    def _initial_step(self):
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def state_dict(self):
        """The scheduler's state: every attribute except the optimizer (as PyTorch)."""
        return {key: value for key, value in self.__dict__.items() if key != "optimizer"}

    def load_state_dict(self, state_dict):
        """Load the scheduler's state from ``state_dict()``'s output."""
        self.__dict__.update(state_dict)

    def get_last_lr(self):
        """The learning rates of the last ``step()``, one per param group."""
        return self._last_lr

    def get_lr(self):
        """The learning rates for the current ``last_epoch`` (what subclasses define)."""
        raise NotImplementedError

    def step(self, epoch=None):
        """Advance the schedule by one epoch and write the new learning rates into the groups.

        Args:
            epoch (int, optional): deprecated, as in PyTorch: jump to this epoch
                (using the closed form where the scheduler has one).
        """
        if self._step_count == 1:
            if not getattr(self.optimizer.step, "_wrapped_by_lr_sched", False):
                warnings.warn("Seems like `optimizer.step()` has been overridden after learning rate "
                              "scheduler initialization. Please, make sure to call `optimizer.step()` before "
                              "`lr_scheduler.step()`.", UserWarning, stacklevel=2)
            elif not getattr(self.optimizer, "_opt_called", False):
                warnings.warn("Detected call of `lr_scheduler.step()` before `optimizer.step()`. Call "
                              "them in the opposite order: `optimizer.step()` before `lr_scheduler.step()`, "
                              "or the first value of the learning rate schedule is skipped.", UserWarning,
                              stacklevel=2)
        self._step_count += 1
        if epoch is not None:
            warnings.warn("The epoch parameter in `scheduler.step()` is deprecated; call `step()` "
                          "without arguments", UserWarning, stacklevel=2)
        self._update_lr(epoch)

    def _update_lr(self, epoch=None):
        """Advance ``last_epoch`` (or set it to ``epoch``, via the closed form) and write the new lrs."""
        self._get_lr_called_within_step = True
        try:
            if epoch is None:
                self.last_epoch += 1
                values = self.get_lr()
            else:
                self.last_epoch = epoch
                closed = getattr(self, "_get_closed_form_lr", None)
                values = closed() if closed is not None else self.get_lr()
        finally:
            self._get_lr_called_within_step = False
        self._set_lrs(values)

    def _set_lrs(self, values):
        for group, lr in zip(self.optimizer.param_groups, values, strict=True):
            _set_group_value(group, "lr", lr)
        self._last_lr = self._current_lrs()

    def _warn_outside_step(self):
        if not self._get_lr_called_within_step:
            warnings.warn("To get the last learning rate computed by the scheduler, please use "
                          "`get_last_lr()`.", UserWarning, stacklevel=3)

    def _current_lrs(self):
        return _group_values(self.optimizer, "lr")


class _LRScheduler(LRScheduler):
    """PyTorch's older name of :class:`LRScheduler`, still subclassed by user schedulers."""
