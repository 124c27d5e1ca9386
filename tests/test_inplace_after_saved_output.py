"""An in-place op on the result of an op whose PyTorch backward does not need that result must be
allowed, as in PyTorch: ``nn.MaxPool2d`` then ``nn.ReLU(inplace=True)`` (xpgrad's disjoint-window
max saved its output for the backward) and ``erfinv(x).relu_()`` (erfinv saved its output; PyTorch
recomputes it from the input). Both raised "modified by an inplace operation" before. Values and
gradients (double backward for erfinv) against PyTorch.
"""
import numpy as np
import pytest

import autograd as ag

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("pool", ["MaxPool2d(2)", "MaxPool2d(2, ceil_mode=True)", "AdaptiveMaxPool2d(3)",
                                  "MaxPool2d(3, stride=3)", "MaxPool1d(2)"])
@pytest.mark.parametrize("act", ["ReLU(True)", "LeakyReLU(0.1, True)", "Hardtanh(-0.5, 0.5, True)"])
def test_max_pool_then_inplace_activation(pool, act):
    rng = np.random.default_rng(0)
    one_d = "1d" in pool
    x0 = rng.standard_normal((2, 3, 9) if one_d else (2, 3, 9, 9))
    res = []
    for lib in (torch, ag):
        nn = lib.nn
        m = nn.Sequential(eval("nn." + pool), eval("nn." + act))
        x = lib.tensor(x0, requires_grad=True)
        y = m(x * 1.5)
        (y * y).sum().backward()
        res.append((y.detach().numpy(), x.grad.numpy()))
    for got, exp in zip(res[1], res[0]):
        np.testing.assert_allclose(got, exp, rtol=1e-12)


def test_erfinv_result_changed_in_place_and_double_backward():
    x0 = np.array([-0.9, -0.3, 0.2, 0.7, 0.99])
    res = []
    for lib in (torch, ag):
        x = lib.tensor(x0, requires_grad=True)
        y = (x * 1).erfinv()
        y.relu_()
        (y * 2).sum().backward()
        g = x.grad.numpy().copy()
        x2 = lib.tensor(x0, requires_grad=True)
        (g1,) = lib.autograd.grad(x2.erfinv().sum(), x2, create_graph=True)
        (g2,) = lib.autograd.grad(g1.sum(), x2, create_graph=True)
        (g3,) = lib.autograd.grad(g2.sum(), x2)
        res.append((y.detach().numpy(), g, g1.detach().numpy(), g2.detach().numpy(), g3.numpy()))
    for got, exp in zip(res[1], res[0]):
        np.testing.assert_allclose(got, exp, rtol=1e-12)
