"""Op-table entries for cholesky, solve / solve_triangular, inverse, det, slogdet and logdet.

The inputs are free float64 arrays; each case maps them into the op's domain with differentiable
ops (``a a^T + n I`` is symmetric positive-definite, ``a + 13 I`` is diagonally dominant for
``n <= 4`` and entries in [-3, 3]), so the gradient checks reach every entry of the drawn array.
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

import autograd as ag

from .spec import OpCase, array
from .spec import torch_module as _torch


@st.composite
def matrices(draw, rhs=False, vector=False):
    batch = tuple(draw(st.lists(st.integers(1, 2), max_size=1)))
    n = draw(st.integers(1, 3))
    arrays = [draw(array(batch + (n, n)))]
    if rhs:
        arrays.append(draw(array(batch + ((n,) if vector else (n, draw(st.integers(1, 3)))))))
    return tuple(arrays), {}


def _spd(a, lib):
    n = a.shape[-1]
    return a @ (a.mT if lib is not np else np.swapaxes(a, -1, -2)) + n * _eye(n, lib, a)


def _dominant(a, lib):
    return a + 13 * _eye(a.shape[-1], lib, a)


def _eye(n, lib, like):
    if lib is np:
        return np.eye(n)
    if lib is ag:
        return ag.eye(n, dtype=like.dtype, device=like.device)
    return lib.eye(n, dtype=like.dtype)


def _np_solve_tri(a, b, upper, left):
    t = np.triu(a) if upper else np.tril(a)
    return np.linalg.solve(t, b) if left else np.swapaxes(np.linalg.solve(np.swapaxes(t, -1, -2),
                                                                          np.swapaxes(b, -1, -2)), -1, -2)


CASES = [
    OpCase("cholesky", lambda a: ag.cholesky(_spd(a, ag)), lambda a: np.linalg.cholesky(_spd(a, np)),
           matrices(), torch_fn=lambda a: _torch().linalg.cholesky(_spd(a, _torch()))),
    OpCase("linalg", lambda a: ag.linalg.cholesky(_spd(a, ag), upper=True),
           lambda a: np.swapaxes(np.linalg.cholesky(_spd(a, np)), -1, -2), matrices(),
           torch_fn=lambda a: _torch().linalg.cholesky(_spd(a, _torch()), upper=True),
           id="linalg.cholesky_upper"),
    OpCase("linalg", lambda a, b: ag.linalg.solve_triangular(_dominant(a, ag), b, upper=False),
           lambda a, b: _np_solve_tri(_dominant(a, np), b, False, True), matrices(rhs=True),
           torch_fn=lambda a, b: _torch().linalg.solve_triangular(_dominant(a, _torch()), b, upper=False),
           id="linalg.solve_triangular_lower"),
    OpCase("linalg", lambda a, b: ag.linalg.solve_triangular(_dominant(a, ag), b.mT, upper=True, left=False),
           lambda a, b: _np_solve_tri(_dominant(a, np), np.swapaxes(b, -1, -2), True, False),
           matrices(rhs=True),
           torch_fn=lambda a, b: _torch().linalg.solve_triangular(_dominant(a, _torch()), b.mT, upper=True,
                                                                  left=False),
           id="linalg.solve_triangular_upper_right"),
    OpCase("linalg", lambda a, b: ag.linalg.solve(_dominant(a, ag), b),
           lambda a, b: np.linalg.solve(_dominant(a, np), b), matrices(rhs=True),
           torch_fn=lambda a, b: _torch().linalg.solve(_dominant(a, _torch()), b), id="linalg.solve"),
    OpCase("linalg", lambda a, b: ag.linalg.solve(_dominant(a, ag), b),
           lambda a, b: np.linalg.solve(_dominant(a, np), b[..., None])[..., 0],
           matrices(rhs=True, vector=True),
           torch_fn=lambda a, b: _torch().linalg.solve(_dominant(a, _torch()), b), id="linalg.solve_vector"),
    OpCase("inverse", lambda a: ag.inverse(_dominant(a, ag)), lambda a: np.linalg.inv(_dominant(a, np)),
           matrices(), torch_fn=lambda a: _torch().inverse(_dominant(a, _torch()))),
    OpCase("det", lambda a: ag.det(_dominant(a, ag)), lambda a: np.asarray(np.linalg.det(_dominant(a, np))),
           matrices(), torch_fn=lambda a: _torch().det(_dominant(a, _torch()))),
    OpCase("logdet", lambda a: ag.logdet(_dominant(a, ag)),
           lambda a: np.asarray(np.log(np.linalg.det(_dominant(a, np)))), matrices(),
           torch_fn=lambda a: _torch().logdet(_dominant(a, _torch()))),
    OpCase("slogdet", lambda a: ag.slogdet(-_dominant(a, ag))[1],
           lambda a: np.asarray(np.linalg.slogdet(-_dominant(a, np))[1]), matrices(),
           torch_fn=lambda a: _torch().slogdet(-_dominant(a, _torch()))[1]),
]
