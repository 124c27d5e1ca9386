"""``torch.<name>`` spellings that PyTorch also has as Tensor methods or ``nn.functional`` ops.

PyTorch exposes ``torch.abs_(x)``, ``torch.t(x)``, ``torch.divide(a, b)``, ``torch.conv2d(...)``,
``torch.pixel_shuffle(...)``, ``torch.cosine_similarity(...)``; real code uses them. Each name here
calls the one definition behind the method or the functional op (DESIGN rule 3). The
``nn.functional`` ones are resolved on first use by ``autograd.__getattr__`` (``nn`` imports
``autograd``), as the very same function objects.
"""
from __future__ import annotations

import math

from .tensor import Tensor

#: ``torch.<name>(input, *args, **kwargs)`` is ``input.<name>(*args, **kwargs)``.
METHODS = [
    "abs_", "acos_", "acosh_", "arccos_", "arccosh_", "arcsin_", "arcsinh_", "arctan_", "arctanh_",
    "asin_", "asinh_", "atan_", "atanh_", "ceil_", "clamp_", "clamp_max_", "clamp_min_", "clip_", "cos_",
    "cosh_", "deg2rad_", "erf_", "erfc_", "exp2_", "exp_", "expm1_", "fix_", "floor_", "frac_", "i0_",
    "log10_", "log1p_", "log2_", "log_", "logit_", "nan_to_num_", "neg_", "negative_", "rad2deg_",
    "reciprocal_", "relu_", "round_", "rsqrt_", "sigmoid_", "sin_", "sinc_", "sinh_", "sqrt_", "square_",
    "tan_", "tanh_", "trunc_", "xlogy_", "zero_", "fill_", "detach", "detach_", "t", "swapdims",
    "divide", "multiply", "subtract", "greater", "greater_equal", "less", "less_equal", "not_equal",
    "is_complex", "is_conj", "is_neg", "is_inference", "is_nonzero", "is_same_size", "is_signed",
    "resolve_neg", "addmv_",
]

#: ``torch.<name>`` is ``nn.functional.<name>`` (same signature in PyTorch).
FUNCTIONAL = [
    "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
    "avg_pool1d", "max_pool1d", "max_pool2d", "max_pool3d", "adaptive_avg_pool1d", "pixel_shuffle",
    "pixel_unshuffle", "cosine_similarity", "pairwise_distance", "pdist", "selu", "celu", "threshold",
    "hardshrink", "prelu", "rrelu", "bilinear", "lstm_cell", "gru_cell", "rnn_tanh_cell", "rnn_relu_cell",
    "channel_shuffle", "rms_norm", "layer_norm", "group_norm", "conv_tbc",
]

#: ``torch.<name>`` whose signature is ATen's, not nn.functional's (``nn/functional/torch_level.py``).
ATEN_ORDER = [
    "dropout", "dropout_", "alpha_dropout", "alpha_dropout_", "feature_dropout", "feature_dropout_",
    "feature_alpha_dropout", "feature_alpha_dropout_", "batch_norm", "instance_norm", "embedding",
    "constant_pad_nd", "convolution", "adaptive_max_pool1d", "max_pool1d_with_indices",
]

__all__ = METHODS + ["broadcast_tensors", "broadcast_shapes", "unravel_index", "scalar_tensor", "fill"]


def _method(name):
    def fn(input, *args, **kwargs):
        return getattr(input, name)(*args, **kwargs)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"``torch.{name}(input, ...)``: ``input.{name}(...)``."
    return fn


for _n in METHODS:
    globals()[_n] = _method(_n)


def broadcast_shapes(*shapes):
    """The shape the given shapes broadcast to (an int counts as a 1-d shape), as PyTorch."""
    from .legacy import Size

    dims = [(s,) if isinstance(s, int) else tuple(s) for s in shapes]
    out = [1] * max((len(d) for d in dims), default=0)
    for k, d in enumerate(dims):
        for i, n in enumerate(d[::-1], 1):
            if n == 1 or n == out[-i]:
                continue
            if out[-i] != 1:
                raise RuntimeError(f"Attempting to broadcast a dimension of length {n} at -{i}! Mismatching "
                                   f"argument at index {k} had {tuple(d)}; but expected shape should be "
                                   f"broadcastable to {out[len(out) - len(d):]}")
            out[-i] = n
    return Size(out)


def broadcast_tensors(*tensors):
    """The tensors expanded to their common shape (views; differentiable)."""
    shape = broadcast_shapes(*(t.shape for t in tensors))
    return tuple(t.broadcast_to(shape) for t in tensors)


def unravel_index(indices, shape):
    """The coordinates of flat ``indices`` in an array of ``shape`` (a tuple of int64 tensors), as
    PyTorch: ``(indices // stride) % size`` for each dimension."""
    if not isinstance(indices, Tensor):
        raise TypeError(f"expected 'indices' to be a Tensor, but got {type(indices).__name__}")
    if indices.dtype.kind not in "iu":
        raise TypeError(f"expected 'indices' to be integer dtype, but got {indices.dtype}")
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    if any(s < 0 for s in shape):
        raise ValueError("'shape' cannot have negative values, but got " + str(shape))
    strides = [math.prod(shape[i + 1:]) for i in range(len(shape))]
    return tuple((indices // st) % sz if sz else indices * 0 for st, sz in zip(strides, shape))


def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
    """A 0-d tensor holding ``s`` (float by default, as PyTorch)."""
    from . import creation
    from .arraylib.devices import get_default_dtype

    return creation.tensor(float(s) if dtype is None else s, dtype=dtype or get_default_dtype(),
                           device=device, requires_grad=requires_grad)


def fill(input, value):
    """``torch.fill``: a copy of ``input`` filled with ``value`` (a zero gradient to ``input``)."""
    return input.clone().fill_(value)
