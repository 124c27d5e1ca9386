"""Op-table entries for ``cholesky_solve``, ``cholesky_inverse`` and ``triangular_solve`` (the factor
is made triangular and well conditioned inside the case, so that the gradient checks see the function
they test)."""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

import autograd as ag

from .spec import OpCase, array
from .spec import torch_module as _torch


@st.composite
def factor_and_rhs(draw):
    n, k = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    batch_b, batch_a = draw(st.sampled_from([((), ()), ((2,), ()), ((), (2,)), ((2,), (1,))]))
    a = draw(array(batch_a + (n, n), -1.0, 1.0))
    b = draw(array(batch_b + (n, k)))
    return (b, a), {"upper": draw(st.booleans())}


def _factor(lib, a, upper):
    """``a``'s upper (lower) triangle plus 3 on the diagonal, with NumPy, autograd or torch."""
    if lib is np:
        return (np.triu(a) if upper else np.tril(a)) + 3 * np.eye(a.shape[-1])
    return (a.triu() if upper else a.tril()) + 3 * lib.eye(a.shape[-1], dtype=a.dtype, device=a.device)


def _chol_ref(b, a, upper):
    f = _factor(np, a, upper)
    m = np.swapaxes(f, -1, -2) @ f if upper else f @ np.swapaxes(f, -1, -2)
    return np.linalg.solve(m, b)


def _tri_ref(b, a, upper, transpose=False):
    f = _factor(np, a, upper)
    m = np.swapaxes(f, -1, -2) if transpose else f
    batch = np.broadcast_shapes(b.shape[:-2], a.shape[:-2])
    x = np.linalg.solve(np.broadcast_to(m, batch + m.shape[-2:]), np.broadcast_to(b, batch + b.shape[-2:]))
    return x, np.broadcast_to(f, batch + f.shape[-2:])


def _chol(lib, method=False):
    def fn(b, a, upper):
        f = _factor(lib, a, upper)
        return b.cholesky_solve(f, upper=upper) if method else lib.cholesky_solve(b, f, upper)
    return fn


def _tri(lib, transpose=False):
    def fn(b, a, upper):
        f = _factor(lib, a, upper)
        return tuple(b.triangular_solve(f, upper, transpose=True) if transpose
                     else lib.triangular_solve(b, f, upper))
    return fn


@st.composite
def factor(draw):
    n = draw(st.integers(1, 3))
    a = draw(array(draw(st.sampled_from([(), (2,)])) + (n, n), -1.0, 1.0))
    return (a,), {"upper": draw(st.booleans())}


def _cinv_ref(a, upper):
    f = _factor(np, a, upper)
    return np.linalg.inv(np.swapaxes(f, -1, -2) @ f if upper else f @ np.swapaxes(f, -1, -2))


def _cinv(lib, method=False):
    def fn(a, upper):
        f = _factor(lib, a, upper)
        return f.cholesky_inverse(upper) if method else lib.cholesky_inverse(f, upper=upper)
    return fn


class _Torch:
    """``torch``, looked up when a comparison first needs it."""

    def __getattr__(self, name):
        return getattr(_torch(), name)


_T = _Torch()
TOL = {"rtol": 1e-6, "atol": 1e-6}
CASES = [
    OpCase("cholesky_solve", _chol(ag), _chol_ref, factor_and_rhs(), torch_fn=_chol(_T), **TOL),
    OpCase("cholesky_solve", _chol(ag, True), _chol_ref, factor_and_rhs(), torch_fn=_chol(_T, True),
           id="cholesky_solve_method", **TOL),
    OpCase("cholesky_inverse", _cinv(ag), _cinv_ref, factor(), torch_fn=_cinv(_T), **TOL),
    OpCase("cholesky_inverse", _cinv(ag, True), _cinv_ref, factor(), torch_fn=_cinv(_T, True),
           id="cholesky_inverse_method", **TOL),
    OpCase("triangular_solve", _tri(ag), _tri_ref, factor_and_rhs(), torch_fn=_tri(_T), **TOL),
    OpCase("triangular_solve", _tri(ag, True), lambda b, a, upper: _tri_ref(b, a, upper, True),
           factor_and_rhs(), torch_fn=_tri(_T, True), id="triangular_solve_transpose_method", **TOL),
]
