"""``cholesky_solve`` and ``triangular_solve`` against PyTorch 2.13 where the op table does not reach:
a factor whose other triangle holds values (ignored in the value, not in cholesky_solve's gradient,
as PyTorch's), every flag combination, the named result, and the errors for bad arguments."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd as ag

torch = pytest.importorskip("torch")


def _run(lib, fn, *arrays):
    ts = [lib.tensor(a, requires_grad=True) for a in arrays]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.triangular_solve's deprecation
        out = fn(lib, *ts)
    outs = tuple(out) if isinstance(out, tuple) else (out,)
    loss = sum((o * lib.tensor(np.random.default_rng(5 + i).standard_normal(tuple(o.shape)))).sum()
               for i, o in enumerate(outs))
    loss.backward()
    return [o.detach().numpy() for o in outs] + [t.grad.numpy() for t in ts]


def _compare(fn, *arrays):
    for got, want in zip(_run(ag, fn, *arrays), _run(torch, fn, *arrays)):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


rng = np.random.default_rng(0)
L = np.tril(rng.standard_normal((3, 3))) + 3 * np.eye(3)
L[0, 2] = 0.7  # read by neither, but in cholesky_solve's gradient
B = rng.standard_normal((2, 3, 2))


@pytest.mark.parametrize("upper", [False, True])
def test_cholesky_solve_as_torch_with_values_in_the_other_triangle(upper):
    _compare(lambda lib, b, f: lib.cholesky_solve(b, f, upper), B, L.T.copy() if upper else L)


@pytest.mark.parametrize("upper", [True, False])
@pytest.mark.parametrize("transpose", [False, True])
@pytest.mark.parametrize("unitriangular", [False, True])
def test_triangular_solve_as_torch(upper, transpose, unitriangular):
    a = L.T.copy() if upper else L
    _compare(lambda lib, b, f: lib.triangular_solve(b, f, upper, transpose, unitriangular), B, a)


def test_triangular_solve_returns_the_named_pair():
    r = ag.triangular_solve(ag.ones(2, 3, 1), ag.eye(3))
    assert type(r).__name__ == "triangular_solve"
    assert r.solution.shape == (2, 3, 1) and r.cloned_coefficient.shape == (2, 3, 3)


@pytest.mark.parametrize("name", ["cholesky_solve", "triangular_solve"])
@pytest.mark.parametrize("bad", [
    lambda f, lib: f(lib.randn(3, 2), lib.randn(3, 4)),
    lambda f, lib: f(lib.randn(4, 2), lib.randn(3, 3)),
    lambda f, lib: f(lib.randn(3), lib.randn(3, 3)),
    lambda f, lib: f(lib.randn(3, 2), lib.randn(3, 3, dtype=lib.float64)),
    lambda f, lib: f(lib.ones(3, 2, dtype=lib.int64), lib.ones(3, 3, dtype=lib.int64)),
], ids=["not_square", "sizes", "vector", "dtypes", "ints"])
def test_errors_as_torch(name, bad):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(Exception) as want:
            bad(getattr(torch, name), torch)
    with pytest.raises(want.type) as got:
        bad(getattr(ag, name), ag)
    assert str(got.value).splitlines()[0] == str(want.value).splitlines()[0]
