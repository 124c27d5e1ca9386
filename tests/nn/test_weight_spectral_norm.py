"""nn.utils.weight_norm / spectral_norm (PyTorch's hook API): keys, values, gradients, removal."""
from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn


def _load(m, tm):
    m.load_state_dict({k: ag.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})


@pytest.mark.parametrize("dim", [0, 1, None])
def test_weight_norm_values_grads_and_removal(dim):
    m = nn.utils.weight_norm(nn.Conv2d(3, 4, 3).double(), dim=dim)
    assert list(m.state_dict()) == ["bias", "weight_g", "weight_v"]
    v = m.weight_v.detach().numpy()
    g_shape = {0: (4, 1, 1, 1), 1: (1, 3, 1, 1), None: ()}[dim]
    assert m.weight_g.shape == g_shape
    axes = tuple(a for a in range(4) if dim is None or a != dim)
    norm = np.sqrt((v ** 2).sum(axis=axes, keepdims=dim is not None))
    np.testing.assert_allclose(m.weight_g.detach().numpy(), norm)
    with ag.no_grad():
        m.weight_g.mul_(2.0)
    x = ag.tensor(np.random.default_rng(0).standard_normal((2, 3, 5, 5)))
    y = m(x)
    np.testing.assert_allclose(m.weight.detach().numpy(), 2 * v)  # g * v / ||v|| with g = 2 ||v||
    y.sum().backward()
    assert m.weight_g.grad is not None and m.weight_v.grad is not None
    nn.utils.remove_weight_norm(m)
    assert list(m.state_dict()) == ["bias", "weight"] and isinstance(m.weight, nn.Parameter)
    np.testing.assert_allclose(m.weight.detach().numpy(), 2 * v)
    with pytest.raises(ValueError, match="weight_norm of 'weight' not found"):
        nn.utils.remove_weight_norm(m)


def test_weight_norm_matches_torch():
    torch = pytest.importorskip("torch")
    tm = torch.nn.utils.weight_norm(torch.nn.Linear(5, 3).double())
    m = nn.utils.weight_norm(nn.Linear(5, 3).double())
    _load(m, tm)
    xs = np.random.default_rng(1).standard_normal((4, 5))
    tm(torch.tensor(xs)).square().sum().backward()
    y = m(ag.tensor(xs))
    y.square().sum().backward()
    np.testing.assert_allclose(y.detach().numpy(), tm(torch.tensor(xs)).detach().numpy(), rtol=1e-12)
    for name in ("weight_g", "weight_v", "bias"):
        np.testing.assert_allclose(getattr(m, name).grad.numpy(), getattr(tm, name).grad.numpy(), rtol=1e-10)


def test_spectral_norm_converges_to_the_top_singular_value():
    m = nn.utils.spectral_norm(nn.Linear(6, 8).double(), n_power_iterations=3)
    assert list(m.state_dict()) == ["bias", "weight_orig", "weight_u", "weight_v"]
    assert [n for n, _ in m.named_parameters()] == ["bias", "weight_orig"]
    x = ag.ones(1, 6, dtype=ag.float64)
    for _ in range(30):
        m(x)
    w = m.weight_orig.detach().numpy()
    sigma = np.linalg.svd(w, compute_uv=False)[0]
    np.testing.assert_allclose(m.weight.detach().numpy(), w / sigma, rtol=1e-8)
    m.eval()
    u = m.weight_u.numpy().copy()
    m(x)
    np.testing.assert_array_equal(m.weight_u.numpy(), u)  # eval: no power iteration
    nn.utils.remove_spectral_norm(m)
    assert list(m.state_dict()) == ["bias", "weight"]
    with pytest.raises(RuntimeError, match="Cannot register two spectral_norm hooks"):
        nn.utils.spectral_norm(nn.utils.spectral_norm(nn.Linear(2, 2)))


def test_spectral_norm_matches_torch_training_and_eval():
    torch = pytest.importorskip("torch")
    tm = torch.nn.utils.spectral_norm(torch.nn.ConvTranspose2d(3, 4, 2).double(), n_power_iterations=2)
    m = nn.utils.spectral_norm(nn.ConvTranspose2d(3, 4, 2).double(), n_power_iterations=2)
    assert list(m.state_dict()) == list(tm.state_dict())
    _load(m, tm)
    xs = np.random.default_rng(2).standard_normal((2, 3, 4, 4))
    for train in (True, True, False):
        m.train(train)
        tm.train(train)
        for p in (*m.parameters(), *tm.parameters()):
            p.grad = None
        ty = tm(torch.tensor(xs))
        ty.square().sum().backward()
        y = m(ag.tensor(xs))
        y.square().sum().backward()
        np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(m.weight_orig.grad.numpy(), tm.weight_orig.grad.numpy(), rtol=1e-8,
                                   atol=1e-12)
        for b in ("weight_u", "weight_v"):
            np.testing.assert_allclose(getattr(m, b).numpy(), getattr(tm, b).numpy(), rtol=1e-10)
