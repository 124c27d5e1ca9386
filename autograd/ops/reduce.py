"""Reductions: sum, mean, var/std, prod, norm, cumsum (max/min: ops/extrema.py; all/any: logical_reduce.py).

Every reduction takes ``dim`` (an int, a tuple, or None for all dimensions; an
empty tuple also means all, as in PyTorch) and ``keepdim``; NumPy's ``axis=``
and ``keepdims=`` are accepted as aliases. ``logsumexp``, ``softmax`` and
``log_softmax`` live in :mod:`autograd.ops.softmax` (importable from here too).
"""
from __future__ import annotations

import builtins
import math
import numbers

from .. import backend
from ..function import Primitive
from ..tensor import Tensor
from ._util import (_axes, _count, _kept_shape, _out, _setup, _unreduce, _with_dtype, acc_dtype, dim_kwargs,
                    errstate, norm_dim, sign_array, sum_array)
from .elementwise import sign, where
from .logical_reduce import all, any  # noqa: F401  (their home before ops/logical_reduce.py)
from .softmax import log_softmax, logsumexp, softmax  # noqa: F401  (their home before ops/softmax.py)

__all__ = [
    "sum", "mean", "var", "std", "prod", "norm", "all", "any", "cumsum",
]


# ---------------------------------------------------------------- helpers
def _check_nonempty(name, x, axes, exc=RuntimeError):
    if axes is None and x.size == 0:
        raise exc(
            f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
            "Specify the reduction dim with the 'dim' argument."
        )
    for a in axes or ():
        if x.shape[a] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {a} to have non-zero size.")


def _require_float(name, input):
    if input._data.dtype.kind != "f":
        raise RuntimeError(
            f"{name}(): could not infer output dtype. Input dtype must be either a floating point "
            f"or complex dtype. Got: {input._data.dtype}"
        )


def _int_to_long(input):
    """Integer and bool inputs of sum-like ops accumulate in int64, as PyTorch."""
    return input.to(backend.int64) if input._data.dtype.kind in "biu" else input


def _no_grad_result(array, like):
    return Tensor._make(backend.as_array(array, like.device), like.device)


# ---------------------------------------------------------------- sum, mean, var
class Sum(Primitive):
    @staticmethod
    def forward(ctx, x, axes, keepdim):
        _setup(ctx, x, axes, keepdim)
        return sum_array(x, axes, keepdim)  # float16 accumulates in float32, as PyTorch

    @staticmethod
    def backward(ctx, g):
        return _unreduce(g, ctx).expand(*ctx.shape), None, None

    @staticmethod
    def raw_backward(ctx, g):
        return ctx.device.xp.broadcast_to(_unreduce(g, ctx), ctx.shape), None, None


class Mean(Primitive):
    @staticmethod
    def forward(ctx, x, axes, keepdim):
        _setup(ctx, x, axes, keepdim)
        ctx.n = _count(x.shape, axes)
        return _mean_array(ctx.device.xp, x, axes, keepdim)

    @staticmethod
    def backward(ctx, g):
        g = _unreduce(g, ctx).expand(*ctx.shape)
        return (g / ctx.n if ctx.n else g), None, None

    @staticmethod
    def raw_backward(ctx, g):
        n, xp = ctx.n, ctx.device.xp
        if g.ndim == 0:  # the mean of everything (a loss): one quotient written everywhere
            out = xp.empty(ctx.shape, g.dtype)
            out[...] = g / n if n else g
            return out, None, None
        g = xp.broadcast_to(_unreduce(g, ctx), ctx.shape)
        return (g / n if n else g), None, None


def _mean_array(xp, x, axes, keepdim):
    """The mean of array ``x`` over ``axes`` (NaN over nothing, quietly, as PyTorch)."""
    n = _count(x.shape, axes)
    if n == 0:  # NumPy warns on an empty mean
        return _out(xp.full(_kept_shape(x.shape, axes), math.nan, x.dtype), axes, keepdim, x.shape)
    acc = acc_dtype(x.dtype)  # float16 sums in float32
    mean = x.sum(axis=axes, keepdims=keepdim, dtype=acc) / n  # NumPy's mean() is this, in Python
    return mean.astype(x.dtype) if acc is not None else mean


def _var_acc(ctx, x, axes, correction, keepdim):
    """Var's forward in the accumulation dtype (float32 for float16: squares of 300 overflow float16,
    and std's square root is taken before the cast back, as PyTorch's)."""
    _setup(ctx, x, axes, keepdim)
    xp = ctx.device.xp
    n = _count(x.shape, axes)
    ctx.dof = n - correction  # the backward divides by it (as PyTorch's), the forward by max(dof, 0)
    ctx.save_for_backward(x)
    if n == 0:
        return _out(xp.full(_kept_shape(x.shape, axes), math.nan, x.dtype), axes, keepdim, x.shape)
    acc = acc_dtype(x.dtype)
    xa = x if acc is None else x.astype(acc)
    d = xa - xa.mean(axis=axes, keepdims=True)
    s = (d * d).sum(axis=axes, keepdims=keepdim)
    with errstate(xp, divide="ignore", invalid="ignore"):  # no dof: s/0 is inf, 0/0 and nan/0 nan
        return s / builtins.max(ctx.dof, 0)


class Var(Primitive):
    @staticmethod
    def forward(ctx, x, axes, correction, keepdim):
        with errstate(ctx.device.xp, over="ignore"):  # a float16 variance beyond its range is inf
            return _var_acc(ctx, x, axes, correction, keepdim).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return _var_backward(ctx, x, _unreduce(g, ctx)), None, None, None

    @staticmethod
    def raw_backward(ctx, g):
        (x,) = ctx.saved_arrays
        return _var_backward(ctx, x, _unreduce(g, ctx), ctx.device.xp), None, None, None


def _var_backward(ctx, x, g, xp=None):
    """PyTorch's ``2 / dof * g * (x - mean)`` (Tensors; arrays with ``xp``); over all of ``x`` without
    dof, ``g`` times (a constant) nan where ``x`` is its mean, inf elsewhere."""
    m = mean(x, ctx.axes, True) if xp is None else _mean_array(xp, x, ctx.axes, True)
    if ctx.axes is None and ctx.dof <= 0:
        a, am = (x, m) if xp else (x._data, m._data)
        f = ctx.device.xp.where(a == am, math.nan, math.inf).astype(a.dtype)
        return (f if xp else Tensor._make(f, ctx.device)) * g
    return (2.0 / ctx.dof if ctx.dof else math.inf) * g * (x - m)


class Std(Primitive):
    """``sqrt(var)``; the gradient where the spread is 0 is 0 (as PyTorch), not ``0 * inf``."""

    @staticmethod
    def forward(ctx, x, axes, correction, keepdim):
        y = ctx.device.xp.sqrt(_var_acc(ctx, x, axes, correction, keepdim)).astype(x.dtype, copy=False)
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        y = _unreduce(y, ctx)
        zero = y == 0
        g = where(zero, 0.0, _unreduce(g, ctx) / (2 * where(zero, 1.0, y)))
        return _var_backward(ctx, x, g), None, None, None

    @staticmethod
    def raw_backward(ctx, g):
        x, y = ctx.saved_arrays
        xp = ctx.device.xp
        y = _unreduce(y, ctx)
        zero = y == 0
        g = xp.where(zero, 0.0, _unreduce(g, ctx) / (2 * xp.where(zero, 1.0, y)))
        return _var_backward(ctx, x, g, xp), None, None, None


def sum(input, dim=None, keepdim=False, *, dtype=None, **kw):
    """Sum over ``dim`` (an int, a tuple, or all dimensions).

    Integer and bool inputs sum in int64 unless ``dtype`` is given. A
    dimension of size 0 sums to 0.

    Example::

        >>> ag.tensor([[1., 2.], [3., 4.]]).sum(dim=0)
        tensor([4., 6.])
    """
    dim, keepdim = dim_kwargs(dim, keepdim, kw, "sum")
    input = _int_to_long(input) if dtype is None else input.to(dtype)
    return Sum.apply(input, _axes(dim, input._data.ndim), bool(keepdim))


def mean(input, dim=None, keepdim=False, *, dtype=None, **kw):
    """Mean over ``dim``; integer inputs raise (pass ``dtype``), as in PyTorch.

    Example::

        >>> ag.tensor([[1., 2.], [3., 4.]]).mean(1)
        tensor([1.5000, 3.5000])
    """
    dim, keepdim = dim_kwargs(dim, keepdim, kw, "mean")
    input = _with_dtype(input, dtype)
    _require_float("mean", input)
    return Mean.apply(input, _axes(dim, input._data.ndim), bool(keepdim))


def _correction(name, dim, unbiased, kw):
    correction = kw.pop("correction", None)
    if isinstance(dim, bool):  # var(input, unbiased)
        dim, unbiased = None, dim
    if correction is not None and unbiased is not None:
        raise TypeError(f"{name}() got both 'unbiased' and 'correction'; pass only one")
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    if not isinstance(correction, numbers.Real) or isinstance(correction, bool):
        raise TypeError(f"{name}(): correction must be a number, got {type(correction).__name__}")
    return dim, correction


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None, **kw):
    """Variance over ``dim`` with ``correction`` (Bessel's, 1, by default).

    ``unbiased=False`` is ``correction=0``. With fewer elements than
    ``correction + 1`` the result is ``nan`` or ``inf``, as in PyTorch.

    Example::

        >>> ag.tensor([1., 2., 3., 4.]).var()
        tensor(1.6667)
    """
    if correction is not None:
        kw["correction"] = correction
    dim, correction = _correction("var", dim, unbiased, kw)
    dim, keepdim = dim_kwargs(dim, keepdim, kw, "var")
    if input._data.dtype.kind != "f":
        raise RuntimeError(f"var(): std and var only support floating point dtypes, got {input.dtype}")
    return Var.apply(input, _axes(dim, input._data.ndim), correction, bool(keepdim))


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None, **kw):
    """Standard deviation over ``dim``: ``sqrt(var(...))`` with the same arguments.

    Its gradient is 0 where all the elements reduced are equal, as in PyTorch.
    """
    if input._data.dtype.kind != "f":
        raise RuntimeError(f"std(): std and var only support floating point dtypes, got {input.dtype}")
    if correction is not None:
        kw["correction"] = correction
    dim, correction = _correction("std", dim, unbiased, kw)
    dim, keepdim = dim_kwargs(dim, keepdim, kw, "std")
    return Std.apply(input, _axes(dim, input._data.ndim), correction, bool(keepdim))


# ---------------------------------------------------------------- prod
class Prod(Primitive):
    """Product over ``axes`` (None: all). Backward as PyTorch's: ``g`` for a 0-d input, ``g * y / x``
    without zeros, else :func:`_prod_others` (0 unrecorded for a whole product with two zeros)."""

    @staticmethod
    def forward(ctx, x, axes, keepdim):
        _setup(ctx, x, axes, keepdim)
        # an array, never a scalar; dtype: NumPy widens small integers
        y = _out(x.prod(axis=axes, keepdims=True, dtype=x.dtype), axes, keepdim, x.shape)
        if ctx.needs_input_grad:
            ctx.zeros = int((x == 0).sum())
            ctx.save_for_backward(x, None if ctx.zeros else y)
        return y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        if x.ndim == 0:
            return g, None, None
        g = _unreduce(g, ctx)
        if not ctx.zeros:
            return g * (_unreduce(y, ctx) / x), None, None
        return g * _prod_others(x, ctx.axes), None, None

    @staticmethod
    def raw_backward(ctx, g):
        x, y = ctx.saved_arrays
        if x.ndim == 0:
            return g, None, None
        g = _unreduce(g, ctx)
        if not ctx.zeros:
            return g * (_unreduce(y, ctx) / x), None, None
        if ctx.axes is None and ctx.zeros > 1:  # PyTorch's shortcut, taken only when not recorded
            return ctx.device.xp.zeros_like(x), None, None
        # rare (a zero in the input): the Tensor form on Tensors made here (nothing is recorded)
        return g * _prod_others(Tensor._make(x, ctx.device), ctx.axes)._data, None, None


def _prod_others(x, axes):
    """``prod_{j < k} x_j * prod_{j > k} x_j`` for every ``k`` along the reduced axis (all of ``x``
    flattened when ``axes`` is None), as PyTorch's ``prod_safe_zeros_backward``: from exclusive
    cumulative products, so exact (and differentiable) where ``x`` has zeros."""
    from .linalg_more import Cumprod
    from .shape import cat

    flat, d = (x.reshape(-1), 0) if axes is None else (x, axes[0])
    n, xp = flat.shape[d], x.device.xp
    if n == 0:
        return Tensor._make(xp.ones(x.shape, dtype=x.dtype), x.device)
    one = Tensor._make(xp.ones(_kept_shape(flat.shape, (d,)), dtype=x.dtype), x.device)
    before = Cumprod.apply(cat([one, flat.narrow(d, 0, n - 1)], d), d)
    after = Cumprod.apply(cat([one, flat.narrow(d, 1, n - 1).flip(d)], d), d).flip(d)
    return (before * after).reshape(x.shape)


def prod(input, dim=None, keepdim=False, *, dtype=None, **kw):
    """Product over ``dim``; the gradient is exact where the input has zeros.

    Example::

        >>> ag.tensor([[1., 2.], [3., 4.]]).prod(1)
        tensor([ 2., 12.])
    """
    dim, keepdim = dim_kwargs(dim, keepdim, kw, "prod")
    input = _int_to_long(input) if dtype is None else input.to(dtype)
    if isinstance(dim, (tuple, list)) and len(dim) > 1:
        raise TypeError("prod(): dim must be a single int, not a tuple (as in PyTorch)")
    return Prod.apply(input, _axes(dim, input._data.ndim), bool(keepdim))


# ---------------------------------------------------------------- norm
class Norm(Primitive):
    """Vector p-norm over ``axes``; the gradient at a zero vector is 0, as in PyTorch."""

    @staticmethod
    def forward(ctx, x, p, axes, keepdim):
        _setup(ctx, x, axes, keepdim)
        ctx.p = p
        xp = ctx.device.xp
        acc = acc_dtype(x.dtype)  # float16: powers and sums in float32 (300² overflows float16)
        xa = x if acc is None else x.astype(acc)
        a = xp.abs(xa)
        if p == 2:
            y = xp.sqrt((xa * xa).sum(axis=axes, keepdims=True))
        elif p == 1:
            y = a.sum(axis=axes, keepdims=True)
        elif p == 0:
            y = (x != 0).sum(axis=axes, keepdims=True)
        elif math.isinf(p):
            y = (xp.max if p > 0 else xp.min)(a, axis=axes, keepdims=True)
            if ctx.needs_input_grad:
                mask = a == y  # none where the slice holds a NaN: gradient 0 there, as PyTorch
                count = xp.maximum(mask.sum(axis=axes, keepdims=True), 1)
                ctx.save_for_backward(x, (mask / count).astype(x.dtype))
        else:
            with errstate(xp, divide="ignore"):  # p < 0 with a zero: 0 ** p = inf, the norm 0 (as PyTorch)
                y = (a ** p).sum(axis=axes, keepdims=True) ** (1.0 / p)
        y = _out(y.astype(x.dtype, copy=False), axes, keepdim, x.shape)
        if not math.isinf(p):
            ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, g):
        if ctx.p == 0:  # a count: no gradient at all (PyTorch leaves x.grad None), not 0 * x (NaN at inf)
            return None, None, None, None
        return _norm_grad(ctx, g, *ctx.saved_tensors, sign, where, lambda t: t.abs()), None, None, None

    @staticmethod
    def raw_backward(ctx, g):
        if ctx.p == 0:
            return None, None, None, None
        xp = ctx.device.xp
        grad = _norm_grad(ctx, g, *ctx.saved_arrays, lambda a: sign_array(xp, a), xp.where, xp.abs)
        return grad, None, None, None


def _norm_grad(ctx, g, x, y, sign_, where_, abs_):
    """The p-norm's gradient, with Tensor ops or (``xp.sign``, ``xp.where``, ``xp.abs``) on arrays."""
    g = _unreduce(g, ctx)
    p = ctx.p
    if p == 1:
        return g * sign_(x)
    if math.isinf(p):
        # y holds the tie weights here (0 where x is NaN: sign(NaN) * 0 must not make NaN)
        return g * where_(y == 0, 0.0, sign_(x) * y)
    y = _unreduce(y, ctx)
    safe = where_(y == 0, 1.0, y)
    if p == 2:
        return g * x / safe
    # 0 where x == 0 (p < 1) or y == 0 (p < 0 with a zero), as PyTorch; no inf/nan anywhere
    ax = where_(x == 0, 1.0, abs_(x))
    r = sign_(x) * ax ** (p - 1) / safe ** (p - 1)
    return g * where_(y == 0, 0.0, r)


def norm(input, p="fro", dim=None, keepdim=False, dtype=None, **kw):
    """The vector p-norm of ``input`` over ``dim`` (all elements by default).

    Args:
        p: ``"fro"`` or 2 (Euclidean), 1, ``inf``, ``-inf``, 0 (count of
            nonzeros) or any other real number; ``"nuc"``, the nuclear norm of the matrices over
            ``dim`` (a 2-tuple; by default all dims, so a matrix), as ``linalg.matrix_norm``.
        dim: an int or tuple of dims.
        keepdim: keep reduced dims with size 1.
        dtype: cast the input to this dtype first.

    Example::

        >>> ag.tensor([3., 4.]).norm()
        tensor(5.)
    """
    dim, keepdim = dim_kwargs(dim, keepdim, kw, "norm")
    if dtype is not None:  # PyTorch checks the input itself, then the dtype (no narrowing)
        from .linalg_norm import _float_checks  # linalg_norm is built on this module

        _float_checks("linalg.vector_norm", input, dtype)
    input = _with_dtype(input, dtype)
    if input._data.dtype.kind != "f":
        raise RuntimeError(f"norm(): Expected a floating point tensor as input. Got {input.dtype}")
    if p is None or p == "fro":
        if isinstance(dim, (tuple, list)) and len(dim) > 2:  # 'fro' over dims is a matrix norm
            raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {' '.join(map(str, dim))}")
        p = 2
    elif isinstance(p, str):  # 'nuc', or an error naming the order, as PyTorch's
        from .linalg_norm import matrix_norm  # linalg_norm is built on this module

        return matrix_norm(input, p, tuple(range(input.ndim)) if dim is None else dim, keepdim)
    elif not isinstance(p, numbers.Real) or isinstance(p, bool):
        raise TypeError(f"norm(): p must be a number or 'fro', got {type(p).__name__}")
    axes = _axes(dim, input._data.ndim)
    if (p < 0 or math.isinf(p)) and _count(input.shape, axes) == 0:
        raise RuntimeError(f"norm(): cannot compute the {p} norm over an empty dimension "
                           "(the operation has no identity)")
    return Norm.apply(input, float(p), axes, bool(keepdim))


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    """The vector ``ord``-norm of ``x`` over ``dim`` (all elements, flattened, by default), as
    ``torch.linalg.vector_norm``: ``ord`` is any real number, ``inf`` (largest absolute value),
    ``-inf`` (smallest) or 0 (count of nonzeros).

    Example::

        >>> ag.linalg.vector_norm(ag.tensor([3., -4.]), float("inf"))
        tensor(4.)
    """
    if isinstance(ord, str) or not isinstance(ord, numbers.Real) or isinstance(ord, bool):
        raise TypeError(f"linalg.vector_norm: ord must be a real number, got {ord!r}")
    return norm(x, ord, dim, keepdim, dtype)


# ---------------------------------------------------------------- cumsum
class Cumsum(Primitive):
    @staticmethod
    def forward(ctx, x, dim, reverse):
        ctx.dim, ctx.reverse = dim, reverse
        return _cumsum_array(ctx.device.xp, x, dim, reverse)

    @staticmethod
    def backward(ctx, g):
        return Cumsum.apply(g, ctx.dim, not ctx.reverse), None, None

    @staticmethod
    def raw_backward(ctx, g):
        return _cumsum_array(ctx.device.xp, g, ctx.dim, not ctx.reverse), None, None


_CUMSUM_ACC = {"float16": "float32", "float32": "float64"}


def _cumsum_array(xp, x, dim, reverse):
    """Cumulative sums of array ``x`` along ``dim`` (from the end when ``reverse``), in ``x``'s dtype;
    as PyTorch's CPU kernel, float16 accumulates in float32 and float32 in float64 (a long running
    sum loses the small terms otherwise), and integers in their own dtype (NumPy would widen them)."""
    acc = _CUMSUM_ACC.get(x.dtype.name, x.dtype)
    if reverse:
        out = xp.flip(xp.cumsum(xp.flip(x, axis=dim), axis=dim, dtype=acc), axis=dim)
    else:
        out = xp.cumsum(x, axis=dim, dtype=acc)
    with errstate(xp, over="ignore"):  # a float16 prefix beyond its range is inf, silently (PyTorch)
        return out.astype(x.dtype, copy=False)


def cumsum(input, dim=None, *, dtype=None, **kw):
    """Cumulative sum along ``dim``; integer inputs accumulate in int64.

    Example::

        >>> ag.tensor([1., 2., 3.]).cumsum(0)
        tensor([1., 3., 6.])
    """
    dim, _ = dim_kwargs(dim, False, kw, "cumsum")
    if dim is None:
        raise TypeError("cumsum() missing required argument 'dim'")
    input = _int_to_long(input) if dtype is None else input.to(dtype)
    d = norm_dim(dim, input._data.ndim)
    if input._data.ndim == 0:
        return Cumsum.apply(input.reshape(1), 0, False).reshape(())
    return Cumsum.apply(input, d, False)
