"""Op-table entries for matrix_exp, matrix_power, lu_factor / lu_unpack / lu_solve, multi_dot / chain_matmul,
ger, vander, householder_product and renorm.

The inputs are free float64 arrays, mapped into each op's domain with differentiable ops as in
``linalg_decomp.py`` (``a + 13 I`` is diagonally dominant, so its LU needs no row swap and its
pivots do not change under the finite differences).
"""
from __future__ import annotations

import warnings

import numpy as np
from hypothesis import strategies as st

import autograd as ag

from .linalg_decomp import _dominant, matrices
from .spec import OpCase, array
from .spec import torch_module as _torch


def _np_expm(a):
    """``exp(a)`` by a scaled Taylor series and squarings (the reference)."""
    norm = np.abs(a).sum(-2).max(-1).max() if a.size else 0.0
    s = max(0, int(np.ceil(np.log2(max(norm, 1e-300)))) + 1)
    x = a / 2.0 ** s
    term = result = np.broadcast_to(np.eye(a.shape[-1]), a.shape).copy()
    for k in range(1, 30):
        term = term @ x / k
        result = result + term
    for _ in range(s):
        result = result @ result
    return result


def _l_plus_u(plu):
    return plu[1] + plu[2]


def _np_lu_packed(a):
    """Doolittle LU without row swaps (the pivots of a diagonally dominant matrix), packed."""
    lu = np.array(a, dtype=np.float64)
    for j in range(lu.shape[-1]):
        lu[..., j + 1:, j] /= lu[..., j, j][..., None]
        lu[..., j + 1:, j + 1:] -= lu[..., j + 1:, j:j + 1] * lu[..., j:j + 1, j + 1:]
    return lu


@st.composite
def _chain(draw):
    n = [draw(st.integers(1, 3)) for _ in range(4)]
    return (draw(array((n[0],))), draw(array((n[0], n[1]))), draw(array((n[1], n[2]))),
            draw(array((n[2],)))), {}


@st.composite
def _rows(draw):
    a = draw(array((draw(st.integers(1, 3)), draw(st.integers(1, 3)))))
    # subnormal entries flushed to 0: PyTorch's cumprod-based vander loses their gradient (5e-324)
    return (np.where(np.abs(a) < 1e-300, 0.0, a),), {}


@st.composite
def _reflectors(draw):
    n = draw(st.integers(1, 3))
    m = draw(st.integers(n, 4))
    return (draw(array((m, n))), draw(array((draw(st.integers(1, n)),)))), {}


def _np_householder(a, tau):
    m, n = a.shape
    v = np.tril(a, -1) + np.eye(m, n)
    q = np.eye(m)
    for i in range(tau.shape[0]):
        q = q - tau[i] * (q @ v[:, i:i + 1]) @ v[:, i:i + 1].T
    return q[:, :n]


def _legacy_lu_solve(lib, a, b):
    """``lu_solve(b, *lu(A))``, the deprecated spellings (their warnings silenced)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return lib.lu_solve(b, *lib.lu(_dominant(a, lib)))


def _np_renorm(a, maxnorm):
    norm = np.sqrt((a ** 2).sum(0, keepdims=True))
    return a * np.where(norm > maxnorm, maxnorm / (norm + 1e-7), 1.0)


CASES = [
    OpCase("matrix_exp", lambda a: ag.matrix_exp(a), _np_expm, matrices(),
           torch_fn=lambda a: _torch().matrix_exp(a)),
    OpCase("matrix_power", lambda a: ag.matrix_power(_dominant(a, ag), -3),
           lambda a: np.linalg.matrix_power(np.linalg.inv(_dominant(a, np)), 3), matrices(),
           torch_fn=lambda a: _torch().matrix_power(_dominant(a, _torch()), -3)),
    OpCase("linalg", lambda a: _l_plus_u(ag.lu_unpack(*ag.linalg.lu_factor(_dominant(a, ag)))),
           lambda a: _np_lu_packed(_dominant(a, np)) + np.eye(a.shape[-1]), matrices(),
           torch_fn=lambda a: _l_plus_u(_torch().lu_unpack(
               *_torch().linalg.lu_factor(_dominant(a, _torch())))),
           id="linalg.lu_factor", covers=("lu_unpack",)),
    OpCase("linalg", lambda a, b: ag.linalg.lu_solve(*ag.linalg.lu_factor(_dominant(a, ag)), b, adjoint=True),
           lambda a, b: np.linalg.solve(np.swapaxes(_dominant(a, np), -1, -2), b), matrices(rhs=True),
           torch_fn=lambda a, b: _torch().linalg.lu_solve(
               *_torch().linalg.lu_factor(_dominant(a, _torch())), b, adjoint=True),
           id="linalg.lu_solve_adjoint"),
    OpCase("lu_solve", lambda a, b: _legacy_lu_solve(ag, a, b),
           lambda a, b: np.linalg.solve(_dominant(a, np), b), matrices(rhs=True),
           torch_fn=lambda a, b: _legacy_lu_solve(_torch(), a, b), covers=("lu",)),
    OpCase("linalg", lambda u, a, b, v: ag.linalg.multi_dot([u, ag.chain_matmul(a, b), v]),
           lambda u, a, b, v: u @ a @ b @ v,
           _chain(), torch_fn=lambda u, a, b, v: _torch().linalg.multi_dot([u, a, b, v]),
           id="linalg.multi_dot", covers=("chain_matmul",)),
    OpCase("ger", lambda u, a, b, v: ag.ger(u, v), lambda u, a, b, v: np.outer(u, v), _chain(),
           torch_fn=lambda u, a, b, v: _torch().ger(u, v), differentiable=(0, 3)),
    OpCase("linalg", lambda a: ag.linalg.vander(a, N=3),
           lambda a: np.vander(a.reshape(-1), 3, increasing=True)
           .reshape(a.shape + (3,)), _rows(), torch_fn=lambda a: _torch().linalg.vander(a, N=3),
           id="linalg.vander", covers=("vander",)),
    OpCase("linalg", lambda a, tau: ag.linalg.householder_product(a, tau), _np_householder, _reflectors(),
           torch_fn=lambda a, tau: _torch().linalg.householder_product(a, tau),
           id="linalg.householder_product", covers=("orgqr",)),
    OpCase("renorm", lambda a: ag.renorm(a, 2, 1, 1.2345), lambda a: _np_renorm(a, 1.2345), _rows(),
           torch_fn=lambda a: _torch().renorm(a, 2, 1, 1.2345)),
]
