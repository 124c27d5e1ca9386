"""Op-table entries for svd / svdvals, eigh / eigvalsh, qr, pinv, lstsq, cond and the spectral matrix norms.

The inputs are free float64 arrays in [-3, 3]; each case maps them into a well-conditioned domain with
differentiable ops: ``D + 0.1 + a / 40``, where ``D`` is an m x n "diagonal" with entries 3k, ..., 6, 3
(the perturbation has entries in [0.025, 0.175], spectral norm at most 0.7 for n <= 4, so the singular
values stay at least 1.6 apart and above 2.3), and ``D + (a + a^T) / 40`` with ``D`` = diag(3, 6, 9, 12)
for the symmetric ones.
Singular vectors and eigenvectors are compared after fixing their signs by the diagonal (a gauge-
invariant function), as PyTorch's own gradient checks of these ops do.
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

import autograd as ag

from .spec import OpCase, array
from .spec import torch_module as _torch


@st.composite
def matrices(draw, square=False, tall=False, rhs=False, min_side=1):
    batch = tuple(draw(st.lists(st.integers(1, 2), max_size=1)))
    m = draw(st.integers(min_side, 4))
    n = m if square else draw(st.integers(min_side, m if tall else 4))
    arrays = [draw(array(batch + (m, n)))]
    if rhs:
        arrays.append(draw(array(batch + (m, draw(st.integers(1, 3))))))
    return tuple(arrays), {}


def _lib(x):
    return np if isinstance(x, np.ndarray) else ag if isinstance(x, ag.Tensor) else _torch()


def _const(values, like):
    lib = _lib(like)
    if lib is np:
        return values
    if lib is ag:
        return ag.tensor(values, dtype=like.dtype, device=like.device)
    return lib.tensor(values, dtype=like.dtype)


def _mT(x):  # noqa: N802
    return np.swapaxes(x, -1, -2) if isinstance(x, np.ndarray) else x.mT


def _rect(a):
    """``D + 0.1 + a / 40``: distinct singular values near 3k, ..., 6, 3, and no zero entries (where
    LAPACK's Householder QR flips signs)."""
    m, n = a.shape[-2:]
    k = min(m, n)
    d = np.zeros((m, n))
    d[range(k), range(k)] = 3.0 * np.arange(k, 0, -1)
    return _const(d + 0.1, a) + a / 40


def _sym(a, indefinite=False):
    """``D + (a + a^T) / 40`` for the square ``a``: symmetric, eigenvalues near 3, 6, 9, 12 (``indefinite``:
    shifted to ..., -1.5, 1.5, ..., still ascending along the diagonal and at least 1.5 from 0)."""
    n = a.shape[-1]
    d = np.diag(3.0 * np.arange(1, n + 1) - (3 * -(-n // 2) + 1.5 if indefinite else 0))
    return _const(d, a) + (a + _mT(a)) / 40


def _sign(x):
    return np.sign(x) if isinstance(x, np.ndarray) else x.sign()


def _diag(x):
    return np.diagonal(x, axis1=-2, axis2=-1) if isinstance(x, np.ndarray) else x.diagonal(0, -2, -1)


def _svd_fixed(u, s, vh):
    """``U``, ``S``, ``Vh`` with the pair (u_j, v_j) signed so that U's diagonal is positive."""
    k = s.shape[-1]
    sg = _sign(_diag(u[..., :k, :k]))
    return u[..., :, :k] * sg[..., None, :], s, vh[..., :k, :] * sg[..., :, None]


def _eig_fixed(w, v):
    return w, v * _sign(_diag(v))[..., None, :]


def _usv(u, s, vh):
    return (u * s[..., None, :]) @ vh


def _np_svd(a, full=False):
    return _svd_fixed(*np.linalg.svd(a, full_matrices=full))


def _np_svdvals(a):
    return np.linalg.svd(a, compute_uv=False)


def _np_pinv(a):
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    return _mT(vh) / s[..., None, :] @ _mT(u)


def _torch_cond_fro(a):
    """PyTorch's ``cond(a, 'fro')`` as its composite: its own backward fails (an in-place write to a saved
    inverse, torch 2.13)."""
    la = _torch().linalg
    return la.matrix_norm(a, "fro") * la.matrix_norm(la.inv(a), "fro")


CASES = [
    OpCase("linalg", lambda a: _svd_fixed(*ag.linalg.svd(_rect(a), full_matrices=False)),
           lambda a: _np_svd(_rect(a)), matrices(),
           torch_fn=lambda a: _svd_fixed(*_torch().linalg.svd(_rect(a), full_matrices=False)),
           id="linalg.svd_reduced"),
    OpCase("linalg", lambda a: _svd_fixed(*ag.linalg.svd(_rect(a))), lambda a: _np_svd(_rect(a), True),
           matrices(), torch_fn=lambda a: _svd_fixed(*_torch().linalg.svd(_rect(a))), id="linalg.svd_full"),
    OpCase("linalg", lambda a: _usv(*ag.linalg.svd(_rect(a), False)), lambda a: _rect(a), matrices(),
           torch_fn=lambda a: _usv(*_torch().linalg.svd(_rect(a), False)), id="linalg.svd_reconstruct"),
    OpCase("svd", lambda a: (lambda u, s, v: _svd_fixed(u, s, v.mT))(*ag.svd(_rect(a))),
           lambda a: _np_svd(_rect(a)), matrices(),
           torch_fn=lambda a: (lambda u, s, v: _svd_fixed(u, s, v.mT))(*_torch().svd(_rect(a)))),
    OpCase("linalg", lambda a: ag.linalg.svdvals(_rect(a)), lambda a: _np_svdvals(_rect(a)), matrices(),
           torch_fn=lambda a: _torch().linalg.svdvals(_rect(a)), id="linalg.svdvals"),
    OpCase("linalg", lambda a: _eig_fixed(*ag.linalg.eigh(_sym(a))),
           lambda a: _eig_fixed(*np.linalg.eigh(_sym(a))), matrices(square=True),
           torch_fn=lambda a: _eig_fixed(*_torch().linalg.eigh(_sym(a))),
           id="linalg.eigh"),
    OpCase("linalg", lambda a: _eig_fixed(*ag.linalg.eigh(_sym(a, True), UPLO="U")),
           lambda a: _eig_fixed(*np.linalg.eigh(_sym(a, True), UPLO="U")), matrices(square=True),
           torch_fn=lambda a: _eig_fixed(*_torch().linalg.eigh(_sym(a, True), UPLO="U")),
           id="linalg.eigh_upper"),
    OpCase("linalg", lambda a: ag.linalg.eigvalsh(_sym(a)), lambda a: np.linalg.eigvalsh(_sym(a)),
           matrices(square=True), torch_fn=lambda a: _torch().linalg.eigvalsh(_sym(a)), id="linalg.eigvalsh"),
    OpCase("linalg", lambda a: tuple(ag.linalg.qr(_rect(a))), lambda a: np.linalg.qr(_rect(a)), matrices(),
           torch_fn=lambda a: tuple(_torch().linalg.qr(_rect(a))), id="linalg.qr"),
    OpCase("linalg", lambda a: tuple(ag.linalg.qr(_rect(_mT(a)), mode="complete")),
           lambda a: np.linalg.qr(_rect(_mT(a)), mode="complete"), matrices(tall=True),
           torch_fn=lambda a: tuple(_torch().linalg.qr(_rect(a.mT), mode="complete")),
           id="linalg.qr_complete"),
    OpCase("qr", lambda a: tuple(ag.qr(_rect(a))), lambda a: np.linalg.qr(_rect(a)), matrices(),
           torch_fn=lambda a: tuple(_torch().linalg.qr(_rect(a)))),
    OpCase("linalg", lambda a: ag.linalg.pinv(_rect(a)), lambda a: _np_pinv(_rect(a)), matrices(),
           torch_fn=lambda a: _torch().linalg.pinv(_rect(a)), id="linalg.pinv"),
    OpCase("linalg", lambda a: ag.linalg.pinv(_sym(a, True), hermitian=True),
           lambda a: np.linalg.inv(_sym(a, True)), matrices(square=True),
           torch_fn=lambda a: _torch().linalg.pinv(_sym(a, True), hermitian=True),
           id="linalg.pinv_hermitian"),
    OpCase("pinverse", lambda a: ag.pinverse(_rect(a)), lambda a: _np_pinv(_rect(a)), matrices(),
           torch_fn=lambda a: _torch().pinverse(_rect(a))),
    OpCase("linalg", lambda a, b: ag.linalg.lstsq(_rect(a), b).solution,
           lambda a, b: _np_pinv(_rect(a)) @ b, matrices(rhs=True),
           torch_fn=lambda a, b: _torch().linalg.lstsq(_rect(a), b).solution, id="linalg.lstsq"),
    OpCase("linalg", lambda a, b: ag.linalg.lstsq(_rect(a), b[..., 0]).solution,
           lambda a, b: (_np_pinv(_rect(a)) @ b)[..., 0], matrices(tall=True, rhs=True),
           torch_fn=lambda a, b: _torch().linalg.lstsq(_rect(a), b[..., 0]).solution,
           id="linalg.lstsq_vector"),
    OpCase("linalg", lambda a: ag.linalg.cond(_rect(a)),
           lambda a: (lambda s: s[..., 0] / s[..., -1])(_np_svdvals(_rect(a))), matrices(),
           torch_fn=lambda a: _torch().linalg.cond(_rect(a)), id="linalg.cond"),
    OpCase("linalg", lambda a: ag.linalg.cond(_rect(a), "fro"),
           lambda a: np.linalg.cond(_rect(a), "fro"), matrices(square=True),
           torch_fn=lambda a: _torch_cond_fro(_rect(a)), id="linalg.cond_fro"),
    OpCase("linalg", lambda a: ag.linalg.matrix_norm(_rect(a), 2),
           lambda a: np.linalg.norm(_rect(a), 2, (-2, -1)), matrices(),
           torch_fn=lambda a: _torch().linalg.matrix_norm(_rect(a), 2), id="linalg.matrix_norm_2"),
    OpCase("linalg", lambda a: ag.linalg.matrix_norm(_rect(a), -2, dim=(-1, -2), keepdim=True),
           lambda a: np.linalg.norm(_rect(a), -2, (-1, -2), keepdims=True), matrices(),
           torch_fn=lambda a: _torch().linalg.matrix_norm(_rect(a), -2, dim=(-1, -2), keepdim=True),
           id="linalg.matrix_norm_-2_keepdim"),
    OpCase("linalg", lambda a: ag.linalg.norm(_rect(a), "nuc", dim=(-2, -1)),
           lambda a: np.linalg.norm(_rect(a), "nuc", (-2, -1)), matrices(),
           torch_fn=lambda a: _torch().linalg.norm(_rect(a), "nuc", dim=(-2, -1)), id="linalg.norm_nuc"),
]
