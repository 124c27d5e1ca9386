"""Averaged stochastic gradient descent, as ``torch.optim.ASGD``."""
from __future__ import annotations

from .optimizer import (hyper, Optimizer, _use_grad_for_differentiable, bump, check, check_lr,
                        check_unsupported, data, effective_grad, increment, params_with_grad, scalar,
                        step_tensor, zeros_state)

__all__ = ["ASGD", "asgd"]


class ASGD(Optimizer):
    """ASGD (Polyak & Juditsky): SGD with a decaying step and a running average of the iterates.

    ``p = p * (1 - lambd*eta) - eta*g``; the average ``ax`` follows ``p``
    (``ax += mu * (p - ax)``) once ``t > t0``; then ``eta = lr / (1 + lambd*lr*t)^alpha``
    and ``mu = 1 / max(1, t - t0)``, as in PyTorch. ``state[p]["ax"]`` holds the
    averaged parameters.

    Args:
        params (iterable): parameters or parameter groups to optimize.
        lr (float): learning rate (default: 1e-2).
        lambd (float): decay term (default: 1e-4).
        alpha (float): power of the eta update (default: 0.75).
        t0 (float): the step at which averaging starts (default: 1e6).
        weight_decay (float): L2 penalty added to the gradient (default: 0).
        maximize (bool): maximize the objective (default: False).
        foreach: accepted for PyTorch compatibility; the update is the same.
    """

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0, foreach=None,
                 maximize=False, differentiable=False, capturable=False):
        check_lr(lr)
        check("weight_decay", weight_decay, weight_decay >= 0.0)
        check_unsupported(capturable=capturable, differentiable=differentiable)
        defaults = {"lr": lr, "lambd": lambd, "alpha": alpha, "t0": t0, "weight_decay": weight_decay,
                    "foreach": foreach, "maximize": maximize, "differentiable": differentiable,
                    "capturable": capturable}
        super().__init__(params, defaults)

    def _init_group(self, group, params, grads, mus, axs, etas, state_steps):
        for p in params_with_grad(group):
            state = self.state[p]
            if len(state) == 0:  # lazy state initialization
                state["step"] = step_tensor()
                state["eta"] = step_tensor(scalar(group["lr"]))
                state["mu"] = step_tensor(1.0)
                state["ax"] = zeros_state(p)
            params.append(p)
            grads.append(p.grad)
            mus.append(state["mu"])
            axs.append(state["ax"])
            etas.append(state["eta"])
            state_steps.append(state["step"])

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Perform a single optimization step; return the closure's loss (if any)."""
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            params, grads, mus, axs, etas, state_steps = [], [], [], [], [], []
            self._init_group(group, params, grads, mus, axs, etas, state_steps)
            asgd(params, grads, axs, mus, etas, state_steps, lambd=group["lambd"], lr=hyper(group["lr"]),
                 t0=group["t0"], alpha=group["alpha"], weight_decay=group["weight_decay"],
                 maximize=group["maximize"])
        return loss


def asgd(params, grads, axs, mus, etas, state_steps, *, lambd, lr, t0, alpha, weight_decay, maximize):
    """The ASGD update, in place on ``params`` and the state tensors."""
    for i, (p, grad) in enumerate(zip(params, grads)):
        xp = p.device.xp
        param = data(p)
        step = increment(state_steps[i])
        g = effective_grad(xp, param, data(grad), weight_decay, maximize)
        eta = float(etas[i].item())
        param *= 1 - lambd * eta
        param += xp.multiply(g, -eta)
        ax, mu = data(axs[i]), float(mus[i].item())
        if mu != 1:
            tmp = xp.subtract(param, ax)
            tmp *= mu
            ax += tmp
        else:
            ax[...] = param
        # through a default-dtype scalar, as PyTorch's torch.as_tensor(...) (rounded when eta is float64)
        etas[i]._data[...] = step_tensor(lr / ((1 + lambd * lr * step) ** alpha)).item()
        mus[i]._data[...] = step_tensor(1 / max(1, step - t0)).item()
    bump(params)
