"""The gradient of ``std`` where all elements reduced are equal is 0, as PyTorch (it was NaN:
``sqrt``'s ``1/(2*0)`` times the variance's 0)."""
from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd import backend


def _host(t):
    return backend.to_host(t._data)


def test_std_of_constant_input_has_zero_gradient(device):
    x = ag.tensor([2.0, 2.0, 2.0], device=device, requires_grad=True)
    x.std().backward()
    np.testing.assert_array_equal(_host(x.grad), [0.0, 0.0, 0.0])


def test_std_rows_constant_and_not(device):
    a = np.array([[2.0, 2.0, 2.0], [1.0, 2.0, 4.0]])
    x = ag.tensor(a, device=device, requires_grad=True)
    x.std(1).sum().backward()
    row = a[1]
    expected = (row - row.mean()) / (row.std(ddof=1) * (row.size - 1))
    np.testing.assert_allclose(_host(x.grad), [[0.0, 0.0, 0.0], expected], rtol=1e-6)


def test_normalising_a_constant_input_keeps_gradients_finite(device):
    x = ag.tensor([[3.0, 3.0, 3.0, 3.0]], device=device, requires_grad=True)
    w = ag.tensor([1.0, 2.0, 3.0, 4.0], device=device)
    y = (x - x.mean(1, keepdim=True)) / (x.std(1, keepdim=True) + 1e-5)
    (y * w).sum().backward()
    assert np.all(np.isfinite(_host(x.grad)))


def test_std_gradient_vs_torch():
    torch = pytest.importorskip("torch")
    a = np.array([[2.0, 2.0, 2.0], [1.0, 2.0, 4.0], [5.0, 5.0, 5.0]])
    for kw in ({}, {"dim": 1}, {"dim": 0, "correction": 0}, {"dim": 1, "keepdim": True}):
        x = ag.tensor(a, requires_grad=True)
        t = torch.tensor(a, requires_grad=True)
        (x.std(**kw) * 3).sum().backward()
        (t.std(**kw) * 3).sum().backward()
        np.testing.assert_allclose(_host(x.grad), t.grad.numpy(), rtol=1e-12, atol=1e-15, err_msg=str(kw))


def test_std_double_backward_finite_away_from_zero():
    x = ag.tensor([1.0, 2.0, 4.0], dtype=ag.float64, requires_grad=True)
    assert ag.gradcheck(lambda t: t.std(), (x,))
    assert ag.gradgradcheck(lambda t: t.std(), (x,))
