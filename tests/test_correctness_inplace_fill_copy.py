"""Recorded ``copy_`` and ``fill_`` overwrite every value, inf and NaN included (no ``a * 0 + src``)."""
from __future__ import annotations

import numpy as np
import pytest

import autograd as ag

INF, NAN = float("inf"), float("nan")


def test_recorded_copy_over_inf_and_nan(device):
    w = ag.ones(3, device=device, requires_grad=True)
    s = ag.tensor([1.0, 2.0, 3.0], device=device, requires_grad=True)
    y = ag.tensor([INF, NAN, -INF], device=device) * w
    y.copy_(s * 3)
    np.testing.assert_array_equal(y.detach().cpu().numpy(), [3.0, 6.0, 9.0])
    y.sum().backward()
    np.testing.assert_array_equal(s.grad.cpu().numpy(), [3.0, 3.0, 3.0])
    # PyTorch: the overwritten values get a zero gradient, which times inf/NaN is NaN
    assert np.isnan(w.grad.cpu().numpy()).all()


def test_recorded_fill_over_inf_and_nan(device):
    w = ag.ones(2, device=device, requires_grad=True)
    y = ag.tensor([NAN, INF], device=device) * w
    y.fill_(3.0)
    np.testing.assert_array_equal(y.detach().cpu().numpy(), [3.0, 3.0])
    assert y.requires_grad


def test_recorded_copy_broadcasts_and_casts_as_pytorch(device):
    w = ag.ones(2, 3, device=device, requires_grad=True)
    y = w * 2
    y.copy_(ag.tensor([1.0, 2.0, 3.0], dtype=ag.float64, device=device))
    assert y.dtype == ag.float32
    np.testing.assert_array_equal(y.detach().cpu().numpy(), [[1, 2, 3], [1, 2, 3]])
    torch = pytest.importorskip("torch")
    tw = torch.ones(2, 3, requires_grad=True)
    ty = tw * 2
    ty.copy_(torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64))
    ty.sum().backward()
    y.sum().backward()
    np.testing.assert_array_equal(w.grad.cpu().numpy(), tw.grad.numpy())


def test_floor_divide_gradient_is_zero_even_for_inf_upstream(device):
    """A sibling of ``a * 0``: floor_divide's zero gradient must not be ``g * 0`` (NaN for inf)."""
    x = ag.tensor([3.0, -2.5], device=device, requires_grad=True)
    (x // 2).backward(ag.tensor([INF, NAN], device=device))
    np.testing.assert_array_equal(x.grad.cpu().numpy(), [0.0, 0.0])


def test_copy_casts_like_pytorch(device):
    t = ag.zeros(3, dtype=ag.int64, device=device)
    t.copy_(ag.tensor([1.7, -2.2, 3.0], device=device))
    assert t.dtype == ag.int64 and t.tolist() == [1, -2, 3]  # truncation toward zero, as PyTorch
    b = ag.zeros(2, 3, device=device)
    b.copy_(ag.tensor([True, False, True], device=device))
    np.testing.assert_array_equal(b.cpu().numpy(), [[1, 0, 1], [1, 0, 1]])
    with pytest.raises(RuntimeError, match="broadcast"):
        b.copy_(ag.ones(4, device=device))
