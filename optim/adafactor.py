"""Adafactor: Adam-like steps with a factored second moment, as ``torch.optim.Adafactor``."""
from __future__ import annotations

from autograd.tensor import Tensor

from .optimizer import (hyper, data, Optimizer, _use_grad_for_differentiable, bump, increment, lerp_,
                        params_with_grad, scalar, step_tensor, zeros_state)

__all__ = ["Adafactor", "adafactor"]


class Adafactor(Optimizer):
    """Adafactor (Shazeer & Stern), in PyTorch's form (no first moment, relative step sizes).

    For a matrix (or a batch of them: the last two dimensions are factored) the
    second moment is kept as a row and a column average of ``g²``,
    ``R = lerp(R, mean_cols(g²), t^beta2_decay)`` and likewise ``C``, and
    estimated as ``R C / mean(R)``; a vector keeps the full average. The step
    ``u = g / sqrt(max(v, eps1²))`` is clipped to RMS ``d`` and scaled by
    ``alpha = max(eps2, RMS(p)) * min(lr, 1/sqrt(t))``.

    Args:
        params (iterable): parameters or parameter groups to optimize.
        lr (float): the cap of the relative step size (default: 1e-2).
        beta2_decay (float): decay rate exponent of the second moment, <= 0 (default: -0.8).
        eps (Tuple[float or None, float]): ``eps1`` floors the second moment
            (None: the parameters' dtype's machine epsilon) and ``eps2`` floors
            the parameter RMS in ``alpha`` (default: (None, 1e-3)).
        d (float): clipping threshold of the update's RMS (default: 1.0).
        weight_decay (float): decoupled weight decay, ``p *= 1 - lr * weight_decay`` (default: 0).
        maximize (bool): maximize the objective (default: False).
        foreach: accepted for PyTorch compatibility; the update is the same.

    Example::

        >>> w = ag.tensor([[1.0, -2.0], [0.5, 3.0]], requires_grad=True)
        >>> opt = optim.Adafactor([w], lr=0.1)
        >>> (w * w).sum().backward()
        >>> opt.step()
        >>> w
        tensor([[ 0.7322, -1.8339],
                [ 0.4016,  2.8169]], requires_grad=True)
    """

    def __init__(self, params, lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3), d=1.0, weight_decay=0.0, *,
                 foreach=None, maximize=False):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= scalar(lr):
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 >= beta2_decay:
            raise ValueError(f"beta2_decay should be <= 0 but is: {beta2_decay}")
        if eps[0] is not None and not 0.0 <= eps[0]:
            raise ValueError(f"epsilon1 should be >= 0 but is: {eps[0]}")
        if not 0.0 <= eps[1]:
            raise ValueError(f"epsilon2 should be >= 0 but is: {eps[1]}")
        if not 1.0 <= d:
            raise ValueError(f"Clipping threshold d should be >= 1 but is: {d}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight_decay should be >= 0 but is: {weight_decay}")
        defaults = {"lr": lr, "beta2_decay": beta2_decay, "eps": eps, "d": d, "weight_decay": weight_decay,
                    "foreach": foreach, "maximize": maximize}
        super().__init__(params, defaults)

    def _init_group(self, group, params, grads, row_vars, col_vars, variances, state_steps):
        for p in params_with_grad(group):
            state = self.state[p]
            if len(state) == 0:  # lazy state initialization
                state["step"] = step_tensor()
                if p.grad.ndim > 1:  # the factors: the last dimension, then the one before, reduced to 1
                    xp, shape = p.device.xp, tuple(p.grad.shape)
                    state["row_var"] = Tensor._make(xp.zeros(shape[:-1] + (1,), p.grad._data.dtype), p.device)
                    state["col_var"] = Tensor._make(
                        xp.zeros(shape[:-2] + (1,) + shape[-1:], p.grad._data.dtype), p.device)
                else:
                    state["variance"] = zeros_state(p.grad)
            params.append(p)
            grads.append(p.grad)
            row_vars.append(state.get("row_var"))
            col_vars.append(state.get("col_var"))
            variances.append(state.get("variance"))
            state_steps.append(state["step"])

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Perform a single optimization step; return the closure's loss (if any)."""
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            params, grads, row_vars, col_vars, variances, state_steps = [], [], [], [], [], []
            self._init_group(group, params, grads, row_vars, col_vars, variances, state_steps)
            eps1, eps2 = group["eps"]
            adafactor(params, grads, row_vars, col_vars, variances, state_steps, d=group["d"],
                      lr=hyper(group["lr"]), beta2_decay=group["beta2_decay"],
                      weight_decay=group["weight_decay"], eps1=eps1, eps2=eps2, maximize=group["maximize"])
        return loss


def _rms(xp, a):
    return float(xp.sqrt(xp.sum(a * a))) / a.size ** 0.5


def adafactor(params, grads, row_vars, col_vars, variances, state_steps, *, d, lr, beta2_decay, weight_decay,
              eps1, eps2, maximize):
    """The Adafactor update, in place on ``params`` and the state tensors."""
    for i, (p, grad) in enumerate(zip(params, grads)):
        xp = p.device.xp
        param, g = data(p), data(grad)
        if maximize:
            g = -g
        if eps1 is None:  # as PyTorch: the first parameter's dtype sets it for the whole group
            eps1 = float(xp.finfo(param.dtype).eps)
        step = increment(state_steps[i])
        one_minus_beta2_t = step ** beta2_decay
        rho_t = min(lr, 1 / (step ** 0.5))
        alpha = max(eps2, _rms(xp, param)) * rho_t
        if weight_decay != 0:
            param *= 1 - lr * weight_decay
        if g.ndim > 1:
            sq = xp.multiply(g, g)
            row_var, col_var = data(row_vars[i]), data(col_vars[i])
            lerp_(xp, row_var, sq.mean(axis=-1, keepdims=True), one_minus_beta2_t, xp.empty_like(row_var))
            lerp_(xp, col_var, sq.mean(axis=-2, keepdims=True), one_minus_beta2_t, xp.empty_like(col_var))
            var_estimate = xp.matmul(row_var, col_var)
            var_estimate /= xp.maximum(row_var.mean(axis=-2, keepdims=True), eps1)
        else:
            variance = data(variances[i])
            lerp_(xp, variance, xp.multiply(g, g), one_minus_beta2_t, xp.empty_like(variance))
            var_estimate = variance.copy()
        update = xp.maximum(var_estimate, eps1 * eps1, out=var_estimate)
        xp.sqrt(update, out=update)
        xp.divide(1.0, update, out=update)  # rsqrt, then times the gradient (PyTorch's order)
        update *= g
        denom = max(1.0, _rms(xp, update) / d)
        update *= -alpha / denom
        param += update
    bump(params)
