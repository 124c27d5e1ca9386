"""Fused recurrent ops: an LSTM or GRU step's whole elementwise part in one op, and a whole LSTM layer.

A recurrent layer runs many small ops per time step, so per-op overhead
dominates. ``fused_lstm_cell`` / ``fused_gru_cell`` take the two gate
projections (``x @ W_ih.T + b`` and ``h @ W_hh.T + b``) and do the gate
nonlinearities and the state update in one node, as PyTorch's
``_thnn_fused_lstm_cell`` / ``_thnn_fused_gru_cell`` do. ``fused_lstm_layer``
runs the whole time loop of one LSTM layer and direction in one node.

The cells' activated gates are an extra output, PyTorch's "workspace":
backward needs them, and saving an output keeps the graph differentiable
(double backward sees every dependency). Each op's ``backward`` (Tensor ops) is
its differentiable definition; its ``raw_backward`` is the same math on raw
backend arrays, which the engine calls instead when no graph of the backward is
recorded (``create_graph=False``), for speed. The cells' math is one function
over a small namespace (``_ArrayMath`` or ``_TensorMath``) chosen by the op.
"""
from __future__ import annotations

from ..function import Primitive
from .unary import sigmoid_array


class _ArrayMath:
    """Array functions for the backward math on raw backend arrays."""

    def __init__(self, xp):
        self.tanh = xp.tanh
        self._xp = xp

    def cat(self, parts):
        return self._xp.concatenate(parts, axis=-1)

    def chunk(self, a, n):
        size = a.shape[-1] // n
        return [a[..., k * size:(k + 1) * size] for k in range(n)]


class _TensorMath:
    """The same functions on Tensors (differentiable)."""

    @staticmethod
    def tanh(t):
        return t.tanh()

    @staticmethod
    def cat(parts):
        from .shape import cat

        return cat(parts, dim=-1)

    @staticmethod
    def chunk(t, n):
        size = t.shape[-1] // n
        return [t[..., k * size:(k + 1) * size] for k in range(n)]


_LSTM_AFFINE: dict = {}


def _lstm_affine(xp, device, dtype, hidden):
    """``(scale, shift)`` rows with ``act = tanh(pre * scale) * scale + shift`` giving sigmoid for
    ``i, f, o`` (scale 0.5, shift 0.5) and tanh for ``g`` (scale 1, shift 0): four full-width ops."""
    key = (device, dtype, hidden)
    got = _LSTM_AFFINE.get(key)
    if got is None:
        scale = xp.full((4 * hidden,), 0.5, dtype=dtype)
        shift = xp.full((4 * hidden,), 0.5, dtype=dtype)
        scale[2 * hidden:3 * hidden] = 1
        shift[2 * hidden:3 * hidden] = 0
        got = _LSTM_AFFINE[key] = (scale, shift)
    return got


# ---------------------------------------------------------------- LSTM
class FusedLSTMCell(Primitive):
    """``(h', c', gates)`` from gate projections ``gx``, ``gh`` (``(*, 4H)``) and the cell state ``c``."""

    @staticmethod
    def forward(ctx, gx, gh, c):
        act = gx + gh  # a new array: the gates are activated in place
        h_new, c_new = _lstm_forward_(ctx, act, c)
        ctx.save_for_backward(act, c, c_new)
        return h_new, c_new, act

    @staticmethod
    def backward(ctx, dh, dc, dact):
        act, c, c_new = ctx.saved_tensors
        return _lstm_cell_grads(ctx, _TensorMath, act, c, c_new, dh, dc, dact)

    @staticmethod
    def raw_backward(ctx, dh, dc, dact):
        act, c, c_new = ctx.saved_arrays
        return _lstm_cell_grads(ctx, _ArrayMath(ctx.device.xp), act, c, c_new, dh, dc, dact)


def _lstm_cell_grads(ctx, m, act, c, c_new, dh, dc, dact):
    need = ctx.needs_input_grad
    dpre, dc_prev = _lstm_backward(m, act, c, c_new, dh, dc, dact)
    return (dpre if need[0] else None), (dpre if need[1] else None), (dc_prev if need[2] else None)


def _lstm_forward_(ctx, act, c, h_out=None, c_out=None):
    """Activate the pre-activations ``act`` in place; return ``(h', c')`` (written to the outs if given)."""
    xp = ctx.device.xp
    H = act.shape[-1] // 4
    if act.dtype.kind != "f":
        raise TypeError(f"fused_lstm_cell expects floating point gates, got {act.dtype}")
    scale, shift = _lstm_affine(xp, ctx.device, act.dtype, H)
    xp.multiply(act, scale, out=act)
    xp.tanh(act, out=act)
    xp.multiply(act, scale, out=act)
    xp.add(act, shift, out=act)
    i, f, g, o = (act[..., k * H:(k + 1) * H] for k in range(4))
    c_new = xp.multiply(f, c, out=c_out)
    c_new += i * g
    h_new = xp.tanh(c_new, out=h_out)
    h_new *= o
    return h_new, c_new


def _lstm_backward(m, act, c, c_new, dh, dc, dact=None):
    """``(d pre-activations, d c)`` of one LSTM step from its activated gates (arrays or Tensors)."""
    i, f, g, o = m.chunk(act, 4)
    tc = m.tanh(c_new)
    dc = dc + dh * o * (1 - tc * tc)
    grads = [dc * g, dc * c, dc * i, dh * tc]
    if dact is not None:
        grads = [a + b for a, b in zip(grads, m.chunk(dact, 4))]
    di, df, dg, do = grads
    dpre = m.cat([di * i * (1 - i), df * f * (1 - f), dg * (1 - g * g), do * o * (1 - o)])
    return dpre, dc * f


class FusedLSTMLayer(Primitive):
    """A whole LSTM layer in one direction: ``(out, h_n, c_n)`` from time-major gate projections.

    Arguments: ``gx`` ``(L, N, 4H)`` (``x @ W_ih.T + b_ih + b_hh``), ``w_hh`` ``(4H, H)``, ``h0``,
    ``c0`` ``(N, H)`` and ``reverse``. The time loop runs on raw arrays; backward is one loop too,
    with the gradient of ``w_hh`` as one matmul over all steps. When a graph of the backward is
    recorded (``create_graph=True``), backward instead recomputes the steps with Tensor ops
    (:func:`fused_lstm_cell`) and backpropagates through them with Tensor ops, so double backward
    works. The activated gates and cell states are kept for the fast backward only.
    """

    @staticmethod
    def forward(ctx, gx, w_hh, h0, c0, reverse):
        xp = ctx.device.xp
        length, n, gates = gx.shape
        hidden = gates // 4
        w_t = xp.ascontiguousarray(w_hh.T)  # h @ W^T is faster with W^T laid out row-major
        acts = xp.empty((length, n, gates), dtype=gx.dtype)
        hs = xp.empty((length, n, hidden), dtype=gx.dtype)
        cs = xp.empty((length, n, hidden), dtype=gx.dtype)
        h, c = h0, c0
        for t in _order(length, reverse):
            act = xp.matmul(h, w_t, out=acts[t])
            act += gx[t]
            h, c = _lstm_forward_(ctx, act, c, hs[t], cs[t])
        ctx.reverse = reverse
        ctx.save_for_backward(gx, w_hh, h0, c0, hs, acts, cs)
        return hs, h.copy(), c.copy()

    @staticmethod
    def backward(ctx, dout, dh_n, dc_n):
        gx, w_hh, h0, c0 = ctx.saved_tensors[:4]
        return _lstm_layer_backward_graph(ctx, gx, w_hh, h0, c0, dout, dh_n, dc_n) + (None,)

    @staticmethod
    def raw_backward(ctx, dout, dh_n, dc_n):
        _, w, h0, c0, hs, acts, cs = ctx.saved_arrays
        need = ctx.needs_input_grad
        xp = ctx.device.xp
        m = _ArrayMath(xp)
        length = hs.shape[0]
        dpre = xp.empty_like(acts)
        dh, dc = dh_n, dc_n
        order = _order(length, ctx.reverse)[::-1]
        for k, t in enumerate(order):
            prev = order[k + 1] if k + 1 < length else None
            dpre[t], dc = _lstm_backward(m, acts[t], c0 if prev is None else cs[prev], cs[t],
                                         dh + dout[t], dc)
            dh = xp.matmul(dpre[t], w)
        dw = None
        if need[1]:  # all steps at once: dW = sum_t dpre_t^T h_{t-1}
            h_prev = _h_prev(xp, hs, h0, ctx.reverse)
            rows = dpre.shape[0] * dpre.shape[1]
            dw = xp.matmul(dpre.reshape(rows, -1).T, h_prev.reshape(rows, -1))
        return (dpre if need[0] else None, dw, dh if need[2] else None, dc if need[3] else None, None)


def _order(length, reverse):
    return list(range(length - 1, -1, -1)) if reverse else list(range(length))


def _lstm_layer_backward_graph(ctx, gx, w_hh, h0, c0, dout, dh_n, dc_n):
    """Backward of :class:`FusedLSTMLayer` in recorded Tensor ops (for double backward)."""
    from .linalg import matmul
    from .shape import stack

    length = gx.shape[0]
    order = _order(length, ctx.reverse)
    w_t = w_hh.t()
    h, c = h0, c0
    steps = {}
    for t in order:  # recompute each step's activated gates as differentiable Tensors
        h_prev, c_prev = h, c
        h, c, act = FusedLSTMCell.apply(gx[t], matmul(h, w_t), c)
        steps[t] = (h_prev, c_prev, c, act)
    m = _TensorMath
    dh, dc = dh_n, dc_n
    dpre, dw = [None] * length, None
    for t in reversed(order):
        h_prev, c_prev, c_new, act = steps[t]
        dpre[t], dc = _lstm_backward(m, act, c_prev, c_new, dh + dout[t], dc)
        dh = matmul(dpre[t], w_hh)
        step_dw = matmul(dpre[t].t(), h_prev)
        dw = step_dw if dw is None else dw + step_dw
    return stack(dpre, 0), dw, dh, dc


def fused_lstm_layer(gates_x, w_hh, h0, c0, reverse=False):
    """One LSTM layer in one direction over a sequence, from its input projections.

    Args:
        gates_x: ``input @ weight_ih.T + bias_ih + bias_hh`` for every step, ``(L, N, 4 * hidden)``.
        w_hh: ``weight_hh``, ``(4 * hidden, hidden)``.
        h0, c0: the initial states, ``(N, hidden)``.
        reverse: run from the last step to the first.

    Returns:
        ``(output, h_n, c_n)``: output ``(L, N, hidden)`` (the hidden state of every step, in
        input order), h_n and c_n ``(N, hidden)``.
    """
    if gates_x.ndim != 3 or w_hh.ndim != 2 or gates_x.shape[-1] != w_hh.shape[0] or \
            w_hh.shape[0] != 4 * w_hh.shape[1] or gates_x.shape[1:2] + w_hh.shape[1:] != tuple(h0.shape) \
            or tuple(h0.shape) != tuple(c0.shape) or gates_x.shape[0] == 0:
        raise RuntimeError(
            f"fused_lstm_layer: expected gates_x (L, N, 4H) with L > 0, w_hh (4H, H), h0 and c0 (N, H), got "
            f"{tuple(gates_x.shape)}, {tuple(w_hh.shape)}, {tuple(h0.shape)}, {tuple(c0.shape)}")
    return FusedLSTMLayer.apply(gates_x, w_hh, h0, c0, bool(reverse))


def fused_lstm_cell(gates_x, gates_h, c):
    """One LSTM step from its gate projections, PyTorch's gate order ``i, f, g, o``.

    ``i, f, o = sigmoid(...)``, ``g = tanh(...)`` of ``gates_x + gates_h``;
    ``c' = f * c + i * g``; ``h' = o * tanh(c')``.

    Args:
        gates_x: ``input @ weight_ih.T + bias``, shape ``(*, 4 * hidden)``.
        gates_h: ``h @ weight_hh.T (+ bias)``, shape ``(*, 4 * hidden)``.
        c: the cell state, shape ``(*, hidden)``.

    Returns:
        ``(h', c')``, each of shape ``(*, hidden)``.

    Example::

        >>> gx, gh, c = ag.zeros(2, 8), ag.zeros(2, 8), ag.ones(2, 2)
        >>> h, c = ag.fused_lstm_cell(gx, gh, c)
        >>> c
        tensor([[0.5000, 0.5000],
                [0.5000, 0.5000]])
    """
    _check_gates("fused_lstm_cell", gates_x, gates_h, c, 4)
    h, c, _ = FusedLSTMCell.apply(gates_x, gates_h, c)
    return h, c


# ---------------------------------------------------------------- GRU
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
        ghs = xp.empty((length, n, gates), dtype=gx.dtype)
        acts = xp.empty((length, n, gates), dtype=gx.dtype)
        hs = xp.empty((length, n, gates // 3), dtype=gx.dtype)
        h = h0
        for t in _order(length, reverse):
            gh = xp.matmul(h, w_t, out=ghs[t])
            if b_hh is not None:
                gh += b_hh
            h, _ = _gru_forward_(xp, gx[t], gh, h, acts[t], hs[t])
        ctx.reverse = reverse
        ctx.save_for_backward(gx, w_hh, b_hh, h0, hs, acts, ghs)
        return hs, h.copy()

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


def _check_gates(op, gx, gh, state_, chunks):
    hidden = state_.shape[-1] if state_.ndim else 0
    if gh.ndim == 0 or gh.shape[-1] != chunks * hidden or gx.ndim == 0 or gx.shape[-1] != chunks * hidden:
        raise RuntimeError(
            f"{op}: gates_x {tuple(gx.shape)} and gates_h {tuple(gh.shape)} must have a last "
            f"dimension of {chunks} * hidden = {chunks * hidden} (state of shape {tuple(state_.shape)})"
        )


__all__ = ["fused_lstm_cell", "fused_gru_cell", "fused_lstm_layer", "fused_gru_layer"]
