"""Adagrad, as ``torch.optim.Adagrad``."""
from __future__ import annotations

from .optimizer import _use_grad_for_differentiable
from .optimizer import (hyper, data, Optimizer, bump, check, check_lr, check_unsupported, effective_grad,
                        full_state, increment, params_with_grad, step_tensor)

__all__ = ["Adagrad", "adagrad"]


class Adagrad(Optimizer):
    """Adagrad: per-coordinate steps divided by the root of the summed squared gradients.

    ``s += g²``, then ``p -= clr * g / (sqrt(s) + eps)`` with
    ``clr = lr / (1 + (t-1) * lr_decay)``, as in PyTorch. As there, the state
    (``step`` and ``sum``) is created for every parameter in ``__init__``.

    Args:
        params (iterable): parameters or parameter groups to optimize.
        lr (float): learning rate (default: 1e-2).
        lr_decay (float): learning rate decay (default: 0).
        weight_decay (float): L2 penalty added to the gradient (default: 0).
        initial_accumulator_value (float): starting value of the sums (default: 0).
        eps (float): term added to the denominator (default: 1e-10).
        maximize (bool): maximize the objective (default: False).
        foreach, fused: accepted for PyTorch compatibility; the update is the same.
    """

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
                 foreach=None, *, maximize=False, differentiable=False, fused=None):
        check_lr(lr)
        check("lr_decay", lr_decay, lr_decay >= 0.0)
        check("weight_decay", weight_decay, weight_decay >= 0.0)
        check("initial_accumulator_value", initial_accumulator_value, initial_accumulator_value >= 0.0)
        check("eps", eps, eps >= 0.0, "epsilon value")
        check_unsupported(differentiable=differentiable)
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable, "fused": fused}
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p)

    def _init_state(self, p):
        state = self.state[p]
        state["step"] = step_tensor()
        state["sum"] = full_state(p, self.defaults["initial_accumulator_value"])
        return state

    def _init_group(self, group, params, grads, state_sums, state_steps):
        for p in params_with_grad(group):
            state = self.state[p] or self._init_state(p)  # a parameter added after __init__
            params.append(p)
            grads.append(p.grad)
            state_sums.append(state["sum"])
            state_steps.append(state["step"])

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Perform a single optimization step; return the closure's loss (if any)."""
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            params, grads, state_sums, state_steps = [], [], [], []
            self._init_group(group, params, grads, state_sums, state_steps)
            adagrad(params, grads, state_sums, state_steps, lr=hyper(group["lr"]),
                    weight_decay=group["weight_decay"], lr_decay=group["lr_decay"], eps=group["eps"],
                    maximize=group["maximize"])
        return loss


def adagrad(params, grads, state_sums, state_steps, *, lr, weight_decay, lr_decay, eps, maximize):
    """The Adagrad update, in place on ``params`` and the state tensors."""
    for i, (p, grad) in enumerate(zip(params, grads)):
        xp = p.device.xp
        param = data(p)
        step = increment(state_steps[i])
        g = effective_grad(xp, param, data(grad), weight_decay, maximize)
        clr = lr / (1 + (step - 1) * lr_decay)
        s = data(state_sums[i])
        tmp = xp.multiply(g, g)
        s += tmp
        xp.sqrt(s, out=tmp)
        tmp += eps
        xp.divide(g, tmp, out=tmp)
        tmp *= -clr
        param += tmp
    bump(params)
