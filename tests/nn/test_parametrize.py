"""nn.utils.parametrize and parametrizations.weight_norm: keys, values, gradients, removal."""
from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn
from nn.utils import parametrize


class Symmetric(nn.Module):
    def forward(self, x):
        return x.triu() + x.triu(1).t()


def test_register_and_remove_a_custom_parametrization():
    m = nn.Linear(3, 3).double()
    w0 = m.weight
    parametrize.register_parametrization(m, "weight", Symmetric())
    assert parametrize.is_parametrized(m) and parametrize.is_parametrized(m, "weight")
    assert type(m).__name__ == "ParametrizedLinear" and isinstance(m, nn.Linear)
    assert m.parametrizations.weight.original is w0  # same Parameter object: optimizers keep working
    assert list(m.state_dict()) == ["bias", "parametrizations.weight.original"]
    w = m.weight.detach().numpy()
    np.testing.assert_array_equal(w, w.T)
    x = ag.tensor(np.random.default_rng(0).standard_normal((2, 3)))
    m(x).sum().backward()
    g = w0.grad.numpy()  # d/dW0 of sum(x @ S(W0).T): the upper triangle collects both halves
    full = np.tile(x.numpy().sum(0), (3, 1))
    ref = np.triu(full) + np.triu(full.T, 1)
    np.testing.assert_allclose(g, ref)
    parametrize.remove_parametrizations(m, "weight")
    assert type(m) is nn.Linear and list(m.state_dict()) == ["bias", "weight"]
    np.testing.assert_array_equal(m.weight.detach().numpy(), w)
    with pytest.raises(ValueError, match="does not have a parametrization"):
        parametrize.remove_parametrizations(m, "weight")


@pytest.mark.parametrize("dim", [0, 1])
def test_weight_norm_parametrization(dim):
    m = nn.utils.parametrizations.weight_norm(nn.Linear(5, 3).double(), dim=dim)
    keys = ["bias", "parametrizations.weight.original0", "parametrizations.weight.original1"]
    assert list(m.state_dict()) == keys
    g, v = m.parametrizations.weight.original0, m.parametrizations.weight.original1
    vn = v.detach().numpy()
    np.testing.assert_allclose(g.detach().numpy(), np.sqrt((vn ** 2).sum(1 - dim, keepdims=True)))
    np.testing.assert_allclose(m.weight.detach().numpy(), vn, rtol=1e-12)  # g = ||v||: unchanged weight
    torch = pytest.importorskip("torch")
    tm = torch.nn.utils.parametrizations.weight_norm(torch.nn.Linear(5, 3).double(), dim=dim)
    assert list(tm.state_dict()) == keys
    m.load_state_dict({k: ag.tensor(t.detach().numpy()) for k, t in tm.state_dict().items()})
    xs = np.random.default_rng(1).standard_normal((4, 5))
    y, ty = m(ag.tensor(xs)), tm(torch.tensor(xs))
    y.square().sum().backward()
    ty.square().sum().backward()
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-12)
    for i in (0, 1):
        ours = getattr(m.parametrizations.weight, f"original{i}").grad.numpy()
        theirs = getattr(tm.parametrizations.weight, f"original{i}").grad.numpy()
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)
