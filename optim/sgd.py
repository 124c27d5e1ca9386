"""Stochastic gradient descent (optionally with momentum), as ``torch.optim.SGD``."""
from __future__ import annotations

from autograd.tensor import Tensor

from .optimizer import _use_grad_for_differentiable
from .optimizer import (hyper, data, Optimizer, bump, check, check_lr, check_unsupported, effective_grad,
                        params_with_grad)

__all__ = ["SGD", "sgd"]


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with (Nesterov) momentum.

    With momentum ``mu`` and dampening ``tau`` the update is
    ``b = mu * b + (1 - tau) * g`` (``b = g`` on the first step), then
    ``p -= lr * (g + mu * b if nesterov else b)``, as in PyTorch.

    Args:
        params (iterable): parameters or parameter groups to optimize.
        lr (float): learning rate (default: 1e-3).
        momentum (float): momentum factor (default: 0).
        dampening (float): dampening for momentum (default: 0).
        weight_decay (float): L2 penalty added to the gradient (default: 0).
        nesterov (bool): use Nesterov momentum (default: False).
        maximize (bool): maximize the objective instead of minimizing it (default: False).
        foreach, fused: accepted for PyTorch compatibility; the update is the same.

    Example::

        >>> w = ag.tensor([1.0, 2.0], requires_grad=True)
        >>> opt = optim.SGD([w], lr=0.1, momentum=0.9)
        >>> (w * w).sum().backward()
        >>> opt.step()
        >>> w
        tensor([0.8000, 1.6000], requires_grad=True)
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False, foreach=None, differentiable=False, fused=None):
        check_lr(lr)
        check("momentum", momentum, momentum >= 0.0)
        check("dampening", dampening, True)
        check("weight_decay", weight_decay, weight_decay >= 0.0)
        check_unsupported(differentiable=differentiable)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening, "weight_decay": weight_decay,
                    "nesterov": nesterov, "maximize": maximize, "foreach": foreach,
                    "differentiable": differentiable, "fused": fused}
        super().__init__(params, defaults)

    def _init_group(self, group, params, grads, momentum_buffer_list):
        for p in params_with_grad(group):
            params.append(p)
            grads.append(p.grad)
            if group["momentum"] != 0:
                momentum_buffer_list.append(self.state[p].get("momentum_buffer"))  # None until the first step

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Perform a single optimization step; return the closure's loss (if any)."""
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            params, grads, momentum_buffer_list = [], [], []
            self._init_group(group, params, grads, momentum_buffer_list)
            sgd(params, grads, momentum_buffer_list, weight_decay=group["weight_decay"],
                momentum=group["momentum"], lr=hyper(group["lr"]), dampening=group["dampening"],
                nesterov=group["nesterov"], maximize=group["maximize"])
            if group["momentum"] != 0:  # the buffers made on this first step join the state
                for p, buf in zip(params, momentum_buffer_list):
                    self.state[p]["momentum_buffer"] = buf
        return loss


def sgd(params, grads, momentum_buffer_list, *, weight_decay, momentum, lr, dampening, nesterov, maximize):
    """The SGD update, in place on ``params``; new buffers are stored into ``momentum_buffer_list``."""
    for i, (p, grad) in enumerate(zip(params, grads)):
        xp = p.device.xp
        param = data(p)
        grad_data = data(grad)
        g = effective_grad(xp, param, grad_data, weight_decay, maximize)
        owned = g is not grad_data  # a scratch array this update may overwrite
        if momentum != 0:
            buf = momentum_buffer_list[i]
            if buf is None:
                buf = momentum_buffer_list[i] = Tensor._make(g.reshape(p._data.shape).copy(), p.device)
            else:
                b = data(buf)
                b *= momentum
                if dampening == 0:
                    b += g
                else:
                    b += xp.multiply(g, 1 - dampening)
            if nesterov:
                d = xp.multiply(data(buf), momentum)
                d += g
                g, owned = d, True
            else:
                g, owned = data(buf), False
        if owned:
            g *= -lr
            param += g
        else:
            param += xp.multiply(g, -lr)
    bump(params)
