"""The engine's gradient buffers: slices of one tensor accumulate into one buffer
(``Function.raw_scatter``) and repeated sums are made in place into arrays the engine owns.
Results must equal the dense definition (NumPy by hand, and PyTorch)."""
import tracemalloc

import numpy as np
import pytest

import autograd as ag


def _loss(lib, x):
    y = x * 2
    return ((y[:, 1:4] * 3).sum() + (y[:, 2:] ** 2).sum() + (y * y).sum() + y[2].sum()
            + (y[None, ::2, 0] * 5).sum() + y[[0, 0, 1]].sum() + (x[:, :2] * 7).sum()
            + (x[1:3] ** 2).sum() + (x[-1] * 4).sum())


def _numpy_grad(x):
    y = 2 * x
    gy = np.zeros_like(x)
    gy[:, 1:4] += 3
    gy[:, 2:] += 2 * y[:, 2:]
    gy += 2 * y
    gy[2] += 1
    gy[::2, 0] += 5
    gy[0] += 2
    gy[1] += 1
    gx = 2 * gy
    gx[:, :2] += 7
    gx[1:3] += 2 * x[1:3]
    gx[-1] += 4
    return gx


def test_slices_of_a_node_and_a_leaf_sum_as_dense():
    x0 = np.random.default_rng(0).standard_normal((6, 5))
    x = ag.tensor(x0, requires_grad=True)
    _loss(ag, x).backward()
    np.testing.assert_allclose(x.grad.numpy(), _numpy_grad(x0), rtol=1e-12, atol=1e-12)
    _loss(ag, x).backward()  # into an existing .grad
    np.testing.assert_allclose(x.grad.numpy(), 2 * _numpy_grad(x0), rtol=1e-12, atol=1e-12)
    torch = pytest.importorskip("torch")
    t = torch.tensor(x0, requires_grad=True)
    _loss(torch, t).backward()
    np.testing.assert_allclose(x.grad.numpy() / 2, t.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_slice_buffer_with_hooks_retain_grad_and_create_graph():
    x0 = np.random.default_rng(1).standard_normal((4, 6))
    x = ag.tensor(x0, requires_grad=True)
    y = x * 1.0
    y.retain_grad()
    seen = []
    y.register_hook(lambda g: seen.append(g.numpy().copy()))
    (y[:, :3].sum() * 2 + y[:, 3:].sum() * 3 + y[:, 1:5].sum()).backward()
    want = np.zeros_like(x0)
    want[:, :3] += 2
    want[:, 3:] += 3
    want[:, 1:5] += 1
    np.testing.assert_array_equal(seen[0], want)
    np.testing.assert_array_equal(y.grad.numpy(), want)
    np.testing.assert_array_equal(x.grad.numpy(), want)
    # create_graph: the differentiable path, and the gradient of the gradient
    x = ag.tensor(x0, requires_grad=True)
    y = x * x
    (g,) = ag.grad(y[:, :2].sum() + y[:, 1:].sum(), x, create_graph=True)
    twice = np.where(np.arange(6) == 1, 2.0, 1.0)  # column 1 is in both slices
    np.testing.assert_allclose(g.detach().numpy(), 2 * x0 * twice)
    (gg,) = ag.grad(g.sum(), x)
    np.testing.assert_allclose(gg.numpy(), 2 * np.broadcast_to(twice, x0.shape))


def test_fan_out_sums_in_place_leave_inputs_untouched():
    x0 = np.random.default_rng(2).standard_normal(5)
    x = ag.tensor(x0, requires_grad=True)
    seed = ag.ones(5)
    y = x * 1.0
    outs = [y * float(k) for k in range(1, 5)]  # four gradients into y, three into x via x*...
    z = sum(outs) + x * 5.0 + x * 6.0 + x * 7.0
    z.backward(seed)
    np.testing.assert_array_equal(seed.numpy(), np.ones(5))
    np.testing.assert_allclose(x.grad.numpy(), np.full(5, 10.0 + 18.0))


def test_slices_share_one_gradient_buffer():
    """Backward through 8 slices of one (1000, 1024) tensor holds about two arrays of its size at
    once (its gradient buffer and the input's gradient), not one zero-filled array per slice."""
    x = ag.ones(1000, 1024, dtype=ag.float64, requires_grad=True)
    y = x * 2
    loss = sum((y[:, 128 * k:128 * (k + 1)] * float(k)).sum() for k in range(8))
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        loss.backward()
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    assert peak < 2.5 * y._data.nbytes, peak / y._data.nbytes
    np.testing.assert_array_equal(x.grad.numpy(), 2 * np.repeat(np.arange(8.0), 128)[None].repeat(1000, 0))


def test_a_recorded_node_is_small():
    """A chain's nodes share their call site, shapes and needs_input_grad, and hold no list/record
    per unused saved slot: under 450 bytes each (about 700 before)."""
    import gc

    x = ag.ones(4, requires_grad=True)
    y = x * 1.0
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        y = x
        for _ in range(5000):
            y = y * 1.0
        per_node = (tracemalloc.get_traced_memory()[0] - base) / 5000
    finally:
        tracemalloc.stop()
    assert per_node < 450, per_node
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.ones(4))
