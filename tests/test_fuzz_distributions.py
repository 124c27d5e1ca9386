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
