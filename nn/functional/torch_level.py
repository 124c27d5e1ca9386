"""``torch.<name>`` spellings of functional ops whose PyTorch signatures differ from
``nn.functional``'s (ATen order: ``torch.batch_norm(input, weight, bias, running_mean, ...)``,
``torch.embedding(weight, indices)``, ``torch.dropout(input, p, train)``), the ``*_with_indices``
pools, ``conv_tbc`` and ``linear_cross_entropy``. Each calls the one ``nn.functional`` op."""
from __future__ import annotations

import math

from . import conv as _conv
from . import pooling as _pool
from . import pooling_extra as _pool_extra
from .dropout import alpha_dropout as _alpha_dropout
from .dropout import dropout as _dropout
from .dropout import dropout2d as _dropout2d
from .dropout import feature_alpha_dropout as _feature_alpha_dropout
from .instance_norm import instance_norm as _instance_norm
from .linear import linear
from .loss import cross_entropy
from .misc import pad as _pad
from .normalization import batch_norm as _batch_norm
from .sparse import embedding as _embedding

#: nn.functional's own names defined here
__all__ = ["conv_tbc", "max_pool1d_with_indices", "max_pool2d_with_indices", "max_pool3d_with_indices",
           "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d_with_indices",
           "adaptive_max_pool3d_with_indices", "linear_cross_entropy"]
#: ``torch.<name>`` only (their signatures differ from nn.functional's namesakes)
TORCH_ONLY = ["dropout", "dropout_", "alpha_dropout", "alpha_dropout_", "feature_dropout", "feature_dropout_",
              "feature_alpha_dropout", "feature_alpha_dropout_", "batch_norm", "instance_norm", "embedding",
              "constant_pad_nd", "convolution", "adaptive_max_pool1d", "max_pool1d_with_indices"]


def dropout(input, p, train):
    """``torch.dropout(input, p, train)``."""
    return _dropout(input, p, train)


def dropout_(input, p, train):
    return _dropout(input, p, train, inplace=True)


def alpha_dropout(input, p, train):
    return _alpha_dropout(input, p, train)


def alpha_dropout_(input, p, train):
    return _alpha_dropout(input, p, train, inplace=True)


def _feature_dropout(fn, input, p, train, inplace=False):
    """Whole channels (dim 1 of a batched input) zeroed together, for any rank >= 2."""
    if input.ndim < 2:
        raise RuntimeError(f"Feature dropout requires at least 2 dimensions in the input, got {input.ndim}")
    shape = input.shape
    flat = input.reshape(shape[0], shape[1], -1, 1)  # (N, C, L, 1): dropout2d's channel-wise mask
    out = fn(flat, p, train).reshape(shape)
    if inplace:
        return input.copy_(out)
    return out


def feature_dropout(input, p, train):
    return _feature_dropout(_dropout2d, input, p, train)


def feature_dropout_(input, p, train):
    return _feature_dropout(_dropout2d, input, p, train, True)


def feature_alpha_dropout(input, p, train):
    return _feature_dropout(_feature_alpha_dropout, input, p, train)


def feature_alpha_dropout_(input, p, train):
    return _feature_dropout(_feature_alpha_dropout, input, p, train, True)


def batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps, cudnn_enabled=True):
    """``torch.batch_norm`` (ATen's argument order)."""
    return _batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


def instance_norm(input, weight, bias, running_mean, running_var, use_input_stats, momentum, eps,
                  cudnn_enabled=True):
    """``torch.instance_norm`` (ATen's argument order)."""
    return _instance_norm(input, running_mean, running_var, weight, bias, use_input_stats, momentum, eps)


def embedding(weight, indices, padding_idx=-1, scale_grad_by_freq=False, sparse=False):
    """``torch.embedding(weight, indices, ...)`` (weight first; ``padding_idx=-1`` means none)."""
    return _embedding(indices, weight, padding_idx=None if padding_idx == -1 else padding_idx,
                      scale_grad_by_freq=scale_grad_by_freq, sparse=sparse)


def constant_pad_nd(input, pad, value=0):
    return _pad(input, pad, mode="constant", value=value)


def convolution(input, weight, bias, stride, padding, dilation, transposed, output_padding, groups):
    """``torch.convolution``: the ``conv{1,2,3}d`` or ``conv_transpose{1,2,3}d`` of the input's rank."""
    nd = input.ndim - 2
    if nd not in (1, 2, 3):
        raise RuntimeError(f"convolution: expected a 3-D, 4-D or 5-D input, got {input.ndim}-D")
    if transposed:
        fn = getattr(_conv, f"conv_transpose{nd}d")
        return fn(input, weight, bias, stride, padding, output_padding, groups, dilation)
    return getattr(_conv, f"conv{nd}d")(input, weight, bias, stride, padding, dilation, groups)


def conv_tbc(input, weight, bias, pad=0):
    """1-D convolution of a ``(time, batch, channels)`` input with a ``(kernel, in, out)`` weight."""
    if input.ndim != 3 or weight.ndim != 3 or bias.ndim != 1:
        raise RuntimeError("conv_tbc: expected a 3-D input, a 3-D weight and a 1-D bias")
    out = _conv.conv1d(input.permute(1, 2, 0), weight.permute(2, 1, 0), bias, padding=pad)
    return out.permute(2, 0, 1)


def adaptive_max_pool1d(input, output_size):
    """``torch.adaptive_max_pool1d``: ``(values, indices)``."""
    return _pool_extra.adaptive_max_pool1d(input, output_size, return_indices=True)


def _with_indices(fn):
    def pool(input, *args, **kwargs):
        kwargs["return_indices"] = True
        return fn(input, *args, **kwargs)

    pool.__name__ = pool.__qualname__ = fn.__name__ + "_with_indices"
    pool.__doc__ = f"``{fn.__name__}(..., return_indices=True)``: ``(values, indices)``."
    return pool


max_pool1d_with_indices = _with_indices(_pool.max_pool1d)
max_pool2d_with_indices = _with_indices(_pool.max_pool2d)
max_pool3d_with_indices = _with_indices(_pool_extra.max_pool3d)
adaptive_max_pool1d_with_indices = _with_indices(_pool_extra.adaptive_max_pool1d)
adaptive_max_pool2d_with_indices = _with_indices(_pool_extra.adaptive_max_pool2d)
adaptive_max_pool3d_with_indices = _with_indices(_pool_extra.adaptive_max_pool3d)


def linear_cross_entropy(input, linear_weight, target, *, linear_bias=None, weight=None, reduction="mean",
                         ignore_index=None, label_smoothing=0.0, options=None):
    """``cross_entropy(linear(input, linear_weight, linear_bias), target, ...)`` (PyTorch's reference
    path; ``options`` for its chunked path are accepted and change nothing)."""
    if input.ndim < 1 or input.ndim > 2:
        raise RuntimeError(f"expected input with dimensionality 1 or 2, got {input.ndim}")
    if linear_weight.ndim < 2:
        raise RuntimeError(f"expected linear_weight with dimensionality at least 2, got {linear_weight.ndim}")
    batches, in_features = tuple(input.shape[:-1]), input.shape[-1]
    if in_features != linear_weight.shape[-1]:
        raise RuntimeError("expected equal input and linear_weight last dimensions (in_features), got "
                           f"{input.shape[-1]} and {linear_weight.shape[-1]}, respectively")
    num_classes, out_features = linear_weight.shape[0], tuple(linear_weight.shape[1:-1])
    if linear_bias is not None and tuple(linear_bias.shape) != (num_classes,) + out_features:
        raise RuntimeError(f"expected linear_bias shape {(num_classes,) + out_features}, got "
                           f"{tuple(linear_bias.shape)}")
    if out_features and not batches:
        raise RuntimeError(f"expected batched input, (N, {in_features}), got unbatched input with shape "
                           f"{tuple(input.shape)}")
    logits_shape = batches + (num_classes,) + out_features
    if tuple(target.shape) == logits_shape and ignore_index is not None:
        raise RuntimeError("ignore_index cannot be specified when target contains probabilities")
    rows = math.prod(out_features) * num_classes
    logits = linear(input, linear_weight.reshape(rows, in_features),
                    None if linear_bias is None else linear_bias.reshape(rows)).reshape(logits_shape)
    return cross_entropy(logits, target, weight=weight, reduction=reduction,
                         ignore_index=-100 if ignore_index is None else ignore_index,
                         label_smoothing=label_smoothing)
