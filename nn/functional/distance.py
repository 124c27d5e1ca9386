"""nn.functional: ``normalize``, ``cosine_similarity``, ``pairwise_distance``, ``pdist`` (composites of
``norm``, ``clamp`` and arithmetic, as PyTorch computes them)."""
from __future__ import annotations

import autograd as ag
from autograd.ops.linalg_more import nonzero_count_distance

import math

__all__ = ["normalize", "cosine_similarity", "pairwise_distance", "pdist"]


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """``input / max(||input||_p, eps)`` along ``dim``.

    Example::

        >>> F.normalize(ag.tensor([[3.0, 4.0]]))
        tensor([[0.6000, 0.8000]])
    """
    return input / ag.norm(input, p, dim, keepdim=True).clamp(min=eps)


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """Cosine of the angle between ``x1`` and ``x2`` along ``dim`` (each norm clamped to ``eps``).

    As PyTorch's: the inputs are broadcast first (so a size-1 ``dim`` counts once per element of the
    other), and each norm is raised to ``eps`` in value only (PyTorch clamps it in place under no-grad),
    so its gradient is that of the unclamped norm.
    """
    x1, x2 = ag.broadcast_tensors(x1, x2)
    return ((x1 / _floor_value(ag.norm(x1, 2, dim, keepdim=True), eps))
            * (x2 / _floor_value(ag.norm(x2, 2, dim, keepdim=True), eps))).sum(dim)


def _floor_value(n, eps):
    """``n`` with values below ``eps`` replaced by ``eps``, its gradient still that of ``n``."""
    return ag.where(n < eps, (n - n.detach()) + eps, n)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """``||x1 - x2 + eps||_p`` over the last dimension."""
    return ag.norm(x1 - x2 + eps, p, -1, keepdim=keepdim)


def pdist(input, p=2):
    """The ``p``-norm distance between every pair of rows of ``input``: the upper triangle (``i < j``,
    row by row) of the ``(N, N)`` distance matrix, flattened to ``N (N - 1) / 2`` values.

    Args:
        input: ``(N, M)``.
        p: the norm's exponent, in ``[0, inf]``.

    Example::

        >>> F.pdist(ag.tensor([[0.0, 0.0], [3.0, 4.0], [6.0, 8.0]]))
        tensor([ 5., 10.,  5.])
    """
    if input.ndim != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.ndim}D")
    if input.dtype.kind != "f":
        raise RuntimeError("pdist only supports floating-point dtypes")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    n = input.shape[0]
    i, j = ag.triu_indices(n, n, 1, device=input.device)
    diff = input.index_select(0, i) - input.index_select(0, j)
    if input.shape[1] == 0:
        return diff.sum(-1)  # zeros: the distance between empty rows
    if p == math.inf:
        # PyTorch's gradient goes in full to every component that attains the maximum (norm's amax
        # backward would share it among ties): the maximum's value plus each tied |diff| minus itself
        # (not at an infinite one: inf - inf would make the distance NaN)
        a = diff.abs()
        top = a.detach().amax(-1, keepdim=True)
        tied = (a.detach() == top) & ag.isfinite(top)
        return top.squeeze(-1) + ag.where(tied, a - a.detach(), ag.zeros_like(a)).sum(-1)
    if p == 0:
        return nonzero_count_distance(diff)
    return ag.norm(diff, p, -1)
