"""kl_divergence for every registered pair vs closed-form NumPy and PyTorch; registry dispatch."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import autograd.distributions as D

RNG = np.random.default_rng(1)


def _t(a):
    return ag.tensor(a)


def _close(ours, ref, rtol=1e-9):
    np.testing.assert_allclose(ours.detach().numpy(), ref, rtol=rtol, atol=1e-12)


def test_normal_and_independent():
    l1, l2, s1, s2 = RNG.standard_normal(4), RNG.standard_normal(4), RNG.random(4) + 0.3, RNG.random(4) + 0.3
    ref = np.log(s2 / s1) + (s1**2 + (l1 - l2) ** 2) / (2 * s2**2) - 0.5
    _close(D.kl_divergence(D.Normal(_t(l1), _t(s1)), D.Normal(_t(l2), _t(s2))), ref)
    ind = D.kl_divergence(
        D.Independent(D.Normal(_t(l1), _t(s1)), 1), D.Independent(D.Normal(_t(l2), _t(s2)), 1)
    )
    _close(ind, ref.sum())


def test_discrete_pairs():
    p, q = RNG.random((2, 5)), RNG.random((2, 5))
    p[0, 1] = 0.0  # a zero in p contributes nothing
    pn, qn = p / p.sum(-1, keepdims=True), q / q.sum(-1, keepdims=True)
    ref = np.where(pn > 0, pn * (np.log(np.where(pn > 0, pn, 1)) - np.log(qn)), 0).sum(-1)
    _close(D.kl_divergence(D.Categorical(probs=_t(p)), D.Categorical(probs=_t(q))), ref, rtol=1e-7)
    _close(
        D.kl_divergence(D.OneHotCategorical(probs=_t(p)), D.OneHotCategorical(probs=_t(q))), ref, rtol=1e-7
    )
    a, b = np.array([0.2, 0.9, 0.0]), np.array([0.5, 0.1, 0.4])
    ref = np.array([a[i] * np.log(a[i] / b[i]) if a[i] else 0 for i in range(3)]) + (1 - a) * np.log(
        (1 - a) / (1 - b)
    )
    _close(D.kl_divergence(D.Bernoulli(probs=_t(a)), D.Bernoulli(probs=_t(b))), ref, rtol=1e-6)
    assert (
        D.kl_divergence(D.Bernoulli(probs=_t(np.array([0.5]))), D.Bernoulli(probs=_t(np.array([0.0])))).item()
        == np.inf
    )


def test_uniform_and_mvn():
    kl = D.kl_divergence(
        D.Uniform(_t(np.array([0.0, 0.0])), _t(np.array([1.0, 2.0]))),
        D.Uniform(_t(np.array([-1.0, 0.5])), _t(np.array([3.0, 3.0]))),
    )
    assert kl.numpy()[0] == pytest.approx(np.log(4.0)) and kl.numpy()[1] == np.inf
    m1, m2 = RNG.standard_normal((2, 3, 3)), RNG.standard_normal((3, 3))
    c1, c2 = m1 @ np.swapaxes(m1, -1, -2) + np.eye(3), m2 @ m2.T + np.eye(3)
    l1, l2 = RNG.standard_normal((2, 3)), RNG.standard_normal(3)
    inv2 = np.linalg.inv(c2)
    ref = 0.5 * (
        np.trace(inv2 @ c1, axis1=-2, axis2=-1)
        + np.einsum("bi,ij,bj->b", l2 - l1, inv2, l2 - l1)
        - 3
        + np.linalg.slogdet(c2)[1]
        - np.linalg.slogdet(c1)[1]
    )
    p = D.MultivariateNormal(_t(l1), covariance_matrix=_t(c1))
    q = D.MultivariateNormal(_t(l2), scale_tril=_t(np.linalg.cholesky(c2)))
    _close(D.kl_divergence(p, q), ref)
    torch = pytest.importorskip("torch")
    tp = torch.distributions.MultivariateNormal(torch.tensor(l1), covariance_matrix=torch.tensor(c1))
    tq = torch.distributions.MultivariateNormal(torch.tensor(l2), covariance_matrix=torch.tensor(c2))
    _close(D.kl_divergence(p, q), torch.distributions.kl_divergence(tp, tq).numpy())


def test_gradient_flows_and_registry():
    loc = ag.tensor([0.5], requires_grad=True)
    D.kl_divergence(D.Normal(loc, 1.0), D.Normal(0.0, 1.0)).sum().backward()
    assert loc.grad.item() == pytest.approx(0.5)  # d/dmu of mu^2 / 2
    with pytest.raises(NotImplementedError, match="No KL"):
        D.kl_divergence(D.Normal(0.0, 1.0), D.Bernoulli(probs=ag.tensor(0.5)))  # none in PyTorch either

    class MyNormal(D.Normal):
        pass

    _close(D.kl_divergence(MyNormal(0.0, 1.0), D.Normal(1.0, 1.0)), 0.5)  # dispatch through the bases

    @D.register_kl(MyNormal, D.Normal)
    def _mine(p, q):
        return ag.tensor(42.0)

    assert D.kl_divergence(MyNormal(0.0, 1.0), D.Normal(1.0, 1.0)).item() == 42.0
