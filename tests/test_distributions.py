"""autograd.distributions: log_prob / entropy / moments vs closed-form NumPy and PyTorch, rsample gradients
(reparameterisation), sample statistics with fixed seeds, shapes, expand and validate_args errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

import autograd as ag
import autograd.distributions as D

RNG = np.random.default_rng(0)
LOC, SCALE = RNG.standard_normal((3, 2)), RNG.random((3, 2)) + 0.5
X = RNG.standard_normal((4, 3, 2))
LOGITS = RNG.standard_normal((3, 4))
M = RNG.standard_normal((2, 3, 3))
COV = M @ np.swapaxes(M, -1, -2) + 3 * np.eye(3)
MLOC = RNG.standard_normal((2, 3))


def _t(a):
    return ag.tensor(a)


def _close(ours, ref, rtol=1e-10):
    np.testing.assert_allclose(ours.detach().numpy(), ref, rtol=rtol, atol=1e-12)


def test_normal_closed_forms_and_torch():
    d = D.Normal(_t(LOC), _t(SCALE))
    ref = -((X - LOC) ** 2) / (2 * SCALE**2) - np.log(SCALE) - 0.5 * math.log(2 * math.pi)
    _close(d.log_prob(_t(X)), ref)
    _close(d.entropy(), 0.5 + 0.5 * math.log(2 * math.pi) + np.log(SCALE))
    _close(d.mean, LOC), _close(d.stddev, SCALE), _close(d.variance, SCALE**2), _close(d.mode, LOC)
    assert d.batch_shape == (3, 2) and d.event_shape == () and d.sample((5,)).shape == (5, 3, 2)
    torch = pytest.importorskip("torch")
    td = torch.distributions.Normal(torch.tensor(LOC), torch.tensor(SCALE))
    _close(d.log_prob(_t(X)), td.log_prob(torch.tensor(X)).numpy())
    _close(d.cdf(_t(X)), td.cdf(torch.tensor(X)).numpy())


def test_normal_rsample_gradients_are_the_reparameterisation():
    loc, scale = ag.tensor(LOC, requires_grad=True), ag.tensor(SCALE, requires_grad=True)
    ag.manual_seed(3)
    y = D.Normal(loc, scale).rsample((50,))
    ag.manual_seed(3)
    eps = ag.randn(50, 3, 2, dtype=ag.float64).numpy()
    _close(y, LOC + eps * SCALE)
    (y**2).sum().backward()  # d/dloc = sum 2y, d/dscale = sum 2y * eps
    _close(loc.grad, (2 * y.detach().numpy()).sum(0))
    _close(scale.grad, (2 * y.detach().numpy() * eps).sum(0))


def test_sample_statistics():
    ag.manual_seed(0)
    s = D.Normal(_t(np.array([1.0, -2.0])), _t(np.array([0.5, 2.0]))).sample((20000,)).numpy()
    np.testing.assert_allclose(s.mean(0), [1.0, -2.0], atol=0.05)
    np.testing.assert_allclose(s.std(0), [0.5, 2.0], rtol=0.03)
    u = D.Uniform(_t(np.array([0.0, 2.0])), _t(np.array([1.0, 5.0]))).sample((20000,)).numpy()
    np.testing.assert_allclose(u.mean(0), [0.5, 3.5], atol=0.05)
    assert u.min() >= 0 and u[:, 1].max() < 5
    b = D.Bernoulli(probs=_t(np.array([0.1, 0.7]))).sample((20000,)).numpy()
    np.testing.assert_allclose(b.mean(0), [0.1, 0.7], atol=0.02)
    probs = np.array([0.1, 0.0, 0.6, 0.3])
    c = D.Categorical(probs=_t(probs)).sample((20000,)).numpy()
    assert c.dtype == np.int64 and not (c == 1).any()
    np.testing.assert_allclose(np.bincount(c, minlength=4) / 20000, probs, atol=0.02)
    mvn = D.MultivariateNormal(_t(MLOC[0]), covariance_matrix=_t(COV[0])).sample((20000,)).numpy()
    np.testing.assert_allclose(np.cov(mvn.T), COV[0], rtol=0.1, atol=0.15)
    oh = D.OneHotCategorical(probs=_t(probs)).sample((10,)).numpy()
    assert (oh.sum(-1) == 1).all() and oh.shape == (10, 4)


def test_uniform_and_bernoulli():
    low, high = np.array([0.0, -1.0]), np.array([2.0, 3.0])
    u = D.Uniform(_t(low), _t(high), validate_args=False)  # validation refuses values outside the support
    v = np.array([[1.0, 2.5], [2.5, 0.0]])
    lp = u.log_prob(_t(v)).numpy()
    assert lp[1, 0] == -np.inf
    np.testing.assert_allclose(lp[0], -np.log(high - low))
    _close(u.entropy(), np.log(high - low)), _close(u.variance, (high - low) ** 2 / 12)
    p = 1 / (1 + np.exp(-LOGITS))
    for b in (D.Bernoulli(logits=_t(LOGITS)), D.Bernoulli(probs=_t(p))):
        t = (LOGITS > 0).astype(float)
        _close(b.log_prob(_t(t)), t * np.log(p) + (1 - t) * np.log(1 - p), rtol=1e-7)
        _close(b.entropy(), -(p * np.log(p) + (1 - p) * np.log(1 - p)), rtol=1e-7)
        _close(b.mean, p), _close(b.variance, p * (1 - p))
    torch = pytest.importorskip("torch")
    tb = torch.distributions.Bernoulli(logits=torch.tensor(LOGITS))
    _close(D.Bernoulli(logits=_t(LOGITS)).entropy(), tb.entropy().numpy())


def test_categorical_normalises_like_torch():
    probs = np.exp(LOGITS) * 3
    for c in (D.Categorical(logits=_t(LOGITS)), D.Categorical(probs=_t(probs))):
        logp = LOGITS - np.log(np.exp(LOGITS).sum(-1, keepdims=True))
        _close(c.logits, logp, rtol=1e-7)
        _close(c.probs, np.exp(logp))
        v = np.array([[0, 3, 1], [2, 2, 0]])
        _close(
            c.log_prob(_t(v)),
            np.take_along_axis(np.broadcast_to(logp, (2, 3, 4)), v[..., None], -1)[..., 0],
            rtol=1e-7,
        )
        _close(c.entropy(), -(np.exp(logp) * logp).sum(-1), rtol=1e-7)
        assert (
            c.batch_shape == (3,)
            and c.event_shape == ()
            and c.mode.numpy().tolist() == np.argmax(LOGITS, -1).tolist()
        )
    oh = D.OneHotCategorical(logits=_t(LOGITS))
    assert oh.event_shape == (4,)
    _close(oh.log_prob(_t(np.eye(4)[[0, 3, 1]])), [logp[0, 0], logp[1, 3], logp[2, 1]], rtol=1e-7)
    torch = pytest.importorskip("torch")
    tc = torch.distributions.Categorical(probs=torch.tensor(probs))
    _close(D.Categorical(probs=_t(probs)).entropy(), tc.entropy().numpy())


def test_multivariate_normal_parameterisations_agree_and_match_torch():
    low = np.linalg.cholesky(COV)
    x = RNG.standard_normal((5, 2, 3))
    diff = x - MLOC
    maha = np.einsum("...i,...ij,...j->...", diff, np.linalg.inv(COV), diff)
    ref = -0.5 * (3 * math.log(2 * math.pi) + maha) - 0.5 * np.linalg.slogdet(COV)[1]
    dists = [
        D.MultivariateNormal(_t(MLOC), covariance_matrix=_t(COV)),
        D.MultivariateNormal(_t(MLOC), scale_tril=_t(low)),
        D.MultivariateNormal(_t(MLOC), precision_matrix=_t(np.linalg.inv(COV))),
    ]
    for d in dists:
        _close(d.log_prob(_t(x)), ref, rtol=1e-9)
        _close(
            d.entropy(), 0.5 * 3 * (1 + math.log(2 * math.pi)) + 0.5 * np.linalg.slogdet(COV)[1], rtol=1e-9
        )
        (
            _close(d.covariance_matrix, COV, rtol=1e-9),
            _close(d.variance, np.diagonal(COV, 0, -2, -1), rtol=1e-9),
        )
        assert d.batch_shape == (2,) and d.event_shape == (3,)
    torch = pytest.importorskip("torch")
    td = torch.distributions.MultivariateNormal(torch.tensor(MLOC), covariance_matrix=torch.tensor(COV))
    _close(dists[0].log_prob(_t(x)), td.log_prob(torch.tensor(x)).numpy(), rtol=1e-9)


def test_mvn_rsample_gradient_matches_torch_given_the_same_noise():
    torch = pytest.importorskip("torch")
    loc, cov = ag.tensor(MLOC, requires_grad=True), ag.tensor(COV, requires_grad=True)
    ag.manual_seed(7)
    y = D.MultivariateNormal(loc, covariance_matrix=cov).rsample((4,))
    ag.manual_seed(7)
    eps = ag.randn(4, 2, 3, dtype=ag.float64).numpy()
    (y.sin()).sum().backward()
    tl, tc = torch.tensor(MLOC, requires_grad=True), torch.tensor(COV, requires_grad=True)
    ty = tl + (torch.linalg.cholesky(tc) @ torch.tensor(eps).unsqueeze(-1)).squeeze(-1)
    ty.sin().sum().backward()
    _close(y, ty.detach().numpy(), rtol=1e-9)
    _close(loc.grad, tl.grad.numpy(), rtol=1e-9)
    _close(cov.grad, tc.grad.numpy(), rtol=1e-8)


def test_independent_and_expand():
    ind = D.Independent(D.Normal(_t(LOC), _t(SCALE)), 1)
    assert ind.batch_shape == (3,) and ind.event_shape == (2,)
    _close(ind.log_prob(_t(X)), D.Normal(_t(LOC), _t(SCALE)).log_prob(_t(X)).numpy().sum(-1))
    e = D.Normal(_t(LOC[0]), _t(SCALE[0])).expand((5, 2))
    assert e.batch_shape == (5, 2) and e.sample().shape == (5, 2)
    c = D.Categorical(logits=_t(LOGITS[0])).expand((6,))
    assert c.batch_shape == (6,) and c.sample().shape == (6,)
    with pytest.raises(ValueError, match="Expected reinterpreted_batch_ndims <= len"):
        D.Independent(D.Normal(_t(LOC), _t(SCALE)), 3)


def test_validate_args_errors_like_torch():
    with pytest.raises(
        ValueError,
        match=r"Expected parameter scale .* to satisfy the constraint "
        r"GreaterThan\(lower_bound=0.0\), but found invalid values",
    ):
        D.Normal(0.0, -1.0)
    D.Normal(0.0, -1.0, validate_args=False)
    with pytest.raises(ValueError, match="Either `probs` or `logits` must be specified, but not both"):
        D.Bernoulli()
    with pytest.raises(ValueError, match="Uniform is not defined when low>= high"):
        D.Uniform(1.0, 0.0)
    with pytest.raises(ValueError, match="Expected value argument .* to be within the support"):
        D.Bernoulli(probs=ag.tensor([0.5])).log_prob(ag.tensor([0.5]))
    with pytest.raises(ValueError, match="The value argument to log_prob must be a Tensor"):
        D.Normal(0.0, 1.0).log_prob(0.5)
    with pytest.raises(
        ValueError, match="Exactly one of covariance_matrix or precision_matrix or scale_tril"
    ):
        D.MultivariateNormal(ag.zeros(2))
    with pytest.raises(ValueError, match="to satisfy the constraint"):
        D.MultivariateNormal(ag.zeros(2), covariance_matrix=ag.tensor([[1.0, 2.0], [2.0, 1.0]]))
    try:
        D.Distribution.set_default_validate_args(False)
        D.Normal(0.0, -1.0)
    finally:
        D.Distribution.set_default_validate_args(True)
    with pytest.raises(ValueError):
        D.Distribution.set_default_validate_args("yes")
    assert ag.distributions is D


def test_docstring_examples_run():
    import doctest

    from autograd import linalg
    from autograd.distributions import normal

    for mod in (D, normal, linalg):
        result = doctest.testmod(mod, extraglobs={"ag": ag}, optionflags=doctest.ELLIPSIS)
        assert result.failed == 0 and result.attempted > 0, mod.__name__
