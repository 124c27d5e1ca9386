"""nn.functional: ``normalize``, ``cosine_similarity``, ``pairwise_distance`` (composites of ``norm``,
``clamp`` and arithmetic, as PyTorch computes them)."""
from __future__ import annotations

import autograd as ag

__all__ = ["normalize", "cosine_similarity", "pairwise_distance"]


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """``input / max(||input||_p, eps)`` along ``dim``.

    Example::

        >>> F.normalize(ag.tensor([[3.0, 4.0]]))
        tensor([[0.6000, 0.8000]])
    """
    return input / ag.norm(input, p, dim, keepdim=True).clamp(min=eps)


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """Cosine of the angle between ``x1`` and ``x2`` along ``dim`` (each norm clamped to ``eps``)."""
    n1 = ag.norm(x1, 2, dim, keepdim=True).clamp(min=eps)
    n2 = ag.norm(x2, 2, dim, keepdim=True).clamp(min=eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """``||x1 - x2 + eps||_p`` over the last dimension."""
    return ag.norm(x1 - x2 + eps, p, -1, keepdim=keepdim)
