"""Gradient clipping: ``clip_grad_norm_`` (``get_total_norm`` then ``clip_grads_with_norm_``) and
``clip_grad_value_``."""
from __future__ import annotations

import types
import warnings

import autograd as ag
from autograd import Tensor, backend


def _grads(parameters):
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad for p in parameters if p.grad is not None]


def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """The norm of the norms of ``tensors``: their joint norm, as if concatenated into one vector.

    Args:
        tensors (Tensor or iterable of Tensors): e.g. the gradients of the parameters.
        norm_type (float): the p of the p-norm (``inf`` for the max norm, ``-inf`` for the
            min, 0 for the count of nonzeros). Default: 2.
        error_if_nonfinite (bool): raise if the total norm is nan or inf. Default: False.
        foreach (bool): accepted for PyTorch compatibility (one implementation here).

    Returns:
        Tensor: the total norm (0-d, on the first tensor's device; ``tensor(0.)`` for none).
    """
    tensors = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    norm_type = float(norm_type)
    if not tensors:
        return ag.tensor(0.0)
    first = tensors[0].device
    with ag.no_grad():
        # PyTorch's order: each tensor's norm, then the norm of those norms (the same vector norm)
        norms = [ag.linalg.vector_norm(t, norm_type).to(first) for t in tensors]
        total = ag.linalg.vector_norm(ag.stack(norms), norm_type)
    if error_if_nonfinite and not bool(first.xp.isfinite(total._data)):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so it "
            "cannot be clipped. To disable this error and scale the gradients by the non-finite norm "
            "anyway, set `error_if_nonfinite=False`")
    return total


def clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None):
    """Scale the gradients in place by ``min(max_norm / (total_norm + 1e-6), 1)``.

    :func:`clip_grad_norm_` with a total norm computed beforehand (e.g. by
    :func:`get_total_norm`, possibly reduced over several processes).

    Args:
        parameters (Tensor or iterable of Tensors): tensors whose ``.grad`` is scaled.
        max_norm (float): the largest norm allowed.
        total_norm (Tensor or float): the gradients' total norm.
        foreach (bool): accepted for PyTorch compatibility.
    """
    grads = _grads(parameters)
    max_norm = float(max_norm)
    if not grads:
        return
    with ag.no_grad():
        if isinstance(total_norm, Tensor):
            coef = (max_norm / (total_norm + 1e-6)).clamp(max=1.0)._data
        else:  # a Python number
            coef = min(max_norm / (float(total_norm) + 1e-6), 1.0)
        for g in grads:
            c = backend.to_device(backend.as_array(coef, g.device), g.device).astype(g.dtype)
            g._data *= c
            g._bump()


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Scale the gradients in place so that their joint norm is at most ``max_norm``.

    The norm is taken over all gradients together, as if concatenated into one vector:
    :func:`get_total_norm` of the gradients, then :func:`clip_grads_with_norm_`.

    Args:
        parameters (Tensor or iterable of Tensors): tensors whose ``.grad`` is clipped.
        max_norm (float): the largest norm allowed.
        norm_type (float): the p of the p-norm (``inf`` for the max norm, ``-inf`` for the
            min, 0 for the count of nonzeros). Default: 2.
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
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    else:
        is_generator = isinstance(parameters, types.GeneratorType)
        parameters = list(parameters)
        if is_generator and not parameters:
            warnings.warn("`parameters` is an empty generator, no gradient clipping will occur.",
                          stacklevel=2)
    total = get_total_norm(_grads(parameters), norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(parameters, max_norm, total, foreach)
    return total


def clip_grad_norm(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Deprecated alias of :func:`clip_grad_norm_` (FutureWarning, as PyTorch)."""
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of "
                  "`torch.nn.utils.clip_grad_norm_`.", FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient in place to ``[-clip_value, clip_value]``."""
    clip_value = float(clip_value)
    with ag.no_grad():
        for g in _grads(parameters):
            g.clamp_(-clip_value, clip_value)


__all__ = ["clip_grad_norm_", "clip_grad_norm", "clip_grad_value_", "clip_grads_with_norm_", "get_total_norm"]
