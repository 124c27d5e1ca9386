"""Every leaf's ``.grad`` is its own writable, contiguous array (as PyTorch's).

Regression tests for gradients shared between tensors: ``a + b`` used to give
both leaves the very same array (so ``clip_grad_norm_`` scaled it twice), the
caller's ``backward(G)`` gradient became ``x.grad`` (so ``x.grad.zero_()``
zeroed ``G``), and a leaf reduced directly got a read-only broadcast view.
The property test at the end runs every op of the op table.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from op_table import all_cases

import autograd as ag
import nn
from autograd import backend
from autograd.tensor import Tensor


def _host(t):
    return backend.to_host(t._data)


def _shares(a, b):
    return np.shares_memory(_host_view(a), _host_view(b))


def _host_view(t):
    """The array that owns ``t``'s memory on the host (the shadow device wraps a NumPy array)."""
    a = t._data if isinstance(t, Tensor) else t
    return getattr(a, "_a", a)


def _assert_own(t, what):
    g = _host_view(t.grad)
    assert g.flags.writeable, f"{what}.grad is read-only"
    assert g.flags.c_contiguous, f"{what}.grad is not contiguous"


# ---------------------------------------------------------------- a + b: one array for two leaves
def test_sum_of_two_leaves_gives_two_arrays(device):
    a = ag.tensor([1.0, 2.0], device=device, requires_grad=True)
    b = ag.tensor([3.0, 4.0], device=device, requires_grad=True)
    (a + b).sum().backward()
    assert not _shares(a.grad, b.grad)
    a.grad.mul_(3)
    np.testing.assert_array_equal(_host(b.grad), [1.0, 1.0])
    _assert_own(a, "a")
    _assert_own(b, "b")


def test_clip_grad_norm_of_shared_gradient_scales_once(device):
    # grads (2, 2) and (2, 2): total norm 4, coef 0.25/4 -> every element 2 * 0.0625 = 0.125
    a = ag.tensor([1.0, 2.0], device=device, requires_grad=True)
    b = ag.tensor([3.0, 4.0], device=device, requires_grad=True)
    ((a + b) * 2).sum().backward()
    total = nn.utils.clip_grad_norm_([a, b], 0.25)
    np.testing.assert_allclose(float(total), 4.0)
    coef = 0.25 / (4.0 + 1e-6)
    np.testing.assert_allclose(_host(a.grad), [2 * coef] * 2, rtol=1e-6)
    np.testing.assert_allclose(_host(b.grad), [2 * coef] * 2, rtol=1e-6)


def test_clip_grad_norm_shared_gradient_vs_torch():
    torch = pytest.importorskip("torch")
    x = np.array([0.5, -1.5, 2.0])
    a, b = (ag.tensor(x, requires_grad=True) for _ in range(2))
    ta, tb = (torch.tensor(x, requires_grad=True) for _ in range(2))
    ((a + b) ** 2).sum().backward()
    ((ta + tb) ** 2).sum().backward()
    nn.utils.clip_grad_norm_([a, b], 0.1)
    torch.nn.utils.clip_grad_norm_([ta, tb], 0.1)
    np.testing.assert_allclose(_host(a.grad), ta.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(_host(b.grad), tb.grad.numpy(), rtol=1e-12)


def test_lstm_biases_clipped_as_torch():
    """bias_ih and bias_hh receive the same gradient (they are added): clipped once each."""
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    tm = torch.nn.LSTM(3, 4).double()
    m = nn.LSTM(3, 4).double()
    m.load_state_dict({k: ag.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((5, 2, 3))
    for _ in range(2):  # the second step accumulates into the clipped gradients
        out, _ = m(ag.tensor(x))
        tout, _ = tm(torch.tensor(x))
        (out ** 2).sum().backward()
        (tout ** 2).sum().backward()
        n = nn.utils.clip_grad_norm_(m.parameters(), 0.25)
        tn = torch.nn.utils.clip_grad_norm_(tm.parameters(), 0.25)
        np.testing.assert_allclose(float(n), float(tn), rtol=1e-10)
    tp = dict(tm.named_parameters())
    for name, p in m.named_parameters():
        np.testing.assert_allclose(_host(p.grad), tp[name].grad.numpy(), rtol=1e-9, atol=1e-12,
                                   err_msg=name)
    assert not np.shares_memory(_host(m.bias_ih_l0.grad), _host(m.bias_hh_l0.grad))


# ---------------------------------------------------------------- the caller's gradient
def test_backward_gradient_is_not_adopted(device):
    x = ag.tensor([1.0, 2.0, 3.0], device=device, requires_grad=True)
    G = ag.tensor([1.0, 1.0, 1.0], device=device)
    (x + 0).backward(G)
    x.grad.zero_()
    np.testing.assert_array_equal(_host(G), [1.0, 1.0, 1.0])
    y = ag.tensor([1.0, 2.0], device=device, requires_grad=True)
    G2 = ag.tensor([5.0, 6.0], device=device)
    y.backward(G2)  # a leaf seeded directly
    y.grad.mul_(0)
    np.testing.assert_array_equal(_host(G2), [5.0, 6.0])


def test_retained_and_leaf_grad_are_separate(device):
    x = ag.tensor([1.0, 2.0], device=device, requires_grad=True)
    y = x + 0
    y.retain_grad()
    (y * 1).backward(ag.tensor([1.0, 1.0], device=device))
    assert not _shares(x.grad, y.grad)
    x.grad.zero_()
    np.testing.assert_array_equal(_host(y.grad), [1.0, 1.0])


def test_gradient_seen_by_a_hook_is_not_adopted(device):
    x = ag.tensor([1.0, 2.0], device=device, requires_grad=True)
    seen = []
    y = x + 0  # AddBackward hands its incoming gradient, which the hook saw, to x unchanged
    y.register_hook(lambda g: seen.append(g))
    (y * 1).sum().backward()
    x.grad.zero_()
    np.testing.assert_array_equal(_host(seen[0]), [1.0, 1.0])


def test_backward_with_inputs_copies(device):
    x = ag.tensor([1.0, 2.0], device=device, requires_grad=True)
    G = ag.tensor([1.0, 1.0], device=device)
    (x + 0).backward(G, inputs=[x])
    x.grad.zero_()
    np.testing.assert_array_equal(_host(G), [1.0, 1.0])


def test_user_function_returning_a_saved_input_is_copied():
    class Ident(ag.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * 1

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return x  # a saved input, not a fresh array

    x = ag.tensor([1.0, 2.0], requires_grad=True)
    Ident.apply(x).sum().backward()
    assert not np.shares_memory(x.grad._data, x._data)
    Ident.apply(x).sum().backward()  # accumulation must not write into x
    np.testing.assert_array_equal(x._data, [1.0, 2.0])
    np.testing.assert_array_equal(x.grad._data, [2.0, 4.0])


# ---------------------------------------------------------------- read-only broadcast views
def test_directly_reduced_leaf_grad_is_writable(device):
    p = ag.tensor([1.0, 2.0, 3.0], device=device, requires_grad=True)
    p.sum().backward()
    _assert_own(p, "p")
    p.grad.mul_(0.5)
    np.testing.assert_array_equal(_host(p.grad), [0.5] * 3)


@pytest.mark.parametrize("make", [lambda: nn.Linear(3, 2), lambda: nn.LayerNorm(3)],
                         ids=["Linear", "LayerNorm"])
def test_unbatched_layer_bias_grad_supports_in_place_utils(make):
    m = make()
    x = ag.tensor([1.0, -2.0, 0.5])
    m(x).sum().backward()
    for name, p in m.named_parameters():
        _assert_own(p, name)
    nn.utils.clip_grad_norm_(m.parameters(), 0.1)
    nn.utils.clip_grad_value_(m.parameters(), 0.01)
    for p in m.parameters():
        assert float(p.grad.abs().max()) <= 0.01 + 1e-12
    m.zero_grad(set_to_none=False)
    for p in m.parameters():
        assert float(p.grad.abs().sum()) == 0.0
    m(x).sum().backward()  # accumulates into the zeroed arrays
    np.testing.assert_allclose(_host(m.bias.grad), np.ones(m.bias.shape) if isinstance(m, nn.Linear)
                               else np.ones(3))


def test_accumulation_is_in_place_into_a_private_grad(device):
    """A second backward adds into ``.grad`` in place (as PyTorch: the same tensor object); the
    seed and the other leaf's grad never change."""
    a = ag.tensor([1.0, 2.0], device=device, requires_grad=True)
    b = ag.tensor([3.0, 4.0], device=device, requires_grad=True)
    G = ag.tensor([1.0, 1.0], device=device)
    (a + b).backward(G)
    first = a.grad
    a.grad.mul_(10)
    np.testing.assert_array_equal(_host(b.grad), [1.0, 1.0])
    np.testing.assert_array_equal(_host(G), [1.0, 1.0])
    (a + b).backward(G)
    assert a.grad is first
    np.testing.assert_array_equal(_host(a.grad), [11.0, 11.0])
    np.testing.assert_array_equal(_host(b.grad), [2.0, 2.0])
    np.testing.assert_array_equal(_host(G), [1.0, 1.0])


# ---------------------------------------------------------------- the whole op table
CASES = [c for c in all_cases() if c.grad]


@pytest.mark.parametrize("case", CASES, ids=[f"{c.family}.{c.id}" for c in CASES])
@settings(max_examples=2, deadline=None)
@given(data=st.data())
def test_op_table_leaf_grads_are_private(case, device, data):
    arrays, params = data.draw(case.inputs, label="inputs")
    positions = range(len(arrays)) if case.differentiable is None else case.differentiable
    xs = []
    for i, a in enumerate(arrays):
        t = ag.tensor(np.asarray(a), device=device)
        if i in positions and t.dtype.kind == "f":
            t.requires_grad_(True)
        xs.append(t)
    leaves = [x for x in xs if x.requires_grad]
    if not leaves:
        return
    out = case.fn(*xs, **params)
    outs = [o for o in (out if isinstance(out, (tuple, list)) else (out,))
            if isinstance(o, Tensor) and o.requires_grad]
    if not outs:
        return
    seeds = [ag.ones(o.shape, dtype=o.dtype, device=device) for o in outs]
    ag.autograd.backward(outs, seeds)
    held = [s for s in seeds] + xs
    for i, x in enumerate(leaves):
        if x.grad is None:
            continue
        _assert_own(x, f"{case.id} input {i}")
        for other in leaves[:i]:
            if other.grad is not None and x.grad._data.size and other.grad._data.size:
                assert not _shares(x.grad, other.grad), f"{case.id}: two leaves share one .grad"
        for h in held:
            if x.grad._data.size and h._data.size:
                assert not _shares(x.grad, h), f"{case.id}: .grad shares memory with an input or seed"
