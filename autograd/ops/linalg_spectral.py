"""Spectral decompositions: ``linalg.svd`` / ``svdvals``, ``linalg.eigh`` / ``eigvalsh``, ``linalg.qr``,
and the legacy ``svd`` / ``qr`` (PyTorch's ``torch.linalg`` semantics, real inputs, batched).

The backward formulas are PyTorch's (``svd_backward``, ``linalg_eig_backward`` for Hermitian input,
``linalg_qr_backward`` in torch/csrc/autograd/FunctionsManual.cpp) written with Tensor ops, so second
derivatives work. They assume distinct singular values / eigenvalues (as PyTorch's do); the
gradients through singular vectors and eigenvectors are defined only for losses that do not
depend on their signs.
"""
from __future__ import annotations

from collections import namedtuple

from ..function import Primitive
from ..tensor import Tensor
from .extrema import return_types
from .linalg import matmul
from .linalg_decomp import LinAlgError, Solve, _Tri
from .math_more import torch_name
from .selection import diag_embed
from .shape import cat

__all__ = ["svd", "qr"]

for _name, _fields in (("linalg_svd", "U S Vh"), ("linalg_eigh", "eigenvalues eigenvectors"),
                       ("linalg_qr", "Q R"), ("svd", "U S V"), ("qr", "Q R")):
    setattr(return_types, _name, namedtuple(_name, _fields.split()))


def _matrices(name, A, square=False):  # noqa: N803 (PyTorch's argument names)
    """Check that ``A`` is a batch of (square) floating-point matrices, with PyTorch's messages."""
    if not isinstance(A, Tensor):
        raise TypeError(f"{name}(): argument 'A' (position 1) must be Tensor, not {type(A).__name__}")
    if A.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    if A._data.dtype.kind != "f":
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. "
                           f"Got {torch_name(A.dtype)}")
    if square and A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"{name}: A must be batches of square matrices, but they are "
                           f"{A.shape[-2]} by {A.shape[-1]} matrices")


def _lapack(name, fn, a, *args, **kw):
    """``fn(a, ...)``, raising LinAlgError where NumPy raises its own (non-convergence)."""
    try:
        return fn(a, *args, **kw)
    except Exception as exc:  # numpy.linalg.LinAlgError (the engine does not import NumPy here)
        if type(exc).__name__ == "LinAlgError":
            raise LinAlgError(f"{name}: The algorithm failed to converge because the input matrix is "
                              "ill-conditioned or has too many repeated singular values") from None
        raise


def _defined(g):
    """``g``, or None where the engine filled in zeros for an output that got no gradient (PyTorch's
    backward sees an undefined gradient there and takes a shorter formula, avoiding ``0 / 0``)."""
    if g is None or (not g.requires_grad and not bool(g._data.any())):
        return None
    return g


def _zeros_like_product(a, b):
    """Zeros of the shape (and dtype) of ``a @ b``: the gradient of an input when no output's was nonzero."""
    shape = a.shape[:-1] + b.shape[-1:]
    return Tensor._make(a.device.xp.zeros(shape, a._data.dtype), a.device)


def _gap(values):
    """``E[i, j] = values[j] - values[i]`` with ones on the diagonal (the divisor of the backwards)."""
    n = values.shape[-1]
    eye = Tensor._make(values.device.xp.eye(n, dtype=values._data.dtype), values.device)
    return values.unsqueeze(-2) - values.unsqueeze(-1) + eye


# ---------------------------------------------------------------- SVD
class Svd(Primitive):
    """``A = U diag(S) Vh`` (``full_matrices``: square ``U`` and ``Vh``)."""

    @staticmethod
    def forward(ctx, a, full_matrices):
        u, s, vh = _lapack("linalg.svd", ctx.device.xp.linalg.svd, a, full_matrices=full_matrices)
        ctx.full = full_matrices
        ctx.save_for_backward(u, s, vh)
        return u, s, vh

    @staticmethod
    def backward(ctx, gu, gs, gvh):
        u, s, vh = ctx.saved_tensors
        gu, gs, gvh = _defined(gu), _defined(gs), _defined(gvh)
        if ctx.full:  # PyTorch: only the first k columns of U and rows of Vh take part
            k = s.shape[-1]
            u, vh = u[..., :k], vh[..., :k, :]
            gu = None if gu is None else gu[..., :k]
            gvh = None if gvh is None else gvh[..., :k, :]
        return _svd_grad(gu, gs, gvh, u, s, vh), None


def _svd_grad(gu, gs, gvh, u, s, vh):
    """PyTorch's ``svd_backward`` for real matrices (undefined gradients are None)."""
    m, n = u.shape[-2], vh.shape[-1]
    if gu is None and gvh is None:
        if gs is None:  # every output's gradient was zeros: A's is zeros too (not absent), as PyTorch's
            return _zeros_like_product(u, vh)
        return matmul(u, gs.unsqueeze(-1) * vh) if m >= n else matmul(u * gs.unsqueeze(-2), vh)
    e = _gap(s * s)
    uhgu = vhgv = None
    if gu is not None:
        uhgu = matmul(u.mT, gu)
        uhgu = uhgu - uhgu.mT
    if gvh is not None:
        vhgv = matmul(vh, gvh.mT)
        vhgv = vhgv - vhgv.mT
    if uhgu is not None and vhgv is not None:
        ga = (uhgu * s.unsqueeze(-2) + s.unsqueeze(-1) * vhgv) / e
    elif uhgu is not None:
        ga = (uhgu / e) * s.unsqueeze(-2)
    else:
        ga = s.unsqueeze(-1) * (vhgv / e)
    if gs is not None:
        ga = ga + diag_embed(gs)
    if m > n and gu is not None:
        ga = matmul(u, ga)
        gu_sinv = gu / s.unsqueeze(-2)
        ga = ga + gu_sinv - matmul(u, matmul(u.mT, gu_sinv))
        return matmul(ga, vh)
    if m < n and gvh is not None:
        ga = matmul(ga, vh)
        sinv_gvh = gvh / s.unsqueeze(-1)
        ga = ga + sinv_gvh - matmul(matmul(sinv_gvh, vh.mT), vh)
        return matmul(u, ga)
    return matmul(u, matmul(ga, vh)) if m >= n else matmul(matmul(u, ga), vh)


def linalg_svd(A, full_matrices=True, *, driver=None):  # noqa: N803
    """``torch.linalg.svd``: ``(U, S, Vh)`` with ``A = U diag(S) Vh``, ``S`` in descending order.

    Gradients through ``U`` and ``Vh`` are defined for losses that do not depend on the signs of the
    singular vectors, and need distinct singular values; with ``full_matrices`` only the first
    ``min(m, n)`` columns of ``U`` (rows of ``Vh``) take part in the gradient, as in PyTorch.

    Example::

        >>> U, S, Vh = ag.linalg.svd(ag.tensor([[3., 0.], [0., -2.]]))
        >>> S
        tensor([3., 2.])
    """
    _matrices("linalg.svd", A)
    return return_types.linalg_svd(*Svd.apply(A, bool(full_matrices)))


def svdvals(A, *, driver=None):  # noqa: N803
    """``torch.linalg.svdvals``: the singular values of ``A`` in descending order.

    Example::

        >>> ag.linalg.svdvals(ag.tensor([[0., 2.], [1., 0.]]))
        tensor([2., 1.])
    """
    _matrices("linalg.svd", A)
    if A.requires_grad:  # the gradient U diag(gS) Vh needs the singular vectors
        return Svd.apply(A, False)[1]
    s = _lapack("linalg.svd", A.device.xp.linalg.svd, A._data, compute_uv=False)
    return Tensor._make(s, A.device)


def svd(input, some=True, compute_uv=True):
    """``torch.svd`` (legacy): ``(U, S, V)`` with ``A = U diag(S) V^T`` (``V``, not ``Vh``);
    ``some=False`` gives square ``U`` and ``V``; ``compute_uv=False`` gives zero ``U`` and ``V``."""
    _matrices("linalg.svd", input)
    if not compute_uv:
        xp, (m, n) = input.device.xp, input.shape[-2:]
        zeros = [Tensor._make(xp.zeros(input.shape[:-2] + (k, k), input._data.dtype), input.device)
                 for k in (m, n)]
        return return_types.svd(zeros[0], svdvals(input), zeros[1])
    u, s, vh = Svd.apply(input, not some)
    return return_types.svd(u, s, vh.mT)


# ---------------------------------------------------------------- eigh
class Eigh(Primitive):
    """Eigenvalues (ascending) and orthonormal eigenvectors of a symmetric matrix (one triangle read)."""

    @staticmethod
    def forward(ctx, a, uplo):
        w, v = _lapack("linalg.eigh", ctx.device.xp.linalg.eigh, a, UPLO=uplo)
        ctx.save_for_backward(w, v)
        return w, v

    @staticmethod
    def backward(ctx, gl, gv):
        lam, v = ctx.saved_tensors
        gl, gv = _defined(gl), _defined(gv)
        if gv is None:  # zeros (not absent) when both gradients were zeros, as PyTorch's
            return (_zeros_like_product(v, v.mT) if gl is None else matmul(v * gl.unsqueeze(-2), v.mT)), None
        vhgv = matmul(v.mT, gv)
        ga = 0.5 * (vhgv - vhgv.mT) / _gap(lam)
        if gl is not None:
            ga = ga + diag_embed(gl)
        return matmul(v, matmul(ga, v.mT)), None


def _uplo(UPLO):  # noqa: N803
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    return UPLO


def eigh(A, UPLO="L"):  # noqa: N803
    """``torch.linalg.eigh``: ``(eigenvalues, eigenvectors)`` of a symmetric ``A``, eigenvalues ascending.

    Only the lower (``UPLO='L'``) or upper triangle is read; the gradient is PyTorch's (a symmetric
    matrix), defined for losses that do not depend on the eigenvectors' signs.

    Example::

        >>> ag.linalg.eigh(ag.tensor([[2., 1.], [1., 2.]])).eigenvalues
        tensor([1., 3.])
    """
    _matrices("linalg.eigh", A, square=True)
    return return_types.linalg_eigh(*Eigh.apply(A, _uplo(UPLO)))


def eigvalsh(A, UPLO="L"):  # noqa: N803
    """``torch.linalg.eigvalsh``: the eigenvalues of a symmetric ``A`` in ascending order."""
    _matrices("linalg.eigh", A, square=True)
    if A.requires_grad:  # the gradient V diag(gL) V^T needs the eigenvectors
        return Eigh.apply(A, _uplo(UPLO))[0]
    w = _lapack("linalg.eigh", A.device.xp.linalg.eigvalsh, A._data, UPLO=_uplo(UPLO))
    return Tensor._make(w, A.device)


# ---------------------------------------------------------------- QR
class Qr(Primitive):
    """``A = Q R``, ``Q`` with orthonormal columns, ``R`` upper triangular (NumPy's and LAPACK's signs)."""

    @staticmethod
    def forward(ctx, a, mode):
        xp = ctx.device.xp
        ctx.mode = mode
        if mode == "r":
            q, r = xp.zeros((0,), a.dtype), _lapack("linalg.qr", xp.linalg.qr, a, mode="r")
            ctx.mark_non_differentiable(q)
            return q, r
        q, r = _lapack("linalg.qr", xp.linalg.qr, a, mode=mode)
        ctx.save_for_backward(q, r)
        return q, r

    @staticmethod
    def backward(ctx, gq, gr):
        if ctx.mode == "r":
            raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed when "
                               "mode='r'. Please use linalg.qr(A, mode='reduced') if you are going to "
                               "differentiate through linalg.qr.")
        q, r = ctx.saved_tensors
        m, n = q.shape[-2], r.shape[-1]
        if ctx.mode == "complete" and m > n:
            raise RuntimeError("The QR decomposition is not differentiable when mode='complete' and "
                               "nrows > ncols.")
        if m >= n:
            return _qr_grad_tall(gq, gr, q, r), None
        # A = [X | Y] with X square: X = Q R[:, :m] is X's QR, Y = Q R[:, m:] (Walter and Lehmann)
        gv, y = gr[..., m:], matmul(q, r[..., m:])
        gx = _qr_grad_tall(gq + matmul(y, gv.mT), gr[..., :m], q, r[..., :m])
        return cat([gx, matmul(q, gv)], -1), None


def _qr_grad_tall(gq, gr, q, r):
    """``gA = (gQ + Q copyltu(M)) R^{-T}``, ``M = R gR^T - gQ^T Q``, for ``m >= n`` (R square)."""
    mat = matmul(r, gr.mT) - matmul(gq.mT, q)
    mat = _Tri.apply(mat, False, 0) + _Tri.apply(mat, False, -1).mT  # the lower triangle, mirrored
    b = gq + matmul(q, mat)
    return Solve.apply(r.mT, b, "lower", False, False)  # b R^{-T}


def _qr_mode(mode):
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of 'reduced' "
                           "(default), 'r', or 'complete'")
    return mode


def linalg_qr(A, mode="reduced"):  # noqa: N803
    """``torch.linalg.qr``: ``(Q, R)`` with ``A = Q R``; ``mode`` 'reduced' (``Q`` m x k), 'complete'
    (``Q`` m x m) or 'r' (``Q`` empty, not differentiable).

    Example::

        >>> Q, R = ag.linalg.qr(ag.tensor([[3., 1.], [4., 2.]]))
        >>> R
        tensor([[-5.0000, -2.2000],
                [ 0.0000,  0.4000]])
    """
    _matrices("linalg.qr", A)
    return return_types.linalg_qr(*Qr.apply(A, _qr_mode(mode)))


def qr(input, some=True):
    """``torch.qr`` (legacy): ``linalg.qr`` with ``some=True`` as mode 'reduced', False as 'complete'."""
    _matrices("linalg.qr", input)
    return return_types.qr(*Qr.apply(input, "reduced" if some else "complete"))
