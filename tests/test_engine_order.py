"""The engine's visiting order (newest node first, from a heap) and how nodes keep saved values.

A node must run its backward only after every node that feeds it gradients has: these graphs make
the paths into one node very uneven, interleave independent graphs, and leave some edges without a
gradient; every gradient is checked against a hand-derived value (and PyTorch where installed).
"""
from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd.testing import assert_close


def _leaf(values, device):
    return ag.tensor(values, dtype=ag.float64, device=device, requires_grad=True)


def test_a_node_fed_by_a_long_and_a_short_path_waits_for_both(device):
    x = _leaf([0.5, -1.0, 2.0], device)
    a = x * 2.0  # the node fed by both paths
    long = a
    for _ in range(40):  # d(long)/da = 1.01 ** 40
        long = long * 1.01
    y = (long + a.exp()).sum()  # short path: d/da exp(a) = exp(a)
    y.backward()
    a_ = 2.0 * np.array([0.5, -1.0, 2.0])
    assert_close(x.grad, 2.0 * (1.01 ** 40 + np.exp(a_)))


def test_independent_graphs_built_interleaved_backpropagate_together(device):
    x, w = _leaf([1.0, 2.0], device), _leaf([3.0, -1.0], device)
    u, v = x, w
    for _ in range(5):  # the two chains' nodes alternate in creation order
        u = u * 2.0
        v = v * 3.0
    ag.autograd.backward([u.sum(), (v * v).sum()])
    assert_close(x.grad, [32.0, 32.0])
    assert_close(w.grad, 2 * np.array([3.0, -1.0]) * 3.0 ** 10)


def test_backward_from_an_older_root_and_a_newer_one(device):
    x = _leaf([1.0, 2.0], device)
    h = x.tanh()
    y = (h * h).sum()  # newer root that reaches h
    z = h.sum()  # root made later, also through h
    ag.autograd.backward([z, y])  # roots in any order
    t = np.tanh([1.0, 2.0])
    assert_close(x.grad, (1 + 2 * t) * (1 - t * t))


def test_nodes_reached_only_by_edges_without_gradient_still_finish_post_accumulate_hooks(device):
    class FirstOnly(ag.Function):  # backward gives the second input no gradient
        @staticmethod
        def forward(ctx, a, b):
            return a + b

        @staticmethod
        def backward(ctx, g):
            no_gradient_for_b = None
            return g, no_gradient_for_b

    x, w = _leaf([1.0, 2.0], device), _leaf([3.0, 4.0], device)
    seen = []
    w.register_post_accumulate_grad_hook(lambda p: seen.append(x.grad is None))
    hidden = w * 2.0  # reached only through FirstOnly's gradient-less edge
    y = (FirstOnly.apply(x * 1.0, hidden) + w).sum()
    y.backward()
    assert_close(x.grad, [1.0, 1.0])
    assert_close(w.grad, [1.0, 1.0])  # only the direct path
    assert seen == [True]  # once, during the pass (x's .grad is written at its end)


def test_wide_graph_many_consumers_of_one_tensor_matches_torch(device):
    rng = np.random.default_rng(0)
    data = rng.standard_normal(6)
    x = _leaf(data, device)
    h = x.sin()
    parts = [(h * (k + 1)).tanh() for k in range(30)]  # 30 consumers of h, each a small graph
    y = sum(p[k % 6] for k, p in enumerate(parts)) + h.sum()
    y.backward()
    torch = pytest.importorskip("torch")
    xt = torch.tensor(data, requires_grad=True)
    ht = xt.sin()
    pt = [(ht * (k + 1)).tanh() for k in range(30)]
    (sum(p[k % 6] for k, p in enumerate(pt)) + ht.sum()).backward()
    assert_close(x.grad, xt.grad.numpy())


class _SavesAnything(ag.Function):
    """Saves Python values of each kind beside a tensor and checks they come back unchanged."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x, 2.5, 3, True, "s", (1, 2), None)
        return x * 2.5

    @staticmethod
    def backward(ctx, g):
        x, f, i, b, s, t, n = ctx.saved_tensors
        assert (f, i, b, s, t, n) == (2.5, 3, True, "s", (1, 2), None)
        assert type(f) is float and type(i) is int and type(b) is bool
        assert isinstance(x, ag.Tensor)
        return g * f


def test_saved_python_values_of_every_kind_come_back_as_they_were(device):
    x = _leaf([1.0, -2.0], device)
    _SavesAnything.apply(x).sum().backward()
    assert_close(x.grad, [2.5, 2.5])


def test_a_saved_scalar_costs_no_record(device):
    x = _leaf([1.0], device)
    y = x * 0.5
    assert 0.5 in y.grad_fn._saved  # kept as it is, not wrapped in a record tuple
    y.backward(ag.ones_like(y))
    assert_close(x.grad, [0.5])
