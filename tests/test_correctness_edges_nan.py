"""Gradients at NaN and infinite inputs, as PyTorch 2.13's derivative formulas give them.

PyTorch's values here come from its scalar kernels (tensors of fewer than 4 elements): for a few ops
(softshrink, hardshrink, relu6/hardtanh, logit with eps) its vectorised CPU path answers differently
at a NaN; xpgrad follows the derivative formulas, which the scalar path computes."""
from __future__ import annotations

import math

import numpy as np
import pytest

import autograd as ag
from autograd import backend

NAN, INF = math.nan, math.inf


def _host(t):
    return None if t is None else backend.to_host(t._data)


def _const(m, x, values):
    return m.tensor(values, dtype=m.float64).to(x.device)


CASES = {  # name: (fn of (x, module), input values, d/dx by PyTorch's formula)
    "relu": (lambda x, m: m.relu(x), [NAN, INF, -INF], [1.0, 1.0, 0.0]),
    "logit": (lambda x, m: m.logit(x), [NAN, INF, -1.0], [NAN, NAN, NAN]),
    "logit_domain": (lambda x, m: m.logit(x), [0.5, 2.0, -INF], [4.0, NAN, NAN]),
    "logaddexp_inf": (lambda x, m: m.logaddexp(x, m.zeros_like(x)), [INF, -INF, NAN], [1.0, 0.0, NAN]),
    "logaddexp2_inf": (lambda x, m: m.logaddexp2(x, m.zeros_like(x)), [INF, -INF, NAN], [1.0, 0.0, NAN]),
    "copysign": (lambda x, m: m.copysign(x, m.ones_like(x)), [NAN, INF, -INF], [NAN, NAN, NAN]),
    "xlogy_x_at_0": (lambda x, m: m.xlogy(x, _const(m, x, [2.0, 0.0, -1.0])), [0.0, 0.0, 0.0],
                     [math.log(2.0), 0.0, 0.0]),
    "xlogy_y_at_0": (lambda y, m: m.xlogy(m.zeros_like(y), y), [0.0, -1.0, 2.0], [NAN, -0.0, 0.0]),
    "pow_half": (lambda x, m: x ** 0.5, [-INF, -0.0, 4.0], [NAN, -INF, 0.25]),
    "pow_minus_half": (lambda x, m: x ** -0.5, [-INF, -0.0, 4.0], [-0.0, -INF, -1 / 16]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_gradient_at_nan_and_inf(device, name):
    fn, values, expected = CASES[name]
    x = ag.tensor(values, dtype=ag.float64, device=device, requires_grad=True)
    with np.errstate(all="ignore"):
        fn(x, ag).sum().backward()
    np.testing.assert_array_equal(_host(x.grad), expected)


@pytest.mark.parametrize("name", list(CASES))
def test_gradient_at_nan_and_inf_vs_torch(name):
    torch = pytest.importorskip("torch")
    fn, values, _ = CASES[name]
    x = ag.tensor(values, dtype=ag.float64, requires_grad=True)
    t = torch.tensor(values, dtype=torch.float64, requires_grad=True)
    with np.errstate(all="ignore"):
        y = fn(x, ag)
        y.sum().backward()
    yt = fn(t, torch)
    yt.sum().backward()
    np.testing.assert_array_equal(_host(y), yt.detach().numpy())
    np.testing.assert_array_equal(_host(x.grad), t.grad.numpy())
    number = ~np.isnan(t.grad.numpy())
    np.testing.assert_array_equal(np.signbit(_host(x.grad))[number], np.signbit(t.grad.numpy())[number])


def test_copysign_gives_other_a_zero_gradient():
    torch = pytest.importorskip("torch")
    s = ag.tensor([1.0, -2.0], dtype=ag.float64, requires_grad=True)
    ag.copysign(ag.tensor([3.0, 4.0], dtype=ag.float64), s).sum().backward()  # raised: no grad_fn
    t = torch.tensor([1.0, -2.0], dtype=torch.float64, requires_grad=True)
    torch.copysign(torch.tensor([3.0, 4.0], dtype=torch.float64), t).sum().backward()
    np.testing.assert_array_equal(_host(s.grad), t.grad.numpy(force=True))


def test_norm_zero_has_no_gradient(device):
    # PyTorch's norm(p=0) backward returns no gradient: x.grad stays None (was 0 * x: NaN at inf / NaN)
    x = ag.tensor([NAN, INF, 0.0, 2.0], dtype=ag.float64, device=device, requires_grad=True)
    n = x.norm(p=0)
    assert n.item() == 3.0
    n.backward()
    assert x.grad is None
    y = ag.tensor([NAN, 2.0], dtype=ag.float64, device=device, requires_grad=True)
    (y.norm(p=0) + y.sum()).backward()
    np.testing.assert_array_equal(_host(y.grad), [1.0, 1.0])


def test_xlogy_grad_keeps_dtypes_and_double_backward():
    torch = pytest.importorskip("torch")
    a = ag.tensor([0.0, 1.5, 2.0], dtype=ag.float64, requires_grad=True)
    b = ag.tensor([0.5, 3.0, 0.25], dtype=ag.float64, requires_grad=True)
    ta = torch.tensor([0.0, 1.5, 2.0], dtype=torch.float64, requires_grad=True)
    tb = torch.tensor([0.5, 3.0, 0.25], dtype=torch.float64, requires_grad=True)
    ga, gb = ag.autograd.grad(ag.xlogy(a, b).sum(), (a, b), create_graph=True)
    tga, tgb = torch.autograd.grad(torch.xlogy(ta, tb).sum(), (ta, tb), create_graph=True)
    np.testing.assert_allclose(_host(ga), tga.detach().numpy())
    np.testing.assert_allclose(_host(gb), tgb.detach().numpy())
    h = ag.autograd.grad((ga * gb).sum(), (a, b))
    th = torch.autograd.grad((tga * tgb).sum(), (ta, tb))
    for got, want in zip(h, th):
        np.testing.assert_allclose(_host(got), want.numpy())
    assert ag.xlogy(ag.tensor([1.0], dtype=ag.float32), 2.0).dtype == ag.float32
    assert ag.xlogy(ag.tensor([1, 0]), ag.tensor([3, 0])).dtype == ag.float32
