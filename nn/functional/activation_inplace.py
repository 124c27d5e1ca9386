"""nn.functional: the in-place activations ``relu_``, ``leaky_relu_``, ``elu_``, ``hardtanh_``,
``celu_``, ``selu_``, ``rrelu_`` and ``threshold_``.

Built on the engine's in-place ops: ``relu_`` is ``Tensor.relu_``; the others copy the
out-of-place activation into the input with ``copy_`` (recorded as PyTorch's in-place ops are:
the tensor is rebound to the result's node, and a leaf that requires grad is refused).
"""
from __future__ import annotations

import autograd as ag

from .activation import elu, hardtanh, leaky_relu

__all__ = ["relu_", "leaky_relu_", "elu_", "hardtanh_", "celu_", "selu_", "rrelu_", "threshold_"]


def _copy_into(input, fn, *args):
    """``input.copy_(fn(input, *args))``. When recorded, ``fn`` runs on a clone: the activation's node
    saves its input, which the copy would otherwise change under it."""
    recorded = ag.is_grad_enabled() and input.requires_grad
    return input.copy_(fn(input.clone() if recorded else input, *args))


def relu_(input):
    """In-place :func:`relu`.

    Example::

        >>> x = ag.tensor([-1.0, 2.0])
        >>> F.relu_(x) is x, x
        (True, tensor([0., 2.]))
    """
    return input.relu_()


def leaky_relu_(input, negative_slope=0.01):
    """In-place :func:`leaky_relu`."""
    return _copy_into(input, leaky_relu, negative_slope)


def elu_(input, alpha=1.0):
    """In-place :func:`elu`."""
    return _copy_into(input, elu, alpha)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    """In-place :func:`hardtanh`."""
    return _copy_into(input, hardtanh, min_val, max_val)


def celu_(input, alpha=1.0):
    """In-place :func:`celu`."""
    from .activation_extra import celu

    return _copy_into(input, celu, alpha)


def selu_(input):
    """In-place :func:`selu`."""
    from .activation_extra import selu

    return _copy_into(input, selu)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    """In-place :func:`rrelu` (random slopes in training, their mean otherwise)."""
    from .activation_extra import rrelu

    return _copy_into(input, rrelu, lower, upper, training)


def threshold_(input, threshold, value):
    """In-place :func:`threshold`: ``value`` where ``input <= threshold``."""
    from .activation_extra import threshold as _threshold

    return _copy_into(input, _threshold, threshold, value)
