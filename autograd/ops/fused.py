"""Fused recurrent ops: an LSTM or GRU step's whole elementwise part in one op, and whole layers.

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

import math
import sys
import threading

from ..function import Primitive
from .conv import _work


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


_kept = threading.local()
_KEPT_PER_KEY, _KEPT_BYTES = 4, 1 << 26  # per thread: 4 arrays per slot and shape, 64 MiB in all


def _output_copy(ctx, slot, saved):
    """A copy of ``saved`` to return as an output: an in-place op on the output (``out *= mask``, or
    through a view such as batch_first's transpose, which writes into its array) must neither raise
    at backward for a changed saved output nor change what backward reads, as in PyTorch."""
    out = _reused(ctx, slot, saved.shape, saved.dtype)
    out[...] = saved
    return out


def _reused(ctx, slot, shape, dtype):
    """An array of ``shape`` for one call's outputs or saved values: on the CPU, one of this thread's
    arrays of that slot and shape that nothing references any more, else a new one (kept for later
    calls). Every array handed out is a view of a kept base and a view holds a reference to its
    base, so a base only the keeper references is one that no earlier output or saved value can
    still see. Saves the page faults of a fresh multi-megabyte array on every call."""
    xp = ctx.device.xp
    nbytes = math.prod(shape) * dtype.itemsize
    if ctx.device.backend.name != "cpu" or nbytes > _KEPT_BYTES // 2:
        return xp.empty(shape, dtype=dtype)
    kept = _kept.__dict__.setdefault("arrays", {})
    key = (slot, shape, dtype)
    bases = kept.setdefault(key, [])
    base = _unreferenced(bases, _FREE)
    if base is not None:
        return base[...]
    base = xp.empty(shape, dtype=dtype)
    if len(bases) < _KEPT_PER_KEY:
        total = _kept.__dict__.get("nbytes", 0) + nbytes
        while total > _KEPT_BYTES:  # forget the oldest slots (arrays still in use stay alive)
            old = kept.pop(next(iter(kept)))
            total -= sum(a.nbytes for a in old)
            if old is bases:
                bases = kept[key] = []
        bases.append(base)
        _kept.nbytes = total
    return base[...]


def _unreferenced(objects, free):
    """The first of ``objects`` whose reference count, as seen here, is ``free`` (None if none is)."""
    for obj in objects:
        if sys.getrefcount(obj) == free:
            return obj
    return None


# The count ``_unreferenced`` sees for an object that only its list holds (3 on CPython 3.11: the
# list, the loop variable and the call's argument), measured rather than assumed: interpreters
# that borrow references on the stack see fewer, and a wrong constant would hand out an array
# that someone still holds.
_FREE = next(n for n in range(1, 8) if _unreferenced([bytearray(1)], n) is not None)

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
    """A whole LSTM layer in one direction: ``(out, h_n, c_n)`` over a time-major sequence.

    Arguments: ``x``, ``w_ih``, ``w_hh`` ``(4H, H)``, ``bias`` ``(4H,)`` or None (added to every
    step's gates), ``h0``, ``c0`` ``(N, H)`` and ``reverse``. With ``w_ih`` ``(4H, I)``, ``x`` is the
    layer input ``(L, N, I)`` and its projection ``x @ w_ih.T`` for all steps is one matmul inside
    the op; with ``w_ih`` None, ``x`` holds the gate projections ``(L, N, 4H)``. The time loop runs
    on raw arrays; backward is one loop too, with the gradients of ``w_hh`` and ``w_ih`` one matmul
    each over all steps. When a graph of the backward is recorded (``create_graph=True``), backward
    instead recomputes the steps with Tensor ops (:func:`fused_lstm_cell`) and backpropagates
    through them with Tensor ops, so double backward works. The activated gates and cell states are
    kept for the fast backward only.

    Speed: ``sigmoid(z) = 0.5 * tanh(z / 2) + 0.5``, so the halving of the ``i, f, o``
    pre-activations is folded into the weights (rows of ``w_ih``, columns of ``W_hh^T``) and the
    bias; each step is then one matmul, one add, one ``tanh`` over all four gates and a few ops of
    width ``H`` into arrays made once per call. The arrays returned and saved come from
    :func:`_reused` (an earlier call's, once nothing references them).
    """

    @staticmethod
    def forward(ctx, x, w_ih, w_hh, bias, h0, c0, reverse):
        xp = ctx.device.xp
        length, n = x.shape[:2]
        gates, H = w_hh.shape
        dtype = x.dtype
        if dtype.kind != "f":
            raise TypeError(f"fused_lstm_layer expects a floating point input, got {dtype}")
        scale, _ = _lstm_affine(xp, ctx.device, dtype, H)
        w_t = xp.multiply(w_hh.T, scale, out=xp.empty((H, gates), dtype=dtype))  # sigmoid columns halved
        acts = _reused(ctx, "lstm_gates", (length, n, gates), dtype)  # (halved) input parts, then gates
        if w_ih is None:
            xp.multiply(x, scale, out=acts)
        else:
            w_in = xp.multiply(w_ih.T, scale, out=xp.empty(w_ih.shape[::-1], dtype=dtype))
            xp.matmul(x.reshape(length * n, -1), w_in, out=acts.reshape(length * n, gates))
        if bias is not None:
            acts += bias * scale
        hs = _reused(ctx, "lstm_h", (length, n, H), dtype)
        cs = _reused(ctx, "lstm_c", (length, n, H), dtype)
        tcs = _reused(ctx, "lstm_tanh_c", (length, n, H), dtype)
        pre = xp.empty((n, gates), dtype=dtype)  # scratch: one step's gates, then their tanh
        tmp = xp.empty((n, H), dtype=dtype)
        h, c = h0, c0
        for t in _order(length, reverse):
            a = acts[t]
            xp.matmul(h, w_t, out=pre)
            pre += a
            xp.tanh(pre, out=pre)
            xp.multiply(pre, 0.5, out=a)  # i, f, o = 0.5 * tanh(z / 2) + 0.5 (g is copied below)
            a += 0.5
            g = pre[:, 2 * H:3 * H]
            c = xp.multiply(a[:, H:2 * H], c, out=cs[t])
            c += xp.multiply(a[:, :H], g, out=tmp)
            a[:, 2 * H:3 * H] = g
            h = xp.multiply(xp.tanh(c, out=tcs[t]), a[:, 3 * H:], out=hs[t])
        ctx.reverse = reverse
        ctx.save_for_backward(x, w_ih, w_hh, bias, h0, c0, hs, acts, cs, tcs)
        return _output_copy(ctx, "lstm_out", hs), h.copy(), c.copy()

    @staticmethod
    def backward(ctx, dout, dh_n, dc_n):
        from .linalg import matmul

        x, w_ih, w_hh, bias, h0, c0 = ctx.saved_tensors[:6]
        pre = x if w_ih is None else matmul(x, w_ih.t())
        if bias is not None:
            pre = pre + bias
        dpre, dw_hh, dh, dc = _lstm_layer_backward_graph(ctx, pre, w_hh, h0, c0, dout, dh_n, dc_n)
        need = ctx.needs_input_grad
        dx, dw_ih = dpre, None
        if w_ih is not None:
            dx = matmul(dpre, w_ih) if need[0] else None
            if need[1]:
                dw_ih = matmul(dpre.reshape(-1, dpre.shape[-1]).t(), x.reshape(-1, x.shape[-1]))
        db = dpre.sum((0, 1)) if need[3] else None
        return dx, dw_ih, dw_hh, db, dh, dc, None

    @staticmethod
    def raw_backward(ctx, dout, dh_n, dc_n):
        x, w_ih, w, _, h0, c0, hs, acts, cs, tcs = ctx.saved_arrays
        need = ctx.needs_input_grad
        xp = ctx.device.xp
        length, n, gates = acts.shape
        H = gates // 4
        # the gates' gradients: returned without w_ih, else used only here (a reused scratch array)
        dpre = xp.empty((length, n, gates), dtype=acts.dtype) if w_ih is None else \
            _work(ctx, "lstm_dgates", (length, n, gates), acts.dtype)
        deriv = xp.empty((n, gates), dtype=acts.dtype)  # scratch: the gates' derivatives
        tmp = xp.empty((n, H), dtype=acts.dtype)
        dh = xp.empty((n, H), dtype=acts.dtype)
        dc = dc_n.copy()
        order = _order(length, ctx.reverse)[::-1]
        for k, t in enumerate(order):
            if k:
                xp.matmul(dpre[order[k - 1]], w, out=dh)
                dh += dout[t]
            else:
                xp.add(dh_n, dout[t], out=dh)
            a, d = acts[t], dpre[t]
            i, f, g, o = a[:, :H], a[:, H:2 * H], a[:, 2 * H:3 * H], a[:, 3 * H:]
            tc = tcs[t]
            xp.multiply(dh, tc, out=d[:, 3 * H:])  # d o
            tc = xp.multiply(tc, tc, out=tmp)
            xp.subtract(1, tc, out=tc)
            tc *= o
            tc *= dh
            dc += tc  # dc += dh * o * (1 - tanh(c)^2)
            xp.multiply(dc, g, out=d[:, :H])  # d i
            xp.multiply(dc, c0 if k == length - 1 else cs[order[k + 1]], out=d[:, H:2 * H])  # d f
            xp.multiply(dc, i, out=d[:, 2 * H:3 * H])  # d g
            xp.subtract(1, a, out=deriv)  # s * (1 - s) for i, f, o; 1 - g^2 for g
            deriv *= a
            dg = deriv[:, 2 * H:3 * H]
            xp.multiply(g, g, out=dg)
            xp.subtract(1, dg, out=dg)
            d *= deriv
            dc *= f
        dh0 = xp.matmul(dpre[order[-1]], w) if need[4] else None
        rows = length * n
        flat = dpre.reshape(rows, gates)
        dw = None
        if need[2]:  # all steps at once: dW = sum_t dpre_t^T h_{t-1} (h_{t-1} = h0 at the first step)
            first, rest, prev = (length - 1, slice(None, -1), slice(1, None)) if ctx.reverse else \
                (0, slice(1, None), slice(None, -1))
            dw = xp.matmul(dpre[first].T, h0)
            if length > 1:
                dw += xp.matmul(dpre[rest].reshape(rows - n, gates).T, hs[prev].reshape(rows - n, H))
        dx = dw_ih = None
        if w_ih is None:
            dx = dpre if need[0] else None
        else:
            if need[0]:
                dx = xp.matmul(flat, w_ih).reshape(x.shape)
            if need[1]:
                dw_ih = xp.matmul(flat.T, x.reshape(rows, -1))
        db = flat.sum(0) if need[3] else None
        return dx, dw_ih, dw, db, dh0, dc if need[5] else None, None


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


def fused_lstm_layer(input, w_hh, h0, c0, reverse=False, bias=None, w_ih=None):
    """One LSTM layer in one direction over a time-major sequence (PyTorch's gate order ``i, f, g, o``).

    Args:
        input: the gate projections ``x @ weight_ih.T (+ bias_ih + bias_hh)`` of every step,
            ``(L, N, 4 * hidden)``; or, with ``w_ih``, the layer input ``(L, N, H_in)``.
        w_hh: ``weight_hh``, ``(4 * hidden, hidden)``.
        h0, c0: the initial states, ``(N, hidden)``.
        reverse: run from the last step to the first.
        bias: ``(4 * hidden,)`` added to every step's gates (``bias_ih + bias_hh``), or None.
        w_ih: ``weight_ih`` ``(4 * hidden, H_in)``: project ``input`` inside the op (one matmul).

    Returns:
        ``(output, h_n, c_n)``: output ``(L, N, hidden)`` (the hidden state of every step, in
        input order), h_n and c_n ``(N, hidden)``.
    """
    gates = w_hh.shape[0] if w_hh.ndim == 2 else -1
    width = gates if w_ih is None else (w_ih.shape[1] if w_ih.ndim == 2 and w_ih.shape[0] == gates else -1)
    if input.ndim != 3 or w_hh.ndim != 2 or input.shape[-1] != width or gates != 4 * w_hh.shape[1] \
            or input.shape[1:2] + w_hh.shape[1:] != tuple(h0.shape) or tuple(h0.shape) != tuple(c0.shape) \
            or input.shape[0] == 0 or (bias is not None and tuple(bias.shape) != (gates,)):
        raise RuntimeError(
            f"fused_lstm_layer: expected input (L, N, 4H) (or (L, N, H_in) with w_ih (4H, H_in)) with "
            f"L > 0, w_hh (4H, H), h0 and c0 (N, H) and bias (4H,) or None, got input "
            f"{tuple(input.shape)}, w_hh {tuple(w_hh.shape)}, h0 {tuple(h0.shape)}, c0 {tuple(c0.shape)}, "
            f"bias {None if bias is None else tuple(bias.shape)}, "
            f"w_ih {None if w_ih is None else tuple(w_ih.shape)}")
    return FusedLSTMLayer.apply(input, w_ih, w_hh, bias, h0, c0, bool(reverse))


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


def _check_gates(op, gx, gh, state_, chunks):
    hidden = state_.shape[-1] if state_.ndim else 0
    if gh.ndim == 0 or gh.shape[-1] != chunks * hidden or gx.ndim == 0 or gx.shape[-1] != chunks * hidden:
        raise RuntimeError(
            f"{op}: gates_x {tuple(gx.shape)} and gates_h {tuple(gh.shape)} must have a last "
            f"dimension of {chunks} * hidden = {chunks * hidden} (state of shape {tuple(state_.shape)})"
        )


# the GRU ops live in their own module (it imports the helpers above)
from .fused_gru import FusedGRUCell, FusedGRULayer, fused_gru_cell, fused_gru_layer  # noqa: E402,F401

__all__ = ["fused_lstm_cell", "fused_gru_cell", "fused_lstm_layer", "fused_gru_layer"]
