"""Gradient clipping: ``clip_grad_norm_`` and ``clip_grad_value_``."""
from __future__ import annotations

import autograd as ag
from autograd import Tensor, backend


def _grads(parameters):
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad for p in parameters if p.grad is not None]


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Scale the gradients in place so that their joint norm is at most ``max_norm``.

    The norm is taken over all gradients together, as if concatenated into one vector.

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
    grads = _grads(parameters)
    norm_type = float(norm_type)
    if not grads:
        return ag.tensor(0.0)
    first = grads[0].device
    with ag.no_grad():
        # PyTorch's order: each gradient's norm, then the norm of those norms (the same vector norm)
        norms = [ag.linalg.vector_norm(g, norm_type).to(first) for g in grads]
        total_t = ag.linalg.vector_norm(ag.stack(norms), norm_type)
        xp, total = first.xp, total_t._data
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
