"""Scaled dot-product attention as one primitive: ``softmax(q k^T * scale + mask) @ v``.

Forward keeps only what PyTorch's math path keeps for backward: ``q``, ``k``,
``v`` (inputs, alive anyway), the attention probabilities ``P`` and, with
dropout, the boolean keep-mask. The scores and the dropped probabilities are
never stored. Backward is written with Tensor ops; when a graph of the
backward is recorded (``create_graph=True``) ``P`` is recomputed from ``q``
and ``k`` with Tensor ops, so double backward sees its dependence on them.

Rows whose every key is masked out give zero probabilities (PyTorch's
``_safe_softmax``), not NaN.
"""

from __future__ import annotations

import math
import numbers

from .. import backend
from ..function import Primitive
from ..grad_mode import state
from ..random import uniform_array
from ..tensor import Tensor
from ._util import sum_array

__all__ = ["scaled_dot_product_attention"]


def _causal_array(xp, length, source):
    """``(L, S)`` bool, True where query ``i`` may attend key ``j`` (``j <= i``, top-left aligned)."""
    return xp.arange(length)[:, None] >= xp.arange(source)[None, :]


def _safe_softmax_array(xp, s):
    if s.shape[-1] == 0:  # no keys at all: nothing to weigh, the output is zeros
        return s.copy()
    m = s.max(axis=-1, keepdims=True)
    m = xp.where(xp.isfinite(m), m, 0)
    e = xp.exp(s - m)
    z = e.sum(axis=-1, keepdims=True)
    return (e / xp.where(z == 0, 1, z)).astype(s.dtype, copy=False)


def _masked_scores_array(xp, q, k, mask, causal, scale):
    s = xp.matmul(q, xp.swapaxes(k, -1, -2)) * scale
    s = s.astype(q.dtype, copy=False)
    if mask is not None:
        s = xp.where(mask, s, -math.inf) if mask.dtype == bool else s + mask
    if causal:
        s = xp.where(_causal_array(xp, s.shape[-2], s.shape[-1]), s, -math.inf)
    return s.astype(q.dtype, copy=False)


def _probabilities(ctx, q, k, mask):
    """``P`` recomputed from Tensors ``q``, ``k`` (and a float ``mask``), differentiably."""
    s = (q @ k.transpose(-2, -1)) * ctx.scale
    if mask is not None:
        s = s.masked_fill(~mask, -math.inf) if mask.dtype == backend.bool_ else s + mask
    if ctx.causal:
        allowed = Tensor._make(_causal_array(ctx.device.xp, s.shape[-2], s.shape[-1]), ctx.device)
        s = s.masked_fill(~allowed, -math.inf)
    if s.shape[-1] == 0:
        return s
    dead = (s == -math.inf).all(-1, keepdim=True)  # rows with no key left: zero probabilities
    return s.masked_fill(dead, 0.0).softmax(-1).masked_fill(dead, 0.0)


class ScaledDotProductAttention(Primitive):
    """``(out)`` from ``q (..., L, E)``, ``k (..., S, E)``, ``v (..., S, Ev)``, a mask, flags."""

    @staticmethod
    def forward(ctx, q, k, v, mask, causal, dropout_p, scale):
        xp = ctx.device.xp
        p = _safe_softmax_array(xp, _masked_scores_array(xp, q, k, mask, causal, scale))
        keep = None
        if dropout_p > 0:
            keep = uniform_array(p.shape, p.dtype, ctx.device) >= dropout_p
            pd = p * (keep * (1.0 / (1.0 - dropout_p))).astype(p.dtype, copy=False)
        else:
            pd = p
        ctx.causal, ctx.dropout_p, ctx.scale = causal, dropout_p, scale
        ctx.save_for_backward(q, k, v, mask, p, keep)
        return xp.matmul(pd, v)

    @staticmethod
    def backward(ctx, g):
        q, k, v, mask, p, keep = ctx.saved_tensors
        if state.enabled:  # a recorded backward: P as a function of q and k
            p = _probabilities(ctx, q, k, mask)
        return _grads(ctx, g, q, k, v, p, keep, lambda t: t.transpose(-2, -1),
                      lambda t: t.sum(-1, keepdim=True), lambda t, dtype: t.to(dtype))

    @staticmethod
    def raw_backward(ctx, g):
        q, k, v, _, p, keep = ctx.saved_arrays
        xp = ctx.device.xp
        return _grads(ctx, g, q, k, v, p, keep, lambda a: xp.swapaxes(a, -1, -2),
                      lambda a: sum_array(a, -1, True), lambda a, dtype: a.astype(dtype))


def _grads(ctx, g, q, k, v, p, keep, transpose, row_sum, cast):
    """The gradients of (q, k, v, mask), Tensors or arrays (``transpose`` of the last two dimensions,
    ``row_sum`` over the last, keeping it, and ``cast`` for either)."""
    need = ctx.needs_input_grad
    if keep is not None:
        drop = cast(keep, p.dtype) * (1.0 / (1.0 - ctx.dropout_p))
        pd = p * drop
    else:
        pd = p
    dv = transpose(pd) @ g if need[2] else None
    if not (need[0] or need[1] or need[3]):
        return None, None, dv, None, None, None, None
    dp = g @ transpose(v)
    if keep is not None:
        dp = dp * drop
    ds = p * (dp - row_sum(p * dp))
    dq = (ds @ k) * ctx.scale if need[0] else None
    dk = (transpose(ds) @ q) * ctx.scale if need[1] else None
    dmask = ds if len(need) > 3 and need[3] else None
    return dq, dk, dv, dmask, None, None, None


def _check(q, k, v, attn_mask, dropout_p):
    for name, t in (("query", q), ("key", k), ("value", v)):
        if not isinstance(t, Tensor):
            raise TypeError(
                f"scaled_dot_product_attention(): argument '{name}' must be Tensor, not {type(t).__name__}"
            )
        if t.ndim < 2:
            raise RuntimeError(
                f"scaled_dot_product_attention: {name} must have at least 2 dimensions, "
                f"got shape {tuple(t.shape)}"
            )
    if q.dtype.kind != "f" or not q.dtype == k.dtype == v.dtype:
        raise RuntimeError(
            f"Expected query, key, and value to have the same floating point dtype, but got "
            f"query.dtype: {q.dtype} key.dtype: {k.dtype} and value.dtype: {v.dtype} instead."
        )
    if k.shape[-1] != q.shape[-1] or k.shape[-2] != v.shape[-2]:
        raise RuntimeError(
            f"scaled_dot_product_attention: expected query (..., L, E), key (..., S, E) and "
            f"value (..., S, Ev), got {tuple(q.shape)}, {tuple(k.shape)}, {tuple(v.shape)}"
        )
    if isinstance(dropout_p, bool) or not isinstance(dropout_p, numbers.Real) or not 0 <= dropout_p < 1:
        raise ValueError(f"dropout_p must be a probability in [0, 1), got {dropout_p!r}")
    if attn_mask is not None:
        if not isinstance(attn_mask, Tensor):
            raise TypeError(
                f"scaled_dot_product_attention(): argument 'attn_mask' must be Tensor, "
                f"not {type(attn_mask).__name__}"
            )
        if attn_mask.dtype != backend.bool_ and attn_mask.dtype != q.dtype:
            raise RuntimeError(
                f"Expected attn_mask dtype to be bool or float or to match query dtype, "
                f"but got attn_mask.dtype: {attn_mask.dtype} and query.dtype: {q.dtype} "
                "instead."
            )


def _repeat_heads(t, groups):
    """``(..., Hkv, S, E)`` -> ``(..., Hkv * groups, S, E)``, each head repeated ``groups`` times."""
    if groups == 1:
        return t
    lead = tuple(t.shape[:-3])
    h, s, e = t.shape[-3:]
    return t.unsqueeze(-3).expand(*lead, h, groups, s, e).reshape(*lead, h * groups, s, e)


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False,
                                 scale=None, enable_gqa=False):
    """Attention ``softmax(query @ key^T * scale + mask) @ value``, as one op.

    Args:
        query: ``(N, ..., L, E)``; key: ``(N, ..., S, E)``; value: ``(N, ..., S, Ev)``.
        attn_mask: bool (True = may attend) or float (added to the scores), broadcastable
            to ``(N, ..., L, S)``.
        dropout_p: dropout probability on the attention weights.
        is_causal: mask out keys after each query (top-left aligned lower triangle).
        scale: the score scale; default ``1 / sqrt(E)``.
        enable_gqa: let ``key``/``value`` have fewer heads (dim -3) than ``query``; each is
            shared by ``Hq / Hkv`` query heads.

    Example::

        >>> q = ag.ones(1, 2, 4)
        >>> F.scaled_dot_product_attention(q, q, ag.tensor([[[1.0], [3.0]]]))
        tensor([[[2.],
                 [2.]]])
    """
    _check(query, key, value, attn_mask, dropout_p)
    if is_causal and attn_mask is not None:
        raise RuntimeError(
            "_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True"
        )
    if enable_gqa and min(query.ndim, key.ndim, value.ndim) < 3:
        raise IndexError(
            "scaled_dot_product_attention: enable_gqa needs query, key and value with a heads "
            f"dimension (-3), got shapes {tuple(query.shape)}, {tuple(key.shape)}, {tuple(value.shape)}"
        )
    if enable_gqa and key.shape[-3] != query.shape[-3]:
        hq, hk, hv = query.shape[-3], key.shape[-3], value.shape[-3]
        if hq % hk or hq % hv:
            raise RuntimeError(
                f"scaled_dot_product_attention: number of heads in key/value ({hk}, {hv}) "
                f"must divide the number of query heads ({hq})"
            )
        key, value = _repeat_heads(key, hq // hk), _repeat_heads(value, hq // hv)
    scale = 1.0 / math.sqrt(query.shape[-1]) if scale is None else float(scale)
    return ScaledDotProductAttention.apply(
        query, key, value, attn_mask, bool(is_causal), float(dropout_p), scale
    )
