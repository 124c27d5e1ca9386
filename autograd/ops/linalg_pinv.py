"""The pseudo-inverse and what is built on singular values: ``linalg.pinv``, ``linalg.lstsq``,
``linalg.matrix_rank`` and ``linalg.cond`` (PyTorch's semantics, real inputs, batched over leading dims).

``Pinv``'s backward is PyTorch's ``pinv_backward`` (FunctionsManual.cpp), products of ``A`` and
``A^+`` only, so it is differentiable again and, unlike a composite through the SVD, finite for
rank-deficient ``A`` (of locally constant rank). ``lstsq``'s solution is ``A^+ B``: the minimum-norm
least-squares solution that LAPACK's gelsy (PyTorch's CPU default) computes, with PyTorch's gradient.
"""
from __future__ import annotations

from collections import namedtuple

from ..function import Primitive
from ..tensor import Tensor
from .extrema import return_types
from .linalg import matmul
from .compare import where
from .linalg_decomp import inverse
from .linalg_norm import matrix_norm
from .linalg_spectral import _lapack, _matrices, svdvals
from .math_more import torch_name

__all__ = ["pinverse"]

return_types.linalg_lstsq = namedtuple("linalg_lstsq", ["solution", "residuals", "rank", "singular_values"])


def _tolerance(xp, smax, shape, dtype, atol, rtol):
    """``max(atol, rtol * smax)`` with PyTorch's defaults: ``rtol = eps * max(m, n)`` unless ``atol > 0``."""
    unwrap = (lambda v: xp.asarray(v._data if isinstance(v, Tensor) else v, dtype=dtype))
    default = xp.finfo(dtype).eps * max(shape[-2:])
    atol = xp.zeros((), dtype) if atol is None else unwrap(atol)
    rtol = xp.where(atol > 0, 0.0, default).astype(dtype) if rtol is None else unwrap(rtol)
    return xp.maximum(atol[..., None], rtol[..., None] * smax)


def _singular_values(xp, a, hermitian):
    """The singular values of ``a`` (absolute eigenvalues when ``hermitian``), not sorted for it."""
    if hermitian:
        return xp.abs(_lapack("linalg.eigh", xp.linalg.eigvalsh, a))
    return _lapack("linalg.svd", xp.linalg.svd, a, compute_uv=False)


def _pinv_array(xp, a, atol, rtol, hermitian):
    if 0 in a.shape[-2:]:
        return xp.zeros(a.shape[:-2] + (a.shape[-1], a.shape[-2]), a.dtype)
    if hermitian:
        w, v = _lapack("linalg.eigh", xp.linalg.eigh, a)
        keep = xp.abs(w) > _tolerance(xp, xp.abs(w).max(-1, keepdims=True), a.shape, a.dtype, atol, rtol)
        winv = xp.where(keep, 1 / xp.where(keep, w, 1), 0).astype(a.dtype)
        return xp.matmul(v * winv[..., None, :], xp.swapaxes(v, -1, -2))
    u, s, vh = _lapack("linalg.svd", xp.linalg.svd, a, full_matrices=False)
    keep = s > _tolerance(xp, s[..., :1], a.shape, a.dtype, atol, rtol)
    sinv = xp.where(keep, 1 / xp.where(keep, s, 1), 0).astype(a.dtype)
    return xp.matmul(xp.swapaxes(vh, -1, -2) * sinv[..., None, :], xp.swapaxes(u, -1, -2))


class Pinv(Primitive):
    """``A^+``, the Moore-Penrose pseudo-inverse (singular values at most the tolerance count as 0)."""

    @staticmethod
    def forward(ctx, a, atol, rtol, hermitian):
        p = _pinv_array(ctx.device.xp, a, atol, rtol, hermitian)
        ctx.save_for_backward(a, p)
        return p

    @staticmethod
    def backward(ctx, g):
        a, p = ctx.saved_tensors
        m, n = a.shape[-2:]
        ph, gh = p.mT, g.mT
        if m <= n:  # PyTorch's pinv_backward: the order that keeps the products smallest
            k = matmul(gh, p)
            kph = matmul(k, ph)
            ga = -matmul(p, k).mT + kph - matmul(matmul(a, p), kph) + matmul(matmul(ph, p), gh - matmul(k, a))
        else:
            k = matmul(p, gh)
            phk = matmul(ph, k)
            ga = -matmul(k, p).mT + phk - matmul(phk, matmul(p, a)) + matmul(matmul(gh - matmul(a, k), p), ph)
        return ga, None, None, None


def pinv(A, *, atol=None, rtol=None, hermitian=False):  # noqa: N803 (PyTorch's argument names)
    """``torch.linalg.pinv``: the pseudo-inverse of ``A`` (``(*, m, n)`` to ``(*, n, m)``).

    Singular values at most ``max(atol, rtol * s_max)`` are taken as zero; by default ``rtol`` is
    ``eps * max(m, n)`` (0 when only ``atol > 0`` is given). ``hermitian`` reads ``A``'s lower triangle
    as a symmetric matrix and uses its eigendecomposition.

    Example::

        >>> ag.linalg.pinv(ag.tensor([[1., 0.], [0., 0.]]))
        tensor([[1., 0.],
                [0., 0.]])
    """
    if not isinstance(A, Tensor) or A.ndim < 2 or A._data.dtype.kind != "f":
        what = (f"{torch_name(A.dtype)}{{{list(A.shape)}}}" if isinstance(A, Tensor) else type(A).__name__)
        raise RuntimeError(f"linalg.pinv({what}): expected a tensor with 2 or more dimensions of float, "
                           "double, cfloat or cdouble types")
    if hermitian:
        _matrices("linalg.eigh", A, square=True)
    return Pinv.apply(A, atol, rtol, bool(hermitian))


def pinverse(input, rcond=1e-15):
    """``torch.pinverse`` (legacy): :func:`pinv` with ``rtol=rcond``."""
    return pinv(input, rtol=rcond)


_DRIVERS = ("gels", "gelsy", "gelsd", "gelss")


def lstsq(A, B, rcond=None, *, driver=None):  # noqa: N803
    """``torch.linalg.lstsq``: ``(solution, residuals, rank, singular_values)`` of ``min ||A X - B||``.

    The solution is the minimum-norm one, ``A^+ B`` with singular values below ``rcond * s_max``
    (default ``eps * max(m, n)``) dropped, differentiable in ``A`` and ``B``. The other fields are
    filled as PyTorch fills them on the CPU for ``driver`` ('gelsy' by default): ``rank`` except for
    'gels'; ``singular_values`` for 'gelsd' / 'gelss'; ``residuals`` (squared column norms of
    ``A X - B``) when ``m > n`` for 'gels', and for 'gelsd' / 'gelss' when every ``A`` has full rank.
    The empty ones have shape ``(0,)``.

    Example::

        >>> A = ag.tensor([[1., 0.], [1., 1.], [1., 2.]])
        >>> ag.linalg.lstsq(A, ag.tensor([[1.], [2.], [3.]])).solution
        tensor([[1.0000],
                [1.0000]])
    """
    for name, t in (("input", A), ("other", B)):
        if not isinstance(t, Tensor):
            raise TypeError(f"linalg_lstsq(): argument '{name}' must be Tensor, not {type(t).__name__}")
    if A.ndim < 2:
        raise RuntimeError("torch.linalg.lstsq: input must have at least 2 dimensions.")
    if B.ndim < 1:
        raise RuntimeError("torch.linalg.lstsq: other must have at least 1 dimension.")
    if A.dtype != B.dtype:
        raise RuntimeError("torch.linalg.lstsq: Expected input and other to have the same dtype, but got "
                           f"input's dtype {torch_name(A.dtype)} and other's dtype {torch_name(B.dtype)}")
    if A._data.dtype.kind != "f":
        raise RuntimeError("This function doesn't handle types other than float and double")
    if not 0 <= A.ndim - B.ndim <= 1:
        raise RuntimeError("torch.linalg.lstsq: input.dim() must be greater or equal to other.dim() and "
                           "(input.dim() - other.dim()) <= 1")
    vector = A.ndim == B.ndim + 1
    b = B.unsqueeze(-1) if vector else B
    if b.shape[-2] != A.shape[-2]:
        raise RuntimeError("torch.linalg.lstsq: input.size(-2) should match other.size(-2)")
    for i, (p, q) in enumerate(zip(A.shape[:-2], b.shape[:-2])):  # batches broadcast, as PyTorch's
        if p != q and 1 not in (p, q):
            raise RuntimeError(f"The size of tensor a ({p}) must match the size of tensor b ({q}) at "
                               f"non-singleton dimension {i}")
    driver = "gelsy" if driver is None else driver
    if driver not in _DRIVERS:
        raise RuntimeError("torch.linalg.lstsq: parameter `driver` should be one of "
                           "(gels, gelsy, gelsd, gelss)")
    solution = matmul(pinv(A, rtol=rcond), b)
    xp, dev, dtype = A.device.xp, A.device, A._data.dtype
    m, n = A.shape[-2:]
    empty = Tensor._make(xp.zeros((0,), dtype), dev)
    s = _singular_values(xp, A._data, False) if min(m, n) else xp.zeros(A.shape[:-2] + (0,), dtype)
    rank = xp.zeros((0,), "int64")
    if driver != "gels":
        smax = s[..., :1] if min(m, n) else xp.zeros(A.shape[:-2] + (1,), dtype)
        rank = (s > _tolerance(xp, smax, A.shape, dtype, None, rcond)).sum(-1).astype("int64")
    residuals = empty
    if m > n and driver != "gelsy" and (driver == "gels" or bool((rank == n).all())):
        r = xp.matmul(A._data, solution._data) - b._data
        residuals = Tensor._make((r * r).sum(-2), dev)
    sv = Tensor._make(s, dev) if driver in ("gelsd", "gelss") else empty
    return return_types.linalg_lstsq(solution[..., 0] if vector else solution, residuals,
                                     Tensor._make(xp.asarray(rank), dev), sv)


def matrix_rank(A, tol=None, hermitian=False, *, atol=None, rtol=None):  # noqa: N803
    """``torch.linalg.matrix_rank``: the number of singular values (absolute eigenvalues when
    ``hermitian``) above ``max(atol, rtol * s_max)``, with :func:`pinv`'s defaults; ``tol`` is
    the older spelling of ``atol`` (with ``rtol = 0``).

    Example::

        >>> ag.linalg.matrix_rank(ag.tensor([[1., 2.], [2., 4.]]))
        tensor(1)
    """
    if not isinstance(A, Tensor):
        raise TypeError(f"linalg_matrix_rank(): argument 'input' must be Tensor, not {type(A).__name__}")
    if A.ndim < 2:
        raise RuntimeError("torch.linalg.matrix_rank: The input tensor input must have at least "
                           "2 dimensions.")
    if A._data.dtype.kind != "f":
        raise RuntimeError("This function doesn't handle types other than float and double")
    if tol is not None:
        atol, rtol = tol, 0.0
    if hermitian:
        _matrices("linalg.eigh", A, square=True)
    xp, a = A.device.xp, A._data
    if 0 in a.shape[-2:]:
        return Tensor._make(xp.zeros(a.shape[:-2], "int64"), A.device)
    s = _singular_values(xp, a, hermitian)
    keep = s > _tolerance(xp, s.max(-1, keepdims=True), a.shape, a.dtype, atol, rtol)
    return Tensor._make(xp.asarray(keep.sum(-1), dtype="int64"), A.device)


def cond(A, p=None):  # noqa: N803
    """``torch.linalg.cond``: the condition number of ``A`` in the matrix norm ``p``.

    ``p`` None or 2: ``s_max / s_min`` (any shape); -2: ``s_min / s_max``; 'fro', 'nuc', 1, -1, inf,
    -inf: ``norm(A, p) * norm(inv(A), p)`` for square ``A``, ``inf`` where ``A`` is singular.

    Example::

        >>> ag.linalg.cond(ag.tensor([[2., 0.], [0., 0.5]]))
        tensor(4.)
    """
    if not isinstance(A, Tensor):
        raise TypeError(f"linalg_cond(): argument 'input' must be Tensor, not {type(A).__name__}")
    if A.ndim < 2:
        raise RuntimeError("linalg.cond: The input tensor must have at least 2 dimensions.")
    if p is None or (not isinstance(p, str) and abs(p) == 2):
        s = svdvals(A)
        return s[..., 0] / s[..., -1] if p is None or p > 0 else s[..., -1] / s[..., 0]
    if A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"linalg.cond(ord={p}): A must be batches of square matrices, but they are "
                           f"{A.shape[-2]} by {A.shape[-1]} matrices")
    if p not in ("fro", "nuc", 1, -1, float("inf"), float("-inf")):
        raise RuntimeError(f"linalg.cond got an invalid norm type: {p}")
    _matrices("linalg.svd", A)
    xp, dev, dtype = A.device.xp, A.device, A._data.dtype
    singular = xp.linalg.slogdet(A._data)[0] == 0  # PyTorch: inf for these (its inverse fails)
    if not bool(singular.any()):
        return matrix_norm(A, p) * matrix_norm(inverse(A), p)
    mask = Tensor._make(singular, dev)
    eye = Tensor._make(xp.eye(A.shape[-1], dtype=dtype), dev)
    out = matrix_norm(A, p) * matrix_norm(inverse(where(mask[..., None, None], eye, A)), p)
    return where(mask, Tensor._make(xp.asarray(float("inf"), dtype=dtype), dev), out)
