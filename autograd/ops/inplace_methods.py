"""The ``*_`` in-place forms of unary math, scatter/index and ``addc*`` ops.

Each runs its out-of-place op through :func:`autograd.ops.inplace._apply`, which records the
change (rebinding the tensor to the result's node) under grad mode and writes into the array
(bumping the version counter) otherwise, exactly as ``add_``/``mul_`` do.
"""
from __future__ import annotations

from . import elementwise as ew
from . import gather as ga
from . import selection as sel
from . import unary_more as um
from ..tensor import Tensor
from .inplace import _apply

__all__ = [
    "exp_", "log_", "log1p_", "expm1_", "sqrt_", "rsqrt_", "sin_", "cos_", "tanh_", "sigmoid_", "relu_",
    "abs_", "neg_", "sign_", "reciprocal_", "erf_", "erfinv_", "floor_", "ceil_", "round_", "trunc_",
    "frac_", "log2_", "log10_", "square_", "pow_", "fmod_", "remainder_", "clamp_min_", "clamp_max_",
    "clip_", "masked_fill_", "scatter_", "scatter_add_", "index_fill_", "index_add_", "index_copy_",
    "addcmul_", "addcdiv_", "lerp_", "tril_", "triu_", "fill_diagonal_",
]


def _unary_inplace(fn, name):
    def method(input):
        return _apply(input, fn)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"In-place ``{name[:-1]}``."
    return method


exp_ = _unary_inplace(ew.exp, "exp_")
log_ = _unary_inplace(ew.log, "log_")
log1p_ = _unary_inplace(ew.log1p, "log1p_")
expm1_ = _unary_inplace(ew.expm1, "expm1_")
sqrt_ = _unary_inplace(ew.sqrt, "sqrt_")
rsqrt_ = _unary_inplace(ew.rsqrt, "rsqrt_")
sin_ = _unary_inplace(ew.sin, "sin_")
cos_ = _unary_inplace(ew.cos, "cos_")
tanh_ = _unary_inplace(ew.tanh, "tanh_")
sigmoid_ = _unary_inplace(ew.sigmoid, "sigmoid_")
relu_ = _unary_inplace(ew.relu, "relu_")
abs_ = _unary_inplace(ew.abs, "abs_")
neg_ = _unary_inplace(ew.neg, "neg_")
sign_ = _unary_inplace(ew.sign, "sign_")
reciprocal_ = _unary_inplace(ew.reciprocal, "reciprocal_")
erf_ = _unary_inplace(ew.erf, "erf_")
erfinv_ = _unary_inplace(um.erfinv, "erfinv_")
floor_ = _unary_inplace(um.floor, "floor_")
ceil_ = _unary_inplace(um.ceil, "ceil_")
trunc_ = _unary_inplace(um.trunc, "trunc_")
frac_ = _unary_inplace(um.frac, "frac_")
log2_ = _unary_inplace(um.log2, "log2_")
log10_ = _unary_inplace(um.log10, "log10_")
square_ = _unary_inplace(um.square, "square_")


def round_(input, *, decimals=0):
    """In-place ``round``."""
    return _apply(input, lambda a: um.round(a, decimals=decimals))


def pow_(input, exponent):
    """In-place ``input ** exponent``."""
    return _apply(input, ew.pow, exponent)


def fmod_(input, other):
    """In-place ``fmod``."""
    return _apply(input, um.fmod, other)


def remainder_(input, other):
    """In-place ``remainder``."""
    return _apply(input, ew.remainder, other)


def clamp_min_(input, min):
    """In-place ``clamp(min=min)``."""
    return _apply(input, lambda a: ew.clamp(a, min, None))


def clamp_max_(input, max):
    """In-place ``clamp(max=max)``."""
    return _apply(input, lambda a: ew.clamp(a, None, max))


def clip_(input, min=None, max=None):
    """In-place ``clip``."""
    return _apply(input, lambda a: ew.clamp(a, min, max))


def masked_fill_(input, mask, value):
    """In-place ``masked_fill``."""
    return _apply(input, lambda a, v: ga.masked_fill(a, mask, v), value)


def masked_scatter_(input, mask, source):
    """In-place ``masked_scatter``."""
    return _apply(input, lambda a, s: ga.masked_scatter(a, mask, s), source)


def scatter_(input, dim, index, src=None, *, value=None, reduce=None):
    """In-place ``scatter`` (``src`` a tensor or number; ``value=`` as PyTorch's keyword form)."""
    src = value if src is None else src
    if reduce is not None:  # as PyTorch: no derivative, and the error names aten::scatter_
        if reduce not in ("add", "multiply"):
            raise RuntimeError("reduce argument must be either add or multiply.")
        from .scatter_reduce import scatter_with_reduce

        return _apply(input, lambda a, s: scatter_with_reduce(a, dim, index, s, reduce, "aten::scatter_"),
                      src)
    return _apply(input, lambda a, s: ga.scatter(a, dim, index, s), src)


def scatter_add_(input, dim, index, src):
    """In-place ``scatter_add``."""
    return _apply(input, lambda a, s: ga.scatter_add(a, dim, index, s), src)


def index_fill_(input, dim, index, value):
    """In-place ``index_fill``."""
    return _apply(input, lambda a, v: sel.index_fill(a, dim, index, v), value)


def index_add_(input, dim, index, source, *, alpha=1):
    """In-place ``index_add``."""
    return _apply(input, lambda a, s: sel.index_add(a, dim, index, s, alpha=alpha), source)


def index_copy_(input, dim, index, source):
    """In-place ``index_copy``."""
    return _apply(input, lambda a, s: sel.index_copy(a, dim, index, s), source)


def addcmul_(input, tensor1, tensor2, *, value=1):
    """In-place ``addcmul``."""
    return _apply(input, lambda a, t1, t2: um.addcmul(a, t1, t2, value=value), tensor1, tensor2)


def addcdiv_(input, tensor1, tensor2, *, value=1):
    """In-place ``addcdiv``."""
    return _apply(input, lambda a, t1, t2: um.addcdiv(a, t1, t2, value=value), tensor1, tensor2)


def lerp_(input, end, weight):
    """In-place ``lerp``."""
    return _apply(input, lambda a, e, w: um.lerp(a, e, w), end, weight)


def tril_(input, diagonal=0):
    """In-place ``tril``."""
    return _apply(input, lambda a: sel.tril(a, diagonal))


def triu_(input, diagonal=0):
    """In-place ``triu``."""
    return _apply(input, lambda a: sel.triu(a, diagonal))


def fill_diagonal_(input, fill_value, wrap=False):
    """Fill the main diagonal (all indices equal) with ``fill_value``; ``wrap`` restarts it every
    ``cols + 1`` rows of a tall matrix, as NumPy's ``fill_diagonal``."""
    if input.ndim < 2:
        raise RuntimeError("dimensions must larger than 1")
    if input.ndim > 2 and len(set(input.shape)) != 1:
        raise RuntimeError("all dimensions of input must be of equal length")
    xp = input.device.xp
    if input.ndim == 2:
        n, m = input.shape
        rows = xp.arange(n)[:, None]
        cols = xp.arange(m)[None, :]
        on = (rows % (m + 1) == cols) if wrap and n > m else (rows == cols)
    else:
        n, nd = input.shape[0], input.ndim
        ar = [xp.arange(n).reshape((-1,) + (1,) * (nd - 1 - k)) for k in range(nd)]  # varies along dim k
        on = ar[0] == ar[1]
        for a in ar[2:]:
            on = on & (a == ar[0])
    mask = Tensor._make(on, input.device)
    return _apply(input, lambda a: ew.where(mask, fill_value, a))

