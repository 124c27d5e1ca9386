"""Regression tests from differential fuzzing of autograd.distributions against torch.distributions."""

import numpy as np
import pytest

import autograd as ag
import autograd.distributions as D

torch = pytest.importorskip("torch")


def test_uniform_log_prob_gradient_is_finite():
    # log_prob's gradient w.r.t. low/high is -+1/(high - low) everywhere (it was NaN everywhere)
    low, high = np.array([0.0, -1.0, 2.0]), np.array([1.0, 0.5, 3.0])
    value = np.array([0.5, 1.0, 2.5])  # the second value lies outside the support
    tl, th = torch.tensor(low, requires_grad=True), torch.tensor(high, requires_grad=True)
    al, ah = ag.tensor(low, requires_grad=True), ag.tensor(high, requires_grad=True)
    tout = torch.distributions.Uniform(tl, th, validate_args=False).log_prob(torch.tensor(value))
    aout = D.Uniform(al, ah, validate_args=False).log_prob(ag.tensor(value))
    np.testing.assert_allclose(aout.detach().numpy(), tout.detach().numpy())
    w = np.array([0.3, -1.2, 0.7])
    (tout * torch.tensor(w)).sum().backward()
    (aout * ag.tensor(w)).sum().backward()
    np.testing.assert_allclose(al.grad.numpy(), tl.grad.numpy())
    np.testing.assert_allclose(ah.grad.numpy(), th.grad.numpy())


@pytest.mark.parametrize("batch", [(), (3,), (2, 3)])
@pytest.mark.parametrize("expand", [True, False])
def test_enumerate_support(batch, expand):
    # Categorical had has_enumerate_support = True but no enumerate_support (AttributeError)
    probs = np.random.default_rng(0).random(batch + (4,))
    for name, kw in (("Categorical", {"probs": probs}), ("OneHotCategorical", {"logits": probs}),
                     ("Bernoulli", {"probs": probs[..., 0]})):
        t = getattr(torch.distributions, name)(**{k: torch.tensor(v) for k, v in kw.items()})
        a = getattr(D, name)(**{k: ag.tensor(v) for k, v in kw.items()})
        assert a.has_enumerate_support == t.has_enumerate_support
        tv, av = t.enumerate_support(expand), a.enumerate_support(expand)
        assert str(av.dtype).split(".")[-1] == str(tv.dtype).split(".")[-1], name
        np.testing.assert_array_equal(av.numpy(), tv.numpy())


def test_icdf_normal_uniform():
    q = np.array([[0.1, 0.5, 0.975]])
    loc, scale = [0.5, -1.0, 2.0], [1.0, 0.5, 3.0]
    tl, ts = torch.tensor(loc, requires_grad=True), torch.tensor(scale, requires_grad=True)
    al, as_ = ag.tensor(loc, requires_grad=True), ag.tensor(scale, requires_grad=True)
    td = torch.distributions
    for tcls, acls, hi in ((td.Normal, D.Normal, False), (td.Uniform, D.Uniform, True)):
        tout = tcls(tl, tl + ts if hi else ts).icdf(torch.tensor(q))
        aout = acls(al, al + as_ if hi else as_).icdf(ag.tensor(q))
        np.testing.assert_allclose(aout.detach().numpy(), tout.detach().numpy(), rtol=1e-12)
        gt = torch.autograd.grad(tout.sum(), [tl, ts])
        ga = ag.autograd.grad(aout.sum(), [al, as_])
        for g1, g2 in zip(gt, ga):
            np.testing.assert_allclose(g2.numpy(), g1.numpy(), rtol=1e-12)


def test_kl_uniform_normal_pairs():
    # (Uniform, Normal) has a closed form in PyTorch, (Normal, Uniform) is inf; both raised NotImplemented
    low, width, loc, scale = [0.5, -1.0], [1.0, 2.5], [0.0, 1.0], [1.5, 0.7]
    tt = [torch.tensor(v, requires_grad=True, dtype=torch.float64) for v in (low, width, loc, scale)]
    aa = [ag.tensor(v, requires_grad=True, dtype=ag.float64) for v in (low, width, loc, scale)]
    td = torch.distributions
    tout = td.kl_divergence(td.Uniform(tt[0], tt[0] + tt[1]), td.Normal(tt[2], tt[3]))
    aout = D.kl_divergence(D.Uniform(aa[0], aa[0] + aa[1]), D.Normal(aa[2], aa[3]))
    np.testing.assert_allclose(aout.detach().numpy(), tout.detach().numpy(), rtol=1e-12)
    for g1, g2 in zip(torch.autograd.grad(tout.sum(), tt), ag.autograd.grad(aout.sum(), aa)):
        np.testing.assert_allclose(g2.numpy(), g1.numpy(), rtol=1e-12)
    tinf = td.kl_divergence(td.Normal(tt[2], tt[3]), td.Uniform(tt[0], tt[0] + tt[1]))
    ainf = D.kl_divergence(D.Normal(aa[2], aa[3]), D.Uniform(aa[0], aa[0] + aa[1]))
    np.testing.assert_array_equal(ainf.numpy(), tinf.detach().numpy())
    assert ainf.dtype == ag.float64


def test_erfinv_and_normal_icdf_near_one():
    # erfinv(1 - 2**-52) was 5.5044 (Newton on erf, which rounds to 1 there); PyTorch 5.8050
    x = np.array([1 - 2.0**-52, 1 - 1e-15, -(1 - 1e-15), 1 - 1e-9, 0.6, -0.3])
    expected = torch.erfinv(torch.tensor(x)).numpy()
    np.testing.assert_allclose(ag.tensor(x).erfinv().numpy(), expected, rtol=1e-14)
    q = np.array([1e-16, 1 - 1e-16, 0.3])
    tout = torch.distributions.Normal(0.0, 2.0).icdf(torch.tensor(q))
    np.testing.assert_allclose(D.Normal(0.0, 2.0).icdf(ag.tensor(q)).numpy(), tout.numpy(), rtol=1e-12)
