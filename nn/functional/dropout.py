"""nn.functional: dropout (inverted: kept values are scaled by ``1 / (1 - p)``) and alpha dropout."""
from __future__ import annotations

import math
import warnings

from autograd import Tensor
from autograd.random import uniform_array

__all__ = ["dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout", "feature_alpha_dropout"]

_SELU_ALPHA_PRIME = 1.7580993408473766  # -(SELU's scale * alpha): the value SELU saturates to, negated


def _check_p(p, name):
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"{name} probability has to be between 0 and 1, but got {p}")


def _masked(input, p, mask_shape):
    """``input * mask``, the mask drawn from the device's seeded generator in the input's dtype."""
    dev = input.device
    if p == 1.0:
        return input * 0.0
    u = uniform_array(mask_shape, input.dtype, dev)
    mask = (u >= p).astype(input.dtype) * (1.0 / (1.0 - p))
    return input * Tensor._make(mask.astype(input.dtype, copy=False), dev)


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability ``p`` and scale the rest by ``1 / (1 - p)``.

    Identity when ``training`` is False or ``p == 0``. ``inplace=True`` writes the result
    into ``input`` (as PyTorch; recorded as its in-place ops).

    Example::

        >>> ag.manual_seed(0)
        0
        >>> F.dropout(ag.ones(4), p=0.0)
        tensor([1., 1., 1., 1.])
    """
    _check_p(p, "dropout")
    if not training or p == 0.0:
        return input
    if input.dtype.kind != "f":
        raise RuntimeError(f"dropout: expected a floating point input, got {input.dtype}")
    return _maybe_in_place(input, inplace, lambda x: _masked(x, p, input.shape))


def _maybe_in_place(input, inplace, fn):
    """``fn(input)``, written into ``input`` when ``inplace``."""
    if not inplace:
        return fn(input)
    from .activation import _in_place

    return _in_place(input, fn)


def _channel_dropout(input, p, training, dims, name, inplace=False):
    _check_p(p, name)
    if input.ndim not in (dims + 1, dims + 2):
        if name == "dropout2d" and input.ndim == 2:
            warnings.warn(
                "dropout2d: Received a 2-D input to dropout2d, which is deprecated; use dropout "
                "instead", UserWarning, stacklevel=3)
        else:
            raise RuntimeError(
                f"{name}: expected a {dims + 1}-D (unbatched) or {dims + 2}-D (batched) input, got "
                f"shape {tuple(input.shape)}")
    if not training or p == 0.0:
        return input
    if name == "dropout2d" and input.ndim == 3:
        # PyTorch (2.x) treats a 3-D input to dropout2d as (N, C, L) and warns
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout "
            "behavior is desired - input is interpreted as shape (N, C, L)", UserWarning, stacklevel=3)
    # dropout2d reads every input it takes as batched: (N, C) (deprecated), (N, C, L), (N, C, H, W)
    batched = input.ndim == dims + 2 or name == "dropout2d"
    shape = tuple(input.shape[:2]) if batched else tuple(input.shape[:1])
    return _maybe_in_place(input, inplace, lambda x: _masked(x, p, shape + (1,) * (input.ndim - len(shape))))


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of ``(N, C, L)`` or ``(C, L)`` with probability ``p``."""
    return _channel_dropout(input, p, training, 1, "dropout1d", inplace)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels (feature maps) of ``(N, C, H, W)`` or ``(C, H, W)`` with probability ``p``.

    As in PyTorch, a 3-D input is read as ``(N, C, L)`` (with a warning).
    """
    return _channel_dropout(input, p, training, 2, "dropout2d", inplace)


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels (volumes) of ``(N, C, D, H, W)`` or ``(C, D, H, W)`` with probability ``p``."""
    return _channel_dropout(input, p, training, 3, "dropout3d", inplace)


def _alpha_dropout(input, p, training, feature, inplace=False):
    """ATen's alpha dropout: ``input * a * keep + b``, ``keep ~ Bernoulli(1 - p)`` per element (or per
    channel when ``feature``), with ``a`` and ``b`` keeping a zero-mean unit-variance input so."""
    _check_p(p, "dropout")
    if not training or p == 0.0 or input.numel() == 0:
        return input
    if feature and input.ndim < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    if input.dtype.kind != "f":
        raise RuntimeError(f"alpha_dropout: expected a floating point input, got {input.dtype}")
    if p == 1.0:
        return _maybe_in_place(input, inplace, lambda x: x * 0.0)
    shape = tuple(input.shape[:2]) + (1,) * (input.ndim - 2) if feature else tuple(input.shape)
    dev = input.device
    keep = (uniform_array(shape, input.dtype, dev) >= p).astype(input.dtype)
    a = 1.0 / math.sqrt((_SELU_ALPHA_PRIME ** 2 * p + 1) * (1 - p))
    b = (keep - 1) * (_SELU_ALPHA_PRIME * a) + _SELU_ALPHA_PRIME * a * p
    return _maybe_in_place(input, inplace, lambda x: x * Tensor._make(keep * a, dev)
                           + Tensor._make(b.astype(input.dtype, copy=False), dev))


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Alpha dropout: dropped elements are set to SELU's negative saturation value and the result is
    scaled and shifted so that a zero-mean, unit-variance input keeps its mean and variance.

    The identity when ``training`` is False (the default, as PyTorch) or ``p == 0``.
    ``inplace=True`` writes the result into ``input``.

    Example::

        >>> F.alpha_dropout(ag.ones(3), 0.5, training=False)
        tensor([1., 1., 1.])
    """
    return _alpha_dropout(input, p, training, False, inplace)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Alpha dropout of whole channels: every element of a dropped channel of ``(N, C, *)`` takes
    SELU's negative saturation value (see :func:`alpha_dropout`)."""
    return _alpha_dropout(input, p, training, True, inplace)
