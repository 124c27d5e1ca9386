"""NAdam: Adam with Nesterov momentum, as ``torch.optim.NAdam``."""
from __future__ import annotations

from .optimizer import (hyper, data, Optimizer, _use_grad_for_differentiable, adam_grad, bump, check,
                        check_betas, check_lr, check_unsupported, increment, params_with_grad, step_tensor,
                        update_moments_, zeros_state)

__all__ = ["NAdam", "nadam"]


class NAdam(Optimizer):
    """NAdam (Dozat): Adam whose step looks one momentum step ahead.

    With the momentum schedule ``mu_t = b1 * (1 - 0.5 * 0.96^(t * momentum_decay))``
    and ``P_t`` the product of ``mu_1..mu_t``, the step is
    ``p -= lr * ((1-mu_t)/(1-P_t) * g + mu_{t+1}/(1-P_t*mu_{t+1}) * m) / (sqrt(v/(1-b2^t)) + eps)``,
    as in PyTorch.

    Args:
        params (iterable): parameters or parameter groups to optimize.
        lr (float): learning rate (default: 2e-3).
        betas (Tuple[float, float]): running-average coefficients (default: (0.9, 0.999)).
        eps (float): term added to the denominator (default: 1e-8).
        weight_decay (float): weight decay (default: 0).
        momentum_decay (float): momentum decay (default: 4e-3).
        decoupled_weight_decay (bool): decay the weights directly, as AdamW (NAdamW) (default: False).
        maximize (bool): maximize the objective (default: False).
        foreach: accepted for PyTorch compatibility; the update is the same.
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False):
        check_lr(lr)
        check("eps", eps, eps >= 0.0, "epsilon value")
        betas = check_betas(betas)
        check("weight_decay", weight_decay, weight_decay >= 0.0)
        check("momentum_decay", momentum_decay, momentum_decay >= 0.0)
        check_unsupported(capturable=capturable, differentiable=differentiable)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "momentum_decay": momentum_decay, "decoupled_weight_decay": decoupled_weight_decay,
                    "maximize": maximize, "foreach": foreach, "capturable": capturable,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def _init_group(self, group, params, grads, exp_avgs, exp_avg_sqs, mu_products, state_steps):
        for p in params_with_grad(group):
            state = self.state[p]
            if len(state) == 0:  # lazy state initialization
                state["step"] = step_tensor()
                state["mu_product"] = step_tensor(1.0)
                state["exp_avg"] = zeros_state(p)
                state["exp_avg_sq"] = zeros_state(p)
            params.append(p)
            grads.append(p.grad)
            exp_avgs.append(state["exp_avg"])
            exp_avg_sqs.append(state["exp_avg_sq"])
            mu_products.append(state["mu_product"])
            state_steps.append(state["step"])

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Perform a single optimization step; return the closure's loss (if any)."""
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            params, grads, exp_avgs, exp_avg_sqs, mu_products, state_steps = [], [], [], [], [], []
            self._init_group(group, params, grads, exp_avgs, exp_avg_sqs, mu_products, state_steps)
            beta1, beta2 = group["betas"]
            nadam(params, grads, exp_avgs, exp_avg_sqs, mu_products, state_steps, beta1=beta1, beta2=beta2,
                  lr=hyper(group["lr"]), weight_decay=group["weight_decay"],
                  momentum_decay=group["momentum_decay"], eps=group["eps"],
                  decoupled_weight_decay=group["decoupled_weight_decay"], maximize=group["maximize"])
        return loss


def nadam(params, grads, exp_avgs, exp_avg_sqs, mu_products, state_steps, *, beta1, beta2, lr, weight_decay,
          momentum_decay, eps, decoupled_weight_decay, maximize):
    """The NAdam update, in place on ``params`` and the state tensors."""
    for i, (p, grad) in enumerate(zip(params, grads)):
        xp = p.device.xp
        param = data(p)
        step = increment(state_steps[i])
        bias_correction2 = 1 - beta2 ** step
        g = adam_grad(xp, param, data(grad), lr, weight_decay, decoupled_weight_decay, maximize)
        mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
        mu_products[i]._data *= mu  # kept in the step counter's dtype, as PyTorch
        mu_product = float(mu_products[i].item())
        m, v = data(exp_avgs[i]), data(exp_avg_sqs[i])
        tmp = xp.empty_like(param)
        update_moments_(xp, m, v, g, beta1, beta2, tmp)
        denom = xp.divide(v, bias_correction2)
        xp.sqrt(denom, out=denom)
        denom += eps
        xp.divide(g, denom, out=tmp)
        tmp *= -lr * (1.0 - mu) / (1.0 - mu_product)
        param += tmp
        xp.divide(m, denom, out=tmp)
        tmp *= -lr * mu_next / (1.0 - mu_product * mu_next)
        param += tmp
    bump(params)
