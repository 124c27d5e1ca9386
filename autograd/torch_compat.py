"""More ``torch.<name>`` functions real programs call: the deprecated ``range`` and
``set_default_tensor_type``, ``typename``, ``cond``, warning flags, the real-tensor forms of the
complex functions (``real``, ``imag``, ``angle``, ``conj_physical``, ``isreal``: xpgrad has no
complex dtypes), ``nonzero_static``, ``frobenius_norm``/``nuclear_norm``,
and the bodies of the ``TensorApiMore`` methods. Each composes the ops that define the math."""
from __future__ import annotations

import builtins
import math
import numbers
import warnings

from . import backend
from .tensor import Tensor

__all__ = ["range", "set_default_tensor_type", "typename", "cond", "set_warn_always",
           "is_warn_always_enabled", "real", "imag", "angle", "conj_physical", "conj_physical_", "isreal",
           "nonzero_static", "frobenius_norm", "nuclear_norm", "strided", "layout"]

_flags = {"warn_always": False}


class layout:
    """A tensor layout; every xpgrad tensor is ``strided``."""

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"autograd.{self.name}"


strided = layout("strided")


def range(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad=False):  # noqa: A001
    """Deprecated ``torch.range``: ``start`` to ``end`` inclusive (use ``arange``, which excludes it)."""
    from .creation import arange

    warnings.warn("torch.range is deprecated and will be removed in a future release because its behavior "
                  "is inconsistent with Python's range builtin. Instead, use torch.arange, which produces "
                  "values in [start, end).", UserWarning, stacklevel=2)
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and larger bound inconsistent with step sign")
    n = int(math.floor((end - start) / step)) + 1
    dtype = dtype or backend.get_default_dtype()
    values = arange(n, dtype=backend.float64, device=device) * step + start
    return values.to(dtype).requires_grad_(requires_grad)


def set_default_tensor_type(t):
    """Deprecated: set the default float dtype from a legacy type (``torch.DoubleTensor`` or its name)."""
    from . import legacy

    name = t if isinstance(t, str) else getattr(t, "__name__", "")
    if isinstance(t, str):
        name = t.rsplit(".", 1)[-1]
        if ".cuda." in t:
            raise TypeError(f"type {t} is not supported by set_default_tensor_type in xpgrad: move tensors "
                            "with .to('cuda') or pass device=")
    dtype = getattr(legacy, "_CPU", {}).get(name)
    if dtype is None or dtype._dtype is None or dtype._dtype.kind != "f":
        raise TypeError(f"only floating-point types are supported as the default type, got {t!r}")
    backend.set_default_dtype(dtype._dtype)


def typename(obj):
    """``'torch.FloatTensor'`` for a tensor; ``module.QualName`` of anything else."""
    if isinstance(obj, Tensor):
        return obj.type()
    module = getattr(obj, "__module__", "") or ""
    if hasattr(obj, "__qualname__"):
        qualname = obj.__qualname__
    elif hasattr(obj, "__name__"):
        qualname = obj.__name__
    else:
        module, qualname = obj.__class__.__module__ or "", obj.__class__.__qualname__
    return qualname if module in ("", "builtins") else f"{module}.{qualname}"


def cond(pred, true_fn, false_fn, operands=(), *args, **kwargs):
    """``true_fn(*operands)`` if ``pred`` (a bool or one-element tensor) else ``false_fn(*operands)``."""
    if isinstance(pred, Tensor):
        if pred.numel() != 1:
            raise RuntimeError(f"Expected pred to be bool or single-element tensor, but got {pred}.")
        pred = bool(pred.item())
    return (true_fn if pred else false_fn)(*operands)


def set_warn_always(b):
    _flags["warn_always"] = bool(b)


def is_warn_always_enabled():
    return _flags["warn_always"]


# ---------------------------------------------------------------- real tensors' complex functions
def real(input):
    """The real part: the tensor itself (xpgrad has no complex dtypes)."""
    return input


def imag(input):
    raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")


def angle(input):
    """0 where ``input >= 0``, pi where negative (``-inf`` included), NaN at NaN; integer inputs give
    floats. Its gradient is zero, as PyTorch's for real inputs."""
    from .grad_mode import no_grad
    from .ops.elementwise import where
    from .ops.zero_grad_to import zero_grad_to

    x = input if input.dtype.kind == "f" else input.to(backend.get_default_dtype())
    with no_grad():
        value = where(x != x, x, where(x < 0, math.pi, 0.0).to(x.dtype))
    return zero_grad_to(value, x) if x is input else value


def conj_physical(input):
    return input


def conj_physical_(input):
    return input


def isreal(input):
    from .creation import ones

    return ones(input.shape, dtype=backend.bool_, device=input.device)


# ---------------------------------------------------------------- linear algebra and selection
def nonzero_static(input, *, size, fill_value=-1):
    """``nonzero()`` padded with ``fill_value`` (or cut) to exactly ``size`` rows."""
    from .creation import full
    from .ops.shape import cat

    if not isinstance(size, numbers.Integral) or size < 0:
        raise RuntimeError(f"nonzero_static: 'size' must be an non-negative integer, got {size}")
    idx = input.nonzero()[:size]
    if idx.shape[0] < size:
        pad = full((size - idx.shape[0], input.ndim), fill_value, dtype=idx.dtype, device=idx.device)
        idx = cat([idx, pad])
    return idx


def frobenius_norm(input, dim=(-2, -1), keepdim=False):
    from . import linalg

    return linalg.vector_norm(input, 2, dim=dim, keepdim=keepdim)


def nuclear_norm(input, dim=(-2, -1), keepdim=False):
    from . import linalg

    if isinstance(dim, bool):  # nuclear_norm(input, keepdim)
        dim, keepdim = (-2, -1), dim
    return linalg.matrix_norm(input, "nuc", dim=dim, keepdim=keepdim)


# ---------------------------------------------------------------- the TensorApiMore methods' bodies
def legacy_new(t, *args, dtype=None, device=None):
    """``t.new(...)``: sizes give a zero-filled tensor (PyTorch's is uninitialised), data a tensor,
    both of ``t``'s dtype and device."""
    if not args:
        return t.new_empty((0,), dtype=dtype, device=device)
    from .legacy import Size

    if len(args) == 1 and not isinstance(args[0], numbers.Integral):
        data = args[0]
        if isinstance(data, Size):
            return t.new_zeros(tuple(data), dtype=dtype, device=device)
        if isinstance(data, Tensor):
            return data.to(dtype=dtype or t.dtype, device=device or t.device)
        return t.new_tensor(data, dtype=dtype, device=device)
    return t.new_zeros(args, dtype=dtype, device=device)


def sum_to_size(t, *size):
    """``t`` summed over the dimensions that ``size`` broadcasts (``size`` must expand to ``t``)."""
    from .engine import sum_to_shape

    size = tuple(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) else tuple(size)
    lead = t.ndim - len(size)
    if lead < 0 or any(n != 1 and n != m for n, m in zip(size, t.shape[lead:])):
        raise RuntimeError(f"size {{{', '.join(map(str, size))}}} is not expandable to size "
                           f"{{{', '.join(map(str, t.shape))}}}.")
    return sum_to_shape(t, size)


def diagflat(t, offset=0):
    from .ops.selection import diagflat as _diagflat

    return _diagflat(t, offset)


def hypot_(t, other):
    from .ops.inplace import _apply
    from .ops.math_more import hypot

    return _apply(t, hypot, other)


def new_empty_strided(t, size, stride, dtype=None, device=None, requires_grad=False):
    from .creation_more import empty_strided

    return empty_strided(size, stride, dtype=dtype or t.dtype, device=device or t.device,
                         requires_grad=requires_grad)


def dim_order(t):
    """The dimensions from outermost to innermost in memory (by decreasing stride; ties keep order)."""
    strides = t.stride()
    return tuple(sorted(builtins.range(t.ndim), key=lambda d: -strides[d]))
