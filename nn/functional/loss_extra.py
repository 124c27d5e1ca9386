"""nn.functional: margin, embedding and likelihood losses, as composites of existing ops.

Each follows PyTorch's formula (ATen's or ``torch.nn.functional``'s), its argument
checks and its ``reduction`` (``'mean'``, ``'sum'``, ``'none'``; legacy
``size_average``/``reduce`` honoured).
"""
from __future__ import annotations

import math
import numbers

import autograd as ag
from autograd import Tensor

from .activation import logsigmoid, relu
from .distance import pairwise_distance
from .loss import _reduce, _reduction_arg

__all__ = ["margin_ranking_loss", "hinge_embedding_loss", "soft_margin_loss", "multilabel_soft_margin_loss",
           "multi_margin_loss", "multilabel_margin_loss", "cosine_embedding_loss", "triplet_margin_loss",
           "triplet_margin_with_distance_loss", "poisson_nll_loss", "gaussian_nll_loss"]


def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"):
    """``max(0, -target * (input1 - input2) + margin)``: ``target`` (1 or -1) says which should rank higher.

    Example::

        >>> F.margin_ranking_loss(ag.tensor([1.0, 0.0]), ag.tensor([0.0, 1.0]), ag.tensor([1.0, 1.0]))
        tensor(0.5000)
    """
    reduction = _reduction_arg(size_average, reduce, reduction)
    if not input1.ndim == input2.ndim == target.ndim:
        raise RuntimeError("margin_ranking_loss : All input tensors should have same dimension but got "
                           f"sizes: input1: {tuple(input1.shape)}, input2: {tuple(input2.shape)}, target: "
                           f"{tuple(target.shape)} ")
    return _reduce((-target * (input1 - input2) + margin).clamp(min=0), reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None, reduction="mean"):
    """``input`` where ``target == 1``, ``max(0, margin - input)`` where ``target == -1``, as ATen."""
    reduction = _reduction_arg(size_average, reduce, reduction)
    zeros = ag.zeros_like(input)
    output = (ag.where(target != 1, (margin - input).clamp(min=0), zeros)
              + ag.where(target != -1, input, zeros))
    return _reduce(output, reduction)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Two-class logistic loss ``log(1 + exp(-target * input))`` (computed stably)."""
    reduction = _reduction_arg(size_average, reduce, reduction)
    if target.requires_grad:
        raise RuntimeError("The function 'soft_margin_loss' is not differentiable with respect to argument "
                           "'target'. This input cannot have requires_grad True.")
    loss = -logsigmoid(target * input)
    if input.dtype.kind == "f" and loss.dtype != input.dtype:  # PyTorch's output has the input's dtype
        loss = loss.to(input.dtype)
    return _reduce(loss, reduction)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """Multi-label one-versus-all logistic loss, averaged over the classes (the last dimension)."""
    reduction = _reduction_arg(size_average, reduce, reduction)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    loss = loss.sum(dim=input.ndim - 1) / input.shape[-1]
    return _reduce(loss, reduction)


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None, reduce=None,
                      reduction="mean"):
    """Multi-class hinge loss: ``sum_{i != y} max(0, margin - x[y] + x[i]) ** p / C`` per sample.

    Args:
        input: ``(N, C)`` or ``(C,)`` scores.
        target: ``(N,)`` or ``()`` class indices.
        p: 1 or 2.
        weight: ``(C,)`` class weights, applied by the target class.
    """
    reduction = _reduction_arg(size_average, reduce, reduction)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.ndim != 1:
        raise ValueError("weight must be one-dimensional")
    if input.ndim > 2 or input.numel() == 0 and input.ndim != 2:
        raise RuntimeError(f"Expected non-empty vector or matrix with optional 0-dim batch size, but got: "
                           f"{tuple(input.shape)}")
    x = input if input.ndim == 2 else input.unsqueeze(0)
    n, c = x.shape
    t = target.reshape(-1)
    if t.shape[0] != n or target.ndim > 1:
        raise RuntimeError(f"inconsistent target size, expected {n} but got {tuple(target.shape)}")
    if weight is not None and weight.shape[0] != c:
        raise RuntimeError(f"inconsistent weight size, expected {c} but got {tuple(weight.shape)}")
    if n and (int(t.min().item()) < 0 or int(t.max().item()) >= c):
        raise IndexError("target out of range")
    idx = t.long().unsqueeze(1)
    z = relu(margin - x.gather(1, idx) + x)  # PyTorch's kernel counts z > 0: no gradient at the hinge
    if p == 2:
        z = z * z
    if weight is not None:
        z = z * weight[t.long()].unsqueeze(1)
    others = ag.arange(c, device=x.device).unsqueeze(0) != idx
    loss = ag.where(others, z, ag.zeros_like(z)).sum(1) / c
    return _reduce(loss if input.ndim == 2 else loss.reshape(()), reduction)


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Multi-class multi-label hinge loss: ``sum_{j, i} max(0, 1 - (x[y_j] - x[i])) / C`` per sample.

    ``j`` runs over the target classes ``y``, the leading entries of each target row up to its
    first ``-1``; ``i`` over the classes that are not targets.

    Args:
        input: ``(N, C)`` or ``(C,)`` scores.
        target: int64 class indices of the input's shape, each row ended by ``-1`` (or full).

    Example::

        >>> F.multilabel_margin_loss(ag.tensor([[0.1, 0.2, 0.4, 0.8]]), ag.tensor([[3, 0, -1, 1]]))
        tensor(0.8500)
    """
    reduction = _reduction_arg(size_average, reduce, reduction)
    if input.ndim > 2 or input.ndim == 2 and input.shape[1] == 0 or input.ndim == 1 and input.shape[0] == 0:
        raise RuntimeError(f"Expected non-empty vector or matrix with optional 0-dim batch size, but got: "
                           f"{list(input.shape)}")
    if tuple(target.shape) != tuple(input.shape):
        raise RuntimeError(f"inconsistent target size: {list(target.shape)} for input of size: "
                           f"{list(input.shape)}")
    if target.dtype != ag.int64:
        raise RuntimeError(f"expected scalar type Long but found {target.dtype}")
    x = input.reshape(-1, input.shape[-1] if input.ndim else 1)
    t = target.reshape(x.shape)
    n, c = x.shape
    if n and (int(t.min().item()) < -1 or int(t.max().item()) >= c):
        raise RuntimeError("argument #2 'target' is out of range")
    valid = (t < 0).long().cumsum(1) == 0  # the entries before each row's first -1
    idx = ag.where(valid, t, ag.zeros_like(t))
    is_target = ag.zeros_like(x).scatter_add(1, idx, valid.to(x.dtype)) > 0
    # z[n, j, i] = 1 - x[y_j] + x[i]; relu, not clamp: PyTorch's kernel counts z > 0 (no gradient at
    # the hinge)
    z = relu(1 - x.gather(1, idx).unsqueeze(2) + x.unsqueeze(1))
    pairs = valid.unsqueeze(2) & (~is_target).unsqueeze(1)
    loss = ag.where(pairs, z, ag.zeros_like(z)).sum((1, 2)) / c
    if input.ndim < 2:
        loss = loss.reshape(())
    if reduction == "mean" and n == 0:
        return loss.sum()  # 0, not the NaN of an empty mean (PyTorch 2.13 returns uninitialized memory)
    return _reduce(loss, reduction)


def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"):
    """``1 - cos(x1, x2)`` where ``target == 1``, ``max(0, cos(x1, x2) - margin)`` where ``target == -1``.

    As ATen, the cosine is ``<x1, x2> / sqrt((|x1|^2 + 1e-12) (|x2|^2 + 1e-12))``.
    """
    reduction = _reduction_arg(size_average, reduce, reduction)
    d = target.ndim
    if d not in (0, 1):
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if input1.ndim != d + 1 or input2.ndim != d + 1:
        raise RuntimeError(f"{d}D target tensor expects {d + 1}D input tensors, but found inputs with sizes "
                           f"{list(input1.shape)} and {list(input2.shape)}.")
    eps = 1e-12
    prod = (input1 * input2).sum(d)
    denom = (((input1 * input1).sum(d) + eps) * ((input2 * input2).sum(d) + eps)).sqrt()
    cos = prod / denom
    zeros = ag.zeros_like(cos)
    output = (ag.where(target == 1, 1 - cos, zeros)
              + ag.where(target == -1, (cos - margin).clamp(min=0), zeros))
    return _reduce(output, reduction)


def _triplet(anchor, positive, negative, distance, margin, swap, reduction):
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    if not anchor.ndim == positive.ndim == negative.ndim:
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the same number "
                           f"of dimensions, but got: anchor {anchor.ndim}D, positive {positive.ndim}D, and "
                           f"negative {negative.ndim}D inputs")
    dist_pos = distance(anchor, positive)
    dist_neg = distance(anchor, negative)
    if swap:
        dist_neg = ag.minimum(dist_neg, distance(positive, negative))
    return _reduce((margin + dist_pos - dist_neg).clamp(min=0), reduction)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False, size_average=None,
                        reduce=None, reduction="mean"):
    """``max(d(a, p) - d(a, n) + margin, 0)`` with ``d`` the ``p``-norm :func:`pairwise_distance`.

    Args:
        swap: use ``min(d(a, n), d(p, n))`` as the negative distance (Balntas et al.).
    """
    reduction = _reduction_arg(size_average, reduce, reduction)
    return _triplet(anchor, positive, negative, lambda x, y: pairwise_distance(x, y, p, eps), margin, swap,
                    reduction)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None, margin=1.0,
                                      swap=False, reduction="mean"):
    """:func:`triplet_margin_loss` with any ``distance_function(x, y)`` (default: ``pairwise_distance``)."""
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    distance = distance_function or pairwise_distance
    return _triplet(anchor, positive, negative, distance, margin, swap, reduction)


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8, reduce=None,
                     reduction="mean"):
    """Poisson negative log likelihood: ``exp(input) - target * input`` (``log_input``), else
    ``input - target * log(input + eps)``; ``full`` adds Stirling's term where ``target > 1``."""
    reduction = _reduction_arg(size_average, reduce, reduction)
    loss = ag.exp(input) - target * input if log_input else input - target * ag.log(input + eps)
    if full:
        big = target > 1
        t = ag.where(big, target, ag.ones_like(target))  # keeps log finite (and its gradient) where masked
        stirling = t * ag.log(t) - t + 0.5 * ag.log(2 * math.pi * t)
        loss = loss + ag.where(big, stirling, ag.zeros_like(stirling))
    return _reduce(loss, reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """Gaussian negative log likelihood ``0.5 * (log(var) + (input - target)^2 / var)`` (+ ``0.5 log 2 pi``).

    ``var`` is a float, a tensor of ``input``'s shape, of its shape without the last dimension,
    or of its shape with one dimension of 1; it is clamped to ``eps`` without touching its
    gradient, as PyTorch.
    """
    if isinstance(var, numbers.Real) and not isinstance(var, Tensor):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = ag.full(tuple(input.shape), float(var), dtype=input.dtype, device=input.device)
    elif bool((var < 0).any().item()):
        raise ValueError("var has negative entry/entries")
    if tuple(var.shape) != tuple(input.shape):
        if tuple(input.shape[:-1]) == tuple(var.shape):
            var = var.unsqueeze(-1)
        elif not (input.ndim == var.ndim and
                  sum(y for x, y in zip(input.shape, var.shape) if x != y) == 1):
            raise ValueError("var is of incorrect size")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    # PyTorch clamps a clone in no-grad mode: the value eps below it, the gradient passed as is (written
    # without var - var.detach() where unclamped, which is NaN at an infinite var)
    low = var.detach() < eps
    var = ag.where(low, var - var.detach() + eps, var)
    loss = 0.5 * (ag.log(var) + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)
