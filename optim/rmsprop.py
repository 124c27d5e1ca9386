"""RMSprop, as ``torch.optim.RMSprop``."""
from __future__ import annotations

from .optimizer import _use_grad_for_differentiable
from .optimizer import (hyper, data, Optimizer, bump, check, check_lr, check_unsupported, effective_grad,
                        increment, lerp_, params_with_grad, step_tensor, zeros_state)

__all__ = ["RMSprop", "rmsprop"]


class RMSprop(Optimizer):
    """RMSprop: gradient steps divided by a running root mean square of the gradient.

    ``v = alpha*v + (1-alpha)*g²``; with ``centered`` the running mean ``a`` of
    the gradient is subtracted (``v - a²``); then ``p -= lr * g / (sqrt(v) + eps)``,
    through a momentum buffer when ``momentum > 0``, as in PyTorch.

    Args:
        params (iterable): parameters or parameter groups to optimize.
        lr (float): learning rate (default: 1e-2).
        alpha (float): smoothing constant (default: 0.99).
        eps (float): term added to the denominator (default: 1e-8).
        weight_decay (float): L2 penalty added to the gradient (default: 0).
        momentum (float): momentum factor (default: 0).
        centered (bool): normalize by an estimate of the gradient's variance (default: False).
        maximize (bool): maximize the objective (default: False).
        foreach: accepted for PyTorch compatibility; the update is the same.
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        check_lr(lr)
        check("eps", eps, eps >= 0.0, "epsilon value")
        check("momentum", momentum, momentum >= 0.0)
        check("weight_decay", weight_decay, weight_decay >= 0.0)
        check("alpha", alpha, alpha >= 0.0)
        check_unsupported(capturable=capturable, differentiable=differentiable)
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps, "centered": centered,
                    "weight_decay": weight_decay, "capturable": capturable, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable}
        super().__init__(params, defaults)

    def _init_group(self, group, params, grads, square_avgs, momentum_buffer_list, grad_avgs, state_steps):
        for p in params_with_grad(group):
            state = self.state[p]
            if len(state) == 0:  # lazy state initialization
                state["step"] = step_tensor()
                state["square_avg"] = zeros_state(p)
                if group["momentum"] > 0:
                    state["momentum_buffer"] = zeros_state(p)
                if group["centered"]:
                    state["grad_avg"] = zeros_state(p)
            params.append(p)
            grads.append(p.grad)
            square_avgs.append(state["square_avg"])
            if group["momentum"] > 0:
                momentum_buffer_list.append(state["momentum_buffer"])
            if group["centered"]:
                grad_avgs.append(state["grad_avg"])
            state_steps.append(state["step"])

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Perform a single optimization step; return the closure's loss (if any)."""
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            params, grads, square_avgs, momentum_buffer_list, grad_avgs, state_steps = [], [], [], [], [], []
            self._init_group(group, params, grads, square_avgs, momentum_buffer_list, grad_avgs, state_steps)
            rmsprop(params, grads, square_avgs, grad_avgs, momentum_buffer_list, state_steps,
                    lr=hyper(group["lr"]), alpha=group["alpha"], eps=group["eps"],
                    weight_decay=group["weight_decay"], momentum=group["momentum"],
                    centered=group["centered"], maximize=group["maximize"])
        return loss


def rmsprop(params, grads, square_avgs, grad_avgs, momentum_buffer_list, state_steps, *, lr, alpha, eps,
            weight_decay, momentum, centered, maximize):
    """The RMSprop update, in place on ``params`` and the state tensors."""
    for i, (p, grad) in enumerate(zip(params, grads)):
        xp = p.device.xp
        param = data(p)
        increment(state_steps[i])
        g = effective_grad(xp, param, data(grad), weight_decay, maximize)
        v = data(square_avgs[i])
        avg = xp.empty_like(param)
        v *= alpha
        xp.multiply(g, g, out=avg)
        avg *= 1 - alpha
        v += avg
        if centered:
            a = data(grad_avgs[i])
            lerp_(xp, a, g, 1 - alpha, avg)
            xp.multiply(a, a, out=avg)
            xp.subtract(v, avg, out=avg)
            xp.sqrt(avg, out=avg)
        else:
            xp.sqrt(v, out=avg)
        avg += eps
        xp.divide(g, avg, out=avg)
        if momentum > 0:
            buf = data(momentum_buffer_list[i])
            buf *= momentum
            buf += avg
            xp.multiply(buf, -lr, out=avg)
        else:
            avg *= -lr
        param += avg
    bump(params)
