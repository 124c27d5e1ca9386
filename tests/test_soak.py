"""Soak tests: many training steps without memory growth; each step's graph is freed by refcounting."""
from __future__ import annotations

import gc
import time
import tracemalloc
import weakref

import pytest

import autograd as ag

STEPS = 1000
WARMUP = 100
#: allowed growth of traced memory between the end of warm-up and the last step
BOUND = 64 * 1024

pytestmark = pytest.mark.slow


def soak(step, steps, warmup=WARMUP, check_every=50):
    """Run ``step()`` (which returns the loss) ``steps`` times; trace memory after warm-up.

    Every ``check_every`` steps, with the cyclic GC disabled, checks that the
    graph of the step (its loss node and its first node) is freed as soon as
    the loss goes out of scope, i.e. by reference counting, with no cycles.
    Memory is traced from the end of warm-up; every 100 steps (after
    ``gc.collect()``, which also empties CPython's free lists) the bytes still
    held by allocations made since then are sampled. Returns the growth at the
    end and the samples.
    """
    was_enabled = gc.isenabled()
    samples = []
    try:
        for i in range(steps):
            if i == warmup:
                gc.collect()
                tracemalloc.start()
            if i % check_every == 0:
                gc.disable()
                loss = step()
                refs = [weakref.ref(n) for n in _graph_ends(loss)]
                assert refs, "the step recorded no graph"
                del loss
                dead = [r() is None for r in refs]
                gc.enable()
                assert all(dead), f"step {i}: graph nodes outlived the step (a reference cycle or leak)"
            else:
                step()
            if i >= warmup and (i - warmup) % 100 == 99:
                gc.collect()
                samples.append(tracemalloc.get_traced_memory()[0])
        gc.collect()
        growth = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
        if was_enabled:
            gc.enable()
    return growth, samples


def _graph_ends(loss):
    """The loss's node and the first node recorded in its graph."""
    from autograd.engine import topological_order

    order = topological_order([loss.grad_fn])
    return [order[0], order[-1]]


def test_mlp_soak():
    nn = pytest.importorskip("nn")
    optim = pytest.importorskip("optim")
    F = pytest.importorskip("nn.functional")
    ag.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 32), nn.Tanh(), nn.Linear(32, 1))
    opt = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x, y = ag.randn(16, 8), ag.randn(16, 1)
    first = F.mse_loss(model(x), y).item()

    def step():
        opt.zero_grad()
        loss = F.mse_loss(model(x), y)
        loss.backward()
        opt.step()
        return loss

    t0 = time.process_time()
    growth, samples = soak(step, STEPS)
    elapsed = time.process_time() - t0
    print(f"MLP soak: {STEPS} steps in {elapsed:.1f}s CPU, traced growth after warm-up {growth} B, "
          f"samples {samples}")
    assert growth < BOUND and max(samples) < BOUND, f"memory grew by {growth} bytes: {samples}"
    assert F.mse_loss(model(x), y).item() < first  # it did train


def test_hand_rolled_mlp_soak():
    """The same without nn/optim: engine ops and a manual SGD update under no_grad."""
    ag.manual_seed(1)
    w1 = (ag.randn(8, 16) * 0.3).requires_grad_()
    b1 = ag.zeros(16, requires_grad=True)
    w2 = (ag.randn(16, 1) * 0.3).requires_grad_()
    x, y = ag.randn(32, 8), ag.randn(32, 1)
    params = [w1, b1, w2]

    def step():
        h = (x @ w1 + b1).relu()
        loss = ((h @ w2 - y) ** 2).mean()
        loss.backward()
        with ag.no_grad():
            for p in params:
                p -= 0.05 * p.grad
                p.grad = None
        return loss

    first = step().item()
    t0 = time.process_time()
    growth, samples = soak(step, 500)
    print(f"hand-rolled MLP soak: 500 steps in {time.process_time() - t0:.1f}s CPU, growth {growth} B, "
          f"samples {samples}")
    assert growth < BOUND and max(samples) < BOUND, f"memory grew by {growth} bytes: {samples}"
    assert step().item() < first


def test_lstm_soak():
    nn = pytest.importorskip("nn")
    optim = pytest.importorskip("optim")
    F = pytest.importorskip("nn.functional")
    if not hasattr(nn, "LSTM"):
        pytest.skip("nn.LSTM is not implemented yet")
    ag.manual_seed(2)
    lstm, head = nn.LSTM(4, 8, batch_first=True), nn.Linear(8, 1)
    opt = optim.Adam(list(lstm.parameters()) + list(head.parameters()), lr=1e-2)
    x, y = ag.randn(4, 5, 4), ag.randn(4, 1)

    def step():
        opt.zero_grad()
        out, (h, c) = lstm(x)
        loss = F.mse_loss(head(out[:, -1]), y)
        loss.backward()
        opt.step()
        return loss

    first = step().item()
    t0 = time.process_time()
    growth, samples = soak(step, 250, warmup=50)
    print(f"LSTM soak: 250 steps in {time.process_time() - t0:.1f}s CPU, growth {growth} B, "
          f"samples {samples}")
    assert growth < BOUND and max(samples) < BOUND, f"memory grew by {growth} bytes: {samples}"
    assert step().item() < first


def test_soak_detects_a_leak():
    """The harness itself can fail: a step that keeps its graphs alive is caught."""
    kept = []
    x = ag.randn(4, requires_grad=True)

    def leaky():
        loss = (x * 2).sum()
        kept.append(loss)
        return loss

    with pytest.raises(AssertionError, match="outlived"):
        soak(leaky, 20, warmup=5, check_every=10)

    kept_arrays = []

    def growing():
        kept_arrays.append(ag.ones(256))  # 1 KiB per step
        return (x * 2).sum()

    growth, _ = soak(growing, 150, warmup=50)
    assert growth > BOUND
