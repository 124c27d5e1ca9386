"""Connectionist temporal classification: the CTC negative log-likelihood as one primitive.

:class:`CTCLoss` runs Graves et al.'s alpha recursion in log space (eq. 6-8 of
"Connectionist Temporal Classification", ICML 2006), vectorised over the batch and the
extended-label axis (``blank, l1, blank, l2, ..., blank``) with a Python loop over time only,
as PyTorch's ``_ctc_loss``. Its gradient (:class:`CTCLossBackward`) is the beta recursion and
PyTorch's formula ``(exp(lp) - exp(log_alpha_beta + nll - lp)) * grad`` (eq. 16), which is the
gradient with respect to the logits of a ``log_softmax`` rather than with respect to
``log_probs`` themselves: the two agree once the gradient has gone through ``log_softmax``,
the way CTC is used (and the way PyTorch's own gradient is meant). Like PyTorch's
``_ctc_loss_backward``, that gradient is not differentiable again.
"""

from __future__ import annotations

from .. import backend
from ..function import Primitive
from ._util import errstate

_NEG_INF = float("-inf")


def _extended_labels(xp, targets, target_lengths, num_batch):
    """``(ext, valid, skip)``, each ``(N, 2 * max(target_lengths) + 1)``: the labels ``l'`` (-1 for the
    blank at even positions and past the sample's target), where ``s <= 2 * target_length``, and
    where the recursion may skip from ``s - 2`` (a label different from the one two places back)."""
    s_max = max(target_lengths, default=0)
    lengths = xp.asarray(target_lengths, dtype=backend.int64).reshape(num_batch, 1)
    pos = xp.arange(s_max, dtype=backend.int64).reshape(1, s_max)
    if targets.ndim == 1:  # concatenated: sample n's labels start at the sum of the lengths before it
        starts, total = [], 0
        for n in target_lengths:
            starts.append(total)
            total += n
        index = xp.asarray(starts, dtype=backend.int64).reshape(num_batch, 1) + pos
        padded = (
            targets[xp.minimum(index, max(total - 1, 0))] if total else xp.zeros(index.shape, backend.int64)
        )
    else:
        padded = targets[:, :s_max]
    labels = xp.where(pos < lengths, padded, -1).astype(backend.int64, copy=False)
    ext = xp.full((num_batch, 2 * s_max + 1), -1, dtype=backend.int64)
    ext[:, 1::2] = labels
    return (ext, *_masks(xp, ext, target_lengths))


def _masks(xp, ext, target_lengths):
    """``(valid, skip)`` of :func:`_extended_labels` for its ``ext``."""
    s = xp.arange(ext.shape[1], dtype=backend.int64).reshape(1, -1)
    valid = s <= 2 * xp.asarray(target_lengths, dtype=backend.int64).reshape(-1, 1)
    skip = xp.zeros(ext.shape, dtype=bool)
    skip[:, 2:] = (ext[:, 2:] != ext[:, :-2]) & (ext[:, 2:] >= 0)
    return valid, skip


def _pick(xp, log_probs, ext, blank):
    """``log_probs[t, n, l'[n, s]]`` for all ``t, n, s``: ``(T, N, S')``."""
    labels = xp.where(ext < 0, blank, ext)
    return log_probs[:, xp.arange(ext.shape[0]).reshape(-1, 1), labels]


def _log_add3(xp, a, b, c, lp):
    """``log(e^a + e^b + e^c) + lp``, as PyTorch's kernels spell it (max taken out, 0 when all are -inf)."""
    m = xp.maximum(xp.maximum(a, b), c)
    m = xp.where(m == _NEG_INF, 0, m).astype(a.dtype, copy=False)
    return xp.log(xp.exp(a - m) + xp.exp(b - m) + xp.exp(c - m)) + m + lp


def _shift(xp, a, k, right):
    """``a`` moved ``k`` places along its last axis, filled with -inf."""
    out = xp.full(a.shape, _NEG_INF, dtype=a.dtype)
    if k < a.shape[-1]:
        if right:
            out[:, k:] = a[:, :-k]
        else:
            out[:, :-k] = a[:, k:]
    return out


class CTCLoss(Primitive):
    """Per-sample CTC negative log-likelihood ``(N,)`` of ``log_probs`` ``(T, N, C)``.

    ``targets`` are padded ``(N, S)`` or concatenated ``(sum(target_lengths),)`` int64 labels,
    ``input_lengths`` and ``target_lengths`` tuples of ints (checked by the caller). Saves the
    log-alphas ``(T, N, 2 * max(target_lengths) + 1)`` for the backward.
    """

    @staticmethod
    def forward(ctx, log_probs, targets, input_lengths, target_lengths, blank, zero_infinity):
        xp = ctx.device.xp
        num_t, num_n = log_probs.shape[:2]
        ext, valid, skip = _extended_labels(xp, targets, target_lengths, num_n)
        lp = _pick(xp, log_probs, ext, blank)
        il = xp.asarray(input_lengths, dtype=backend.int64).reshape(num_n, 1)
        first = xp.arange(ext.shape[1]).reshape(1, -1) < 2  # alpha_1: the blank and the first label
        alpha = xp.full(lp.shape, _NEG_INF, dtype=log_probs.dtype)
        alpha[0] = xp.where(first & valid & (il > 0), lp[0], _NEG_INF)
        with errstate(xp, divide="ignore", invalid="ignore"):
            for t in range(1, num_t):
                prev = alpha[t - 1]
                skipped = xp.where(skip, _shift(xp, prev, 2, True), _NEG_INF)
                step = _log_add3(xp, prev, _shift(xp, prev, 1, True), skipped, lp[t])
                alpha[t] = xp.where(valid & (t < il), step, _NEG_INF)  # nothing past the sample's end
            n = xp.arange(num_n)
            last = alpha[xp.maximum(il[:, 0] - 1, 0), n]  # (N, S'): alpha at each sample's last frame
            tl = xp.asarray(target_lengths, dtype=backend.int64)
            l1 = last[n, 2 * tl]
            l2 = xp.where(tl > 0, last[n, xp.maximum(2 * tl - 1, 0)], _NEG_INF)
            m = xp.maximum(l1, l2)
            m = xp.where(m == _NEG_INF, 0, m).astype(l1.dtype, copy=False)
            nll = -(xp.log(xp.exp(l1 - m) + xp.exp(l2 - m)) + m)
        empty = xp.where(tl == 0, -0.0, float("inf")).astype(nll.dtype)  # no frames: only "" is possible
        nll = xp.where(il[:, 0] == 0, empty, nll)
        ctx.save_for_backward(log_probs, nll, alpha, ext)
        ctx.lengths = (input_lengths, target_lengths)
        ctx.blank, ctx.zero_infinity = blank, zero_infinity
        return nll

    @staticmethod
    def backward(ctx, grad):
        log_probs, nll, alpha, ext = ctx.saved_tensors
        return (
            CTCLossBackward.apply(
                grad, log_probs, nll, alpha, ext, *ctx.lengths, ctx.blank, ctx.zero_infinity
            ),
            None,
            None,
            None,
            None,
            None,
        )

    @staticmethod
    def raw_backward(ctx, grad):
        log_probs, nll, alpha, ext = ctx.saved_arrays
        out = _ctc_grad(
            ctx.device, grad, log_probs, nll, alpha, ext, *ctx.lengths, ctx.blank, ctx.zero_infinity
        )
        return out, None, None, None, None, None


class CTCLossBackward(Primitive):
    """The gradient of :class:`CTCLoss` with respect to ``log_probs``; not differentiable itself."""

    @staticmethod
    def forward(ctx, grad, log_probs, nll, alpha, ext, input_lengths, target_lengths, blank, zero_infinity):
        return _ctc_grad(
            ctx.device, grad, log_probs, nll, alpha, ext, input_lengths, target_lengths, blank, zero_infinity
        )

    @staticmethod
    def backward(ctx, *grads):
        raise RuntimeError(
            "derivative for ctc_loss's backward (aten::_ctc_loss_backward) is not implemented: "
            "ctc_loss can be differentiated once, not twice (as in PyTorch)"
        )


def _ctc_grad(device, grad, log_probs, nll, alpha, ext, input_lengths, target_lengths, blank, zero_infinity):
    """PyTorch's ``_ctc_loss_backward``: the beta recursion (eq. 10-11, loop over time), then
    ``(exp(lp) - sum_s alpha_s beta_s exp(nll) / exp(lp)) * grad`` per frame and class (eq. 16).
    Frames past a sample's input length get 0; a sample with a non-finite loss gets NaN there
    (0 everywhere with ``zero_infinity`` and an infinite loss); and so does a class whose log
    probability is -inf, where PyTorch's ``exp(-inf + inf)`` is NaN too."""
    xp = device.xp
    num_t, num_n, num_c = log_probs.shape
    dtype = log_probs.dtype
    valid, skip = _masks(xp, ext, target_lengths)
    lp = _pick(xp, log_probs, ext, blank)
    il = xp.asarray(input_lengths, dtype=backend.int64).reshape(num_n, 1)
    s = xp.arange(ext.shape[1]).reshape(1, -1)
    two_l = 2 * xp.asarray(target_lengths, dtype=backend.int64).reshape(num_n, 1)
    end = (s == two_l) | (s == two_l - 1)  # beta at the last frame: the final blank and the last label
    skip_next = xp.zeros(skip.shape, dtype=bool)  # may go from s to s + 2
    skip_next[:, :-2] = skip[:, 2:]
    share = xp.zeros(lp.shape, dtype=dtype)  # alpha beta / (y p): the probability of state s at frame t
    beta = xp.full(ext.shape, _NEG_INF, dtype=dtype)
    with errstate(xp, divide="ignore", invalid="ignore", over="ignore"):
        for t in range(num_t - 1, -1, -1):
            skipped = xp.where(skip_next, _shift(xp, beta, 2, False), _NEG_INF)
            step = _log_add3(xp, beta, _shift(xp, beta, 1, False), skipped, lp[t])
            beta = xp.where((t == il - 1) & end, lp[t], xp.where(valid & (t < il - 1), step, _NEG_INF))
            share[t] = xp.where(beta == _NEG_INF, 0, xp.exp(alpha[t] + beta + nll.reshape(num_n, 1) - lp[t]))
        occupied = xp.zeros(log_probs.shape, dtype=dtype)
        labels = xp.where(ext < 0, blank, ext)
        index = (
            xp.arange(num_t).reshape(-1, 1, 1) * num_n + xp.arange(num_n).reshape(1, -1, 1)
        ) * num_c + labels
        device.backend.scatter_add(occupied.reshape(-1), index.reshape(-1), share.reshape(-1))
        bad = ~xp.isfinite(nll).reshape(1, num_n, 1) | (log_probs == _NEG_INF)
        occupied = xp.where(bad, float("nan"), occupied).astype(dtype, copy=False)
        out = (xp.exp(log_probs) - occupied) * grad.reshape(1, num_n, 1)
    keep = xp.arange(num_t).reshape(-1, 1) < il.reshape(1, num_n)  # (T, N)
    if zero_infinity:
        keep = keep & (nll != float("inf")).reshape(1, num_n)
    return xp.where(keep[:, :, None], out, 0).astype(dtype, copy=False)
