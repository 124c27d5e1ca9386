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


def test_lbfgs_state_has_no_al_before_a_second_iteration():
    # PyTorch creates state["al"] only when the two-loop recursion first runs (a second inner iteration);
    # xpgrad wrote "al": None after every step, so state_dict()["state"] had an extra non-tensor entry
    init = np.array([1.0, -2.0, 0.5])
    tp, xp = torch.tensor(init, requires_grad=True), ag.tensor(init, requires_grad=True)
    topt, xopt = torch.optim.LBFGS([tp], max_iter=1), optim.LBFGS([xp], max_iter=1)

    def closure(opt, p):
        def f():
            opt.zero_grad()
            loss = ((p - 0.3) ** 4).sum()
            loss.backward()
            return loss
        return f

    for _ in range(3):  # max_iter=1: one iteration per step, each the first of its step
        topt.step(closure(topt, tp))
        xopt.step(closure(xopt, xp))
        assert sorted(xopt.state_dict()["state"][0]) == sorted(topt.state_dict()["state"][0])
    np.testing.assert_allclose(xp.detach().numpy(), tp.detach().numpy(), rtol=1e-12)
    topt2, xopt2 = torch.optim.LBFGS([tp], max_iter=3), optim.LBFGS([xp], max_iter=3)
    topt2.step(closure(topt2, tp))
    xopt2.step(closure(xopt2, xp))
    ts, xs = topt2.state_dict()["state"][0], xopt2.state_dict()["state"][0]
    assert sorted(xs) == sorted(ts) and "al" in xs
    np.testing.assert_allclose(xp.detach().numpy(), tp.detach().numpy(), rtol=1e-12)


def test_user_scheduler_subclassing_the_old_lrscheduler_name():
    # torch.optim.lr_scheduler._LRScheduler (older code subclasses it) did not exist
    def lrs(M, O, T):
        class Decay(M._LRScheduler):
            def get_lr(self):
                if self.last_epoch == 0:
                    return [g["lr"] for g in self.optimizer.param_groups]
                return [g["lr"] * 0.9 for g in self.optimizer.param_groups]

        p = T.zeros(2, requires_grad=True)
        opt = O.SGD([p], lr=0.1)
        sched = Decay(opt)
        assert isinstance(sched, M.LRScheduler)
        out = []
        for _ in range(4):
            p.grad = T.ones(2)
            opt.step()
            sched.step()
            out.append(sched.get_last_lr()[0])
        return out

    np.testing.assert_allclose(lrs(optim.lr_scheduler, optim, ag),
                               lrs(torch.optim.lr_scheduler, torch.optim, torch), rtol=1e-12)
