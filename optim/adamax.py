"""Adamax: Adam with the infinity norm, as ``torch.optim.Adamax``."""
from __future__ import annotations

from .optimizer import (hyper, data, Optimizer, _use_grad_for_differentiable, bump, check, check_betas,
                        check_lr, check_unsupported, effective_grad, increment, lerp_, params_with_grad,
                        step_tensor, zeros_state)

__all__ = ["Adamax", "adamax"]


class Adamax(Optimizer):
    """Adamax (Kingma & Ba): Adam's second moment replaced by a decaying infinity norm.

    ``m = b1*m + (1-b1)*g``, ``u = max(b2*u, |g| + eps)``, then
    ``p -= lr/(1-b1^t) * m / u``, as in PyTorch.

    Args:
        params (iterable): parameters or parameter groups to optimize.
        lr (float): learning rate (default: 2e-3).
        betas (Tuple[float, float]): coefficients of the running average and of the
            infinity norm (default: (0.9, 0.999)).
        eps (float): term added to ``|g|`` (default: 1e-8).
        weight_decay (float): L2 penalty added to the gradient (default: 0).
        maximize (bool): maximize the objective (default: False).
        foreach: accepted for PyTorch compatibility; the update is the same.
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, foreach=None, *,
                 maximize=False, differentiable=False, capturable=False):
        check_lr(lr)
        check("eps", eps, eps >= 0.0, "epsilon value")
        betas = check_betas(betas)
        check("weight_decay", weight_decay, weight_decay >= 0.0)
        check_unsupported(capturable=capturable, differentiable=differentiable)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable, "capturable": capturable}
        super().__init__(params, defaults)

    def _init_group(self, group, params, grads, exp_avgs, exp_infs, state_steps):
        for p in params_with_grad(group):
            state = self.state[p]
            if len(state) == 0:  # lazy state initialization
                state["step"] = step_tensor()
                state["exp_avg"] = zeros_state(p)
                state["exp_inf"] = zeros_state(p)
            params.append(p)
            grads.append(p.grad)
            exp_avgs.append(state["exp_avg"])
            exp_infs.append(state["exp_inf"])
            state_steps.append(state["step"])

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Perform a single optimization step; return the closure's loss (if any)."""
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            params, grads, exp_avgs, exp_infs, state_steps = [], [], [], [], []
            self._init_group(group, params, grads, exp_avgs, exp_infs, state_steps)
            beta1, beta2 = group["betas"]
            adamax(params, grads, exp_avgs, exp_infs, state_steps, eps=group["eps"], beta1=beta1, beta2=beta2,
                   lr=hyper(group["lr"]), weight_decay=group["weight_decay"], maximize=group["maximize"])
        return loss


def adamax(params, grads, exp_avgs, exp_infs, state_steps, *, eps, beta1, beta2, lr, weight_decay, maximize):
    """The Adamax update, in place on ``params`` and the state tensors."""
    for i, (p, grad) in enumerate(zip(params, grads)):
        xp = p.device.xp
        param = data(p)
        step = increment(state_steps[i])
        g = effective_grad(xp, param, data(grad), weight_decay, maximize)
        m, u = data(exp_avgs[i]), data(exp_infs[i])
        tmp = xp.empty_like(param)
        lerp_(xp, m, g, 1 - beta1, tmp)
        u *= beta2
        xp.abs(g, out=tmp)
        tmp += eps
        xp.maximum(u, tmp, out=u)
        xp.divide(m, u, out=tmp)
        tmp *= -lr / (1 - beta1 ** step)
        param += tmp
    bump(params)
