"""More of ``torch.linalg`` and the legacy matrix functions: multi_dot / chain_matmul, matrix_power,
matrix_exp, vecdot, cross, diagonal, vander, tensorsolve / tensorinv, ger and renorm.

All but ``matrix_exp`` are composites of differentiable ops. ``matrix_exp`` is a primitive: scaling
and squaring with the degree-13 Pade approximant (Higham 2005) forward, and PyTorch's backward, the
upper-right block of ``matrix_exp([[A^T, G], [0, A^T]])``, which is itself differentiable.
"""
from __future__ import annotations

import math

from ..function import Primitive
from ..tensor import Tensor
from . import elementwise as ew
from . import shape as sh
from .linalg import dot, matmul, outer
from .linalg_decomp import inverse, solve
from .linalg_more import cross as _cross
from .math_more import torch_name
from .zero_grad_to import zero_grad_to
from .reduce import vector_norm
from .selection import diagonal as _diagonal

__all__ = ["multi_dot", "chain_matmul", "matrix_power", "matrix_exp", "vecdot", "linalg_cross",
           "linalg_diagonal", "linalg_vander", "vander", "tensorsolve", "tensorinv", "ger", "renorm",
           "renorm_", "householder_product", "orgqr", "vdot", "adjoint", "conj", "resolve_conj", "addr"]


def _square_check(name, A, floating=True):  # noqa: N803
    if not isinstance(A, Tensor):
        raise TypeError(f"{name}(): argument 'A' must be Tensor, not {type(A).__name__}")
    if A.ndim < 2 or A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"{name}: A must be batches of square matrices, but they are "
                           f"{A.shape[-2] if A.ndim >= 2 else A.ndim} by {A.shape[-1] if A.ndim else 0} "
                           "matrices")
    if floating and A._data.dtype.kind != "f":
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. Got "
                           f"{torch_name(A.dtype)}")


def multi_dot(tensors):
    """``torch.linalg.multi_dot``: the product of a chain of matrices; the first may be a 1-D row
    vector and the last a 1-D column vector (their dimension is dropped from the result)."""
    tensors = list(tensors)
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    first, last = tensors[0], tensors[-1]
    if first.ndim not in (1, 2):
        raise RuntimeError(f"multi_dot(): the first tensor must be 1D or 2D but got {first.ndim}D")
    if last.ndim not in (1, 2):
        raise RuntimeError(f"multi_dot(): the last tensor must be 1D or 2D but got {last.ndim}D")
    for i, t in enumerate(tensors[1:-1], 1):
        if t.ndim != 2:
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {t.ndim}D")
    mats = [first[None] if first.ndim == 1 else first] + tensors[1:-1] + [last[:, None] if last.ndim == 1
                                                                           else last]
    for i in range(len(mats) - 1):
        if mats[i].shape[1] != mats[i + 1].shape[0]:
            raise RuntimeError(f"multi_dot(): tensors {i} and {i + 1} with shapes {list(tensors[i].shape)} "
                               f"and {list(tensors[i + 1].shape)} cannot be multiplied")
    result = _chain(mats)
    if first.ndim == 1:
        result = result[0]
    if last.ndim == 1:
        result = result[..., 0]
    return result


def _chain(mats):
    """The product of 2-D ``mats`` in the order that needs the fewest multiplications (PyTorch's
    dynamic programme; the same value up to rounding)."""
    n = len(mats)
    if n <= 2:
        return mats[0] if n == 1 else matmul(mats[0], mats[1])
    dims = [m.shape[0] for m in mats] + [mats[-1].shape[1]]
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            cost[i][j] = math.inf
            for k in range(i, j):
                c = cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1]
                if c < cost[i][j]:
                    cost[i][j], split[i][j] = c, k

    def product(i, j):
        return mats[i] if i == j else matmul(product(i, split[i][j]), product(split[i][j] + 1, j))
    return product(0, n - 1)


def chain_matmul(*matrices):
    """``torch.chain_matmul`` (deprecated in PyTorch): the product of 2-D matrices."""
    if not matrices:
        raise RuntimeError("chain_matmul(): Expected one or more matrices")
    for i, t in enumerate(matrices):
        if t.ndim != 2:
            raise RuntimeError(f"Tensor dimension is {t.ndim}, expected 2 instead.")
    if len(matrices) == 1:
        return matrices[0].clone()
    return multi_dot(matrices)


def matrix_power(A, n):  # noqa: N803
    """``torch.linalg.matrix_power``: ``A^n`` by repeated squaring; ``n = 0`` gives identities,
    ``n < 0`` powers of ``inv(A)``."""
    _square_check("linalg.matrix_power", A, floating=False)
    if not isinstance(n, int) or isinstance(n, bool):
        raise TypeError(f"linalg_matrix_power(): argument 'n' must be int, not {type(n).__name__}")
    if n == 0:  # identities, on the graph with a zero gradient to A (as PyTorch's)
        xp = A.device.xp
        eye = xp.broadcast_to(xp.eye(A.shape[-1], dtype=A._data.dtype), A.shape).copy()
        return zero_grad_to(Tensor._make(eye, A.device), A)
    if n == 1:  # a new tensor, never A itself (writing to the result must leave A as it was)
        return A.clone()
    if n < 0:
        if A._data.dtype.kind != "f":
            raise RuntimeError(f"linalg.inv: Expected a floating point or complex tensor as input. Got "
                               f"{torch_name(A.dtype)}")
        from .linalg_lu import lu_info, raise_if_singular

        raise_if_singular("linalg.inv", lu_info(A))
    base = inverse(A) if n < 0 else A
    n = abs(n)
    result = None
    while True:
        if n & 1:
            result = base if result is None else matmul(result, base)
        n >>= 1
        if not n:
            return result
        base = matmul(base, base)


# the degree-13 Pade coefficients b_0..b_13 (Higham 2005, table 10.4) and the 1-norm bound theta_13
_PADE13 = (64764752532480000., 32382376266240000., 7771770303897600., 1187353796428800., 129060195264000.,
           10559470521600., 670442572800., 33522128640., 1323241920., 40840800., 960960., 16380., 182., 1.)
_THETA13 = 5.371920351148152


def _expm_arrays(xp, a):
    """``exp(a)`` of (..., n, n) arrays: each matrix scaled by ``2^-s`` into the Pade-13 range, the
    approximant, then ``s`` squarings (only for the matrices that needed them)."""
    b = _PADE13
    norm = xp.abs(a).sum(-2).max(-1) if a.size else xp.zeros(a.shape[:-2])
    s = xp.maximum(0, xp.ceil(xp.log2(xp.maximum(norm, 1e-300) / _THETA13))).astype(xp.int64)
    s = xp.where(xp.isfinite(norm), s, 0)
    a = a / (2.0 ** s)[..., None, None].astype(a.dtype)
    eye = xp.broadcast_to(xp.eye(a.shape[-1], dtype=a.dtype), a.shape)
    a2 = a @ a
    a4 = a2 @ a2
    a6 = a4 @ a2
    u = a @ (a6 @ (b[13] * a6 + b[11] * a4 + b[9] * a2) + b[7] * a6 + b[5] * a4 + b[3] * a2 + b[1] * eye)
    v = a6 @ (b[12] * a6 + b[10] * a4 + b[8] * a2) + b[6] * a6 + b[4] * a4 + b[2] * a2 + b[0] * eye
    r = xp.linalg.solve(v - u, v + u) if a.size else a.copy()
    for i in range(int(s.max()) if s.size else 0):
        r = xp.where((i < s)[..., None, None], r @ r, r)
    return r.astype(a.dtype, copy=False)


class MatrixExp(Primitive):
    """``exp(A)`` of square matrices (batched)."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return _expm_arrays(ctx.device.xp, a)

    @staticmethod
    def backward(ctx, g):
        # PyTorch's: the upper-right block of exp([[A^T, G], [0, A^T]]) (Frechet derivative at A^T)
        (a,) = ctx.saved_tensors
        n = a.shape[-1]
        at = a.mT
        top = sh.cat([at, g], -1)
        bottom = sh.cat([Tensor(a.device.xp.zeros(a.shape, dtype=a._data.dtype)), at], -1)
        return MatrixExp.apply(sh.cat([top, bottom], -2))[..., :n, n:]


def matrix_exp(A):  # noqa: N803
    """``torch.linalg.matrix_exp``: the matrix exponential ``sum_k A^k / k!`` (batched)."""
    _square_check("linalg.matrix_exp", A)
    return MatrixExp.apply(A)


def vecdot(x, y, *, dim=-1):
    """``torch.linalg.vecdot``: ``sum(x * y, dim)`` (the operands broadcast; floating point only)."""
    for t in (x, y):
        if t._data.dtype.kind != "f":
            raise RuntimeError(f"linalg.vecdot: Expected a floating point or complex tensor as input. Got "
                               f"{torch_name(t.dtype)}")
    return ew.mul(x, y).sum(dim)


def linalg_cross(input, other, *, dim=-1):
    """``torch.linalg.cross``: the cross product along ``dim`` (default -1; the inputs broadcast)."""
    if input.ndim != other.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    nd = input.ndim
    if not -nd <= dim < nd:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-nd}, {nd - 1}], but got "
                         f"{dim})")
    if input.shape[dim] != 3 or other.shape[dim] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got "
                           f"{input.shape[dim]} and {other.shape[dim]}")
    shape = _broadcast_shape(input.shape, other.shape)
    return _cross(sh.broadcast_to(input, shape), sh.broadcast_to(other, shape), dim % nd)


def _broadcast_shape(a, b):
    out = []
    for i in range(1, max(len(a), len(b)) + 1):
        x = a[-i] if i <= len(a) else 1
        y = b[-i] if i <= len(b) else 1
        if x != y and 1 not in (x, y):
            raise RuntimeError(f"The size of tensor a ({x}) must match the size of tensor b ({y}) at "
                               f"non-singleton dimension {max(len(a), len(b)) - i}")
        out.append(y if x == 1 else x)
    return tuple(reversed(out))


def linalg_diagonal(A, *, offset=0, dim1=-2, dim2=-1):  # noqa: N803
    """``torch.linalg.diagonal``: ``torch.diagonal`` with the last two dims as defaults."""
    return _diagonal(A, offset, dim1, dim2)


def _vander(x, n):
    """``[x^0, x^1, ..., x^(n-1)]`` along a new last dim, each column the previous one times ``x``
    (exact derivatives of every order at ``x = 0``, where a power's are 0 * inf)."""
    col = sh.unsqueeze(x, -1)
    cols = [Tensor(x.device.xp.ones(tuple(x.shape) + (1,), dtype=x._data.dtype))]
    for _ in range(n - 1):
        cols.append(cols[-1] * col)
    return sh.cat(cols, -1)[..., :n]


def linalg_vander(x, *, N=None):  # noqa: N803
    """``torch.linalg.vander``: ``x`` (..., n) to (..., n, N) with columns ``x^0 .. x^(N-1)``."""
    if x.ndim < 1:
        raise RuntimeError("N must be greater than 1.")
    n = x.shape[-1] if N is None else N
    if n <= 1:
        raise RuntimeError("N must be greater than 1.")
    return _vander(x, n)


def vander(x, N=None, increasing=False):  # noqa: N803
    """``torch.vander``: the Vandermonde matrix of a 1-D ``x``, powers decreasing unless ``increasing``."""
    if x.ndim != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = x.shape[0] if N is None else N
    if n < 0:
        raise RuntimeError("N must be non-negative.")
    out = _vander(x, n)
    return out if increasing or n == 0 else sh.flip(out, -1)


def tensorsolve(A, B, dims=None):  # noqa: N803
    """``torch.linalg.tensorsolve``: ``X`` with ``tensordot(A, X, X.ndim) = B``; ``dims`` of ``A`` are
    moved to the end first."""
    if dims is not None:
        nd = A.ndim
        dims = [d % nd for d in dims]
        A = sh.permute(A, *[d for d in range(nd) if d not in dims], *dims)
    rest = tuple(A.shape[B.ndim:])
    rows, cols = math.prod(B.shape), math.prod(rest)
    if tuple(A.shape[:B.ndim]) != tuple(B.shape) or rows != cols:
        raise RuntimeError(f"Expected self to satisfy the requirement prod(self.shape[other.ndim:]) == "
                           f"prod(self.shape[:other.ndim]), but got {cols} != {rows}")
    return solve(A.reshape(rows, cols), B.reshape(rows)).reshape(rest)


def tensorinv(A, ind=2):  # noqa: N803
    """``torch.linalg.tensorinv``: the inverse of ``A`` for ``tensordot`` over ``ind`` dims."""
    if not isinstance(ind, int) or ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    rows, cols = math.prod(A.shape[:ind]), math.prod(A.shape[ind:])
    if rows != cols:
        raise RuntimeError(f"Expected self to satisfy the requirement prod(self.shape[ind:]) == "
                           f"prod(self.shape[:ind]), but got {cols} != {rows}")
    return inverse(A.reshape(rows, cols)).reshape(tuple(A.shape[ind:]) + tuple(A.shape[:ind]))


def vdot(input, other):
    """``torch.vdot``: ``dot(conj(input), other)``; xpgrad's tensors are real, so ``dot`` (its checks
    and gradient)."""
    return dot(input, other)


def conj(input):
    """``torch.conj``: the tensor itself for a real tensor (xpgrad has no complex dtypes)."""
    return input


resolve_conj = conj


def adjoint(input, _name="adjoint()"):
    """``torch.adjoint`` / ``Tensor.mH``: the last two dimensions swapped (conjugation is the identity
    on real tensors); PyTorch's error below 2-D, its deprecation warning on a 0-D tensor."""
    if input.ndim == 0:
        import warnings

        spelled = "adjoint()" if _name == "adjoint()" else f"Tensor.{_name}"
        warnings.warn(f"{spelled} is deprecated on 0-D tensors. Consider using x.conj().", UserWarning,
                      stacklevel=3)
        return input
    if input.ndim < 2:
        spelled = "adjoint()" if _name == "adjoint()" else _name
        raise RuntimeError(f"tensor.{spelled} is only supported on matrices or batches of matrices. Got "
                           f"{input.ndim}-D tensor.")
    return input.transpose(-2, -1)


def conj_transpose(input):
    """``Tensor.H``: the conjugate transpose of a matrix (2-D only, as PyTorch)."""
    if input.ndim > 2:
        raise RuntimeError(f"tensor.H is only supported on matrices (2-D tensors). Got {input.ndim}-D "
                           "tensor. For batches of matrices, consider using tensor.mH")
    if input.ndim == 1:
        raise RuntimeError("tensor.H is only supported on matrices (2-D tensors). Got 1-D tensor.")
    return adjoint(input, "H")


def addr(input, vec1, vec2, *, beta=1, alpha=1):
    """``torch.addr``: ``beta * input + alpha * outer(vec1, vec2)`` (``input`` ignored, NaN included,
    when ``beta`` is 0, as PyTorch)."""
    from .linalg_more import _scaled_sum

    if vec1.ndim != 1 or vec2.ndim != 1:
        raise RuntimeError(f"addr: Expected 1-D argument vec1, but got {vec1.ndim}-D" if vec1.ndim != 1 else
                           f"addr: Expected 1-D argument vec2, but got {vec2.ndim}-D")
    return _scaled_sum(input, outer(vec1, vec2), beta, alpha)


def ger(input, vec2):
    """``torch.ger``: the outer product (``torch.outer``'s old name)."""
    return outer(input, vec2)


def renorm(input, p, dim, maxnorm):
    """``torch.renorm``: each slice along ``dim`` whose ``p``-norm exceeds ``maxnorm`` is scaled to
    norm ``maxnorm`` (by ``maxnorm / (norm + 1e-7)``, as PyTorch); the gradient flows through the norm
    too, as PyTorch's ``renorm_backward``."""
    if input.ndim <= 1:
        raise RuntimeError(f"renorm: input needs at least 2 dimensions, got {input.ndim} dimensions")
    if p <= 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm}")
    d = dim % input.ndim
    dims = [i for i in range(input.ndim) if i != d]
    from .compare import where

    big = vector_norm(input.detach(), p, dims, True) > maxnorm  # the slices scaled (not a NaN norm)
    # the norm of those slices only, so that a NaN or inf in a slice left as it is cannot reach its
    # gradient through the norm (PyTorch's renorm_backward passes g through unchanged there)
    zero, one = (Tensor(input.device.xp.full((), v, input._data.dtype)) for v in (0, 1))
    norm = vector_norm(where(big, input, zero), p, dims, True)
    return input * where(big, maxnorm / (norm + 1e-7), one)


def renorm_(input, p, dim, maxnorm):
    """In-place :func:`renorm`."""
    from .inplace import _apply

    return _apply(input, lambda a: renorm(a, p, dim, maxnorm))


def householder_product(A, tau):  # noqa: N803
    """``torch.linalg.householder_product`` / ``torch.orgqr``: the first n columns of
    ``H_1 ... H_k``, ``H_i = I - tau_i v_i v_i^T`` with ``v_i`` column i of ``A`` below the diagonal
    and 1 on it (a composite of the k rank-one updates; its gradient is the exact one, as PyTorch's)."""
    name = "torch.linalg.householder_product"
    if A.ndim < 2:
        raise RuntimeError(f"{name}: input must have at least 2 dimensions.")
    m, n = A.shape[-2:]
    if m < n:
        raise RuntimeError(f"{name}: input.shape[-2] must be greater than or equal to input.shape[-1]")
    if n < tau.shape[-1]:
        raise RuntimeError(f"{name}: input.shape[-1] must be greater than or equal to tau.shape[-1]")
    if tau.ndim != A.ndim - 1:
        raise RuntimeError(f"{name}: Expected tau to have one dimension less than input, but got tau.ndim "
                           f"equal to {tau.ndim} and input.ndim is equal to {A.ndim}")
    if tuple(tau.shape[:-1]) != tuple(A.shape[:-2]):
        raise RuntimeError(f"{name}: Expected batch dimensions of tau to be equal to input.shape[:-2], but "
                           f"got {list(tau.shape[:-1])}")
    if tau.dtype != A.dtype:
        raise RuntimeError(f"{name}: tau dtype {torch_name(tau.dtype)} does not match input dtype "
                           f"{torch_name(A.dtype)}")
    if A._data.dtype.kind != "f":
        raise NotImplementedError(f'"orgqr_cpu" not implemented for \'{torch_name(A.dtype)}\'')
    from .linalg_decomp import _Tri

    xp = A.device.xp
    eye = xp.eye(m, dtype=A._data.dtype)
    v = _Tri.apply(A, False, -1) + Tensor(eye[:, :n].copy())
    q = Tensor(xp.broadcast_to(eye, tuple(A.shape[:-2]) + (m, m)).copy())
    for i in range(tau.shape[-1]):
        vi = v[..., :, i:i + 1]
        q = q - matmul(q, vi) * vi.mT * tau[..., i, None, None]
    return q[..., :, :n]


def orgqr(input, tau):
    """``torch.orgqr``: :func:`householder_product`."""
    return householder_product(input, tau)
