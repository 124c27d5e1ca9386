"""``inplace=True`` on activations and dropout writes into the input, as PyTorch.

It was accepted and ignored (a new tensor was returned), so code that reuses the input after an
in-place activation (a residual ``x + act(x)``, or a call whose result is dropped) silently got
other values and other gradients than PyTorch. Compared with PyTorch, values and gradients.
"""
import numpy as np
import pytest

import autograd as ag

torch = pytest.importorskip("torch")

X = np.array([-1.5, -0.2, 0.3, 2.0, -3.5, 4.0])

FUNCTIONAL = {
    "relu": lambda F, x: F.relu(x, inplace=True), "relu6": lambda F, x: F.relu6(x, inplace=True),
    "elu": lambda F, x: F.elu(x, 0.5, inplace=True), "selu": lambda F, x: F.selu(x, inplace=True),
    "celu": lambda F, x: F.celu(x, 0.7, inplace=True), "leaky_relu": lambda F, x: F.leaky_relu(x, 0.1, True),
    "rrelu_eval": lambda F, x: F.rrelu(x, 0.1, 0.3, False, True),
    "threshold": lambda F, x: F.threshold(x, 0.0, -9.0, True),
    "hardtanh": lambda F, x: F.hardtanh(x, -1, 1, True),
    "silu": lambda F, x: F.silu(x, inplace=True), "hardswish": lambda F, x: F.hardswish(x, inplace=True),
    "hardsigmoid": lambda F, x: F.hardsigmoid(x, inplace=True), "mish": lambda F, x: F.mish(x, inplace=True),
    "celu_": lambda F, x: F.celu_(x, 0.7), "selu_": lambda F, x: F.selu_(x),
    "threshold_": lambda F, x: F.threshold_(x, 0.0, -9.0), "rrelu_": lambda F, x: F.rrelu_(x, 0.1, 0.3),
}
MODULES = {
    "ReLU": lambda nn: nn.ReLU(True), "ReLU6": lambda nn: nn.ReLU6(True),
    "ELU": lambda nn: nn.ELU(inplace=True),
    "SELU": lambda nn: nn.SELU(True), "CELU": lambda nn: nn.CELU(0.7, True),
    "LeakyReLU": lambda nn: nn.LeakyReLU(0.2, True), "RReLU": lambda nn: nn.RReLU(0.1, 0.3, True).eval(),
    "Threshold": lambda nn: nn.Threshold(0.0, -9.0, True), "Hardtanh": lambda nn: nn.Hardtanh(inplace=True),
    "SiLU": lambda nn: nn.SiLU(True), "Hardswish": lambda nn: nn.Hardswish(True),
    "Hardsigmoid": lambda nn: nn.Hardsigmoid(True), "Mish": lambda nn: nn.Mish(True),
}


def _residual(lib, act):
    leaf = lib.tensor(X, requires_grad=True)
    x = leaf * 1
    y = act(x)
    z = x + y  # x has been changed by the in-place activation
    (z * lib.arange(1.0, 7.0, dtype=lib.float64)).sum().backward()
    return y is x, x.detach().numpy(), z.detach().numpy(), leaf.grad.numpy()


def _compare(name, make):
    # rtol: PyTorch's CELU and Hardsigmoid gradients use float32 constants in float64 (~1e-8)
    got, exp = _residual(ag, make(ag)), _residual(torch, make(torch))
    assert got[0] and exp[0], name
    for g, e in zip(got[1:], exp[1:]):
        np.testing.assert_allclose(g, e, rtol=2e-7, atol=1e-12, err_msg=name)


@pytest.mark.parametrize("name", sorted(FUNCTIONAL))
def test_functional_inplace(name):
    _compare(name, lambda lib: lambda x: FUNCTIONAL[name](lib.nn.functional, x))


@pytest.mark.parametrize("name", sorted(MODULES))
def test_module_inplace(name):
    _compare(name, lambda lib: MODULES[name](lib.nn).double())


@pytest.mark.parametrize("call", ["dropout(x, 0.5, True, True)", "dropout2d(x, 0.5, True, True)",
                                  "dropout1d(v, 0.5, True, True)", "alpha_dropout(x, 0.5, True, True)",
                                  "feature_alpha_dropout(x, 0.5, True, True)"])
def test_dropout_inplace_writes_the_input(call):
    ag.manual_seed(0)
    leaf = ag.ones(2, 32, 4, requires_grad=True)
    x = leaf * 1
    before = x.detach().clone().numpy()
    v = x[0]  # a view: the write reaches x
    target = v if "(v," in call else x
    out = eval("ag.nn.functional." + call, {"ag": ag}, {"x": x, "v": v})
    assert out is target
    assert (x.detach().numpy() != before).any()  # something was dropped, in x itself
    (x * 3).sum().backward()
    grad, kept = leaf.grad.numpy(), x.detach().numpy() != 0
    if "(v," in call:  # only x[0] went through dropout
        np.testing.assert_allclose(grad[1], 3.0)
        grad, kept = grad[0], kept[0]
    if "alpha" not in call:
        np.testing.assert_allclose(grad[kept], 6.0)  # 3 * 1 / (1 - p)
        np.testing.assert_allclose(grad[~kept], 0.0)


def test_inplace_on_a_leaf_that_requires_grad_raises():
    for lib in (torch, ag):
        with pytest.raises(RuntimeError, match="leaf"):
            lib.nn.functional.relu(lib.ones(2, requires_grad=True), inplace=True)
        with pytest.raises(RuntimeError, match="leaf"):
            lib.nn.functional.elu(lib.ones(2, requires_grad=True), inplace=True)
