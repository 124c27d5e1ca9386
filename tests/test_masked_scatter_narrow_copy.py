"""masked_scatter(_) and narrow_copy, as PyTorch's (both were missing)."""
from __future__ import annotations

import numpy as np
import pytest

import autograd as ag

torch = pytest.importorskip("torch")


def test_masked_scatter_inplace_values_and_gradients():
    rng = np.random.default_rng(0)
    x0, s0 = rng.standard_normal((3, 4)), rng.standard_normal((2, 6))
    m0 = rng.random(4) > 0.4  # broadcast over the rows
    res = []
    for lib in (ag, torch):
        x, s = lib.tensor(x0, requires_grad=True), lib.tensor(s0, requires_grad=True)
        y = x * 2
        y.masked_scatter_(lib.tensor(m0), s * 3)
        (y * lib.tensor(np.arange(12.0).reshape(3, 4))).sum().backward()
        res.append((y.detach().numpy(), x.grad.numpy(), s.grad.numpy()))
    for a, b in zip(*res):
        np.testing.assert_allclose(a, b, rtol=1e-12)


@pytest.mark.parametrize("mask, source, message", [
    ([1, 0, 1], ag.ones(3, dtype=ag.float64), "BoolTensor"),
    ([True, True, True], ag.ones(2, dtype=ag.float64), "Number of elements of source"),
    ([True, False, True], ag.ones(3, dtype=ag.float32), "same dtypes"),
])
def test_masked_scatter_errors(mask, source, message):
    with pytest.raises(RuntimeError, match=message):
        ag.zeros(3, dtype=ag.float64).masked_scatter(ag.tensor(mask), source)


def test_narrow_copy_is_a_copy():
    for lib in (ag, torch):
        x = lib.arange(6.0).reshape(2, 3)
        y = x.narrow_copy(1, 1, 2)
        y.zero_()
        assert x.sum().item() == 15.0 and tuple(y.shape) == (2, 2)
        assert lib.narrow_copy(x, 0, 1, 1).tolist() == [[3.0, 4.0, 5.0]]
