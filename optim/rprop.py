"""Resilient backpropagation, as ``torch.optim.Rprop``."""
from __future__ import annotations

from autograd.ops._util import sign_array

from .optimizer import _use_grad_for_differentiable
from .optimizer import (data, Optimizer, bump, check_lr, check_unsupported, effective_grad, full_state,
                        increment, params_with_grad, scalar, step_tensor, zeros_state)

__all__ = ["Rprop", "rprop"]


class Rprop(Optimizer):
    """Rprop: per-coordinate step sizes adapted from the signs of successive gradients.

    Where the gradient keeps its sign the step size grows by ``etaplus``, where
    it flips it shrinks by ``etaminus`` (and that coordinate skips this step),
    clamped to ``step_sizes``; then ``p -= sign(g) * step_size``, as in PyTorch.

    Args:
        params (iterable): parameters or parameter groups to optimize.
        lr (float): initial step size (default: 1e-2).
        etas (Tuple[float, float]): ``(etaminus, etaplus)``, with
            ``0 < etaminus < 1 < etaplus`` (default: (0.5, 1.2)).
        step_sizes (Tuple[float, float]): minimal and maximal step sizes (default: (1e-6, 50)).
        maximize (bool): maximize the objective (default: False).
        foreach: accepted for PyTorch compatibility; the update is the same.
    """

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *, capturable=False,
                 foreach=None, maximize=False, differentiable=False):
        check_lr(lr)
        etas, step_sizes = tuple(etas), tuple(step_sizes)
        if len(etas) != 2 or len(step_sizes) != 2:
            raise ValueError(f"Invalid etas or step_sizes: expected pairs, got {etas} and {step_sizes}")
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        if not 0.0 <= step_sizes[0] <= step_sizes[1]:
            raise ValueError(f"Invalid step_sizes values: {step_sizes[0]}, {step_sizes[1]}")
        check_unsupported(capturable=capturable, differentiable=differentiable)
        defaults = {"lr": lr, "etas": etas, "step_sizes": step_sizes, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable, "capturable": capturable}
        super().__init__(params, defaults)

    def _init_group(self, group, params, grads, prevs, step_sizes, state_steps):
        for p in params_with_grad(group):
            state = self.state[p]
            if len(state) == 0:  # lazy state initialization
                state["step"] = step_tensor()
                state["prev"] = zeros_state(p)
                state["step_size"] = full_state(p, scalar(group["lr"]))
            params.append(p)
            grads.append(p.grad)
            prevs.append(state["prev"])
            step_sizes.append(state["step_size"])
            state_steps.append(state["step"])

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Perform a single optimization step; return the closure's loss (if any)."""
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            params, grads, prevs, step_sizes, state_steps = [], [], [], [], []
            self._init_group(group, params, grads, prevs, step_sizes, state_steps)
            etaminus, etaplus = group["etas"]
            step_size_min, step_size_max = group["step_sizes"]
            rprop(params, grads, prevs, step_sizes, state_steps, step_size_min=step_size_min,
                  step_size_max=step_size_max, etaminus=etaminus, etaplus=etaplus, maximize=group["maximize"])
        return loss


def rprop(params, grads, prevs, step_sizes, state_steps, *, step_size_min, step_size_max, etaminus, etaplus,
          maximize):
    """The Rprop update, in place on ``params`` and the state tensors."""
    for i, (p, grad) in enumerate(zip(params, grads)):
        xp = p.device.xp
        param = data(p)
        increment(state_steps[i])
        g = effective_grad(xp, param, data(grad), 0, maximize)
        prev, step_size = data(prevs[i]), data(step_sizes[i])
        factor = sign_array(xp, xp.multiply(g, prev))  # PyTorch's sign: 0 for NaN (no step, step size kept)
        flipped = factor < 0
        factor[factor > 0] = etaplus
        factor[flipped] = etaminus
        factor[factor == 0] = 1
        step_size *= factor
        xp.clip(step_size, step_size_min, step_size_max, out=step_size)
        # where the sign flipped the gradient counts as zero: no step now, no flip next time
        prev[...] = g
        prev[flipped] = 0
        factor = sign_array(xp, prev)
        factor *= step_size
        param -= factor
    bump(params)
