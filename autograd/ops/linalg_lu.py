"""LU factorisation and what is built on it: ``linalg.lu_factor`` / ``lu_factor_ex`` / ``lu`` /
``lu_solve``, and the ``*_ex`` forms of solve, inv and cholesky (an ``info`` tensor instead of an error).

The factorisation is a batched partial-pivoting LU on the backend's arrays (a loop over the columns,
vectorised over the batch; NumPy has no LU), with LAPACK's conventions: ``pivots`` 1-based, ``info``
the 1-based index of the first exactly zero pivot (0 on success). The gradient of the packed factor is
PyTorch's ``linalg_lu_backward`` (square matrices), written with Tensor ops so it differentiates again.
"""
from __future__ import annotations

import math
import warnings
from collections import namedtuple

from ..function import Primitive
from ..tensor import Tensor
from .extrema import return_types
from .linalg import matmul
from .math_more import torch_name
from .linalg_decomp import (LinAlgError, Solve, _square, _Tri, linalg_cholesky, solve,
                            solve_for_inverse, solve_triangular)

__all__ = ["lu_factor", "lu_factor_ex", "lu", "lu_unpack", "legacy_lu", "legacy_lu_solve", "lu_solve",
           "solve_ex", "inv_ex", "cholesky_ex"]

for _name, _fields in [("linalg_lu_factor", "LU pivots"), ("linalg_lu_factor_ex", "LU pivots info"),
                       ("linalg_lu", "P L U"), ("lu_unpack", "P L U"), ("linalg_solve_ex", "result info"),
                       ("linalg_inv_ex", "inverse info"), ("linalg_cholesky_ex", "L info")]:
    setattr(return_types, _name, namedtuple(_name, _fields))  # ag.return_types.<name>, as PyTorch's


def _lu_arrays(xp, a):
    """``(LU, pivots, info)`` of ``a`` (..., m, n): the packed factors (L's unit diagonal implied),
    LAPACK's 1-based row swaps (int32) and the 1-based index of the first zero pivot (0 if none)."""
    *batch, m, n = a.shape
    k = min(m, n)
    lu = a.reshape(math.prod(batch), m, n).astype(a.dtype, copy=True)
    b = lu.shape[0]
    rows = xp.arange(b)
    piv = xp.zeros((b, k), dtype=xp.int32)
    info = xp.zeros(b, dtype=xp.int32)
    for j in range(k):
        p = xp.argmax(xp.abs(lu[:, j:, j]), axis=1) + j if b else xp.zeros(0, dtype=xp.int64)
        piv[:, j] = p + 1
        top, other = lu[rows, j].copy(), lu[rows, p].copy()
        lu[rows, p], lu[rows, j] = top, other
        pivot = lu[:, j, j]
        zero = pivot == 0
        info = xp.where((info == 0) & zero, j + 1, info).astype(xp.int32)
        lu[:, j + 1:, j] /= xp.where(zero, 1, pivot)[:, None]  # LAPACK leaves a zero pivot's column
        lu[:, j + 1:, j + 1:] -= lu[:, j + 1:, j:j + 1] * lu[:, j:j + 1, j + 1:]
    return lu.reshape(a.shape), piv.reshape(*batch, k), info.reshape(batch)


def _permutation(xp, piv, m, dtype):
    """The matrices ``P`` (..., m, m) of the row swaps ``piv`` (1-based), with ``A = P L U``."""
    batch = piv.shape[:-1]
    flat = piv.reshape(math.prod(batch), piv.shape[-1]).astype(xp.int64) - 1
    perm = xp.broadcast_to(xp.arange(m), (flat.shape[0], m)).copy()
    rows = xp.arange(flat.shape[0])
    for j in range(flat.shape[1]):
        pj, p = perm[:, j].copy(), perm[rows, flat[:, j]].copy()
        perm[:, j], perm[rows, flat[:, j]] = p, pj
    eye = xp.zeros((flat.shape[0], m, m), dtype=dtype)
    eye[rows[:, None], perm, xp.arange(m)[None, :]] = 1  # P[perm[i], i] = 1
    return eye.reshape(*batch, m, m)


class LUFactor(Primitive):
    """The packed LU factor of ``A`` (computed by the caller: ``packed``), differentiable in ``A``."""

    @staticmethod
    def forward(ctx, a, packed, perm):
        ctx.save_for_backward(packed)
        ctx.perm = perm
        return packed

    @staticmethod
    def backward(ctx, g):
        (lu_,) = ctx.saved_tensors
        m, n = lu_.shape[-2:]
        k = min(m, n)
        xp = lu_.device.xp
        low = _Tri.apply(lu_[..., :, :k], False, -1) + Tensor(xp.eye(m, k, dtype=lu_._data.dtype))
        up = _Tri.apply(lu_[..., :k, :], True, 0)
        g_low, g_up = _Tri.apply(g[..., :, :k], False, -1), _Tri.apply(g[..., :k, :], True, 0)
        return matmul(Tensor(ctx.perm), _lu_grad(low, up, g_low, g_up, m, n, k)), None, None


def _lu_grad(low, up, g_low, g_up, m, n, k):
    """PyTorch's ``linalg_lu_backward`` without ``P`` (``A = P L U``; ``L`` (m, k), ``U`` (k, n))."""
    from .shape import cat

    if m == n:  # P L^-H [L^H gL o 1_L + gU U^H o 1_U] U^-H
        phi = _Tri.apply(matmul(low.mT, g_low), False, -1) + _Tri.apply(matmul(g_up, up.mT), True, 0)
        x = Solve.apply(up.mT, phi, "lower", False, False)
        return Solve.apply(low.mT, x, "upper", True, True)
    if m < n:  # wide: [P L^-H (U1 grad + (L^H gL o 1_L - gU U^H o 1_U) U1^-H), P L^-H gU2]
        phi = _Tri.apply(matmul(low.mT, g_low) - matmul(g_up, up.mT), False, -1)
        x = Solve.apply(up[..., :, :k].mT, phi, "lower", False, False)
        x = cat([x + g_up[..., :, :k], g_up[..., :, k:]], -1)
        return Solve.apply(low.mT, x, "upper", True, True)
    # tall: [L1 grad + L1^-H (gU U^H o 1_U - L^H gL o 1_L); gL2] U^-H
    phi = _Tri.apply(matmul(g_up, up.mT) - matmul(low.mT, g_low), True, 0)
    x = Solve.apply(low[..., :k, :].mT, phi, "upper", True, True)
    x = cat([x + g_low[..., :k, :], g_low[..., k:, :]], -2)
    return Solve.apply(up.mT, x, "lower", False, False)


def _eye_like(xp, a):
    return xp.broadcast_to(xp.eye(a.shape[-2], a.shape[-1], dtype=a.dtype), a.shape).copy()


def _batch_prefix(info):
    return "" if info.ndim == 0 else f"(Batch element {int(info.reshape(-1).nonzero()[0][0])}): "


def _first_bad(info):
    """The first nonzero entry of ``info`` (an array)."""
    flat = info.reshape(-1)
    return int(flat[flat.nonzero()[0][0]])


def _check_float(name, A):  # noqa: N803
    if not isinstance(A, Tensor):
        raise TypeError(f"{name}(): argument 'A' must be Tensor, not {type(A).__name__}")
    if A.ndim < 2:
        raise RuntimeError(f"torch.lu_factor: Expected tensor with 2 or more dimensions. Got size: "
                           f"{list(A.shape)} instead")
    if A._data.dtype.kind != "f":
        raise NotImplementedError(f'"lu_cpu" not implemented for \'{torch_name(A.dtype)}\'')


def lu_factor_ex(A, *, pivot=True, check_errors=False):  # noqa: N803
    """``torch.linalg.lu_factor_ex``: ``(LU, pivots, info)``, ``info`` 0 where the factorisation has
    no zero pivot, else the 1-based index of the first one (no error unless ``check_errors``)."""
    _check_float("linalg.lu_factor_ex", A)
    if not pivot:
        raise RuntimeError("linalg.lu_factor: LU without pivoting is not implemented on the CPU")
    xp = A.device.xp
    packed, piv, info = _lu_arrays(xp, A._data)
    if check_errors and bool((info != 0).any()):
        k = _first_bad(info)
        raise RuntimeError(f"torch.linalg.lu_factor_ex: {_batch_prefix(info)}U[{k},{k}] is zero and "
                           "using it on lu_solve would result in a division by zero. If you still want to "
                           "perform the factorization, consider calling linalg.lu(A, pivot) or "
                           "linalg.lu_factor_ex(A, pivot)")
    perm = _permutation(xp, piv, A.shape[-2], packed.dtype)
    return return_types.linalg_lu_factor_ex(LUFactor.apply(A, packed, perm), Tensor(piv), Tensor(info))


def lu_factor(A, *, pivot=True):  # noqa: N803
    """``torch.linalg.lu_factor``: ``(LU, pivots)`` with ``A = P L U``; raises at a zero pivot."""
    _check_float("linalg.lu_factor", A)
    lu_, piv, info = lu_factor_ex(A, pivot=pivot)
    if bool((info._data != 0).any()):
        k = _first_bad(info._data)
        raise RuntimeError(f"torch.linalg.lu_factor: {_batch_prefix(info._data)}U[{k},{k}] is zero "
                           "and using it on lu_solve would result in a division by zero. If you still want "
                           "to perform the factorization, consider calling linalg.lu(A, pivot) or "
                           "linalg.lu_factor_ex(A, pivot)")
    return return_types.linalg_lu_factor(lu_, piv)


def lu(A, *, pivot=True):  # noqa: N803
    """``torch.linalg.lu``: ``(P, L, U)`` with ``A = P L U``, ``L`` (m, k) unit lower, ``U`` (k, n)."""
    _check_float("linalg.lu", A)
    lu_, piv, _ = lu_factor_ex(A, pivot=pivot)
    return return_types.linalg_lu(*lu_unpack(lu_, piv))


def lu_unpack(LU_data, LU_pivots, unpack_data=True, unpack_pivots=True):  # noqa: N803
    """``torch.lu_unpack``: ``(P, L, U)`` from ``lu_factor``'s packed ``LU`` and ``pivots`` (empty
    tensors for the parts not asked for); ``L`` and ``U`` are differentiable in ``LU_data``."""
    if LU_pivots.dtype != LU_pivots.device.xp.int32:
        raise RuntimeError("torch.lu_unpack: LU_pivots is expected to be a contiguous tensor of torch.int32 "
                           "dtype.\nNote: this function is intended to be used with the output produced by "
                           "torch.linalg.lu_factor")
    m, n = LU_data.shape[-2:]
    k = min(m, n)
    xp, dtype = LU_data.device.xp, LU_data._data.dtype
    empty = Tensor(xp.zeros(0, dtype=dtype))
    low = up = p = empty
    if unpack_data:
        low = _Tri.apply(LU_data[..., :, :k], False, -1) + Tensor(xp.eye(m, k, dtype=dtype))
        up = _Tri.apply(LU_data[..., :k, :], True, 0)
    if unpack_pivots:
        p = Tensor(_permutation(xp, LU_pivots._data, m, dtype))
    return return_types.lu_unpack(p, low, up)


def lu_solve(LU, pivots, B, *, left=True, adjoint=False):  # noqa: N803
    """``torch.linalg.lu_solve``: ``X`` with ``A X = B`` (``left``) or ``X A = B``, ``A^H`` in place of
    ``A`` when ``adjoint``, from ``lu_factor``'s ``(LU, pivots)``; differentiable in ``LU`` and ``B``."""
    _square("linalg.lu_solve", LU)
    if not isinstance(B, Tensor) or B.ndim < 2:
        raise RuntimeError("linalg.lu_solve: The input tensor B must have at least 2 dimensions.")
    p = Tensor(_permutation(LU.device.xp, pivots._data, LU.shape[-1], LU._data.dtype))
    # A = P L U: the triangular solves read L (unit) and U from the packed LU
    if left and not adjoint:  # X = U^-1 L^-1 P^T B
        x = solve_triangular(LU, matmul(p.mT, B), upper=False, unitriangular=True)
        return solve_triangular(LU, x, upper=True)
    if left:  # A^H X = B: X = P L^-H U^-H B
        x = solve_triangular(LU.mT, B, upper=False)
        return matmul(p, solve_triangular(LU.mT, x, upper=True, unitriangular=True))
    if not adjoint:  # X A = B: X = B U^-1 L^-1 P^T
        x = solve_triangular(LU, B, upper=True, left=False)
        return matmul(solve_triangular(LU, x, upper=False, left=False, unitriangular=True), p.mT)
    # X A^H = B: X = B P L^-H U^-H
    x = solve_triangular(LU.mT, matmul(B, p), upper=True, left=False, unitriangular=True)
    return solve_triangular(LU.mT, x, upper=False, left=False)


def _safe(A, bad):  # noqa: N803
    """``A`` with the matrices where ``bad`` replaced by identities (so the solvers do not raise)."""
    if not bool(bad.any()):
        return A
    xp = A.device.xp
    eye = _eye_like(xp, A._data)
    return A * Tensor(xp.where(bad[..., None, None], 0, 1).astype(A._data.dtype)) + Tensor(
        xp.where(bad[..., None, None], eye, 0).astype(A._data.dtype))


def _nan_where(x, bad):
    if not bool(bad.any()):
        return x
    xp = x.device.xp
    bad = bad.reshape(bad.shape + (1,) * (x.ndim - bad.ndim))
    return x + Tensor(xp.where(bad, xp.nan, 0).astype(x._data.dtype))


def singular_info(A, probe=None, info_fn=None):  # noqa: N803
    """``info_fn``'s info of ``A`` (default: the LU's 1-based index of each matrix's first zero pivot,
    0 for an invertible one), which the backend's solver failed on; where rounding hid the failure
    from ``info_fn``, each matrix ``probe`` (default: the solve for the inverse) fails on gets ``n``."""
    xp = A.device.xp
    info = (info_fn or (lambda xp, a: _lu_arrays(xp, a)[2]))(xp, A._data)
    if not bool((info != 0).any()):  # rounding hid the zero pivot: find the failing matrices one by one
        flat = info.reshape(-1)
        for i, a in enumerate(A._data.reshape(-1, *A.shape[-2:])):
            try:
                (probe or solve_for_inverse)(Tensor(a))
            except LinAlgError:
                flat[i] = A.shape[-1]
    return info


def _attempt(A, run, probe=None, info_fn=None):  # noqa: N803
    """``(run(A), info)``: zeros when the backend's solver succeeds (LAPACK's info is 0 then); where it
    fails, :func:`singular_info` (with ``probe`` and ``info_fn``), and ``run`` repeated with the
    failed matrices replaced by identities and their results NaN."""
    xp = A.device.xp
    try:
        return run(A), xp.zeros(A.shape[:-2], dtype=xp.int32)
    except LinAlgError:
        pass
    info = singular_info(A, probe, info_fn)
    bad = info != 0
    return _nan_where(run(_safe(A, bad)), bad), info


def solve_ex(A, B, *, left=True, check_errors=False):  # noqa: N803
    """``torch.linalg.solve_ex``: ``(result, info)``; where ``A`` is singular (``info`` > 0) the result
    is not meaningful (NaN here) and nothing is raised unless ``check_errors``."""
    _square("linalg.solve_ex", A)
    x, info = _attempt(A, lambda a: solve(a, B, left=left))
    if check_errors and bool((info != 0).any()):
        raise LinAlgError(f"torch.linalg.solve_ex: {_batch_prefix(info)}The solver failed because the input "
                          "matrix is singular.")
    return return_types.linalg_solve_ex(x, Tensor(info))


def inv_ex(A, *, check_errors=False):  # noqa: N803
    """``torch.linalg.inv_ex``: ``(inverse, info)``, ``info`` the first zero pivot (0: invertible)."""
    _square("linalg.inv_ex", A)
    x, info = _attempt(A, solve_for_inverse)
    if check_errors:
        raise_if_singular("linalg.inv_ex", info)
    return return_types.linalg_inv_ex(x, Tensor(info))


def raise_if_singular(name, info):
    """PyTorch's LinAlgError for an inversion whose LU ``info`` has a zero pivot."""
    if bool((info != 0).any()):
        raise LinAlgError(f"{name}: {_batch_prefix(info)}The diagonal element {_first_bad(info)} is zero, "
                          "the inversion could not be completed because the input matrix is singular.")


def lu_info(A):  # noqa: N803
    """The LU ``info`` array of ``A`` (the 1-based index of its first zero pivot, 0 if none)."""
    return _lu_arrays(A.device.xp, A._data)[2]


def _cholesky_info(xp, a):
    """The order of the first leading minor of ``a``'s lower triangle that is not positive-definite
    (0 where all are), by an unpivoted Cholesky over the batch."""
    *batch, n, _ = a.shape
    low = xp.tril(a.reshape(math.prod(batch), n, n)).astype(a.dtype, copy=True)
    info = xp.zeros(low.shape[0], dtype=xp.int32)
    for j in range(n):
        d = low[:, j, j] - (low[:, j, :j] ** 2).sum(-1)
        bad = ~(d > 0)
        info = xp.where((info == 0) & bad, j + 1, info).astype(xp.int32)
        r = xp.sqrt(xp.where(bad, 1, d))
        low[:, j, j] = r
        dot = (low[:, j + 1:, :j] * low[:, j:j + 1, :j]).sum(-1)
        low[:, j + 1:, j] = (low[:, j + 1:, j] - dot) / r[:, None]
    return info.reshape(batch)


def cholesky_ex(A, *, upper=False, check_errors=False):  # noqa: N803
    """``torch.linalg.cholesky_ex``: ``(L, info)``, ``info`` the order of the first leading minor that
    is not positive-definite (0 on success); no error unless ``check_errors``."""
    _square("linalg.cholesky_ex", A)
    low, info = _attempt(A, lambda a: linalg_cholesky(a, upper=upper), linalg_cholesky, _cholesky_info)
    if check_errors and bool((info != 0).any()):
        raise LinAlgError(f"linalg.cholesky_ex: {_batch_prefix(info)}The factorization could not be "
                          "completed because the input is not positive-definite (the leading minor of order "
                          f"{_first_bad(info)} is not positive-definite).")
    return return_types.linalg_cholesky_ex(low, Tensor(info))


setattr(return_types, "_lu_with_info", namedtuple("_lu_with_info", "LU pivots info"))


def legacy_lu(A, pivot=True, get_infos=False):  # noqa: N803
    """``torch.lu`` (deprecated in PyTorch): ``(LU, pivots)`` as ``linalg.lu_factor`` (raising at a zero
    pivot), or ``(LU, pivots, info)`` as ``linalg.lu_factor_ex`` with ``get_infos``."""
    warnings.warn("torch.lu is deprecated in favor of torch.linalg.lu_factor / torch.linalg.lu_factor_ex and "
                  "will be removed in a future PyTorch release.", UserWarning, stacklevel=2)
    out = lu_factor_ex(A, pivot=pivot, check_errors=not get_infos)
    return return_types._lu_with_info(*out) if get_infos else (out.LU, out.pivots)


def legacy_lu_solve(b, LU_data, LU_pivots):  # noqa: N803
    """``torch.lu_solve`` (deprecated in PyTorch; note the argument order): :func:`lu_solve`."""
    warnings.warn("torch.lu_solve is deprecated in favor of torch.linalg.lu_solve and will be removed in a "
                  "future PyTorch release.", UserWarning, stacklevel=2)
    return lu_solve(LU_data, LU_pivots, b)
