"""The fast paths of convolution, pooling and relu (reused scratch buffers, the bias folded into
the GEMM, the array-level backward, relu's in-place mask) against NumPy references and PyTorch."""
from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn.functional as F


def _conv_ref(x, w, b, pad):
    """``conv2d`` by a sliding-window view and einsum, and its three gradients for output grad ``g``."""
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    win = np.lib.stride_tricks.sliding_window_view(xp, w.shape[2:], axis=(2, 3))  # (N, C, H, W, kh, kw)
    y = np.einsum("nchwij,ocij->nohw", win, w) + b[None, :, None, None]

    def grads(g):
        gw = np.einsum("nchwij,nohw->ocij", win, g)
        gxp = np.zeros_like(xp)
        kh, kw = w.shape[2:]
        for i in range(kh):
            for j in range(kw):
                gxp[:, :, i:i + g.shape[2], j:j + g.shape[3]] += np.einsum("nohw,oc->nchw", g, w[:, :, i, j])
        gx = gxp[:, :, pad:pad + x.shape[2], pad:pad + x.shape[3]]
        return gx, gw, g.sum(axis=(0, 2, 3))
    return y, grads


# (batch, C_in, size, C_out, kernel, pad): big enough batches to run several im2col chunks; six
# geometries, more than the zero-bordered gradient buffers kept, so they are also evicted and remade
GEOMETRIES = [(40, 1, 12, 3, 5, 2), (40, 3, 6, 4, 5, 0), (9, 2, 7, 2, 3, 1), (40, 1, 12, 3, 5, 0),
              (5, 2, 8, 3, 2, 1), (40, 3, 6, 4, 3, 1)]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_conv_reused_buffers_never_leak_between_calls(device, dtype):
    rng = np.random.default_rng(0)
    tol = dict(rtol=1e-10, atol=1e-10) if dtype == "float64" else dict(rtol=2e-4, atol=2e-4)
    cases = []
    for n, c, s, o, k, pad in GEOMETRIES:
        x = rng.standard_normal((n, c, s, s)).astype(dtype)
        w = rng.standard_normal((o, c, k, k)).astype(dtype)
        b = rng.standard_normal(o).astype(dtype)
        cases.append((x, w, b, pad))
    outputs = []
    for _ in range(2):  # twice round: the second round finds every buffer already used
        for x, w, b, pad in cases:
            xt, wt, bt = (ag.tensor(a, device=device, requires_grad=True) for a in (x, w, b))
            y = F.conv2d(xt, wt, bt, padding=pad)
            ref, grads = _conv_ref(x.astype(np.float64), w.astype(np.float64), b.astype(np.float64), pad)
            np.testing.assert_allclose(y.detach().cpu().numpy(), ref, **tol)
            g = rng.standard_normal(ref.shape).astype(dtype)
            y.backward(ag.tensor(g, device=device))
            for got, want in zip((xt.grad, wt.grad, bt.grad), grads(g.astype(np.float64))):
                np.testing.assert_allclose(got.cpu().numpy(), want, **tol)
            outputs.append((y, y.detach().cpu().numpy().copy()))
    for y, kept in outputs:  # no output aliases a scratch buffer that later calls wrote into
        np.testing.assert_array_equal(y.detach().cpu().numpy(), kept)


def test_conv_folded_bias_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    x = rng.standard_normal((64, 1, 28, 28)).astype(np.float32)
    w = rng.standard_normal((6, 1, 5, 5)).astype(np.float32)
    b = rng.standard_normal(6).astype(np.float32)
    xt, wt, bt = (ag.tensor(a, requires_grad=True) for a in (x, w, b))
    y = F.conv2d(xt, wt, bt, padding=2)
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    ty = torch.nn.functional.conv2d(tx, tw, tb, padding=2)
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-4, atol=1e-4)
    g = rng.standard_normal(ty.shape).astype(np.float32)
    y.backward(ag.tensor(g))
    ty.backward(torch.tensor(g))
    for a, t in ((xt, tx), (wt, tw), (bt, tb)):
        np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=1e-3, atol=1e-3)


def test_relu_gradient_is_plus_zero_off_the_mask_and_drops_nan(device):
    x = np.array([[-1.0, 0.0, 2.0], [-3.0, 5.0, 7.0]], dtype=np.float32)
    g = np.array([[np.nan, -np.inf, 3.0], [-2.0, np.nan, -4.0]], dtype=np.float32)
    xt = ag.tensor(x, device=device, requires_grad=True)
    F.relu(xt).backward(ag.tensor(g, device=device))
    got = xt.grad.cpu().numpy()
    want = np.array([[0.0, 0.0, 3.0], [0.0, np.nan, -4.0]], dtype=np.float32)  # hand-computed
    np.testing.assert_array_equal(got, want)
    assert not np.signbit(got[[0, 0, 1], [0, 1, 0]]).any()  # +0.0, as PyTorch's threshold_backward
    # a transposed (non-contiguous) input and gradient
    xt = ag.tensor(x.T.copy(), device=device, requires_grad=True)
    F.relu(xt.t()).backward(ag.tensor(g, device=device))
    np.testing.assert_array_equal(xt.grad.cpu().numpy(), want.T)


def test_relu_gradient_matches_torch():
    torch = pytest.importorskip("torch")
    x = np.array([-1.0, 0.0, 2.0, -3.0, 5.0], dtype=np.float32)
    g = np.array([np.nan, -np.inf, 3.0, -2.0, np.nan], dtype=np.float32)
    xt = ag.tensor(x, requires_grad=True)
    F.relu(xt).backward(ag.tensor(g))
    tx = torch.tensor(x, requires_grad=True)
    torch.relu(tx).backward(torch.tensor(g))
    np.testing.assert_array_equal(xt.grad.numpy(), tx.grad.numpy())
    assert (np.signbit(xt.grad.numpy()) == np.signbit(tx.grad.numpy())).all()


def _pool_ref(x, k):
    """2-D max pooling with kernel = stride = ``k`` by loops: values and the gradient of ``sum(y * g)``
    sent to each window's first maximum in row-major order (NaN wins: the last NaN, as PyTorch)."""
    n, c, h, w = x.shape
    ho, wo = h // k, w // k
    y = np.empty((n, c, ho, wo))
    pos = {}
    for idx in np.ndindex(n, c, ho, wo):
        win = x[idx[0], idx[1], idx[2] * k:idx[2] * k + k, idx[3] * k:idx[3] * k + k].ravel()
        best = 0
        for o in range(1, win.size):
            if win[o] > win[best] or np.isnan(win[o]):
                best = o
        y[idx] = win[best]
        pos[idx] = (idx[2] * k + best // k, idx[3] * k + best % k)

    def grad(g):
        gx = np.zeros_like(x)
        for idx, (i, j) in pos.items():
            gx[idx[0], idx[1], i, j] += g[idx]
        return gx
    return y, grad


@pytest.mark.parametrize("case", ["ties", "nan", "signed_zeros", "odd_sizes", "channel_major"])
def test_max_pool_values_path_sends_the_gradient_to_the_first_maximum(device, case):
    rng = np.random.default_rng(3)
    x = np.round(rng.standard_normal((2, 3, 6, 6)))  # many ties within windows
    if case == "nan":
        x[0, 1, 2, 3] = x[1, 2, 0, 0] = x[1, 2, 1, 1] = np.nan
    elif case == "signed_zeros":
        x = np.where(rng.random(x.shape) < 0.5, -0.0, 0.0)
    elif case == "odd_sizes":
        x = np.round(rng.standard_normal((2, 3, 7, 9)))  # a row and a column no window covers
    k = 2 if case != "odd_sizes" else 3
    y_ref, grad = _pool_ref(x, k)
    xt = ag.tensor(x, device=device, requires_grad=True)
    inp = xt.permute(1, 0, 2, 3).contiguous().permute(1, 0, 2, 3) if case == "channel_major" else xt
    y = F.max_pool2d(inp, k)
    np.testing.assert_array_equal(y.detach().cpu().numpy(), y_ref)
    g = rng.standard_normal(y_ref.shape)
    y.backward(ag.tensor(g, device=device))
    np.testing.assert_array_equal(xt.grad.cpu().numpy(), grad(g))


def test_max_pool_values_path_matches_torch_with_ties_and_nan():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    x = np.round(rng.standard_normal((2, 3, 8, 6))).astype(np.float32)
    x[1, 0, 3, 3] = np.nan
    g = rng.standard_normal((2, 3, 4, 3)).astype(np.float32)
    xt, tx = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y, ty = F.max_pool2d(xt, 2), torch.nn.functional.max_pool2d(tx, 2)
    np.testing.assert_array_equal(y.detach().numpy(), ty.detach().numpy())
    y.backward(ag.tensor(g))
    ty.backward(torch.tensor(g))
    np.testing.assert_array_equal(xt.grad.numpy(), tx.grad.numpy())


def test_max_pool_values_path_double_backward(device):
    # distinct values: no ties within finite-difference reach
    x = ag.tensor(np.random.default_rng(5).permutation(2 * 3 * 6 * 4).reshape(2, 3, 6, 4) / 7.0,
                  device=device, requires_grad=True)
    assert ag.gradcheck(lambda t: F.max_pool2d(t, 2), (x,))
    assert ag.gradgradcheck(lambda t: F.max_pool2d(t, (3, 2)), (x,))


def test_window_args_cache_keeps_bools_and_floats_out():
    from autograd.ops.window import window_args

    assert window_args(2, 1, 0, 1, 2) == ((2, 2), (1, 1), ((0, 0), (0, 0)), (1, 1))
    assert window_args((2, 3), (1, 2), (0, 1), 1) == ((2, 3), (1, 2), ((0, 0), (1, 1)), (1, 1))
    for bad in [(2, True, 0, 1), (2.0, 2, 0, 1), ((2, 2.0), 1, 0, 1)]:  # hash equal to cached ints
        with pytest.raises((TypeError, ValueError)):
            window_args(*bad, 2)


@pytest.mark.parametrize("kw", [dict(kernel_size=2), dict(kernel_size=2, stride=1),
                                dict(kernel_size=2, padding=1), dict(kernel_size=2, ceil_mode=True)], ids=str)
def test_max_pool_nonfinite_gradient_stays_at_the_maximum(device, kw):
    """A NaN or inf output gradient goes to its window's maximum only, and +0.0 elsewhere (was
    ``g * 0``: NaN over the whole window, -0.0 under negative gradients)."""
    x = np.arange(25.0).reshape(1, 1, 5, 5)
    xt = ag.tensor(x, device=device, requires_grad=True)
    y = F.max_pool2d(xt, **kw)
    g = -np.ones(tuple(y.shape))
    g.flat[0], g.flat[1] = np.nan, np.inf
    y.backward(ag.tensor(g, device=device))
    got = xt.grad.cpu().numpy()
    want = np.zeros_like(x)  # hand reference: x increases along rows and columns, so the maximum
    h, w = y.shape[2:]       # of each window is its last element inside the input
    s = kw.get("stride", 2)
    p = kw.get("padding", 0)
    for i in range(h):
        for j in range(w):
            want[0, 0, min(i * s - p + 1, 4), min(j * s - p + 1, 4)] += g[0, 0, i, j]
    np.testing.assert_array_equal(got, want)
    assert not np.signbit(got[got == 0]).any()


def test_max_pool_nonfinite_gradient_matches_torch():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(6).standard_normal((2, 2, 6, 6))
    for kw in (dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1)):
        xt, tx = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        y, ty = F.max_pool2d(xt, **kw), torch.nn.functional.max_pool2d(tx, **kw)
        g = -np.ones(tuple(y.shape))
        g[0, 0, 0, 0], g[1, 1, 1, 1] = np.nan, -np.inf
        y.backward(ag.tensor(g))
        ty.backward(torch.tensor(g))
        np.testing.assert_array_equal(xt.grad.numpy(), tx.grad.numpy())
        assert (np.signbit(xt.grad.numpy()) == np.signbit(tx.grad.numpy())).all()


def test_max_pool_double_backward_gathers_only_the_maximum(device):
    # the gradient of x's gradient with respect to the output gradient gathers at the maxima only
    x = ag.tensor(np.arange(16.0).reshape(1, 1, 4, 4), device=device, requires_grad=True)
    g = ag.ones(1, 1, 2, 2, dtype=ag.float64, device=device).requires_grad_()
    (gx,) = ag.grad(F.max_pool2d(x, 2), [x], g, create_graph=True)
    gg = np.full((1, 1, 4, 4), -1.0)
    gg[0, 0, 0, 0] = np.nan  # off every maximum: must not reach the result
    (dg,) = ag.grad(gx, [g], ag.tensor(gg, device=device))
    np.testing.assert_array_equal(dg.cpu().numpy(), np.full((1, 1, 2, 2), -1.0))


@pytest.mark.parametrize("broadcast", [False, True])
def test_keep_where_inverted_keeps_where_the_mask_is_false(broadcast):
    # relu's gradient keeps g where not y <= 0 (a NaN passes, as PyTorch's): one inverted mask,
    # not a second pass to negate it
    from autograd import backend

    v = np.array([[1.0, -2.0, np.nan], [np.inf, -0.0, 5.0]])
    m = np.array([True, False, True]) if broadcast else np.array([[True, False, True], [False, True, False]])
    kept = backend.keep_where(v, m, invert=True)
    expected = np.where(~np.broadcast_to(m, v.shape), v, 0.0)
    np.testing.assert_array_equal(kept, expected)
    assert not np.signbit(kept[np.broadcast_to(m, v.shape)]).any()  # +0.0 where dropped
    np.testing.assert_array_equal(backend.keep_where(v, m), np.where(np.broadcast_to(m, v.shape), v, 0.0))
