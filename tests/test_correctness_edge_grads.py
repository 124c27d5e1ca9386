"""Gradients at the edges of an op's domain, as PyTorch: ``0 ** x`` (0 for x >= 0, -inf for
x < 0, not NaN), ``max``/``amax``/``norm(inf)`` of an input holding NaN."""
from __future__ import annotations

import math

import numpy as np
import pytest

import autograd as ag
from autograd import backend

NAN = math.nan
E = [-1.5, -1.0, 0.0, 0.5, 1.0, 2.0]
POW_ZERO = [-math.inf, -math.inf, 0.0, 0.0, 0.0, 0.0]  # d(0 ** e)/de, PyTorch's values


def _host(t):
    return backend.to_host(t._data)


@pytest.mark.parametrize("base", ["python", "tensor"])
def test_zero_to_the_x_gradient(device, base):
    e = ag.tensor(E, device=device, requires_grad=True)
    b = 0.0 if base == "python" else ag.zeros(len(E), device=device)
    with np.errstate(all="ignore"):
        (b ** e).sum().backward()
    np.testing.assert_array_equal(_host(e.grad), POW_ZERO)


def test_zero_to_the_x_vs_torch():
    torch = pytest.importorskip("torch")
    for base in (0.0, 0):
        e = ag.tensor(E, requires_grad=True)
        t = torch.tensor(E, requires_grad=True)
        with np.errstate(all="ignore"):
            (base ** e).sum().backward()
        (base ** t).sum().backward()
        np.testing.assert_array_equal(_host(e.grad), t.grad.numpy())


X = [1.0, NAN, 3.0, NAN]
CASES = {  # name: (fn, expected gradient) -- PyTorch 2.x's values
    "max": (lambda x: x.max(), [0.0, 0.5, 0.0, 0.5]),
    "min": (lambda x: x.min(), [0.0, 0.5, 0.0, 0.5]),
    "amax": (lambda x: x.amax(), [NAN] * 4),
    "amin": (lambda x: x.amin(), [NAN] * 4),
    "max_dim": (lambda x: x.max(0).values, [0.0, 1.0, 0.0, 0.0]),
    "norm_inf": (lambda x: x.norm(math.inf), [0.0, 0.0, 0.0, 0.0]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_nan_input_gradient(device, name):
    fn, expected = CASES[name]
    x = ag.tensor(X, device=device, requires_grad=True)
    fn(x).backward()
    np.testing.assert_array_equal(_host(x.grad), expected)


def test_amax_nan_slice_only(device):
    x = ag.tensor([[1.0, NAN, 3.0], [4.0, 5.0, 6.0]], device=device, requires_grad=True)
    x.amax(1).sum().backward()
    np.testing.assert_array_equal(_host(x.grad), [[NAN] * 3, [0.0, 0.0, 1.0]])


@pytest.mark.parametrize("name", list(CASES))
def test_nan_input_gradient_vs_torch(name):
    torch = pytest.importorskip("torch")
    fn, _ = CASES[name]
    x = ag.tensor(X, requires_grad=True)
    t = torch.tensor(X, requires_grad=True)
    fn(x).backward()
    fn(t).backward()
    np.testing.assert_array_equal(_host(x.grad), t.grad.numpy())
