"""nn.functional: batch, layer, group and RMS normalization.

Written as composites of the engine's ``mean``/``var``/``rsqrt`` (so every
order of gradient works); float32 inputs stay float32.
"""
from __future__ import annotations

import numbers

from autograd import finfo, float16
from autograd.grad_mode import no_grad

__all__ = ["batch_norm", "layer_norm", "group_norm", "rms_norm"]


def _normalize(x, dims, eps):
    """``(x - mean) / sqrt(var + eps)``, the mean and the biased variance over ``dims``.

    float16 inputs are normalized in float32 and the result cast back, as PyTorch
    (their variance overflows float16: ``[0, 300, 600]`` has 60000, 300² is 90000).
    """
    half = x.dtype == float16
    if half:
        x = x.float()
    mean = x.mean(dim=dims, keepdim=True)
    var = x.var(dim=dims, unbiased=False, keepdim=True)
    y = (x - mean) * (var + eps).rsqrt()
    return (y.to(float16) if half else y), mean, var


def _channel_shape(input):
    return (1, input.shape[1]) + (1,) * (input.ndim - 2)


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    """Batch normalization over the channel dimension (dim 1).

    In training (or without running statistics) the batch's mean and biased
    variance normalize the input, and ``running_mean``/``running_var`` (when
    given) are updated in place: ``r = (1 - momentum) * r + momentum * stat``,
    with the unbiased variance. In evaluation the running statistics are used.

    Args:
        input: ``(N, C)`` or ``(N, C, *)``.
        running_mean, running_var: ``(C,)`` tensors or None.
        weight, bias: ``(C,)`` affine parameters or None.
        training: use batch statistics (and update the running ones).
        momentum: the running-average factor.
        eps: added to the variance.
    """
    if input.ndim < 2:
        raise ValueError(f"batch_norm: expected an input of at least 2 dimensions (N, C, ...), got "
                         f"shape {tuple(input.shape)}")
    c = input.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight),
                    ("bias", bias)):
        if t is not None and tuple(t.shape) != (c,):
            raise RuntimeError(
                f"batch_norm: {name} should contain {c} elements (input channels), got shape "
                f"{tuple(t.shape)}")
    shape = _channel_shape(input)
    dims = (0,) + tuple(range(2, input.ndim))
    if training or running_mean is None or running_var is None:
        count = input.numel() // c
        if count <= 1:
            raise ValueError(
                f"Expected more than 1 value per channel when training, got input size "
                f"{tuple(input.shape)}")
        y, mean, var = _normalize(input, dims, eps)
        if training and running_mean is not None and running_var is not None:
            with no_grad():
                m = momentum
                running_mean.mul_(1 - m).add_(mean.detach().reshape(c) * m)
                unbiased = var.detach().reshape(c) * (count / (count - 1))
                running_var.mul_(1 - m).add_(unbiased * m)
    else:
        mean = running_mean.reshape(shape)
        y = (input - mean) * (running_var.reshape(shape) + eps).rsqrt()
    if weight is not None:
        y = y * weight.reshape(shape)
    if bias is not None:
        y = y + bias.reshape(shape)
    return y


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Layer normalization over the last ``len(normalized_shape)`` dimensions.

    Args:
        input: ``(*, *normalized_shape)``.
        normalized_shape: int or tuple, the trailing shape to normalize over.
        weight, bias: elementwise affine parameters of shape ``normalized_shape`` or None.
        eps: added to the variance.
    """
    if isinstance(normalized_shape, numbers.Integral):
        normalized_shape = (int(normalized_shape),)
    normalized_shape = tuple(normalized_shape)
    k = len(normalized_shape)
    if k == 0 or tuple(input.shape[input.ndim - k:]) != normalized_shape or input.ndim < k:
        raise RuntimeError(
            f"layer_norm: given normalized_shape={list(normalized_shape)}, expected input with shape "
            f"[*, {', '.join(map(str, normalized_shape))}], but got input of size {list(input.shape)}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != normalized_shape:
            raise RuntimeError(f"layer_norm: expected {name} of shape {normalized_shape}, got "
                               f"{tuple(t.shape)}")
    y = _normalize(input, tuple(range(input.ndim - k, input.ndim)), eps)[0]
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    return y


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Group normalization: channels split into ``num_groups`` groups, each normalized.

    Args:
        input: ``(N, C, *)``.
        num_groups: number of groups (must divide ``C``).
        weight, bias: per-channel affine parameters ``(C,)`` or None.
        eps: added to the variance.
    """
    if input.ndim < 2:
        raise RuntimeError(f"group_norm: expected an input of at least 2 dimensions (N, C, ...), got "
                           f"shape {tuple(input.shape)}")
    n, c = input.shape[:2]
    if num_groups < 1 or c % num_groups:
        raise RuntimeError(
            f"group_norm: expected number of channels in input ({c}) to be divisible by num_groups "
            f"({num_groups})")
    x = input.reshape(n, num_groups, -1)
    y = _normalize(x, (2,), eps)[0].reshape(input.shape)
    shape = _channel_shape(input)
    if weight is not None:
        y = y * weight.reshape(shape)
    if bias is not None:
        y = y + bias.reshape(shape)
    return y


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """Root mean square normalization over the last ``len(normalized_shape)`` dimensions.

    ``y = x / sqrt(mean(x ** 2) + eps) * weight``. As PyTorch, float16 inputs are
    normalized in float32 and the result has the input's dtype.

    Args:
        input: ``(*, *normalized_shape)``.
        normalized_shape: list or tuple of ints, the trailing shape to normalize over.
        weight: elementwise scale of shape ``normalized_shape`` or None.
        eps: added to the mean square. Default: ``None``, the machine epsilon of the
            computation dtype (float32 for float16 and float32 inputs, else float64).

    Example::

        >>> F.rms_norm(ag.tensor([[3.0, 4.0]]), (2,), eps=0.0)
        tensor([[0.8485, 1.1314]])
    """
    if isinstance(normalized_shape, numbers.Integral) or not isinstance(normalized_shape, (tuple, list)):
        raise TypeError(f"rms_norm(): argument 'normalized_shape' (position 2) must be tuple of ints, not "
                        f"{type(normalized_shape).__name__}")
    shape = tuple(int(n) for n in normalized_shape)
    if not shape:
        raise RuntimeError("Expected normalized_shape to be at least 1-dimensional, i.e., containing at "
                           "least one element, but got normalized_shape = []")
    if weight is not None and tuple(weight.shape) != shape:
        raise RuntimeError(f"Expected weight to be of same shape as normalized_shape, but got weight of "
                           f"shape {list(weight.shape)} and normalized_shape = {list(shape)}")
    k = len(shape)
    if input.ndim < k:
        raise ValueError(f"Input tensor must have at least {k} dimensions, but got {input.ndim}")
    if tuple(input.shape[input.ndim - k:]) != shape:
        raise RuntimeError(f"Given normalized_shape={list(shape)}, expected input with shape "
                           f"[*{', '.join(map(str, shape))}], but got input of size{list(input.shape)}")
    if input.dtype.kind != "f":
        raise NotImplementedError(f'"rms_norm" not implemented for {input.dtype}')
    x = input.float() if input.dtype == float16 else input  # float16 is computed in float32
    if eps is None:
        eps = finfo(x.dtype).eps
    y = x * (x * x).mean(dim=tuple(range(input.ndim - k, input.ndim)), keepdim=True).add(eps).rsqrt()
    if weight is not None:
        y = y * weight
    return y if y.dtype == input.dtype else y.to(input.dtype)
