"""nn.LSTM called several times before one backward: no call's outputs or saved state may alias
arrays that a later call (forward or backward) reuses. Checked against a NumPy forward, against
separate backward passes, and against PyTorch when it is installed."""
from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn

I, H, L, N = 3, 4, 6, 2


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _numpy_lstm(x, w_ih, w_hh, b):
    """One layer, zero initial state: the outputs ``(L, N, H)`` and the last cell state."""
    h = c = np.zeros((x.shape[1], w_hh.shape[1]))
    out = []
    for t in range(x.shape[0]):
        i, f, g, o = np.split(x[t] @ w_ih.T + h @ w_hh.T + b, 4, axis=-1)
        c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
        h = _sigmoid(o) * np.tanh(c)
        out.append(h)
    return np.stack(out), c


def _data(dtype):
    rng = np.random.default_rng(0)
    xs = [rng.standard_normal((L, N, I)).astype(dtype) for _ in range(2)]
    weights = [rng.standard_normal((L, N, H)).astype(dtype) for _ in range(2)]
    return xs, weights


def _run(model, xs, weights, device, together=True):
    """Forward on both inputs, then one backward of both losses (or one backward after each)."""
    model.zero_grad()
    inputs = [ag.tensor(x, device=device, requires_grad=True) for x in xs]
    grads, outs = [], []
    total = 0
    for x, w in zip(inputs, weights):
        out, (h, c) = model(x)
        outs.append((out, h, c, out.detach().cpu().numpy().copy()))
        loss = (out * ag.tensor(w, device=device)).sum() + (c * c).sum()
        if together:
            total = total + loss
        else:
            loss.backward()
            grads.append({n: p.grad.cpu().numpy().copy() for n, p in model.named_parameters()})
            model.zero_grad()
    if together:
        total.backward()
        grads = {n: p.grad.cpu().numpy() for n, p in model.named_parameters()}
    else:
        grads = {n: grads[0][n] + grads[1][n] for n in grads[0]}
    return outs, grads, [x.grad.cpu().numpy() for x in inputs]


@pytest.mark.parametrize("dtype, tol", [(np.float64, 1e-10), (np.float32, 2e-5)])
def test_two_calls_then_one_backward(device, dtype, tol):
    model = nn.LSTM(I, H, num_layers=2, dtype=getattr(ag, np.dtype(dtype).name), device=device)
    xs, weights = _data(dtype)
    outs, grads, xgrads = _run(model, xs, weights, device)
    for out, h, c, snapshot in outs:  # the first call's outputs survived the second call
        np.testing.assert_array_equal(out.detach().cpu().numpy(), snapshot)
    assert not np.shares_memory(outs[0][0]._data, outs[1][0]._data)
    # the first layer's outputs are the first layer alone, in NumPy
    one = nn.LSTM(I, H, dtype=model.weight_ih_l0.dtype, device=device)
    one.load_state_dict({k[:-1] + "0": v for k, v in model.state_dict().items() if k.endswith("l0")})
    p = {n: v.detach().cpu().numpy().astype(np.float64) for n, v in one.named_parameters()}
    for x in xs:
        got, (_, c) = one(ag.tensor(x, device=device))
        want, want_c = _numpy_lstm(x.astype(np.float64), p["weight_ih_l0"], p["weight_hh_l0"],
                                   p["bias_ih_l0"] + p["bias_hh_l0"])
        np.testing.assert_allclose(got.detach().cpu().numpy(), want, rtol=tol, atol=tol)
        np.testing.assert_allclose(c.detach().cpu().numpy()[0], want_c, rtol=tol, atol=tol)
    # one backward of both calls == the sum of one backward after each call
    _, separate, separate_x = _run(model, xs, weights, device, together=False)
    for name in grads:
        np.testing.assert_allclose(grads[name], separate[name], rtol=tol, atol=tol, err_msg=name)
    for got, want in zip(xgrads, separate_x):
        np.testing.assert_allclose(got, want, rtol=tol, atol=tol)

    torch = pytest.importorskip("torch")
    theirs = torch.nn.LSTM(I, H, num_layers=2).to(getattr(torch, np.dtype(dtype).name))
    theirs.load_state_dict({n: torch.tensor(v.detach().cpu().numpy()) for n, v in model.state_dict().items()})
    tx = [torch.tensor(x, requires_grad=True) for x in xs]
    total = 0
    for k, (x, w) in enumerate(zip(tx, weights)):
        out, (h, c) = theirs(x)
        np.testing.assert_allclose(outs[k][3], out.detach().numpy(), rtol=tol, atol=tol)
        total = total + (out * torch.tensor(w)).sum() + (c * c).sum()
    total.backward()
    for name, q in theirs.named_parameters():
        np.testing.assert_allclose(grads[name], q.grad.numpy(), rtol=tol, atol=tol, err_msg=name)
    for got, x in zip(xgrads, tx):
        np.testing.assert_allclose(got, x.grad.numpy(), rtol=tol, atol=tol)


def test_backward_twice_with_retain_graph_doubles_the_gradients(device):
    model = nn.LSTM(I, H, bidirectional=True, dtype=ag.float64, device=device)
    xs, weights = _data(np.float64)
    x = ag.tensor(xs[0], device=device, requires_grad=True)
    out, (h, c) = model(x)
    w = np.concatenate(weights, axis=-1)  # the two directions' outputs side by side
    loss = (out * ag.tensor(w, device=device)).sum() + (h * c).sum()
    loss.backward(retain_graph=True)
    once = {n: p.grad.cpu().numpy().copy() for n, p in model.named_parameters()}
    once_x = x.grad.cpu().numpy().copy()
    loss.backward()
    for n, p in model.named_parameters():
        np.testing.assert_allclose(p.grad.cpu().numpy(), 2 * once[n], rtol=1e-12, atol=1e-12, err_msg=n)
    np.testing.assert_allclose(x.grad.cpu().numpy(), 2 * once_x, rtol=1e-12, atol=1e-12)


def test_reused_arrays_are_never_handed_out_while_referenced():
    from types import SimpleNamespace

    from autograd import backend
    from autograd.ops.fused import _reused

    ctx = SimpleNamespace(device=backend.Device("cpu"))
    dtype = np.dtype(np.float32)
    a = _reused(ctx, "test", (3, 4), dtype)
    b = _reused(ctx, "test", (3, 4), dtype)
    assert not np.shares_memory(a, b)
    row = a[1]  # a view of a view still pins the array
    del a
    c = _reused(ctx, "test", (3, 4), dtype)
    assert not np.shares_memory(c, row) and not np.shares_memory(c, b)
    del row, b, c
    d = _reused(ctx, "test", (3, 4), dtype)  # now free: taken again (no new memory)
    e = _reused(ctx, "test", (3, 4), dtype)
    assert d.shape == e.shape == (3, 4) and not np.shares_memory(d, e)


def test_free_reference_count_is_measured_not_assumed():
    from autograd.ops.fused import _FREE, _unreferenced

    held = bytearray(1)
    assert _unreferenced([held], _FREE) is None  # someone (this test) holds it
    assert _unreferenced([bytearray(1)], _FREE) is not None  # only the list does
