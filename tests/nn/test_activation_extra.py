"""Activation modules of ``nn/modules/activation_extra.py``: reprs, ``PReLU``'s parameter, ``RReLU``'s
training draw and bad arguments (the functional forms are in the op table)."""
from __future__ import annotations

import numpy as np
import pytest
from golden import T
from layer_check import compare_module

import autograd as ag
import nn
import nn.functional as F

REPRS = [
    (nn.Hardswish(True), "Hardswish()"), (nn.Hardsigmoid(), "Hardsigmoid()"),
    (nn.Mish(True), "Mish(inplace=True)"),
    (nn.PReLU(3), "PReLU(num_parameters=3)"), (nn.Threshold(0.1, 2.0), "Threshold(threshold=0.1, value=2.0)"),
    (nn.Threshold(0.1, 2.0, True), "Threshold(threshold=0.1, value=2.0, inplace=True)"),
    (nn.GLU(), "GLU(dim=-1)"),
    (nn.SELU(True), "SELU(inplace=True)"), (nn.CELU(), "CELU(alpha=1.0)"),
    (nn.CELU(2.0, True), "CELU(alpha=2.0, inplace=True)"), (nn.Softsign(), "Softsign()"),
    (nn.Tanhshrink(), "Tanhshrink()"), (nn.Softshrink(), "Softshrink(0.5)"),
    (nn.Hardshrink(0.3), "Hardshrink(0.3)"),
    (nn.Softmax2d(), "Softmax2d()"), (nn.RReLU(), "RReLU(lower=0.125, upper=0.3333333333333333)"),
]


@pytest.mark.parametrize("module,text", REPRS, ids=[t for _, t in REPRS])
def test_repr_as_pytorch(module, text):
    assert repr(module) == text
    name, args = text.split("(", 1)
    assert repr(module) == repr(eval(f"T.nn.{name}({args}"))  # noqa: S307 - PyTorch's own repr


def test_prelu_parameter_and_gradient(device):
    m = nn.PReLU(3).double().to(device)
    assert list(m.state_dict()) == ["weight"] and np.all(m.weight.detach().cpu().numpy() == 0.25)
    x = ag.tensor([[[-1.0, 2.0], [-3.0, 1.0], [-2.0, -1.0]]], dtype=ag.float64, device=device)
    m(x).sum().backward()
    np.testing.assert_allclose(m.weight.grad.cpu().numpy(), [-1.0, -3.0, -3.0])
    with pytest.raises(RuntimeError, match="channel size"):
        m(ag.zeros(2, 4, dtype=ag.float64, device=device))


def test_prelu_matches_torch(device):
    tm = T.nn.PReLU(4, init=0.1)
    compare_module(nn.PReLU(4).to(device), tm, np.random.default_rng(0).standard_normal((2, 4, 3)).astype(
        np.float32), device)


def test_rrelu_training_slopes_in_range(device):
    x = -ag.ones(1000, device=device)
    y = F.rrelu(x, 0.1, 0.3, training=True).cpu().numpy()
    assert np.all(y <= -0.1) and np.all(y >= -0.3) and y.std() > 0.03
    m = nn.RReLU(0.1, 0.3).eval()
    np.testing.assert_allclose(m(x).cpu().numpy(), -0.2)


def test_softmax2d_and_errors():
    x = ag.randn(2, 3, 4, 5)
    np.testing.assert_allclose(nn.Softmax2d()(x).sum(1).numpy(), 1.0, rtol=1e-6)
    with pytest.raises(ValueError, match="3D or 4D"):
        nn.Softmax2d()(ag.randn(3, 4))
    with pytest.raises(RuntimeError, match="Halving dimension must be even"):
        F.glu(ag.randn(3, 5))
    with pytest.raises(RuntimeError, match="lambda must be greater or equal to 0"):
        F.softshrink(ag.randn(3), -1.0)


@pytest.mark.parametrize("fn, values, grads", [
    # PyTorch's answers: NaN stays NaN and passes its gradient; the boundaries are in the dead zone
    (lambda x: F.threshold(x, 0.1, 5.0), [np.nan, 1.0, 5.0, 0.3, 0.5, 5.0, 5.0], [1, 1, 0, 1, 1, 0, 0]),
    (lambda x: F.softshrink(x, 0.5), [np.nan, 0.5, -0.5, 0.0, 0.0, 0.0, 0.0], [1, 1, 1, 0, 0, 0, 0]),
    (lambda x: F.hardshrink(x, 0.5), [np.nan, 1.0, -1.0, 0.0, 0.0, 0.0, 0.0], [1, 1, 1, 0, 0, 0, 0]),
], ids=["threshold", "softshrink", "hardshrink"])
def test_threshold_and_shrinks_keep_nan_like_torch(device, fn, values, grads):
    # NaN once fell into the else branch: threshold gave 5.0, the shrinks 0
    x = ag.tensor([np.nan, 1.0, -1.0, 0.3, 0.5, -0.5, 0.1], dtype=ag.float64, device=device,
                  requires_grad=True)
    y = fn(x)
    y.sum().backward()
    np.testing.assert_array_equal(y.detach().cpu().numpy(), values)
    np.testing.assert_array_equal(x.grad.cpu().numpy(), grads)
