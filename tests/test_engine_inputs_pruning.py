"""``ag.grad(outputs, inputs)`` and ``backward(inputs=...)`` run only the part of the graph that
leads to ``inputs``, as PyTorch: nodes from which no input is reachable are not run (no hooks, no
``retain_grad``, no errors from freed or modified saved tensors, their buffers kept).
``backward(inputs=...)`` writes each input's ``.grad`` once (a non-leaf input keeps its gradient as
with ``retain_grad()``, as PyTorch makes it).

Every expected value was computed with PyTorch 2.13 on the same program; they are written here so
that the tests run without torch.
"""
import numpy as np
import pytest

import autograd as ag


def t(v, requires_grad=True):
    return ag.tensor(v, dtype=ag.float64, requires_grad=requires_grad)


def close(a, b):
    assert a is not None
    np.testing.assert_allclose(np.asarray(a.detach().numpy()), np.asarray(b, dtype=np.float64),
                               rtol=1e-12, atol=0)


# --- backward(inputs=[non-leaf]) counts the gradient once ---------------------------------------

def test_backward_inputs_nonleaf_retained_counted_once():
    x = t([1.0, 2.0, 3.0])
    y = x * 2
    y.retain_grad()
    w = (x * y).sum()
    w.backward(inputs=[y])
    assert x.grad is None
    close(y.grad, [1.0, 2.0, 3.0])  # PyTorch: [1, 2, 3] (was [2, 4, 6])


def test_backward_inputs_nonleaf_then_retains_grad():
    # PyTorch's backward(inputs=[y]) makes y retain its gradient: a later full backward adds to it
    x = t([1.0, 2.0, 3.0])
    y = x * 2
    w = (x * y).sum()
    w.backward(inputs=[y], retain_graph=True)
    close(y.grad, [1.0, 2.0, 3.0])
    assert y.retains_grad
    w.backward()
    close(y.grad, [2.0, 4.0, 6.0])
    close(x.grad, [4.0, 8.0, 12.0])


def test_backward_inputs_nonleaf_twice_accumulates():
    x = t([1.0, 2.0, 3.0])
    y = x * 2
    w = (x * y).sum()
    w.backward(inputs=[y], retain_graph=True)
    w.backward(inputs=[y])
    close(y.grad, [2.0, 4.0, 6.0])


def test_backward_inputs_repeated_counted_once():
    x = t([1.0, 2.0, 3.0])
    (x * x).sum().backward(inputs=[x, x])
    close(x.grad, [2.0, 4.0, 6.0])  # PyTorch: once (was twice)
    a = t([1.0, 2.0, 3.0])
    y = a * 2
    (y * y).sum().backward(inputs=[y, y])
    close(y.grad, [4.0, 8.0, 12.0])


def test_backward_inputs_empty_raises():
    x = t([1.0, 2.0, 3.0])
    with pytest.raises(RuntimeError, match="cannot be empty"):
        (x * x).sum().backward(inputs=[])


def test_backward_inputs_leaf_runs_post_accumulate_hook():
    x = t([1.0, 2.0, 3.0])
    calls = []
    x.register_post_accumulate_grad_hook(lambda p: calls.append(p.grad.tolist()))
    (x * x).sum().backward(inputs=[x])
    assert calls == [[2.0, 4.0, 6.0]]


def test_backward_inputs_nonleaf_node_is_run():
    # PyTorch runs the input's own node under backward(inputs=) (not under grad()): its saved
    # tensors are freed
    x = t([1.0, 2.0, 3.0])
    y = x.exp()
    (y * 3).sum().backward(inputs=[y])
    close(y.grad, [3.0, 3.0, 3.0])
    assert x.grad is None
    with pytest.raises(RuntimeError, match="second time"):
        y.backward(ag.ones(3, dtype=ag.float64))


# --- only the nodes that lead to an input run ----------------------------------------------------

def test_grad_off_path_hook_and_retain_not_run():
    x = t([1.0, 2.0, 3.0])
    w = t([4.0, 5.0, 6.0])
    calls = []
    y = x * 2
    z = w * 3
    z.register_hook(lambda g: calls.append("z-hook"))
    z.retain_grad()
    loss = (y * y).sum() + (z * z).sum()
    (gx,) = ag.grad(loss, x, retain_graph=True)
    close(gx, [8.0, 16.0, 24.0])
    assert z.grad is None
    assert calls == []
    loss.backward()
    close(z.grad, [24.0, 30.0, 36.0])  # once (was [48, 60, 72])
    assert calls == ["z-hook"]


def test_backward_inputs_off_path_hook_not_run():
    x = t([1.0, 2.0, 3.0])
    w = t([4.0, 5.0, 6.0])
    calls = []
    w.register_hook(lambda g: calls.append("w"))
    u = w * 3
    u.register_hook(lambda g: calls.append("u"))
    loss = (x * x).sum() + (u * x).sum()
    loss.backward(inputs=[x])
    close(x.grad, [14.0, 19.0, 24.0])
    assert w.grad is None
    assert calls == []


def test_grad_unused_input_runs_nothing():
    x = t([1.0, 2.0, 3.0])
    w = t([1.0, 1.0, 1.0])
    calls = []
    u = x * 2
    u.register_hook(lambda g: calls.append("u"))
    assert ag.grad((u * u).sum(), w, allow_unused=True) == (None,)
    assert calls == []


def test_grad_off_path_freed_branch():
    x = t([1.0, 2.0, 3.0])
    w = t([4.0, 5.0, 6.0])
    zs = (w ** 2).sum()
    zs.backward()  # frees the w branch
    loss = (x * x).sum() + zs
    (gx,) = ag.grad(loss, x)
    close(gx, [2.0, 4.0, 6.0])


def test_grad_off_path_modified_saved_tensor():
    x = t([1.0, 2.0, 3.0])
    w = t([4.0, 5.0, 6.0])
    c = w.clone()
    d = c.sin()
    c.add_(1)  # d's node saved c, now modified
    loss = (x * x).sum() + d.sum()
    (gx,) = ag.grad(loss, x)
    close(gx, [2.0, 4.0, 6.0])


def test_grad_nonleaf_input_node_not_run():
    # grad() with respect to y captures y's gradient without running y's node: its saved tensors
    # stay for a later backward
    x = t([1.0, 2.0, 3.0])
    y = x.exp()
    z = y * 3
    (g,) = ag.grad(z.sum(), y)
    close(g, [3.0, 3.0, 3.0])
    y.backward(ag.ones(3, dtype=ag.float64))
    close(x.grad, np.exp([1.0, 2.0, 3.0]))


def test_grad_nonleaf_input_behind_another_input():
    x = t([1.0, 2.0, 3.0])
    y = x.exp()
    z = (y * x).sum()
    gy, gx = ag.grad(z, [y, x])
    close(gy, [1.0, 2.0, 3.0])
    close(gx, np.exp([1.0, 2.0, 3.0]) * np.array([2.0, 3.0, 4.0]))


def test_grad_on_path_retain_and_hook_run():
    x = t([1.0, 2.0, 3.0])
    y = x * 2
    y.retain_grad()
    calls = []
    y.register_hook(lambda g: calls.append(1))
    (g,) = ag.grad((y * y).sum(), x)
    close(g, [8.0, 16.0, 24.0])
    close(y.grad, [4.0, 8.0, 12.0])
    assert calls == [1]


def test_backward_inputs_on_path_retain():
    x = t([1.0, 2.0, 3.0])
    w = t([2.0, 2.0, 2.0])
    y = x * w
    y.retain_grad()
    z = y * 3
    z.retain_grad()
    loss = (z * w).sum()
    loss.backward(inputs=[x])
    close(x.grad, [12.0, 12.0, 12.0])
    assert w.grad is None
    close(y.grad, [6.0, 6.0, 6.0])
    close(z.grad, [2.0, 2.0, 2.0])


def test_grad_multi_output_off_path():
    x = t([1.0, 2.0, 3.0, 4.0])
    w = t([1.0, 2.0, 3.0, 4.0])
    calls = []
    a, b = (w * 2).split(2)
    b.register_hook(lambda g: calls.append("b"))
    loss = (x * x).sum() + (a * a).sum() + b.sum()
    (gx,) = ag.grad(loss, x, retain_graph=True)
    close(gx, [2.0, 4.0, 6.0, 8.0])
    assert calls == []
    a0, b0 = x.split(2)
    loss2 = (a0 * 3).sum() + (b0 * b0).sum() + (w * w).sum()
    (ga0,) = ag.grad(loss2, a0)
    close(ga0, [3.0, 3.0])


def test_grad_deep_graph_with_off_path_branch():
    # the walk that finds the nodes on a path to the inputs is iterative: deep graphs work
    x = t([1.0])
    w = t([1.0])
    h = x
    for _ in range(20000):
        h = h * 1.0
    u = w
    for _ in range(20000):
        u = u + 0.0
    calls = []
    u.register_hook(lambda g: calls.append(1))
    (g,) = ag.grad((h * 2).sum() + u.sum(), x)
    close(g, [2.0])
    assert calls == []


def test_grad_create_graph_prunes():
    x = t([1.0, 2.0, 3.0])
    w = t([4.0, 5.0, 6.0])
    calls = []
    z = w * 3
    z.register_hook(lambda g: calls.append("z"))
    loss = (x ** 3).sum() + (z * z).sum()
    (gx,) = ag.grad(loss, x, create_graph=True)
    close(gx, [3.0, 12.0, 27.0])
    assert calls == []
    (ggx,) = ag.grad(gx.sum(), x)
    close(ggx, [6.0, 12.0, 18.0])


@pytest.mark.parametrize("seed", range(20))
def test_random_dag_hooks_fire_only_on_path(seed):
    # a random graph over on-path leaves xs and off-path leaves ws, with shared subexpressions: the
    # gradients equal a full backward's, and a hook fires on exactly the tensors of the full
    # backward that depend on an x
    rng = np.random.default_rng(seed)
    xs = [t(rng.uniform(0.5, 1.5, 3)) for _ in range(2)]
    ws = [t(rng.uniform(0.5, 1.5, 3)) for _ in range(2)]
    pool = [(v, True) for v in xs] + [(v, False) for v in ws]
    fired, on_path = [], set()
    for k in range(25):
        (a, da), (b, db) = (pool[i] for i in rng.integers(0, len(pool), 2))
        op = rng.integers(0, 3)
        v = a * b if op == 0 else a + b.exp() * 0.1 if op == 1 else (a - b).sin()
        v.register_hook(lambda g, k=k: fired.append(k))
        if da or db:
            on_path.add(k)
        pool.append((v, da or db))
    loss = sum(v.sum() for v, _ in pool[-6:])
    loss.backward(retain_graph=True)
    expected = sorted(k for k in fired if k in on_path)
    fired.clear()
    gs = ag.grad(loss, xs, allow_unused=True)
    assert sorted(fired) == expected
    for x, g in zip(xs, gs):
        if g is None:
            assert x.grad is None
        else:
            np.testing.assert_allclose(g.numpy(), x.grad.numpy(), rtol=1e-12)
