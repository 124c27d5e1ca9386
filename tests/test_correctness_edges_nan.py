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


# ---------------------------------------------------------------- where we raised and PyTorch computes
SINGULAR = {"rank_n-1": [[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]],
            "rank_n-2": [[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [3.0, 6.0, 9.0]],
            "zero": [[0.0, 0.0], [0.0, 0.0]],
            "rank_1_of_2": [[0.0, 0.0], [0.0, 1.0]],
            "one_by_one_zero": [[0.0]]}


@pytest.mark.parametrize("name", list(SINGULAR))
def test_det_gradients_at_a_singular_matrix_as_torch(name):
    torch = pytest.importorskip("torch")
    a = ag.tensor(SINGULAR[name], dtype=ag.float64, requires_grad=True)
    t = torch.tensor(SINGULAR[name], dtype=torch.float64, requires_grad=True)
    a.det().backward()  # raised LinAlgError (singular solve)
    torch.linalg.det(t).backward()
    np.testing.assert_allclose(_host(a.grad), t.grad.numpy(), atol=1e-12)
    # with create_graph PyTorch takes the cofactor matrix (from the SVD): finite, and differentiable
    a2 = ag.tensor(SINGULAR[name], dtype=ag.float64, requires_grad=True)
    t2 = torch.tensor(SINGULAR[name], dtype=torch.float64, requires_grad=True)
    g, = ag.autograd.grad(ag.linalg.det(a2), a2, create_graph=True)
    tg, = torch.autograd.grad(torch.linalg.det(t2), t2, create_graph=True)
    np.testing.assert_allclose(_host(g), tg.detach().numpy(), atol=1e-10)
    if name == "rank_n-1":
        h, = ag.autograd.grad(g.sum(), a2)
        th, = torch.autograd.grad(tg.sum(), t2)
        np.testing.assert_allclose(_host(h), th.numpy(), atol=1e-10)


def test_det_gradient_of_a_batch_mixing_singular_and_invertible(device):
    a = ag.tensor([[[2.0, 1.0], [1.0, 3.0]], [[1.0, 2.0], [2.0, 4.0]]], dtype=ag.float64, device=device,
                  requires_grad=True)
    ag.linalg.det(a).sum().backward()
    np.testing.assert_allclose(_host(a.grad), [[[3.0, -1.0], [-1.0, 2.0]], [[0.0, 0.0], [0.0, 0.0]]])


@pytest.mark.parametrize("power", [1, 2, 3])
def test_derivatives_of_x_to_an_integer_power_as_torch(power):
    torch = pytest.importorskip("torch")

    def derivatives(m):
        x = m.tensor([1.5, -2.0], dtype=m.float64, requires_grad=True)
        y, out = (x ** power).sum(), []
        for _ in range(power + 2):
            try:
                g, = m.autograd.grad(y, x, create_graph=True)
            except RuntimeError as e:  # PyTorch: "does not require grad", one order after x ** 0
                out.append(str(e)[:40])
                break
            out.append(g.detach().numpy().tolist())
            y = g.sum()
        return out

    assert derivatives(ag) == derivatives(torch)


def test_take_along_dim_counts_negative_indices_from_the_end(device):
    torch = pytest.importorskip("torch")
    x = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    idx = [[-1, 0], [-3, -2]]
    got = ag.take_along_dim(ag.tensor(x, device=device), ag.tensor(idx, device=device), 1)
    want = torch.take_along_dim(torch.tensor(x), torch.tensor(idx), 1)
    np.testing.assert_array_equal(_host(got), want.numpy())
    with pytest.raises(RuntimeError, match="out of bounds"):  # flattened (no dim): PyTorch raises too
        ag.take_along_dim(ag.tensor(x, device=device), ag.tensor([-1], device=device))


def _expanded_program(m, write):
    base = m.zeros(3, dtype=m.float64)
    e = base.expand(2, 3)
    try:
        write(m, e)
    except RuntimeError as err:
        return str(err)
    return base.tolist(), e.tolist()


WRITES = {  # PyTorch writes one element (or fills) through an expanded view, refuses the rest
    "setitem_one": lambda m, e: e.__setitem__((0, 1), 5.0),
    "fill_": lambda m, e: e.fill_(1.0),
    "setitem_column": lambda m, e: e.__setitem__((slice(None), 0), m.tensor([1.0, 2.0], dtype=m.float64)),
    "add_": lambda m, e: e.add_(1.0),
    "mul_": lambda m, e: e.mul_(2.0),
    "copy_": lambda m, e: e.copy_(m.ones(2, 3, dtype=m.float64)),
    "index_put": lambda m, e: e.__setitem__(m.tensor([0]), 1.0),
}


@pytest.mark.parametrize("name", list(WRITES))
def test_writes_through_an_expanded_view_as_torch(name):
    torch = pytest.importorskip("torch")
    assert _expanded_program(ag, WRITES[name]) == _expanded_program(torch, WRITES[name])


def test_det_second_derivative_of_a_batch_mixing_singular_and_invertible_as_torch():
    torch = pytest.importorskip("torch")
    batch = [[[2.0, 1.0], [1.0, 3.0]], [[1.0, 2.0], [2.0, 4.0]], [[1.0, 0.0], [0.0, 1.0]]]

    def second(m):
        a = m.tensor(batch, dtype=m.float64, requires_grad=True)
        g, = m.autograd.grad(m.linalg.det(a).sum(), a, create_graph=True)
        h, = m.autograd.grad((g * g).sum(), a)
        return g.detach().numpy(), h.numpy()

    for got, want in zip(second(ag), second(torch)):
        np.testing.assert_allclose(got, want, atol=1e-10)


@pytest.mark.parametrize("loss", ["smooth_l1_loss", "huber_loss"])
def test_smooth_l1_and_huber_gradients_at_inf_and_nan_as_torch(loss):
    torch = pytest.importorskip("torch")
    import nn.functional as F
    import torch.nn.functional as TF

    values = [NAN, INF, -INF, 0.25, 3.0, -0.5]

    def grad(m, functional):
        x = m.tensor(values, dtype=m.float64, requires_grad=True)
        y = getattr(functional, loss)(x, m.zeros(len(values), dtype=m.float64), reduction="sum")
        y.backward()
        return x.grad.numpy()

    with np.errstate(all="ignore"):
        got = grad(ag, F)
    np.testing.assert_array_equal(got, grad(torch, TF))  # was NaN at +-inf (0 * inf in the quadratic part)
