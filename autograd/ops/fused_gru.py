"""Fused GRU ops: a GRU step's whole elementwise part in one op, and a whole GRU layer.

As the LSTM ones in :mod:`autograd.ops.fused` (which re-exports these): ``fused_gru_cell`` takes
the two gate projections and does the gate nonlinearities and the state update in one node
(PyTorch's ``_thnn_fused_gru_cell``); ``fused_gru_layer`` runs the whole time loop of one GRU
layer and direction in one node. Each op's ``backward`` (Tensor ops) is its differentiable
definition; its ``raw_backward`` is the same math on raw backend arrays.
"""
from __future__ import annotations

from ..function import Primitive
from .fused import _ArrayMath, _check_gates, _order, _output_copy, _reused, _TensorMath
from .unary import sigmoid_array


class FusedGRUCell(Primitive):
    """``(h', gates)`` from gate projections ``gx``, ``gh`` (``(*, 3H)``) and the hidden state ``h``."""

    @staticmethod
    def forward(ctx, gx, gh, h):
        h_new, act = _gru_forward_(ctx.device.xp, gx, gh, h)
        ctx.save_for_backward(act, gh, h)
        return h_new, act

    @staticmethod
    def backward(ctx, dh, dact):
        act, gh, h = ctx.saved_tensors
        return _gru_cell_grads(ctx, _TensorMath, act, gh, h, dh, dact)

    @staticmethod
    def raw_backward(ctx, dh, dact):
        act, gh, h = ctx.saved_arrays
        return _gru_cell_grads(ctx, _ArrayMath(ctx.device.xp), act, gh, h, dh, dact)


def _gru_cell_grads(ctx, m, act, gh, h, dh, dact):
    dgx, dgh, dh_prev = _gru_backward(m, act, gh, h, dh, dact)
    need = ctx.needs_input_grad
    return (dgx if need[0] else None), (dgh if need[1] else None), (dh_prev if need[2] else None)


def _gru_forward_(xp, gx, gh, h, act_out=None, h_out=None):
    """``(h', act)``: one GRU step; ``act`` holds the activated ``r, z, n`` (written to the outs if given)."""
    H = gh.shape[-1] // 3
    act = xp.add(gx, gh, out=act_out)  # r and z are activated in place; n is replaced below
    rz = act[..., :2 * H]
    sigmoid_array(xp, rz, out=rz)
    r, z, n = act[..., :H], act[..., H:2 * H], act[..., 2 * H:]
    xp.multiply(gh[..., 2 * H:], r, out=n)
    n += gx[..., 2 * H:]
    xp.tanh(n, out=n)
    h_new = xp.subtract(h, n, out=h_out)
    h_new *= z
    h_new += n
    return h_new, act


def _gru_backward(m, act, gh, h, dh, dact=None):
    """``(d gx, d gh, d h via z)`` of one GRU step from its activated gates (arrays or Tensors)."""
    r, z, n = m.chunk(act, 3)
    gn = dh * (1 - z)
    gz = dh * (h - n)
    if dact is not None:
        dr, dz, dn = m.chunk(dact, 3)
        gn, gz = gn + dn, gz + dz
    dn_pre = gn * (1 - n * n)
    gr = dn_pre * m.chunk(gh, 3)[2]
    if dact is not None:
        gr = gr + dr
    dr_pre = gr * r * (1 - r)
    dz_pre = gz * z * (1 - z)
    return m.cat([dr_pre, dz_pre, dn_pre]), m.cat([dr_pre, dz_pre, dn_pre * r]), dh * z


class FusedGRULayer(Primitive):
    """A whole GRU layer in one direction: ``(out, h_n)`` from time-major input projections.

    Arguments: ``gx`` ``(L, N, 3H)`` (``x @ W_ih.T + b_ih``), ``w_hh`` ``(3H, H)``, ``b_hh``
    ``(3H,)`` or None, ``h0`` ``(N, H)`` and ``reverse``. As :class:`FusedLSTMLayer`: a raw time
    loop, one matmul for the gradient of ``w_hh``, and a Tensor-op backward under ``create_graph``.
    """

    @staticmethod
    def forward(ctx, gx, w_hh, b_hh, h0, reverse):
        xp = ctx.device.xp
        length, n, gates = gx.shape
        w_t = xp.ascontiguousarray(w_hh.T)
        ghs = _reused(ctx, "gru_gates_h", (length, n, gates), gx.dtype)
        acts = _reused(ctx, "gru_gates", (length, n, gates), gx.dtype)
        hs = _reused(ctx, "gru_h", (length, n, gates // 3), gx.dtype)
        h = h0
        for t in _order(length, reverse):
            gh = xp.matmul(h, w_t, out=ghs[t])
            if b_hh is not None:
                gh += b_hh
            h, _ = _gru_forward_(xp, gx[t], gh, h, acts[t], hs[t])
        ctx.reverse = reverse
        ctx.save_for_backward(gx, w_hh, b_hh, h0, hs, acts, ghs)
        return _output_copy(ctx, "gru_out", hs), h.copy()

    @staticmethod
    def backward(ctx, dout, dh_n):
        gx, w_hh, b_hh, h0 = ctx.saved_tensors[:4]
        return _gru_layer_backward_graph(ctx, gx, w_hh, b_hh, h0, dout, dh_n) + (None,)

    @staticmethod
    def raw_backward(ctx, dout, dh_n):
        _, w, _, h0, hs, acts, ghs = ctx.saved_arrays
        need = ctx.needs_input_grad
        xp = ctx.device.xp
        m = _ArrayMath(xp)
        length = hs.shape[0]
        dgx, dgh = xp.empty_like(acts), xp.empty_like(acts)
        dh = dh_n
        order = _order(length, ctx.reverse)[::-1]
        for k, t in enumerate(order):
            prev = order[k + 1] if k + 1 < length else None
            dgx[t], dgh[t], dh = _gru_backward(m, acts[t], ghs[t], h0 if prev is None else hs[prev],
                                               dh + dout[t])
            dh = dh + xp.matmul(dgh[t], w)
        rows = length * hs.shape[1]
        dgh2 = dgh.reshape(rows, -1)
        dw = xp.matmul(dgh2.T, _h_prev(xp, hs, h0, ctx.reverse).reshape(rows, -1)) if need[1] else None
        db = dgh2.sum(axis=0) if need[2] else None
        return dgx if need[0] else None, dw, db, dh if need[3] else None, None


def _h_prev(xp, hs, h0, reverse):
    """The state each step started from, in step order: ``h0`` then all but the last output."""
    if hs.shape[0] == 1:
        return h0[None]
    if reverse:
        return xp.concatenate([hs[1:], h0[None]], axis=0)
    return xp.concatenate([h0[None], hs[:-1]], axis=0)


def _gru_layer_backward_graph(ctx, gx, w_hh, b_hh, h0, dout, dh_n):
    """Backward of :class:`FusedGRULayer` in recorded Tensor ops (for double backward)."""
    from .linalg import matmul
    from .shape import stack

    length = gx.shape[0]
    order = _order(length, ctx.reverse)
    w_t = w_hh.t()
    h, steps = h0, {}
    for t in order:  # recompute each step's gates as differentiable Tensors
        gh = matmul(h, w_t)
        if b_hh is not None:
            gh = gh + b_hh
        h_prev = h
        h, act = FusedGRUCell.apply(gx[t], gh, h)
        steps[t] = (h_prev, gh, act)
    dh, dgx, dw, db = dh_n, [None] * length, None, None
    for t in reversed(order):
        h_prev, gh, act = steps[t]
        dgx[t], dgh, dh = _gru_backward(_TensorMath, act, gh, h_prev, dh + dout[t])
        dh = dh + matmul(dgh, w_hh)
        step_dw, step_db = matmul(dgh.t(), h_prev), dgh.sum(0)
        dw = step_dw if dw is None else dw + step_dw
        db = step_db if db is None else db + step_db
    return stack(dgx, 0), dw, (db if b_hh is not None else None), dh


def fused_gru_layer(gates_x, w_hh, b_hh, h0, reverse=False):
    """One GRU layer in one direction over a sequence, from its input projections.

    Args:
        gates_x: ``input @ weight_ih.T + bias_ih`` for every step, ``(L, N, 3 * hidden)``.
        w_hh: ``weight_hh``, ``(3 * hidden, hidden)``; b_hh: ``bias_hh`` ``(3 * hidden,)`` or None.
        h0: the initial state, ``(N, hidden)``.
        reverse: run from the last step to the first.

    Returns:
        ``(output, h_n)``: output ``(L, N, hidden)`` in input order, h_n ``(N, hidden)``.
    """
    if gates_x.ndim != 3 or w_hh.ndim != 2 or gates_x.shape[-1] != w_hh.shape[0] or \
            w_hh.shape[0] != 3 * w_hh.shape[1] or gates_x.shape[1:2] + w_hh.shape[1:] != tuple(h0.shape) \
            or (b_hh is not None and tuple(b_hh.shape) != w_hh.shape[:1]) or gates_x.shape[0] == 0:
        raise RuntimeError(
            f"fused_gru_layer: expected gates_x (L, N, 3H) with L > 0, w_hh (3H, H), b_hh (3H,) or None "
            f"and h0 (N, H), got {tuple(gates_x.shape)}, {tuple(w_hh.shape)}, "
            f"{None if b_hh is None else tuple(b_hh.shape)}, {tuple(h0.shape)}")
    return FusedGRULayer.apply(gates_x, w_hh, b_hh, h0, bool(reverse))


def fused_gru_cell(gates_x, gates_h, h):
    """One GRU step from its gate projections, PyTorch's gate order ``r, z, n``.

    ``r, z = sigmoid(...)`` of ``gates_x + gates_h``;
    ``n = tanh(gx_n + r * gh_n)``; ``h' = (1 - z) * n + z * h``.

    Args:
        gates_x: ``input @ weight_ih.T + bias_ih``, shape ``(*, 3 * hidden)``.
        gates_h: ``h @ weight_hh.T + bias_hh``, shape ``(*, 3 * hidden)``.
        h: the hidden state, shape ``(*, hidden)``.

    Returns:
        ``h'`` of shape ``(*, hidden)``.

    Example::

        >>> h = ag.fused_gru_cell(ag.zeros(1, 6), ag.zeros(1, 6), ag.ones(1, 2))
        >>> h
        tensor([[0.5000, 0.5000]])
    """
    _check_gates("fused_gru_cell", gates_x, gates_h, h, 3)
    return FusedGRUCell.apply(gates_x, gates_h, h)[0]


__all__ = ["fused_gru_cell", "fused_gru_layer"]
