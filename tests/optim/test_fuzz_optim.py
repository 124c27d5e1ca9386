"""Regressions found by differential fuzzing of optimizers and schedulers against PyTorch 2.13."""
from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import optim

torch = pytest.importorskip("torch")


def _step_both(name, kwargs, grads, init):
    """Run ``name`` in both libraries over ``grads`` (a list of arrays) from ``init``; return both params."""
    tp = torch.tensor(init, requires_grad=True)
    xp = ag.tensor(init, requires_grad=True)
    topt = getattr(torch.optim, name)([tp], **kwargs)
    xopt = getattr(optim, name)([xp], **kwargs)
    for g in grads:
        tp.grad = torch.tensor(g)
        xp.grad = ag.tensor(g)
        topt.step()
        xopt.step()
    return tp.detach().numpy(), xp.detach().numpy(), topt, xopt


@pytest.mark.parametrize("maximize", [False, True])
def test_rprop_nan_gradient_leaves_the_parameter_as_pytorch(maximize):
    # PyTorch's sign(NaN) is 0: a NaN gradient entry neither moves the parameter nor changes its step size
    nan, inf = float("nan"), float("inf")
    grads = [np.array([1.0, nan, -2.0, inf]), np.array([nan, 3.0, -1.0, -inf]),
             np.array([1.0, 1.0, nan, 2.0])]
    init = np.array([0.5, -1.0, 2.0, 0.25])
    t, x, topt, xopt = _step_both("Rprop", {"lr": 0.1, "maximize": maximize}, grads, init)
    np.testing.assert_allclose(x, t, rtol=1e-12, equal_nan=True)
    ts, xs = topt.state_dict()["state"][0], xopt.state_dict()["state"][0]
    np.testing.assert_allclose(xs["step_size"].numpy(), ts["step_size"].numpy(), rtol=1e-12, equal_nan=True)
    np.testing.assert_allclose(xs["prev"].numpy(), ts["prev"].numpy(), rtol=1e-12, equal_nan=True)
