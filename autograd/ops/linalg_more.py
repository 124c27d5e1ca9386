"""More products and scans: cumprod, cdist, cross, kron, tensordot, inner, mv, addmm, addmv, baddbmm,
addbmm.

``cumprod`` is one primitive (its gradient handles zeros exactly); the rest are composites of
matmul, elementwise ops, ``norm`` and reshapes.
"""
from __future__ import annotations

import numbers

from .. import backend
from ..function import Primitive
from ..tensor import Tensor
from . import elementwise as ew
from . import shape as sh
from ._util import dim_kwargs, errstate, norm_dim
from .linalg import bmm, matmul
from .reduce import _CUMSUM_ACC, Cumsum, _cumsum_array, norm

__all__ = ["cumprod", "cdist", "cross", "kron", "tensordot", "inner", "mv", "addmm", "addmv", "baddbmm",
           "addbmm"]


class Cumprod(Primitive):
    """Cumulative product along ``dim``.

    Backward, as PyTorch's ``cumprod_backward``: ``g`` itself when ``dim`` has one element;
    ``reverse_cumsum(g * y) / x`` when ``x`` has no zeros; otherwise, recorded (``backward``), the
    exact O(n²) ``dx_k = sum_{i >= k} g_i prod_{j < k} x_j prod_{k < j <= i} x_j``, and unrecorded
    (``raw_backward``) PyTorch's O(n) formula, which gives 0 after each row's first zero (so a NaN
    or inf before that zero does not reach those entries, unlike the O(n²) one).
    """

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        xp = ctx.device.xp
        # in x's dtype (NumPy would widen int8 to int64), accumulated as PyTorch's CPU kernel: float16
        # in float32, float32 in float64
        with errstate(xp, over="ignore"):
            y = xp.cumprod(x, axis=dim, dtype=_CUMSUM_ACC.get(x.dtype.name, x.dtype))
        y = y.astype(x.dtype, copy=False)
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        d = ctx.dim
        if x.shape[d] == 1:
            return g, None
        if not bool(x.device.xp.any(x._data == 0)):
            return Cumsum.apply(g * y, d, True) / x, None
        return _zero_safe_grad(x, y, g, d), None

    @staticmethod
    def raw_backward(ctx, g):
        x, y = ctx.saved_arrays
        xp, d = ctx.device.xp, ctx.dim
        if x.shape[d] == 1:
            return g, None
        w = g * y
        zero = x == 0
        if not bool(xp.any(zero)):
            return _cumsum_array(xp, w, d, True) / x, None
        # PyTorch's O(n) formula: before the first zero, reverse_cumsum(g * y) / x over that stretch;
        # at the first zero z1, prod_{j < z1} x_j * sum_{z1 <= i < z2} g_i prod_{z1 < j <= i} x_j;
        # 0 from there on
        nz = xp.cumsum(zero, axis=d)
        before = nz == 0
        with errstate(xp, invalid="ignore", divide="ignore"):
            dx = xp.where(before, _cumsum_array(xp, xp.where(before, w, 0), d, True) / x, 0)
            first = zero & (nz == 1)
            between = (nz == 1) & ~first
            z1 = xp.expand_dims(xp.argmax(nz == 1, axis=d), d)
            lead = xp.take_along_axis(y, xp.maximum(z1 - 1, 0), axis=d)
            lead = xp.where(z1 == 0, 1, lead)
            run = xp.cumprod(xp.where(between, x, 1), axis=d) * xp.where(nz == 1, g, 0)
            at_z1 = run.sum(axis=d, keepdims=True) * lead
            dx = xp.where(first, at_z1, dx)
        return dx.astype(g.dtype, copy=False), None


def _zero_safe_grad(x, y, g, d):
    """The cumulative product's gradient where ``x`` has zeros (Tensors), O(n²) along ``d``, in
    PyTorch's order of products: ``prod_{j < k} x_j`` (``y_{k-1}``) times ``prod_{k < j <= i} x_j``."""
    xm, ym, gm = sh.transpose(x, d, -1), sh.transpose(y, d, -1), sh.transpose(g, d, -1)
    n = xm.shape[-1]
    xp = x.device.xp
    upper = Tensor._make(xp.arange(n)[None, :] > xp.arange(n)[:, None], x.device)  # [k, j]: j > k
    tri = Tensor._make(xp.arange(n)[None, :] >= xp.arange(n)[:, None], x.device)  # [k, i]: i >= k
    after = ew.where(upper, sh.unsqueeze(xm, -2), 1.0)  # [..., k, j] = x_j for j > k, else 1
    cp = Cumprod.apply(after, after.ndim - 1)  # [..., k, i] = prod_{k < j <= i} x_j
    one = Tensor._make(xp.ones(ym.shape[:-1] + (1,), dtype=ym.dtype), x.device)
    until = sh.cat([one, ym[..., :-1]], -1)  # [..., k] = prod_{j < k} x_j
    dx = ew.where(tri, sh.unsqueeze(until, -1) * cp * sh.unsqueeze(gm, -2), 0.0).sum(-1)
    return sh.transpose(dx, d, -1)


def cumprod(input, dim=None, *, dtype=None, **kw):
    """Cumulative product along ``dim``; integer inputs accumulate in int64."""
    dim, _ = dim_kwargs(dim, False, kw, "cumprod")
    if dim is None:
        raise TypeError("cumprod() missing required argument 'dim'")
    if dtype is not None:
        input = input.to(dtype)
    elif input.dtype.kind in "biu":
        input = input.to(backend.int64)
    if input.ndim == 0:
        norm_dim(dim, 0)
        return Cumprod.apply(input.reshape(1), 0).reshape(())
    return Cumprod.apply(input, norm_dim(dim, input.ndim))


def cdist(x1, x2, p=2.0, compute_mode=None):
    """p-norm distances between the rows of ``x1`` ``(..., P, M)`` and ``x2`` ``(..., R, M)``:
    ``(..., P, R)``. The gradient at zero distance is 0, as PyTorch's."""
    if x1.ndim < 2 or x2.ndim < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X1 got: {x1.ndim}D, X2 got: {x2.ndim}D")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {x1.shape[-1]} X2: "
                           f"{x2.shape[-1]}")
    if p < 0:
        raise RuntimeError(f"cdist only supports non-negative p values, got {p}")
    diff = ew.sub(sh.unsqueeze(x1, -2), sh.unsqueeze(x2, -3))  # (..., P, R, M)
    if p == 0:
        return nonzero_count_distance(diff)
    if diff.shape[-1] == 0:  # rows of no components are at distance 0 for every p (inf too), as PyTorch's
        return diff.sum(-1)
    return norm(diff, p, -1)


def nonzero_count_distance(diff):
    """The p = 0 distance of cdist / pdist: the nonzero components of ``diff`` counted over its last
    dim, NaN where one is NaN, with a zero gradient (norm's p = 0 has none), as PyTorch's kernels."""
    return diff.abs().clamp(max=1).ceil().sum(-1)  # ceil: 0 stays 0, NaN stays NaN; zero gradient


def cross(input, other, dim=None):
    """Cross product of 3-vectors along ``dim`` (default: the first dimension of size 3); the
    operands have the same number of dimensions and broadcast."""
    if input.ndim != other.ndim:
        raise RuntimeError(f"linalg.cross: inputs must have the same number of dimensions (got {input.ndim} "
                           f"and {other.ndim})")
    shape = backend.Device("cpu").xp.broadcast_shapes(tuple(input.shape), tuple(other.shape))
    if dim is None:
        dims = [i for i, n in enumerate(shape) if n == 3]
        if not dims:
            raise RuntimeError("no dimension of size 3 in input")
        dim = dims[0]
    d = norm_dim(dim, len(shape))
    if shape[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {d} must have length 3. Got {shape[d]}")
    a = sh.broadcast_to(input, shape) if tuple(input.shape) != shape else input
    b = sh.broadcast_to(other, shape) if tuple(other.shape) != shape else other
    a1, a2, a3 = (sh.squeeze(t, d) for t in sh.split(a, 1, d))
    b1, b2, b3 = (sh.squeeze(t, d) for t in sh.split(b, 1, d))
    return sh.stack([a2 * b3 - a3 * b2, a3 * b1 - a1 * b3, a1 * b2 - a2 * b1], d)


def kron(input, other):
    """Kronecker product: blocks ``input[i] * other`` (dimensions padded with 1s in front)."""
    n = max(input.ndim, other.ndim)
    a = input.reshape((1,) * (n - input.ndim) + tuple(input.shape))
    b = other.reshape((1,) * (n - other.ndim) + tuple(other.shape))
    a = a.reshape(tuple(v for s in a.shape for v in (s, 1)))
    b = b.reshape(tuple(v for s in b.shape for v in (1, s)))
    return (a * b).reshape(tuple(x * y for x, y in zip(a.shape[::2], b.shape[1::2])))


def tensordot(a, b, dims=2):
    """Sum of products over ``dims``: the last ``dims`` of ``a`` with the first of ``b``, or the
    listed pairs ``([a dims], [b dims])``."""
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, numbers.Integral):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        da, db = list(range(a.ndim - dims, a.ndim)), list(range(dims))
    else:
        da, db = ([x] if isinstance(x, numbers.Integral) else list(x) for x in dims)
    if len(da) != len(db):
        raise RuntimeError("both dimension lists should have same length")
    da = [norm_dim(x, a.ndim) for x in da]
    db = [norm_dim(x, b.ndim) for x in db]
    for x, y in zip(da, db):
        if a.shape[x] != b.shape[y]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size {a.shape[x]} in dim "
                               f"{x} and second has size {b.shape[y]} in dim {y}")
    fa = [i for i in range(a.ndim) if i not in da]
    fb = [i for i in range(b.ndim) if i not in db]
    k = 1
    for x in da:
        k *= a.shape[x]
    am = sh.permute(a, *(fa + da)).reshape(-1, k)
    bm = sh.permute(b, *(db + fb)).reshape(k, -1)
    return matmul(am, bm).reshape(tuple(a.shape[i] for i in fa) + tuple(b.shape[i] for i in fb))


def inner(input, other):
    """Sum of products over the last dimension of each (a scalar product for 0-d operands)."""
    if input.ndim == 0 or other.ndim == 0:
        return ew.mul(input, other)
    return tensordot(input, other, ([-1], [-1]))


def mv(input, vec):
    """Matrix-vector product ``input @ vec``."""
    if input.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {input.ndim}, {vec.ndim}")
    return matmul(input, vec)


def _scaled_sum(input, prod, beta, alpha):
    out = prod if alpha == 1 else ew.mul(prod, alpha)
    if beta == 0:  # PyTorch ignores input (nan and inf included) when beta is 0
        if isinstance(input, Tensor) and input.requires_grad:  # but it gets a zero gradient
            nowhere = Tensor._make(input.device.xp.zeros(input.shape, dtype=bool), input.device)
            out = ew.add(out, ew.where(nowhere, input, 0.0))
        return out
    return ew.add(input if beta == 1 else ew.mul(input, beta), out)


def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    """``beta * input + alpha * (mat1 @ mat2)``."""
    if mat1.ndim != 2 or mat2.ndim != 2:
        raise RuntimeError(f"addmm: mat1 and mat2 must be matrices, got {mat1.ndim}-D and {mat2.ndim}-D")
    return _scaled_sum(input, matmul(mat1, mat2), beta, alpha)


def addmv(input, mat, vec, *, beta=1, alpha=1):
    """``beta * input + alpha * (mat @ vec)``."""
    return _scaled_sum(input, mv(mat, vec), beta, alpha)


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """``beta * input + alpha * bmm(batch1, batch2)``."""
    return _scaled_sum(input, bmm(batch1, batch2), beta, alpha)


def addbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """``beta * input + alpha * sum_b batch1[b] @ batch2[b]``."""
    return _scaled_sum(input, bmm(batch1, batch2).sum(0), beta, alpha)
