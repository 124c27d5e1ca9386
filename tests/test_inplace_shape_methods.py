"""In-place shape methods as PyTorch 2.13's: squeeze_, unsqueeze_, t_, transpose_, swapdims_,
swapaxes_, as_strided / as_strided_, resize_ / resize_as_ (the same program run in both)."""
from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd import backend

torch = pytest.importorskip("torch")

METHODS = {
    "squeeze_": lambda t: t.squeeze_(),
    "squeeze_dim": lambda t: t.squeeze_(0),
    "unsqueeze_": lambda t: t.unsqueeze_(1),
    "t_": lambda t: t.t_(),
    "transpose_": lambda t: t.transpose_(0, 1),
    "swapdims_": lambda t: t.swapdims_(1, 0),
    "swapaxes_": lambda t: t.swapaxes_(0, -1),
    "as_strided_": lambda t: t.as_strided_((2, 1), (2, 1)),
}


def _version(t):
    """The version counter's value (PyTorch's ``_version``; xpgrad keeps a shared one-item list)."""
    v = t._version
    return v if isinstance(v, int) else (v[0] if v else 0)


def _program(m, method):
    """y = x * 2 changed in place, then used: its gradient flows through the shape change."""
    x = m.tensor([[1.0, 2.0, 3.0]], dtype=m.float64, requires_grad=True)
    y = x * m.tensor([[1.0, 2.0, 3.0]], dtype=m.float64)
    before = _version(y)
    out = METHODS[method](y)
    assert out is y
    bumped = _version(y) > before
    w = m.arange(y.numel(), dtype=m.float64).reshape(y.shape)
    (y * w).sum().backward()
    return tuple(y.shape), bumped, y.detach().numpy().tolist(), x.grad.numpy().tolist()


@pytest.mark.parametrize("method", list(METHODS))
def test_gradient_flows_through_the_in_place_shape_change(method):
    assert _program(ag, method) == _program(torch, method)


@pytest.mark.parametrize("method", list(METHODS))
def test_leaf_that_requires_grad_raises(method):
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        METHODS[method](torch.ones(1, 3, requires_grad=True))
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        METHODS[method](ag.ones(1, 3, requires_grad=True))


def test_saved_tensor_changed_by_squeeze_raises_at_backward():
    for m in (torch, ag):
        x = m.ones(1, 3, dtype=m.float64, requires_grad=True)
        y = x * 2
        z = y.exp()  # saves its output
        y.squeeze_()
        z.squeeze_()
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            z.sum().backward()


def test_views_share_memory_after_an_in_place_transpose(device):
    x = ag.arange(6.0, device=device).reshape(2, 3)
    row = x[0]
    x.t_()
    assert x.shape == (3, 2) and row.shape == (3,)
    x[0, 1] = 10.0  # x[0, 1] is now the old x[1, 0]
    row.unsqueeze_(0)
    x[1, 0] = 20.0  # the old x[0, 1], seen by the row view
    np.testing.assert_array_equal(backend.to_host(row._data), [[0.0, 20.0, 2.0]])


def test_as_strided_values_and_gradient():
    xa = ag.arange(6.0, dtype=ag.float64, requires_grad=True)
    xt = torch.arange(6.0, dtype=torch.float64, requires_grad=True)
    for args in [((2, 2), (1, 2)), ((2,), (2,), 1), ((3, 2), (1, 1)), ((2, 3), (0, 1))]:
        ya, yt = xa.as_strided(*args), xt.as_strided(*args)
        np.testing.assert_array_equal(backend.to_host(ya.detach()._data), yt.detach().numpy())
        (ya * ya).sum().backward()
        (yt * yt).sum().backward()
    np.testing.assert_array_equal(backend.to_host(xa.grad._data), xt.grad.numpy())
    with pytest.raises(RuntimeError, match="out of bounds for storage"):
        xa.as_strided((3, 3), (3, 1))
    with pytest.raises(RuntimeError, match="out of bounds for storage"):
        xt.as_strided((3, 3), (3, 1))


@pytest.mark.parametrize("size", [(3, 2), (2,), (4, 4), (6,)])
def test_resize_as_torch(size):
    za, zt = ag.arange(6.0).reshape(2, 3), torch.arange(6.0).reshape(2, 3)
    va, vt = _version(za), _version(zt)
    za.resize_(*size)
    zt.resize_(*size)
    assert za.shape == tuple(zt.shape) and _version(za) - va == _version(zt) - vt
    n = min(6, za.numel())  # PyTorch leaves the new elements uninitialised
    np.testing.assert_array_equal(backend.to_host(za._data).reshape(-1)[:n], zt.numpy().reshape(-1)[:n])
    za.resize_as_(ag.ones(3))
    zt.resize_as_(torch.ones(3))
    assert za.shape == tuple(zt.shape)


def test_resize_refuses_tensors_that_require_grad():
    for m in (torch, ag):
        with pytest.raises(RuntimeError, match="cannot resize variables that require grad"):
            m.ones(3, requires_grad=True).resize_(3)
        with pytest.raises(RuntimeError, match="cannot resize variables that require grad"):
            (m.ones(3, requires_grad=True) * 2).resize_as_(m.ones(2))


def _view_program(m):
    out = []
    a = m.ones(2, 3, dtype=m.float64, requires_grad=True)
    x = a * 2
    v = x[0]
    v.unsqueeze_(0)  # a view changed in place: still a view of x
    (v * m.tensor([[1.0, 2.0, 3.0]], dtype=m.float64)).sum().backward(retain_graph=True)
    out.append(a.grad.numpy().tolist())
    v.mul_(3)  # a recorded in-place op on the reshaped view reaches x
    out.append(x.detach().numpy().tolist())
    (x.sum() + v.sum()).backward()
    out.append(a.grad.numpy().tolist())
    with m.no_grad():  # a leaf may change shape in no-grad mode
        a.squeeze_()
        a.unsqueeze_(0)
    out.append(list(a.shape))
    b = m.arange(6.0).reshape(2, 3)
    b.t_()
    b.mul_(2)
    out.append(b.numpy().tolist())
    return out


def test_in_place_shape_change_of_a_view_and_in_no_grad_mode():
    assert _view_program(ag) == _view_program(torch)
