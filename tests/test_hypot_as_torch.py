"""hypot as PyTorch's (std::hypot): no overflow or underflow of the squares, inf when either side is
infinite (even against NaN), gradients ``g * input / result`` and ``g * other / result``, and
PyTorch's errors for integer results and non-Tensor arguments."""
from __future__ import annotations

import math

import numpy as np
import pytest

import autograd as ag

torch = pytest.importorskip("torch")
NAN, INF = math.nan, math.inf
A = [1e200, NAN, 3.0, 0.0, -0.0, INF, 1e-200, -INF, 2.0]
B = [1e200, INF, 4.0, 0.0, 0.0, NAN, 1e-200, 1.0, -1e300]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_hypot_values_and_gradients_as_torch(dtype, device):
    results = []
    for m, dev in ((ag, device), (torch, "cpu")):
        with np.errstate(all="ignore"):
            a = m.tensor(A, dtype=getattr(m, dtype), device=dev, requires_grad=True)
            b = m.tensor(B, dtype=getattr(m, dtype), device=dev, requires_grad=True)
            y = m.hypot(a, b)
            ga, gb = m.autograd.grad(y, [a, b], m.arange(1.0, 10.0, dtype=getattr(m, dtype), device=dev))
        results.append([t.detach().cpu().numpy() for t in (y, ga, gb)])
    for got, want, what in zip(*results, ("value", "input gradient", "other gradient")):
        np.testing.assert_allclose(got, want, rtol=1e-6 if dtype == "float32" else 1e-15, err_msg=what)


def test_hypot_second_derivative_and_method():
    a = ag.tensor([0.5, -1.5, 2.0], dtype=ag.float64, requires_grad=True)
    b = ag.tensor([1.0, 2.0, -0.25], dtype=ag.float64, requires_grad=True)
    assert ag.gradgradcheck(ag.hypot, (a, b))
    assert a.hypot(b).tolist() == ag.hypot(a, b).tolist()


@pytest.mark.parametrize("make", [
    lambda m: (m.tensor([3]), m.tensor([4])),
    lambda m: (m.tensor([True]), m.tensor([False])),
    lambda m: (m.tensor([3.0]), 4.0),
    lambda m: (3.0, m.tensor([4.0])),
])
def test_hypot_errors_as_torch(make):
    errors = []
    for m in (ag, torch):
        with pytest.raises(Exception) as info:
            m.hypot(*make(m))
        errors.append((info.type.__name__, str(info.value)))
    assert errors[0] == errors[1]
    assert ag.hypot(ag.tensor([3]), ag.tensor([4.0])).tolist() == [5.0]  # promoted to float: fine
