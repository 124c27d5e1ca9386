"""Gradient clipping: ``clip_grad_norm_`` and ``clip_grad_value_``."""
from __future__ import annotations

import math

import autograd as ag
from autograd import Tensor, backend


def _grads(parameters):
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad for p in parameters if p.grad is not None]


def _norm_array(xp, g, norm_type):
    """The p-norm of array ``g``, accumulated in float32 for float16 (as PyTorch), in ``g``'s dtype."""
    dtype = g.dtype
    if dtype == backend.float16:
        g = g.astype(backend.float32)
    return xp.asarray(_norm_of(xp, g, norm_type)).astype(dtype)


def _norm_of(xp, g, norm_type):
    a = xp.abs(g)
    if norm_type == math.inf:
        return a.max()
    if norm_type == 2:
        return xp.sqrt((a * a).sum())
    if norm_type == 1:
        return a.sum()
    if norm_type == 0:
        return (a != 0).sum().astype(g.dtype)
    return (a ** norm_type).sum() ** (1.0 / norm_type)


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Scale the gradients in place so that their joint norm is at most ``max_norm``.

    The norm is taken over all gradients together, as if concatenated into one vector.

    Args:
        parameters (Tensor or iterable of Tensors): tensors whose ``.grad`` is clipped.
        max_norm (float): the largest norm allowed.
        norm_type (float): the p of the p-norm (``inf`` for the max norm). Default: 2.
        error_if_nonfinite (bool): raise if the total norm is nan or inf. Default: False.

    Returns:
        Tensor: the total norm of the gradients before clipping (0-d).

    Example::

        >>> p = nn.Parameter(ag.zeros(2)); p.grad = ag.tensor([3.0, 4.0])
        >>> nn.utils.clip_grad_norm_([p], 1.0)
        tensor(5.)
        >>> p.grad
        tensor([0.6000, 0.8000])
    """
    grads = _grads(parameters)
    norm_type = float(norm_type)
    if not grads:
        return ag.tensor(0.0)
    first = grads[0].device
    with ag.no_grad():
        norms = []
        for g in grads:
            n = _norm_array(g.device.xp, g._data, norm_type)
            norms.append(backend.to_device(backend.as_array(n, g.device), first))
        xp = first.xp
        stacked = xp.stack([n.astype(grads[0].dtype) for n in norms])
        total = _norm_array(xp, stacked, norm_type)
        total_t = Tensor._make(backend.as_array(total, first), first)
        if error_if_nonfinite and not bool(xp.isfinite(total)):
            raise RuntimeError(
                f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so it "
                "cannot be clipped. To disable this error and scale the gradients by the non-finite norm "
                "anyway, set `error_if_nonfinite=False`")
        coef = xp.minimum(max_norm / (total + 1e-6), 1.0)
        for g in grads:
            c = backend.to_device(backend.as_array(coef, first), g.device).astype(g.dtype)
            g._data *= c
            g._bump()
    return total_t


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient in place to ``[-clip_value, clip_value]``."""
    clip_value = float(clip_value)
    with ag.no_grad():
        for g in _grads(parameters):
            g.clamp_(-clip_value, clip_value)


__all__ = ["clip_grad_norm_", "clip_grad_value_"]
