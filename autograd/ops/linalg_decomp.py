"""Matrix decompositions and solves: cholesky, solve / solve_triangular, slogdet, and the composites
inv, det and logdet built on them (PyTorch's ``torch.linalg`` semantics, batched over leading dims).

Backward formulas are PyTorch's (Murray 2016 for the Cholesky factor; ``gB = A^{-H} gX``,
``gA = -gB X^H`` for the solves) written with these same ops, so second derivatives work.
"""
from __future__ import annotations

from ..function import Primitive
from ..tensor import Tensor
from .compare import where
from .linalg import _matmul_arrays, matmul

__all__ = ["cholesky", "linalg_cholesky", "solve", "solve_triangular", "slogdet", "logdet", "det", "inverse",
           "LinAlgError"]


class LinAlgError(RuntimeError):
    """A matrix that the factorisation or solve cannot handle (PyTorch's ``torch.linalg.LinAlgError``)."""


class _Tri(Primitive):
    """``tril(x, k)`` (``upper=False``) or ``triu(x, k)`` of the last two dims: a linear mask."""

    @staticmethod
    def forward(ctx, x, upper, k):
        ctx.upper, ctx.k = upper, k
        return _tri_array(ctx.device.xp, x, upper, k)

    @staticmethod
    def backward(ctx, g):
        return _Tri.apply(g, ctx.upper, ctx.k), None, None

    @staticmethod
    def raw_backward(ctx, g):
        return _tri_array(ctx.device.xp, g, ctx.upper, ctx.k), None, None


def _tri_array(xp, x, upper, k):
    """``triu(x, k)`` or ``tril(x, k)`` on an array (``_Tri``'s forward and raw backward)."""
    return xp.triu(x, k) if upper else xp.tril(x, k)


def _square(name, a):
    if not isinstance(a, Tensor):
        raise TypeError(f"{name}(): argument 'A' must be Tensor, not {type(a).__name__}")
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise RuntimeError(f"{name}: A must be batches of square matrices, but they are "
                           f"{a.shape[-2] if a.ndim >= 2 else a.ndim} by {a.shape[-1] if a.ndim else 0} "
                           "matrices")
    if a._data.dtype.kind != "f":
        raise RuntimeError(f"{name}: Expected a floating point tensor as input. Got {a.dtype}")


_NOT_PD = ("linalg.cholesky: The factorization could not be completed because the input is not "
           "positive-definite.")
_SINGULAR = "linalg.solve: The solver failed because the input matrix is singular."


def _checked(xp, fn, args, message):
    """``fn(*args)``, raising LinAlgError where NumPy raises its own, or CuPy returns non-finite values."""
    args = args if isinstance(args, tuple) else (args,)
    try:
        out = fn(*args)
    except Exception as exc:  # numpy.linalg.LinAlgError (the engine does not import NumPy here)
        if type(exc).__name__ == "LinAlgError":
            raise LinAlgError(message) from None
        raise
    if not bool(xp.isfinite(out).all()) and bool(xp.isfinite(args[0]).all()):
        raise LinAlgError(message)
    return out


class Cholesky(Primitive):
    """The lower Cholesky factor ``L`` of ``A = L L^H`` (only ``A``'s lower triangle is read)."""

    @staticmethod
    def forward(ctx, a):
        low = _checked(ctx.device.xp, ctx.device.xp.linalg.cholesky, a, _NOT_PD)
        ctx.save_for_backward(low)
        return low

    @staticmethod
    def backward(ctx, g):
        return Cholesky._grad(g, *ctx.saved_tensors, *_TENSOR_OPS)

    @staticmethod
    def raw_backward(ctx, g):
        return Cholesky._grad(g, *ctx.saved_arrays, *_array_ops(ctx.device.xp))

    @staticmethod
    def _grad(g, low, mm, tri, solve, mT):
        phi = tri(mm(mT(low), g), False, 0)
        phi = (phi + mT(tri(phi, False, -1))) * 0.5
        grad = solve(mT(low), phi, "upper", True, False)
        return solve(low, grad, "lower", False, False)


class Solve(Primitive):
    """``X`` with ``A X = B`` (``left``) or ``X A = B``; ``tri`` None, "upper" or "lower" (the other
    triangle of ``A`` is ignored), ``unit`` takes ``A``'s diagonal as ones."""

    @staticmethod
    def forward(ctx, a, b, tri, left, unit):
        # ``a`` is saved as the input itself (backward's solve masks it again), so it stays on the graph
        x = _solve_arrays(ctx.device.xp, a, b, tri, left, unit)
        ctx.tri, ctx.left, ctx.unit = tri, left, unit
        if ctx.needs_input_grad:  # empty when not recorded
            ctx.save_for_backward(a, x)
        return x

    @staticmethod
    def backward(ctx, g):
        return Solve._grads(ctx, g, ctx.saved_tensors, *_TENSOR_OPS)

    @staticmethod
    def raw_backward(ctx, g):
        return Solve._grads(ctx, g, ctx.saved_arrays, *_array_ops(ctx.device.xp))

    @staticmethod
    def _grads(ctx, g, saved, mm, tri_mask, solve, mT):
        a, x = saved
        tri, left, unit = ctx.tri, ctx.left, ctx.unit
        flipped = None if tri is None else ("lower" if tri == "upper" else "upper")
        gb = solve(mT(a), g, flipped, left, unit)
        ga = None
        if ctx.needs_input_grad[0]:
            ga = -mm(gb, mT(x)) if left else -mm(mT(x), gb)
            if tri is not None:
                ga = tri_mask(ga, tri == "upper", (1 if unit else 0) * (1 if tri == "upper" else -1))
        return ga, gb, None, None, None


def _solve_arrays(xp, a, b, tri, left, unit):
    """``Solve``'s forward on arrays (also its raw backward's and ``Cholesky``'s solves)."""
    if tri is not None:
        a = xp.triu(a) if tri == "upper" else xp.tril(a)
        if unit:
            a = a.copy()
            idx = xp.arange(a.shape[-1])
            a[..., idx, idx] = 1
    if left:
        return _checked(xp, xp.linalg.solve, (a, b), _SINGULAR)
    return xp.swapaxes(_checked(xp, xp.linalg.solve, (xp.swapaxes(a, -1, -2), xp.swapaxes(b, -1, -2)),
                                _SINGULAR), -1, -2)


def _eye(xp, a):
    """Identity matrices of ``a``'s shape and dtype (a fresh array)."""
    return xp.broadcast_to(xp.eye(a.shape[-1], dtype=a.dtype), a.shape).copy()


def _inverse_array(xp, a):
    """``inverse``'s value on an array: the solve of ``A X = I``."""
    return _solve_arrays(xp, a, _eye(xp, a), None, True, False)


# the operations the backward formulas above are written with: (matmul, tri, solve, mT), where
# tri(x, upper, k) and solve(a, b, tri, left, unit) take _Tri's and Solve's arguments
_TENSOR_OPS = (matmul, _Tri.apply, Solve.apply, lambda t: t.mT)


def _array_ops(xp):
    """``_TENSOR_OPS`` on backend arrays, computed as the Tensor ops' forwards do."""
    return (lambda a, b: _matmul_arrays(xp, a, b, False, False),
            lambda x, upper, k: _tri_array(xp, x, upper, k),
            lambda a, b, tri, left, unit: _solve_arrays(xp, a, b, tri, left, unit), _mT_array)


def _mT_array(a):
    """``a.mT`` on an array (a view)."""
    return a.swapaxes(-1, -2)


class Slogdet(Primitive):
    """``log|det A|`` (the sign is computed alongside, without a gradient)."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return ctx.device.xp.linalg.slogdet(a)[1]

    @staticmethod
    def backward(ctx, g):
        return Slogdet._grad(g, *ctx.saved_tensors, inverse, _TENSOR_OPS[3])

    @staticmethod
    def raw_backward(ctx, g):
        xp = ctx.device.xp
        return Slogdet._grad(g, *ctx.saved_arrays, lambda a: _inverse_array(xp, a), _mT_array)

    @staticmethod
    def _grad(g, a, inv, mT):
        return g[..., None, None] * mT(inv(a))  # d log|det A| / dA = A^{-T}


def _rhs(name, a, b, left):
    if not isinstance(b, Tensor):
        raise TypeError(f"{name}(): argument 'B' must be Tensor, not {type(b).__name__}")
    vector = b.ndim == 1 or (left and b.ndim == a.ndim - 1 and b.shape == a.shape[:-1])
    rows = b.shape[-1] if vector else (b.shape[-2] if left else b.shape[-1])
    if rows != a.shape[-1]:
        raise RuntimeError(f"{name}: Incompatible shapes of A and B for the equation "
                           f"{'AX = B' if left else 'XA = B'} ({'x'.join(map(str, a.shape[-2:]))} and "
                           f"{'x'.join(map(str, b.shape[-2:]))})")
    return vector


def linalg_cholesky(A, *, upper=False):  # noqa: N803 (PyTorch's argument names)
    """``torch.linalg.cholesky``: the lower factor ``L`` of ``A = L L^H`` (``upper``: ``U = L^H``).

    Raises ``LinAlgError`` (a ``RuntimeError``) when ``A`` is not positive-definite.
    """
    _square("linalg.cholesky", A)
    low = Cholesky.apply(A)
    return low.mT if upper else low


def cholesky(input, upper=False):
    """``torch.cholesky`` (the older spelling of :func:`linalg_cholesky`)."""
    return linalg_cholesky(input, upper=upper)


def solve_triangular(A, B, *, upper, left=True, unitriangular=False):  # noqa: N803
    """``torch.linalg.solve_triangular``: ``X`` with ``A X = B`` (``left``) or ``X A = B`` , A triangular."""
    _square("linalg.solve_triangular", A)
    if not isinstance(B, Tensor) or B.ndim < 2:
        raise RuntimeError("linalg.solve_triangular: The input tensor B must have at least 2 dimensions.")
    _rhs("linalg.solve_triangular", A, B, left)
    return Solve.apply(A, B, "upper" if upper else "lower", left, unitriangular)


def solve(A, B, *, left=True):  # noqa: N803
    """``torch.linalg.solve``: ``X`` with ``A X = B`` (``left``) or ``X A = B``; ``B`` may be a vector."""
    _square("linalg.solve", A)
    if _rhs("linalg.solve", A, B, left):
        return Solve.apply(A, B[..., None], None, True, False)[..., 0]
    return Solve.apply(A, B, None, left, False)


def inverse(A):  # noqa: N803
    """``torch.linalg.inv`` / ``torch.inverse``: ``A^{-1}``, as the solve of ``A X = I``.

    A singular ``A`` raises PyTorch's LinAlgError, naming inv and the first zero pivot."""
    _square("linalg.inv", A)
    try:
        return solve_for_inverse(A)
    except LinAlgError:
        from .linalg_lu import raise_if_singular, singular_info

        raise_if_singular("linalg.inv", singular_info(A))
        raise


def solve_for_inverse(A):  # noqa: N803
    """``A^{-1}`` as the solve of ``A X = I``; a singular ``A`` raises the solver's LinAlgError."""
    return Solve.apply(A, Tensor(_eye(A.device.xp, A._data)), None, True, False)


def slogdet(A):  # noqa: N803
    """``torch.linalg.slogdet``: ``(sign, logabsdet)``; the gradient flows through ``logabsdet``."""
    _square("linalg.slogdet", A)
    logabs = Slogdet.apply(A)
    sign = Tensor(A.device.xp.linalg.slogdet(A._data)[0])
    return sign, logabs


def logdet(A):  # noqa: N803
    """``torch.logdet``: ``log det A`` (NaN where ``det A < 0``, ``-inf`` where it is 0)."""
    sign, logabs = slogdet(A)
    if not bool((sign._data < 0).any()):
        return logabs
    # PyTorch's where(sign == -1, nan, logabsdet): no gradient reaches A through a NaN result
    nan = Tensor._make(A.device.xp.full((), float("nan"), A._data.dtype), A.device)
    return where(Tensor._make(sign._data < 0, A.device), nan, logabs)


class Det(Primitive):
    """``det A``. The gradient is PyTorch's: ``g det A^{-T}`` (0 where ``det A`` is exactly 0), and
    with ``create_graph`` ``g`` times the cofactor matrix from the SVD ``A = U S V^H``
    (``det(U) det(V^H) U diag(prod_{j != i} s_j) V^H``): finite at a singular ``A``, differentiable."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return ctx.device.xp.linalg.det(a)

    @staticmethod
    def backward(ctx, g):
        # as PyTorch with create_graph: g det A^{-T} by a solve where |det A| >= 100 eps, the SVD's
        # cofactor matrix for the (near-)singular ones (its own gradient is NaN at repeated singular values)
        from .shape import cat

        (a,) = ctx.saved_tensors
        xp = a.device.xp
        n = a.shape[-1]
        singular = xp.abs(xp.linalg.det(a._data)) < 100 * xp.finfo(a._data.dtype).eps
        if not bool(singular.any()):
            return _det_grad_solve(g, a)
        if bool(singular.all()):
            return _det_grad_svd(g, a)
        s = singular.reshape(-1)
        where_s, where_n = xp.nonzero(s)[0], xp.nonzero(~s)[0]
        flat_a, flat_g = a.reshape(-1, n, n), g.reshape(-1)
        i_s, i_n = Tensor._make(where_s, a.device), Tensor._make(where_n, a.device)
        parts = cat([_det_grad_solve(flat_g[i_n], flat_a[i_n]), _det_grad_svd(flat_g[i_s], flat_a[i_s])])
        back = Tensor._make(xp.argsort(xp.concatenate([where_n, where_s])), a.device)
        return parts[back].reshape(a.shape)

    @staticmethod
    def raw_backward(ctx, g):
        # PyTorch's first-order path: g det A^{-T} by an LU solve, a zero pivot nudged by eps: so 0 where
        # det A is exactly 0 (the right-hand side g det A is 0), unlike the SVD path taken for create_graph
        (a,) = ctx.saved_arrays
        xp = ctx.device.xp
        if a.shape[-1] == 1:  # the cofactor of a 1x1 matrix is 1, singular or not (PyTorch's too)
            return xp.broadcast_to(g[..., None, None], a.shape).astype(a.dtype)
        d = xp.linalg.det(a)
        safe = xp.where((d == 0)[..., None, None], _eye(xp, a), a)
        return (g * d)[..., None, None] * _mT_array(_inverse_array(xp, safe))


def _det_grad_solve(g, a):
    """``g det A A^{-T}`` (invertible ``A``), differentiable."""
    return (g * Det.apply(a))[..., None, None] * inverse(a).mT


def _det_grad_svd(g, a):
    """``g`` times the cofactor matrix from the SVD, finite at a singular ``A``, differentiable."""
    from .linalg_spectral import linalg_svd

    xp = a.device.xp
    u, s, vh = linalg_svd(a)
    sign = Tensor(xp.linalg.det(u._data) * xp.linalg.det(vh._data))  # +-1: no gradient
    d = _others_product(s, Tensor(_eye(xp, a._data))) * (g * sign)[..., None]
    return matmul(u * d[..., None, :], vh)


def _others_product(s, eye):
    """``prod_{j != i} s_j`` along the last dim of ``s`` (a Tensor or an array; ``eye`` the identity
    of the same kind): row i holds ``s`` with its own entry replaced by 1, no division by a zero."""
    return (s[..., None, :] * (1 - eye) + eye).prod(-1)


def det(A):  # noqa: N803
    """``torch.linalg.det``; differentiable at singular ``A`` too (the cofactor matrix, as PyTorch)."""
    _square("linalg.det", A)
    return Det.apply(A)
