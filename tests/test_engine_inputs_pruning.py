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
