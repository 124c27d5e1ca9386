"""``gradient`` against PyTorch 2.13 beyond the op table: dtypes (float32 bit for bit, integers to the
default dtype), 0-d input, a 0-d tensor spacing, dims in the order given, and the errors."""
from __future__ import annotations

import numpy as np
import pytest

import autograd as ag

torch = pytest.importorskip("torch")

X = [[1.0, 2, 4, 8], [10, 20, 40, 80], [3, 1, 4, 1]]


@pytest.mark.parametrize("make", [
    lambda lib: lib.gradient(lib.tensor(X)),
    lambda lib: lib.gradient(lib.tensor(X), spacing=2.0, dim=1, edge_order=2),
    lambda lib: lib.gradient(lib.tensor(X), spacing=[lib.tensor([0.0, 1, 3]), lib.tensor([0.0, 1, 3, 7])],
                             edge_order=2),
    lambda lib: lib.gradient(lib.tensor(X), dim=(1, 0), spacing=[2.0, 3.0]),
    lambda lib: lib.gradient(lib.tensor(X), spacing=lib.tensor(2.0), dim=-1),
    lambda lib: lib.gradient(lib.tensor([1, 2, 4])),
    lambda lib: lib.gradient(lib.tensor([1, 2, 4]), spacing=2),
    lambda lib: lib.gradient(lib.tensor(1.0)),
    lambda lib: lib.gradient(lib.tensor(X, dtype=lib.float64), spacing=(lib.tensor([0.0, 1, 3, 7]),), dim=1),
])
def test_values_and_dtypes_as_torch(make):
    got, want = make(ag), make(torch)
    assert isinstance(got, tuple) and len(got) == len(want)
    for g, w in zip(got, want):
        assert str(g.dtype).split(".")[-1] == str(w.dtype).split(".")[-1]
        np.testing.assert_array_equal(g.numpy(), w.numpy())


@pytest.mark.parametrize("bad", [
    lambda lib: lib.gradient(lib.tensor(X), edge_order=3),
    lambda lib: lib.gradient(lib.tensor(X), edge_order=0),
    lambda lib: lib.gradient(lib.tensor(X), dim=[0, 0]),
    lambda lib: lib.gradient(lib.tensor(X), dim=2),
    lambda lib: lib.gradient(lib.tensor(X), spacing=[1.0, 2, 3]),
    lambda lib: lib.gradient(lib.tensor(X)[:2], edge_order=2, dim=0),
    lambda lib: lib.gradient(lib.tensor(X), spacing=[1.0], dim=[0, 1]),
    lambda lib: lib.gradient(lib.tensor(X), spacing=[lib.tensor(2.0)], dim=1),
    lambda lib: lib.gradient(lib.tensor(X), spacing=(lib.tensor([[0, 1, 3, 7]]),), dim=1),
    lambda lib: lib.gradient(lib.tensor(X), spacing=[1.0, lib.tensor([0.0, 1, 2, 3])]),
    lambda lib: lib.gradient(lib.zeros(0, 3)),
    lambda lib: lib.gradient(lib.tensor([True, False])),
])
def test_errors_as_torch(bad):
    with pytest.raises(Exception) as want:
        bad(torch)
    with pytest.raises(want.type) as got:
        bad(ag)
    assert str(got.value).splitlines()[0] == str(want.value).splitlines()[0]


def test_gradient_flows_to_input_and_coordinates():
    x = ag.tensor(np.random.default_rng(0).standard_normal((4, 5)), requires_grad=True)
    c = ag.tensor([0.0, 0.5, 1.7, 2.0, 3.1], dtype=ag.float64, requires_grad=True)
    assert ag.gradcheck(lambda x, c: ag.gradient(x, spacing=(c,), dim=1, edge_order=2)[0], (x, c))
    assert ag.gradgradcheck(lambda x: ag.gradient(x, spacing=0.5), (x,))
