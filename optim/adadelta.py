"""Adadelta, as ``torch.optim.Adadelta``."""
from __future__ import annotations

from .optimizer import _use_grad_for_differentiable
from .optimizer import (hyper, data, Optimizer, bump, check, check_lr, check_unsupported, effective_grad,
                        increment, params_with_grad, step_tensor, zeros_state)

__all__ = ["Adadelta", "adadelta"]


class Adadelta(Optimizer):
    """Adadelta: steps scaled by the ratio of running RMS of past updates and of gradients.

    ``v = rho*v + (1-rho)*g²``, ``d = sqrt(u + eps) / sqrt(v + eps) * g``,
    ``u = rho*u + (1-rho)*d²``, then ``p -= lr * d``, as in PyTorch.

    Args:
        params (iterable): parameters or parameter groups to optimize.
        lr (float): coefficient that scales the update (default: 1.0).
        rho (float): running-average coefficient, in [0, 1] (default: 0.9).
        eps (float): term added inside the square roots (default: 1e-6).
        weight_decay (float): L2 penalty added to the gradient (default: 0).
        maximize (bool): maximize the objective (default: False).
        foreach: accepted for PyTorch compatibility; the update is the same.
    """

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *, capturable=False,
                 maximize=False, differentiable=False):
        check_lr(lr)
        check("rho", rho, 0.0 <= rho <= 1.0)
        check("eps", eps, eps >= 0.0, "epsilon value")
        check("weight_decay", weight_decay, weight_decay >= 0.0)
        check_unsupported(capturable=capturable, differentiable=differentiable)
        defaults = {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay, "maximize": maximize,
                    "capturable": capturable, "foreach": foreach, "differentiable": differentiable}
        super().__init__(params, defaults)

    def _init_group(self, group, params, grads, square_avgs, acc_deltas, state_steps):
        for p in params_with_grad(group):
            state = self.state[p]
            if len(state) == 0:  # lazy state initialization
                state["step"] = step_tensor()
                state["square_avg"] = zeros_state(p)
                state["acc_delta"] = zeros_state(p)
            params.append(p)
            grads.append(p.grad)
            square_avgs.append(state["square_avg"])
            acc_deltas.append(state["acc_delta"])
            state_steps.append(state["step"])

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Perform a single optimization step; return the closure's loss (if any)."""
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            params, grads, square_avgs, acc_deltas, state_steps = [], [], [], [], []
            self._init_group(group, params, grads, square_avgs, acc_deltas, state_steps)
            adadelta(params, grads, square_avgs, acc_deltas, state_steps, lr=hyper(group["lr"]),
                     rho=group["rho"], eps=group["eps"], weight_decay=group["weight_decay"],
                     maximize=group["maximize"])
        return loss


def adadelta(params, grads, square_avgs, acc_deltas, state_steps, *, lr, rho, eps, weight_decay, maximize):
    """The Adadelta update, in place on ``params`` and the state tensors."""
    for i, (p, grad) in enumerate(zip(params, grads)):
        xp = p.device.xp
        param = data(p)
        increment(state_steps[i])
        g = effective_grad(xp, param, data(grad), weight_decay, maximize)
        v, u = data(square_avgs[i]), data(acc_deltas[i])
        tmp = xp.multiply(g, g)
        tmp *= 1 - rho
        v *= rho
        v += tmp
        std = xp.add(v, eps)
        xp.sqrt(std, out=std)
        delta = xp.add(u, eps, out=tmp)
        xp.sqrt(delta, out=delta)
        delta /= std
        delta *= g
        u *= rho
        xp.multiply(delta, delta, out=std)
        std *= 1 - rho
        u += std
        delta *= -lr
        param += delta
    bump(params)
