"""``nn.init``: in-place parameter initialisation, with PyTorch's formulas and gains.

Every function works under ``no_grad``, fills the tensor in place from the
engine's seeded generator of the tensor's device (``ag.manual_seed``) and
returns it.
"""
from __future__ import annotations

import math
import numbers
import warnings

import autograd as ag
from autograd import Tensor, backend


def calculate_gain(nonlinearity, param=None):
    """The recommended gain for a nonlinearity, as ``torch.nn.init.calculate_gain``.

    ================= ====================================================
    nonlinearity      gain
    ================= ====================================================
    Linear / Identity :math:`1`
    Conv{1,2,3}D      :math:`1`
    Sigmoid           :math:`1`
    Tanh              :math:`\\frac{5}{3}`
    ReLU              :math:`\\sqrt{2}`
    Leaky Relu        :math:`\\sqrt{\\frac{2}{1 + \\text{negative\\_slope}^2}}`
    SELU              :math:`\\frac{3}{4}`
    ================= ====================================================

    Args:
        nonlinearity (str): the function's name (``"relu"``, ``"leaky_relu"``, ...).
        param: the negative slope of ``"leaky_relu"`` (default 0.01).

    Example::

        >>> nn.init.calculate_gain("leaky_relu", 0.2)
        1.3867504905630728
    """
    linear_fns = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                  "conv_transpose3d"]
    if nonlinearity in linear_fns or nonlinearity == "sigmoid":
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            negative_slope = 0.01
        elif not isinstance(param, bool) and isinstance(param, numbers.Real):
            negative_slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + negative_slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _calculate_fan_in_and_fan_out(tensor):
    dimensions = tensor.dim()
    if dimensions < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions")
    receptive_field_size = 1
    for s in tensor.shape[2:]:
        receptive_field_size *= s
    fan_in = tensor.shape[1] * receptive_field_size
    fan_out = tensor.shape[0] * receptive_field_size
    return fan_in, fan_out


def _calculate_correct_fan(tensor, mode):
    mode = mode.lower()
    valid = ["fan_in", "fan_out"]
    if mode not in valid:
        raise ValueError(f"Mode {mode} not supported, please use one of {valid}")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def _check(tensor, fn):
    if not isinstance(tensor, Tensor):
        raise TypeError(f"{fn}(): argument 'tensor' must be Tensor, not {type(tensor).__name__}")


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    """Fill with values drawn from :math:`\\mathcal{U}(a, b)`."""
    _check(tensor, "uniform_")
    with ag.no_grad():
        return tensor.uniform_(a, b, generator=generator)


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    """Fill with values drawn from :math:`\\mathcal{N}(\\text{mean}, \\text{std}^2)`."""
    _check(tensor, "normal_")
    with ag.no_grad():
        return tensor.normal_(mean, std, generator=generator)


def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None):
    """Fill with values from :math:`\\mathcal{N}(\\text{mean}, \\text{std}^2)` truncated to ``[a, b]``.

    Samples outside ``[a, b]`` are redrawn (rejection sampling; PyTorch uses the inverse
    CDF, so the values differ but the distribution is the same).
    """
    _check(tensor, "trunc_normal_")
    from autograd.random import normal_array

    if not a < b:
        raise ValueError(f"trunc_normal_ expects a < b, got a={a}, b={b}")
    with ag.no_grad():
        xp = tensor.device.xp
        out = normal_array(tensor.shape, tensor.dtype, tensor.device, mean, std, generator)
        for _ in range(1000):
            bad = (out < a) | (out > b)
            if not bool(bad.any()):
                break
            fresh = normal_array(tensor.shape, tensor.dtype, tensor.device, mean, std, generator)
            out = xp.where(bad, fresh, out)
        tensor._data[...] = xp.clip(out, a, b)
        tensor._bump()
    return tensor


def constant_(tensor, val):
    """Fill with the value ``val``."""
    _check(tensor, "constant_")
    with ag.no_grad():
        return tensor.fill_(val)


def ones_(tensor):
    """Fill with ones."""
    return constant_(tensor, 1.0)


def zeros_(tensor):
    """Fill with zeros."""
    return constant_(tensor, 0.0)


def eye_(tensor):
    """Fill a 2-D tensor with the identity matrix."""
    _check(tensor, "eye_")
    if tensor.dim() != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    with ag.no_grad():
        xp = tensor.device.xp
        tensor._data[...] = xp.eye(tensor.shape[0], tensor.shape[1], dtype=tensor.dtype)
        tensor._bump()
    return tensor


def xavier_uniform_(tensor, gain=1.0, generator=None):
    """Glorot uniform: :math:`\\mathcal{U}(-a, a)`, :math:`a = \\text{gain} \\sqrt{6 / (\\text{fan\\_in} +
    \\text{fan\\_out})}`."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    a = math.sqrt(3.0) * std
    return uniform_(tensor, -a, a, generator)


def xavier_normal_(tensor, gain=1.0, generator=None):
    """Glorot normal: :math:`\\mathcal{N}(0, \\text{std}^2)`, :math:`\\text{std} = \\text{gain}
    \\sqrt{2 / (\\text{fan\\_in} + \\text{fan\\_out})}`."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal_(tensor, 0.0, std, generator)


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """He uniform: :math:`\\mathcal{U}(-b, b)`, :math:`b = \\text{gain} \\sqrt{3 / \\text{fan\\_mode}}`.

    Args:
        tensor: an n-dimensional tensor (n >= 2).
        a: the negative slope of the rectifier after this layer (``leaky_relu`` only).
        mode: ``"fan_in"`` (preserves the forward variance) or ``"fan_out"`` (the backward one).
        nonlinearity: the function after this layer (``"relu"`` or ``"leaky_relu"`` advised).
    """
    if 0 in tensor.shape:
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    gain = calculate_gain(nonlinearity, a)
    bound = math.sqrt(3.0) * gain / math.sqrt(fan)
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """He normal: :math:`\\mathcal{N}(0, \\text{std}^2)`, :math:`\\text{std} = \\text{gain} /
    \\sqrt{\\text{fan\\_mode}}`."""
    if 0 in tensor.shape:
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    gain = calculate_gain(nonlinearity, a)
    return normal_(tensor, 0.0, gain / math.sqrt(fan), generator)


def orthogonal_(tensor, gain=1, generator=None):
    """Fill with a (semi-)orthogonal matrix (dimensions after the first are flattened).

    A QR decomposition of a standard normal matrix, with the signs fixed so the
    result is uniformly distributed, as PyTorch (computed on the CPU, then copied).
    """
    _check(tensor, "orthogonal_")
    if tensor.ndim < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if tensor.numel() == 0:
        return tensor
    rows = tensor.shape[0]
    cols = tensor.numel() // rows
    cpu = backend.Device("cpu")
    with ag.no_grad():
        flat = ag.randn(rows, cols, dtype=backend.float64, generator=generator)._data
        if rows < cols:
            flat = flat.T
        q, r = cpu.xp.linalg.qr(flat)
        q = q * cpu.xp.sign(cpu.xp.diag(r))
        if rows < cols:
            q = q.T
        tensor._data[...] = backend.asarray((q * gain).reshape(tensor.shape), dtype=tensor.dtype,
                                           device=tensor.device)
        tensor._bump()
    return tensor


def dirac_(tensor, groups=1):
    """Fill a 3-, 4- or 5-d convolution weight with the Dirac delta (identity convolution), per
    group, as PyTorch: ``w[g * out_per_group + d, d, centre...] = 1``."""
    _check(tensor, "dirac_")
    if tensor.ndim not in (3, 4, 5):
        raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
    sizes = tensor.shape
    if sizes[0] % groups != 0:
        raise ValueError("dim 0 must be divisible by groups")
    out_per_group = sizes[0] // groups
    centre = tuple(n // 2 for n in sizes[2:])
    with ag.no_grad():
        tensor.zero_()
        for g in range(groups):
            for d in range(min(out_per_group, sizes[1])):
                tensor[(g * out_per_group + d, d) + centre] = 1
    return tensor


def sparse_(tensor, sparsity, std=0.01, generator=None):
    """Fill a 2-D tensor from :math:`\\mathcal{N}(0, \\text{std}^2)`, then zero
    ``ceil(sparsity * rows)`` randomly chosen rows of each column (Martens 2010), as PyTorch."""
    _check(tensor, "sparse_")
    if tensor.ndim != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    rows, cols = tensor.shape
    num_zeros = math.ceil(sparsity * rows)
    with ag.no_grad():
        tensor.normal_(0, std, generator=generator)
        for col_idx in range(cols):
            zero_indices = ag.randperm(rows)[:num_zeros]
            tensor[zero_indices, col_idx] = 0
    return tensor


def _make_deprecate(meth):
    """PyTorch's old spellings without the underscore: ``FutureWarning``, then the new function."""
    new_name = meth.__name__
    old_name = new_name[:-1]

    def deprecated_init(*args, **kwargs):
        warnings.warn(f"`nn.init.{old_name}` is now deprecated in favor of `nn.init.{new_name}`.",
                      FutureWarning, stacklevel=2)
        return meth(*args, **kwargs)

    deprecated_init.__name__ = old_name
    deprecated_init.__doc__ = f"``{old_name}(...)``: deprecated, see :func:`{new_name}`."
    return deprecated_init


uniform = _make_deprecate(uniform_)
normal = _make_deprecate(normal_)
constant = _make_deprecate(constant_)
eye = _make_deprecate(eye_)
dirac = _make_deprecate(dirac_)
xavier_uniform = _make_deprecate(xavier_uniform_)
xavier_normal = _make_deprecate(xavier_normal_)
kaiming_uniform = _make_deprecate(kaiming_uniform_)
kaiming_normal = _make_deprecate(kaiming_normal_)
orthogonal = _make_deprecate(orthogonal_)
sparse = _make_deprecate(sparse_)

__all__ = [
    "calculate_gain", "uniform_", "normal_", "trunc_normal_", "constant_", "ones_", "zeros_", "eye_",
    "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_", "orthogonal_", "dirac_",
    "sparse_", "uniform", "normal", "constant", "eye", "dirac", "xavier_uniform", "xavier_normal",
    "kaiming_uniform", "kaiming_normal", "orthogonal", "sparse",
]
