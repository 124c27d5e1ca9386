"""Muon: momentum orthogonalized by Newton-Schulz iterations, as ``torch.optim.Muon``."""
from __future__ import annotations

import math

from .optimizer import (hyper, Optimizer, _use_grad_for_differentiable, bump, data, lerp_, params_with_grad,
                        scalar, zeros_state)

__all__ = ["Muon", "muon"]

EPS = 1e-7
DEFAULT_A = 3.4445
DEFAULT_B = -4.7750
DEFAULT_C = 2.0315
DEFAULT_NS_STEPS = 5


class Muon(Optimizer):
    """Muon (Keller Jordan et al.): SGD momentum whose update is orthogonalized, for 2-D parameters.

    ``B = lerp(B, g, 1 - momentum)``, the update ``O = NS(lerp(g, B, momentum)
    if nesterov else B)`` (``ns_steps`` quintic Newton-Schulz iterations with
    coefficients ``(a, b, c)``, in bfloat16 as PyTorch runs them), then
    ``p *= 1 - lr * weight_decay`` and ``p -= adjusted_lr * O``, where
    ``adjusted_lr = lr * sqrt(max(1, A/B))`` ("original") or
    ``0.2 * lr * sqrt(max(A, B))`` ("match_rms_adamw") for an ``A x B`` parameter.

    Args:
        params (iterable): 2-D parameters or parameter groups to optimize (optimize
            biases, embeddings and the like with another optimizer, such as AdamW).
        lr (float): learning rate (default: 1e-3).
        weight_decay (float): decoupled weight decay (default: 0.1).
        momentum (float): momentum factor (default: 0.95).
        nesterov (bool): use Nesterov momentum (default: True).
        ns_coefficients (Tuple[float, float, float]): the Newton-Schulz polynomial's
            coefficients (default: (3.4445, -4.7750, 2.0315)).
        eps (float): floor of the norm the update is divided by (default: 1e-7).
        ns_steps (int): number of Newton-Schulz iterations, below 100 (default: 5).
        adjust_lr_fn (str, optional): "original" (default when None) or "match_rms_adamw".

    Example::

        >>> w = ag.tensor([[2.0, 1.0], [-1.0, 0.5]], requires_grad=True)
        >>> opt = optim.Muon([w], lr=0.1, weight_decay=0.0)
        >>> (w * w).sum().backward()
        >>> opt.step()
        >>> w
        tensor([[ 1.9469,  0.9422],
                [-0.9430,  0.4098]], requires_grad=True)
    """

    def __init__(self, params, lr=1e-3, weight_decay=0.1, momentum=0.95, nesterov=True,
                 ns_coefficients=(DEFAULT_A, DEFAULT_B, DEFAULT_C), eps=EPS, ns_steps=DEFAULT_NS_STEPS,
                 adjust_lr_fn=None):
        if hasattr(lr, "numel") and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= scalar(lr):
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 <= momentum:
            raise ValueError(f"momentum should be >= 0 but is: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight decay should be >= 0 but is: {weight_decay}")
        if adjust_lr_fn is not None and adjust_lr_fn not in ("original", "match_rms_adamw"):
            raise ValueError(f"Adjust learning rate function {adjust_lr_fn} is not supported")
        defaults = {"lr": lr, "weight_decay": weight_decay, "momentum": momentum, "nesterov": nesterov,
                    "ns_coefficients": ns_coefficients, "eps": eps, "ns_steps": ns_steps,
                    "adjust_lr_fn": adjust_lr_fn}
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                if p.ndim != 2:
                    raise ValueError("Muon only supports 2D parameters whereas we found a parameter with "
                                     f"size: {tuple(p.shape)}")

    def _init_group(self, group, params, grads, momentum_bufs):
        for p in params_with_grad(group):
            state = self.state[p]
            if "momentum_buffer" not in state:
                state["momentum_buffer"] = zeros_state(p.grad)
            params.append(p)
            grads.append(p.grad)
            momentum_bufs.append(state["momentum_buffer"])

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Perform a single optimization step; return the closure's loss (if any)."""
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            params, grads, momentum_bufs = [], [], []
            self._init_group(group, params, grads, momentum_bufs)
            muon(params, grads, momentum_bufs, lr=hyper(group["lr"]), weight_decay=group["weight_decay"],
                 momentum=group["momentum"], nesterov=group["nesterov"],
                 ns_coefficients=group["ns_coefficients"], eps=group["eps"], ns_steps=group["ns_steps"],
                 adjust_lr_fn=group["adjust_lr_fn"])
        return loss


def _bf16(xp, x):
    """``x`` rounded to bfloat16 (to nearest, ties to even), held in float32."""
    x = xp.asarray(x, dtype=xp.float32)
    bits = x.view(xp.int32).astype(xp.int64) & 0xFFFFFFFF  # the float's bits, unsigned
    bits = ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16) << 16
    bits = xp.where(bits >= 2 ** 31, bits - 2 ** 32, bits)  # back into int32's range
    return xp.where(xp.isnan(x), x, bits.astype(xp.int32).view(xp.float32))


def _zeropower_via_newtonschulz(xp, grad, ns_coefficients, ns_steps, eps):
    """The quintic Newton-Schulz orthogonalization of a 2-D array, in bfloat16 as PyTorch's.

    Each bfloat16 operation of PyTorch's (a matrix product or ``addmm``:
    float32 accumulation, one rounding) is a float32 operation rounded once.
    The accumulation order of PyTorch's bfloat16 kernels is not NumPy's, so an
    element may differ by one bfloat16 rounding (rarely: about 1% of them for
    40 x 40 matrices, none in most small ones).
    """
    if ns_steps >= 100:
        raise ValueError("Number of steps must be less than 100 for computational efficiency")
    if grad.ndim != 2:
        raise ValueError("Input tensor gradient must be a 2D matrix")
    if len(ns_coefficients) != 3:
        raise ValueError("Coefficients must be a tuple of exactly 3 values")
    a, b, c = (xp.float32(v) for v in ns_coefficients)
    ortho = _bf16(xp, grad.astype(xp.float32))
    wide = grad.shape[0] > grad.shape[1]
    if wide:
        ortho = ortho.T
    norm = _bf16(xp, xp.sqrt(xp.sum(ortho * ortho, dtype=xp.float32)))
    ortho = _bf16(xp, ortho / xp.maximum(norm, _bf16(xp, eps)))
    for _ in range(ns_steps):
        gram = _bf16(xp, ortho @ ortho.T)
        gram_update = _bf16(xp, b * gram + c * (gram @ gram))
        ortho = _bf16(xp, a * ortho + gram_update @ ortho)
    return ortho.T if wide else ortho


def _adjust_lr(lr, adjust_lr_fn, shape):
    rows, cols = shape[:2]
    if adjust_lr_fn is None or adjust_lr_fn == "original":
        return lr * math.sqrt(max(1, rows / cols))
    if adjust_lr_fn == "match_rms_adamw":
        return lr * 0.2 * math.sqrt(max(rows, cols))
    return lr


def muon(params, grads, momentum_bufs, *, lr, weight_decay, momentum, nesterov, ns_coefficients, eps,
         ns_steps, adjust_lr_fn):
    """The Muon update, in place on ``params`` and the momentum buffers."""
    for i, (p, grad) in enumerate(zip(params, grads)):
        xp = p.device.xp
        g = data(grad)
        if g.ndim != 2:
            raise ValueError("Param gradient must be a 2D matrix")
        buf = data(momentum_bufs[i])
        lerp_(xp, buf, g, 1 - momentum, xp.empty_like(buf))
        if nesterov:
            update = g.copy()
            lerp_(xp, update, buf, momentum, xp.empty_like(buf))
        else:
            update = buf
        update = _zeropower_via_newtonschulz(xp, update, ns_coefficients, ns_steps, eps)
        param = data(p)
        param *= 1 - lr * weight_decay
        param += update.astype(param.dtype) * -_adjust_lr(lr, adjust_lr_fn, param.shape)
    bump(params)
