"""A recorded in-place op on a tensor with live views: the views see the new values and the
gradients through them are PyTorch's.

``y = x * 2; v = y[0:2]; y.mul_(3)`` used to leave ``v`` with the old values and give
``(v.sum() + y.sum()).backward()`` x.grad = [8, 8, 6] instead of [12, 12, 6]: the in-place op
rebound ``y`` to a new array. Saved values that really changed still raise, as PyTorch's.
"""
from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd import backend

X = np.arange(1.0, 7.0).reshape(2, 3)


def _maker(device):
    """``make(values, requires_grad)``: a float64 tensor on ``device``."""
    return lambda a, rg: ag.tensor(a, dtype=ag.float64, device=device, requires_grad=rg)


def _torch_make(a, rg):
    import torch

    return torch.tensor(a, dtype=torch.float64, requires_grad=rg)


def _host(t):
    return backend.to_host(t._data)


def test_slice_sees_in_place_change_and_gradient(device):
    x = ag.tensor([1.0, 2.0, 3.0], device=device, requires_grad=True)
    y = x * 2
    v = y[0:2]
    y.mul_(3)
    np.testing.assert_allclose(_host(v), [6.0, 12.0])
    (v.sum() + y.sum()).backward()
    np.testing.assert_allclose(_host(x.grad), [12.0, 12.0, 6.0])


def test_slice_example_vs_torch():
    torch = pytest.importorskip("torch")
    x = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64, requires_grad=True)
    y = x * 2
    v = y[0:2]
    y.mul_(3)
    (v.sum() + y.sum()).backward()
    np.testing.assert_allclose(x.grad.numpy(), [12.0, 12.0, 6.0])


# each view kind: (xpgrad/torch function, the same on a NumPy index array)
KINDS = {
    "slice": (lambda t: t[:, 1:], lambda a: a[:, 1:]),
    "select": (lambda t: t[1], lambda a: a[1]),
    "view": (lambda t: t.view(3, 2), lambda a: a.reshape(3, 2)),
    "flatten": (lambda t: t.reshape(-1), lambda a: a.reshape(-1)),
    "transpose": (lambda t: t.transpose(0, 1), lambda a: a.T),
    "T": (lambda t: t.T, lambda a: a.T),
    "unsqueeze": (lambda t: t.unsqueeze(0), lambda a: a[None]),
    "expand": (lambda t: t[:1].expand(4, 3), lambda a: np.broadcast_to(a[:1], (4, 3))),
    "split": (lambda t: t.split(2, dim=1)[1], lambda a: a[:, 2:]),
    "chunk": (lambda t: t.chunk(3, dim=1)[0], lambda a: a[:, :1]),
    "unbind": (lambda t: t.unbind(1)[2], lambda a: a[:, 2]),
    "narrow": (lambda t: t.narrow(1, 1, 2), lambda a: a[:, 1:3]),
    "view_of_view": (lambda t: t[1:].transpose(0, 1)[1:], lambda a: a[1:].T[1:]),
}
MULTI = {"split", "chunk", "unbind"}


def _run_kind(lib, make, kind, weights):
    f = KINDS[kind][0]
    x = make(X, True)
    z = make(X[0] - 2.0, False)
    y = x * 2
    v = f(y)
    y.mul_(3)
    y.add_(z)
    loss = (v * make(weights, False)).sum() + y.sum()
    loss.backward()
    return v, x.grad


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_view_kinds_see_values_and_gradients(device, kind):
    f_np = KINDS[kind][1]
    idx = np.arange(6).reshape(2, 3)
    vidx = f_np(idx)
    w = np.linspace(0.5, 2.0, vidx.size).reshape(vidx.shape)

    make = _maker(device)

    v, g = _run_kind(ag, make, kind, w)
    y_ref = X * 6 + (X[0] - 2.0)
    np.testing.assert_allclose(_host(v), f_np(y_ref))
    g_ref = np.full(6, 6.0)
    np.add.at(g_ref, vidx.reshape(-1), 6.0 * w.reshape(-1))
    np.testing.assert_allclose(_host(g), g_ref.reshape(2, 3))
    torch = pytest.importorskip("torch")
    if kind in MULTI:  # PyTorch refuses a multi-output view whose base changed; xpgrad rebases it
        with pytest.raises(RuntimeError, match="modified inplace"):
            _run_kind(torch, _torch_make, kind, w)
        return
    tv, tg = _run_kind(torch, _torch_make, kind, w)
    np.testing.assert_allclose(_host(v), tv.detach().numpy())
    np.testing.assert_allclose(_host(g), tg.numpy())


@pytest.mark.parametrize("how", ["detach", "data", "no_grad_view"])
def test_detached_sharing_memory_sees_new_values(device, how):
    x = ag.tensor(X, device=device, requires_grad=True)
    y = x * 2
    if how == "detach":
        d = y.detach()
    elif how == "data":
        d = y.data
    else:
        with ag.no_grad():
            d = y[0]
    y.mul_(3)
    np.testing.assert_allclose(_host(d), (X * 6) if how != "no_grad_view" else X[0] * 6)
    assert not d.requires_grad and d.grad_fn is None
    y.sum().backward()
    np.testing.assert_allclose(_host(x.grad), np.full((2, 3), 6.0))


def _chain(make):
    x = make([1.0, 2.0, 3.0], True)
    z = make([0.5, -1.0, 2.0], True)
    y = x * 2
    v = y[1:]
    y.add_(z)
    y.mul_(z)
    v2 = v[0]
    y.sub_(1)
    y.pow_(2)
    loss = (v * 2).sum() + v2 * 3 + y.sum()
    loss.backward()
    return v, v2, x.grad, z.grad


def test_chain_of_in_place_ops_with_views(device):
    make = _maker(device)

    v, v2, gx, gz = _chain(make)
    xn, zn = np.array([1.0, 2.0, 3.0]), np.array([0.5, -1.0, 2.0])
    inner = (2 * xn + zn) * zn - 1  # y = inner ** 2
    np.testing.assert_allclose(_host(v), inner[1:] ** 2)
    np.testing.assert_allclose(_host(v2), inner[1] ** 2)
    dl_dy = np.array([1.0, 1.0 + 2 + 3, 1.0 + 2])
    dl_dinner = dl_dy * 2 * inner
    np.testing.assert_allclose(_host(gx), dl_dinner * 2 * zn)
    np.testing.assert_allclose(_host(gz), dl_dinner * (2 * xn + 2 * zn))
    pytest.importorskip("torch")
    tv, tv2, tgx, tgz = _chain(_torch_make)
    np.testing.assert_allclose(_host(gx), tgx.numpy())
    np.testing.assert_allclose(_host(gz), tgz.numpy())


def test_base_without_grad_gets_history_through_its_views(device):
    y = ag.tensor([1.0, 2.0, 3.0], device=device)
    w = ag.tensor([2.0, 3.0, 4.0], device=device, requires_grad=True)
    v = y[0:2]
    y.mul_(w)
    assert v.requires_grad
    np.testing.assert_allclose(_host(v), [2.0, 6.0])
    v.sum().backward()
    np.testing.assert_allclose(_host(w.grad), [1.0, 2.0, 0.0])


@pytest.mark.parametrize("lib", ["ag", "torch"])
@pytest.mark.parametrize("saved", ["base", "view"])
def test_saved_old_value_raises(device, lib, saved):
    if lib == "torch":
        mod = pytest.importorskip("torch")
        x = mod.tensor([1.0, 2.0, 3.0], requires_grad=True)
    else:
        mod = ag
        x = ag.tensor([1.0, 2.0, 3.0], device=device, requires_grad=True)
    y = x * 2
    v = y[0:2]
    u = y * y if saved == "base" else v * v  # saves the values the in-place op changes
    y.mul_(3)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        u.sum().backward()


def test_unrecorded_in_place_on_base_is_seen_by_views(device):
    x = ag.tensor([1.0, 2.0, 3.0], device=device, requires_grad=True)
    y = x * 2
    v = y[0:2]
    with ag.no_grad():
        y.mul_(3)
    np.testing.assert_allclose(_host(v), [6.0, 12.0])


def test_double_backward_through_a_rebased_view(device):
    x = ag.tensor([1.0, 2.0, 3.0], dtype=ag.float64, device=device, requires_grad=True)
    y = x * x
    v = y[0:2]
    y.mul_(x)  # y = x**3, v = x[:2]**3
    (g,) = ag.autograd.grad((v * v).sum() + y.sum(), x, create_graph=True)
    g.sum().backward()
    xn, first = np.array([1.0, 2.0, 3.0]), np.array([1.0, 1.0, 0.0])
    np.testing.assert_allclose(_host(g), 6 * xn ** 5 * first + 3 * xn ** 2)
    np.testing.assert_allclose(_host(x.grad), 30 * xn ** 4 * first + 6 * xn)


def _on_view(make):
    x = make([1.0, 2.0, 3.0, 4.0], True)
    w = make([2.0, 5.0], True)
    y = x * 2
    a = y[1:]
    v = y[0:2]
    u = y.view(2, 2)
    v.mul_(w)  # in place on a view: y, a and u see it
    v[1:].add_(x[3])  # on a view of a view
    loss = (a * make([1.0, 2.0, 3.0], False)).sum() + (u * u).sum() + y.sum()
    loss.backward()
    return y, a, x.grad, w.grad


def test_in_place_on_a_view_rewrites_the_base(device):
    make = _maker(device)

    y, a, gx, gw = _on_view(make)
    xn, wn = np.array([1.0, 2.0, 3.0, 4.0]), np.array([2.0, 5.0])
    yn = 2 * xn
    yn[:2] *= wn
    yn[1] += xn[3]
    np.testing.assert_allclose(_host(y), yn)
    np.testing.assert_allclose(_host(a), yn[1:])
    dl_dy = np.array([0.0, 1.0, 2.0, 3.0]) + 2 * yn + 1  # through a, u and y
    gx_ref = 2 * dl_dy * np.array([wn[0], wn[1], 1.0, 1.0])
    gx_ref[3] += dl_dy[1]
    np.testing.assert_allclose(_host(gx), gx_ref)
    np.testing.assert_allclose(_host(gw), dl_dy[:2] * 2 * xn[:2])
    pytest.importorskip("torch")
    ty, ta, tgx, tgw = _on_view(_torch_make)
    np.testing.assert_allclose(_host(gx), tgx.numpy())
    np.testing.assert_allclose(_host(gw), tgw.numpy())


def test_in_place_on_an_expanded_view_raises(device):
    x = ag.tensor([1.0, 2.0], device=device, requires_grad=True)
    y = x * 2
    e = y.expand(3, 2)
    with pytest.raises(RuntimeError, match="more than one element"):
        e.mul_(x)


def test_a_view_made_in_no_grad_mode_is_not_modified_in_place_with_grad_on():
    # it was: the write reached y, but not the graph, so x.grad was that of y = x ([2, 8, 12, 8] for
    # [2, 16, 24, 8]). PyTorch raises, for views of views and split pieces too
    msg = "A view was created in no_grad mode and is being modified inplace with grad mode enabled"
    x = ag.tensor([1.0, 2.0, 3.0, 4.0], dtype=ag.float64, requires_grad=True)
    y = x * 1
    with ag.no_grad():
        v, pieces = y[1:3], y.unbind(0)
    for target in (v, v[0:1], pieces[0]):
        with pytest.raises(RuntimeError, match=msg):
            target.mul_(2)
    with ag.no_grad():
        leaf_view = x[1:3]
    with pytest.raises(RuntimeError, match=msg):
        leaf_view.mul_(2)
    with ag.no_grad():  # both in no_grad: allowed (not recorded), as PyTorch
        v.mul_(2)
    np.testing.assert_array_equal(y.detach().numpy(), [1, 4, 6, 4])
    buf = ag.zeros(4)
    with ag.no_grad():
        b = buf[0:2]
    b.add_(1)  # nothing requires grad: allowed, as PyTorch
    np.testing.assert_array_equal(buf.numpy(), [1, 1, 0, 0])
    z = x * 1
    z[1:3].mul_(2)  # made and modified with grad on: recorded
    (z * z).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2, 16, 24, 8])


@pytest.mark.parametrize("k", [0, 4, -4])
def test_rot90_by_whole_turns_is_a_new_tensor(k):
    # it returned its input itself: a later write to one showed in the other
    x = ag.arange(4.0).reshape(2, 2)
    r = x.rot90(k)
    x.mul_(10)
    np.testing.assert_array_equal(r.numpy(), [[0, 1], [2, 3]])


def test_retain_grad_follows_the_tensor_through_in_place_ops():
    # .grad stayed the gradient of the value before the in-place op ([36, 72, 108] for [12, 24, 36]),
    # and a retained view whose base changed got None; PyTorch's answers
    x = ag.tensor([1.0, 2.0, 3.0], dtype=ag.float64, requires_grad=True)
    y = x * 2
    y.retain_grad()
    y.mul_(3)
    (y * y).sum().backward()
    np.testing.assert_array_equal(y.grad.numpy(), [12, 24, 36])
    x = ag.tensor([1.0, 2.0, 3.0], dtype=ag.float64, requires_grad=True)
    y = x * 2
    y.retain_grad()
    y[:2].mul_(3)
    (y * y).sum().backward()
    np.testing.assert_array_equal(y.grad.numpy(), [12, 24, 12])
    x = ag.tensor([1.0, 2.0, 3.0], dtype=ag.float64, requires_grad=True)
    y = x * 2
    v = y[1:]
    v.retain_grad()
    y.add_(1)
    (v * v).sum().backward()
    np.testing.assert_array_equal(v.grad.numpy(), [10, 14])
    assert y.grad is None  # not retained


def test_recorded_in_place_ops_write_into_memory_shared_with_numpy():
    # a recorded in-place op gave the tensor a new array, so the NumPy array stopped seeing it
    w = ag.tensor([1.0, 2.0, 3.0], dtype=ag.float64, requires_grad=True)
    arr = np.zeros(3)
    t = ag.from_numpy(arr)
    t.add_(w * 2)
    buf = ag.zeros(3, dtype=ag.float64)
    view = buf.numpy()
    buf.mul_(w)
    buf.add_(w)
    buf2 = ag.zeros(2, 3, dtype=ag.float64)
    nv = np.asarray(buf2)
    buf2[1] = w * 3
    np.testing.assert_array_equal(arr, [2, 4, 6])
    np.testing.assert_array_equal(view, [1, 2, 3])
    np.testing.assert_array_equal(nv[1], [3, 6, 9])
    (t.sum() + buf.sum() + buf2.sum()).backward()
    np.testing.assert_array_equal(w.grad.numpy(), [6, 6, 6])  # PyTorch's
