"""Chains of recorded in-place ops on a non-leaf give PyTorch's gradients.

``y = x * 2; y += z; y *= z`` used to raise "modified by an inplace operation":
the snapshot an in-place op runs on shared the tensor's version counter, so the
next in-place op looked like a change to a value the previous one had saved.
Where PyTorch raises (a saved value genuinely changed), xpgrad still raises.
"""
from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd import backend

X = np.array([1.0, 2.0, 3.0])
Z = np.array([0.5, -1.0, 2.0])


def _host(t):
    return backend.to_host(t._data)


def _chain(y, x, z):
    y += z
    y *= z
    y -= 1
    y /= 3
    y.mul_(z)
    y.add_(z, alpha=2)
    y.sub_(x, alpha=0.5)
    y.div_(z)
    y.clamp_(-2.0, 5.0)
    y.pow_(2)
    return y


def _chain_ref(x, z):
    """The same chain by hand (NumPy) with its gradient w.r.t. x and z."""
    y = x * 2
    dy_dx, dy_dz = np.full(3, 2.0), np.zeros(3)
    y, dy_dz = y + z, dy_dz + 1
    y, dy_dx, dy_dz = y * z, dy_dx * z, dy_dz * z + y
    y = y - 1
    y, dy_dx, dy_dz = y / 3, dy_dx / 3, dy_dz / 3
    y, dy_dx, dy_dz = y * z, dy_dx * z, dy_dz * z + y
    y, dy_dz = y + 2 * z, dy_dz + 2
    y, dy_dx = y - 0.5 * x, dy_dx - 0.5
    y, dy_dx, dy_dz = y / z, dy_dx / z, dy_dz / z - y / z ** 2
    inside = (y > -2.0) & (y < 5.0)
    y, dy_dx, dy_dz = np.clip(y, -2.0, 5.0), dy_dx * inside, dy_dz * inside
    y, dy_dx, dy_dz = y ** 2, 2 * y * dy_dx, 2 * y * dy_dz
    return y, dy_dx, dy_dz


def test_chain_of_in_place_ops_on_a_non_leaf(device):
    x = ag.tensor(X, device=device, requires_grad=True)
    z = ag.tensor(Z, device=device, requires_grad=True)
    y = _chain(x * 2, x, z)
    y.sum().backward()
    ref, gx, gz = _chain_ref(X, Z)
    np.testing.assert_allclose(_host(y), ref, rtol=1e-12)
    np.testing.assert_allclose(_host(x.grad), gx, rtol=1e-12)
    np.testing.assert_allclose(_host(z.grad), gz, rtol=1e-12)


def test_chain_of_in_place_ops_vs_torch():
    torch = pytest.importorskip("torch")
    x = ag.tensor(X, requires_grad=True)
    z = ag.tensor(Z, requires_grad=True)
    tx = torch.tensor(X, requires_grad=True)
    tz = torch.tensor(Z, requires_grad=True)
    _chain(x * 2, x, z).sum().backward()
    _chain(tx * 2, tx, tz).sum().backward()
    np.testing.assert_allclose(_host(x.grad), tx.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(_host(z.grad), tz.grad.numpy(), rtol=1e-12)


def test_issue_chain_exactly(device):
    x = ag.tensor(X, device=device, requires_grad=True)
    z = ag.tensor(Z, device=device, requires_grad=True)
    y = x * 2
    y += z
    y *= z
    y -= 1
    y /= 3
    y.mul_(z)
    y.sum().backward()
    # y = ((2x + z) z - 1) / 3 * z
    np.testing.assert_allclose(_host(x.grad), 2 * Z * Z / 3, rtol=1e-12)
    np.testing.assert_allclose(_host(z.grad), (2 * (2 * X + Z) * Z + Z * Z - 1) / 3, rtol=1e-12)


def test_pow_and_fill_and_copy_in_a_chain(device):
    x = ag.tensor(X, device=device, requires_grad=True)
    z = ag.tensor(Z, device=device, requires_grad=True)
    y = x * 1
    y.pow_(3)
    y.mul_(z)
    y.sum().backward()
    np.testing.assert_allclose(_host(x.grad), 3 * X ** 2 * Z, rtol=1e-12)
    np.testing.assert_allclose(_host(z.grad), X ** 3, rtol=1e-12)
    w = x * 1
    w.copy_(z)
    w.mul_(x)
    w.fill_(2.0)
    w.add_(x)
    x.grad = None
    (w * z).sum().backward()
    np.testing.assert_allclose(_host(x.grad), Z, rtol=1e-12)


def test_still_raises_where_torch_raises(device):
    x = ag.tensor(X, device=device, requires_grad=True)
    z = ag.tensor(Z, device=device, requires_grad=True)
    y = x * 2
    w = y * z  # saves y
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        w.sum().backward()
    y = x.exp()  # saves its output
    y.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_no_saved_value_changed_gives_the_exact_gradient(device):
    """``y.mul_(y)`` and ``y.pow_(z); y.mul_(x)``: PyTorch raises, because it overwrites the value its
    node saved; xpgrad's recorded in-place ops leave the old array untouched, so nothing saved has
    changed and the gradient is exact (the out-of-place program's)."""
    def run(inplace):
        x = ag.tensor(X, device=device, requires_grad=True)
        z = ag.tensor(Z, device=device, requires_grad=True)
        if inplace:
            y = x * 1
            y.mul_(y)
            w = x * 2
            w.pow_(z)
            w.mul_(x)
        else:
            y = (x * 1) * (x * 1)
            w = (x * 2) ** z * x
        (y.sum() + w.sum()).backward()
        return _host(x.grad), _host(z.grad)

    for got, expected in zip(run(True), run(False)):
        np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_torch_raises_on_those():
    torch = pytest.importorskip("torch")
    tx = torch.tensor(X, requires_grad=True)
    ty = tx * 1
    ty.mul_(ty)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        ty.sum().backward()
    ty = tx * 2
    ty.pow_(torch.tensor(Z))
    ty.mul_(tx)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        ty.sum().backward()
