"""Tensor.register_post_accumulate_grad_hook: called with the leaf once its .grad holds this pass's
gradient, as soon as the last gradient into it has arrived (not at the end of backward)."""
from __future__ import annotations

import numpy as np
import pytest

import autograd as ag


class _Log(ag.Function):
    """Identity whose backward notes that backward reached it."""

    log: list = []

    @staticmethod
    def forward(ctx, x):
        return x.clone()

    @staticmethod
    def backward(ctx, g):
        _Log.log.append("input backward")
        return g


def _net(x, w1, w2):
    return ((_Log.apply(x) @ w1).tanh() @ w2).pow(2).sum()


def _data():
    rng = np.random.default_rng(0)
    return [rng.standard_normal(s) for s in ((4, 3), (3, 5), (5, 2))]


def test_hook_sees_the_accumulated_grad_once_per_pass_before_earlier_layers_run():
    x, w1, w2 = (ag.tensor(a, requires_grad=True) for a in _data())
    _Log.log = log = []
    w2.register_post_accumulate_grad_hook(lambda p: log.append(("w2", p.grad.detach().clone())))
    w1.register_post_accumulate_grad_hook(lambda p: log.append(("w1", p.grad.detach().clone())))
    for _ in range(2):
        _net(x, w1, w2).backward()
    names = [e if isinstance(e, str) else e[0] for e in log]
    assert names == ["w2", "w1", "input backward"] * 2  # each leaf as soon as its layer is done
    a, b1, b2 = _data()  # hand-written gradients
    h = np.tanh(a @ b1)
    out = h @ b2
    g2 = h.T @ (2 * out)
    g1 = a.T @ ((2 * out) @ b2.T * (1 - h ** 2))
    np.testing.assert_allclose(log[0][1].numpy(), g2, rtol=1e-5)
    np.testing.assert_allclose(log[3][1].numpy(), 2 * g2, rtol=1e-5)  # the second pass accumulated
    np.testing.assert_allclose(log[4][1].numpy(), 2 * g1, rtol=1e-5)
    np.testing.assert_allclose(w1.grad.numpy(), 2 * g1, rtol=1e-5)
    torch = pytest.importorskip("torch")
    tw = torch.tensor(b2, requires_grad=True)
    seen = []
    tw.register_post_accumulate_grad_hook(lambda p: seen.append(p.grad.clone()))
    for _ in range(2):
        (torch.tanh(torch.tensor(a) @ torch.tensor(b1)) @ tw).pow(2).sum().backward()
    np.testing.assert_allclose(log[3][1].numpy(), seen[1].numpy(), rtol=1e-6)


def test_leaf_used_twice_fires_once_after_its_gradient_hooks():
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    calls = []
    w.register_hook(lambda g: g * 10)
    w.register_post_accumulate_grad_hook(lambda p: calls.append(p.grad.tolist()))
    ((w * 3).sum() + (w * w).sum()).backward()
    assert calls == [[50.0, 70.0]]  # (3 + 2w) * 10


def test_not_called_without_a_gradient_for_grad_or_after_remove():
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    v = ag.tensor([1.0], requires_grad=True)
    calls = []
    handle = w.register_post_accumulate_grad_hook(lambda p: calls.append("w"))
    v.register_post_accumulate_grad_hook(lambda p: calls.append("v"))
    ag.grad((w * 2).sum(), w)
    assert calls == [] and w.grad is None
    ((w * 2).sum() + (v * 0).sum()).backward()
    assert calls == ["w", "v"] or calls == ["v", "w"]
    handle.remove()
    handle.remove()
    (w * 2).sum().backward()
    assert calls.count("w") == 1 and w.grad.tolist() == [4.0, 4.0]


def test_create_graph_and_bad_uses():
    w = ag.tensor([3.0], requires_grad=True)
    got = []
    w.register_post_accumulate_grad_hook(lambda p: got.append(p.grad))
    (w ** 3).sum().backward(create_graph=True)
    (g,) = ag.grad(got[0].sum(), w)
    assert got[0].tolist() == [27.0] and g.tolist() == [18.0]
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        ag.ones(2).register_post_accumulate_grad_hook(print)
    with pytest.raises(RuntimeError, match="non-leaf tensors"):
        (w * 2).register_post_accumulate_grad_hook(print)
    u = ag.tensor([1.0], requires_grad=True)
    u.register_post_accumulate_grad_hook(lambda p: 5)
    with pytest.raises(TypeError, match="must return None"):
        (u * 2).sum().backward()
