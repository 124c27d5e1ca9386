"""nn.functional: ``embedding_bag``, sums, means or maxima of bags of embeddings.

A composite: the looked-up rows (``embedding``) are gathered into a padded
``(bags, longest bag, dim)`` block whose empty slots point at one extra row
(zeros for sum/mean, ``-inf`` for max), then reduced along the bag axis. The
gradient of max goes to each bag's maximum; empty bags give zeros.
"""
from __future__ import annotations

import autograd as ag
from autograd import Tensor, backend

from .sparse import embedding

__all__ = ["embedding_bag"]


def _bags(input, offsets, include_last_offset):
    """Flat indices and each bag's (start, length) as backend int arrays."""
    xp = input.device.xp
    if input.ndim == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated is a "
                             "mini-batch of fixed length sequences. However, found offsets of type "
                             f"{type(offsets).__name__}")
        b, n = input.shape
        return input.reshape(-1), xp.arange(b, dtype=backend.int64) * n, xp.full((b,), n, dtype=backend.int64)
    if input.ndim != 1:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.ndim}")
    if offsets is None or not isinstance(offsets, Tensor) or offsets.ndim != 1:
        got = "None" if offsets is None else f"shape {tuple(getattr(offsets, 'shape', ()))}"
        raise ValueError(f"offsets has to be a 1D Tensor but got {got}")
    if offsets.dtype.kind not in "iu":
        raise ValueError(f"offsets must be an integer tensor, got {offsets.dtype}")
    off = offsets._data.astype(backend.int64)
    n = input.shape[0]
    if off.shape[0] and int(off[0]) != 0:
        raise RuntimeError("offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to "
                           f"start from position 0. However, got {int(off[0])}")
    if include_last_offset and off.shape[0] and int(off[-1]) > n:
        raise RuntimeError(f"offsets[-1] can not be greater than input's length {n} but got offsets[-1] of "
                           f"{int(off[-1])}")
    last = xp.full((1,), n, dtype=backend.int64)
    starts = off[:-1] if include_last_offset else off
    # the last bag ends at the input's end, with include_last_offset too (PyTorch does not read
    # offsets[-1] as its end)
    ends = xp.concatenate([off[1:-1] if include_last_offset else off[1:], last])[:starts.shape[0]]
    if ends.shape[0] and (bool(xp.any(ends < starts)) or int(ends[-1]) > n):
        raise RuntimeError(f"offsets must be non-decreasing and at most the input's length {n}, got "
                           f"{off.tolist() if hasattr(off, 'tolist') else off}")
    return input, starts, ends - starts


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False,
                  mode="mean", sparse=False, per_sample_weights=None, include_last_offset=False,
                  padding_idx=None):
    """Sums, means or maxima of bags of embedding rows, without the per-index output.

    Args:
        input: ``(B, N)`` indices (B bags of N) or 1-D indices with ``offsets``.
        weight: ``(num_embeddings, embedding_dim)``.
        offsets: 1-D start of each bag in a 1-D ``input``.
        mode: ``'sum'``, ``'mean'`` or ``'max'``.
        per_sample_weights: weights of ``input``'s shape multiplying each row (``'sum'`` only).
        include_last_offset: ``offsets`` ends with the input's length (B + 1 entries).
        padding_idx: indices equal to it are left out of their bag (and of the mean's count).
        max_norm, norm_type, scale_grad_by_freq: as :func:`embedding` (the counts are over all
            of ``input``; not with ``'max'``).

    Empty bags give zeros. Shape: ``(B, embedding_dim)``.

    Example::

        >>> w = ag.arange(6.0).reshape(3, 2)
        >>> F.embedding_bag(ag.tensor([0, 2, 1]), w, ag.tensor([0, 2]), mode="sum")
        tensor([[4., 6.],
                [2., 3.]])
    """
    if mode not in ("sum", "mean", "max"):
        raise ValueError("mode has to be one of sum, mean or max")
    if scale_grad_by_freq and mode == "max":
        raise ValueError("max mode does not support scaling the gradient by the frequency")
    if per_sample_weights is not None:
        if mode != "sum":
            raise NotImplementedError(
                "embedding_bag: per_sample_weights was not None. per_sample_weights is only supported "
                f"for mode='sum' (got mode='{mode}'). Please open a feature request on GitHub.")
        if tuple(per_sample_weights.shape) != tuple(input.shape):
            raise ValueError(f"embedding_bag: If per_sample_weights ({tuple(per_sample_weights.shape)}) "
                             f"is not None, then it must have the same shape as the input "
                             f"({tuple(input.shape)})")
    if not isinstance(input, Tensor):
        raise TypeError(f"embedding_bag: input must be a Tensor, not {type(input).__name__}")
    flat, starts, lens = _bags(input, offsets, include_last_offset)
    rows = embedding(flat, weight, padding_idx, max_norm, norm_type, scale_grad_by_freq)  # (L, D)
    xp, n = input.device.xp, flat.shape[0]
    if per_sample_weights is not None:
        rows = rows * per_sample_weights.reshape(-1, 1)
    longest = int(lens.max()) if lens.shape[0] else 0
    j = xp.arange(longest, dtype=backend.int64)
    pos = starts[:, None] + j[None, :]
    ok = j[None, :] < lens[:, None]
    if padding_idx is not None and n:
        pad = padding_idx % weight.shape[0]
        ok = ok & (flat._data[xp.minimum(pos, n - 1)] != pad)
    idx = Tensor._make(xp.where(ok, pos, n), input.device)  # slot n is the filler row
    filler = float("-inf") if mode == "max" else 0.0
    extra = ag.full((1, weight.shape[1]), filler, dtype=rows.dtype, device=rows.device)
    block = ag.cat([rows, extra])[idx]  # (B, longest, D)
    if mode == "sum":
        return block.sum(dim=1)
    if mode == "mean":
        count = Tensor._make(ok.sum(axis=1, keepdims=True).astype(rows._data.dtype), input.device)
        return block.sum(dim=1) / count.clamp(min=1)
    if longest == 0:
        return block.sum(dim=1)
    best = block.max(dim=1)[0]
    return ag.where(Tensor._make(ok.any(axis=1, keepdims=True), input.device), best, ag.zeros_like(best))
