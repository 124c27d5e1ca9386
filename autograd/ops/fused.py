"""Fused recurrent cells: the whole elementwise part of an LSTM or GRU step in one op.

A recurrent layer runs many small ops per time step, so per-op overhead
dominates. These primitives take the two gate projections (``x @ W_ih.T + b``
and ``h @ W_hh.T + b``) and do the gate nonlinearities and the state update in
one node, as PyTorch's ``_thnn_fused_lstm_cell`` / ``_thnn_fused_gru_cell`` do.

The activated gates are a third (LSTM) or second (GRU) output, PyTorch's
"workspace": backward needs them, and saving an output keeps the graph
differentiable (double backward recomputes nothing and sees every dependency).
Backward is one piece of math written for both arrays and Tensors: Tensor ops
when a graph of the backward is being recorded (``create_graph=True``), raw
backend arrays otherwise, for speed.
"""
from __future__ import annotations

from ..function import Primitive
from ..grad_mode import state
from ..tensor import Tensor


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
    """The same functions on Tensors (recorded, for ``create_graph=True``)."""

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


def _math(ctx, saved):
    """``(math, values)``: Tensor math and the Tensors when recording, else array math and arrays."""
    if state.enabled:
        return _TensorMath, saved
    return _ArrayMath(ctx.device.xp), [None if s is None else s.data for s in saved]


def _sigmoid_(xp, a):
    """Sigmoid in place, as ``0.5 * tanh(0.5 * a) + 0.5`` (stable for any ``a``, no overflow)."""
    xp.multiply(a, 0.5, out=a)
    xp.tanh(a, out=a)
    xp.multiply(a, 0.5, out=a)
    xp.add(a, 0.5, out=a)


def _wrap(ctx, value):
    return value if value is None or isinstance(value, Tensor) else Tensor._make(value, ctx.device)


# ---------------------------------------------------------------- LSTM
class FusedLSTMCell(Primitive):
    """``(h', c', gates)`` from gate projections ``gx``, ``gh`` (``(*, 4H)``) and the cell state ``c``."""

    @staticmethod
    def forward(ctx, gx, gh, c):
        xp = ctx.device.xp
        H = gh.shape[-1] // 4
        act = gx + gh  # a new array: the gates are activated in place
        _sigmoid_(xp, act[..., :2 * H])
        xp.tanh(act[..., 2 * H:3 * H], out=act[..., 2 * H:3 * H])
        _sigmoid_(xp, act[..., 3 * H:])
        i, f, g, o = (act[..., k * H:(k + 1) * H] for k in range(4))
        c_new = f * c
        c_new += i * g
        h_new = xp.tanh(c_new)
        h_new *= o
        ctx.save_for_backward(act, c, c_new)
        return h_new, c_new, act

    @staticmethod
    def backward(ctx, dh, dc, dact):
        m, (act, c, c_new, dh, dc, dact) = _math(ctx, (*ctx.saved_tensors, dh, dc, dact))
        i, f, g, o = m.chunk(act, 4)
        tc = m.tanh(c_new)
        dc = dc + dh * o * (1 - tc * tc)
        di, df, dg, do = m.chunk(dact, 4)
        dpre = m.cat([
            (di + dc * g) * i * (1 - i),
            (df + dc * c) * f * (1 - f),
            (dg + dc * i) * (1 - g * g),
            (do + dh * tc) * o * (1 - o),
        ])
        need = ctx.needs_input_grad
        dpre = _wrap(ctx, dpre)
        dc_prev = _wrap(ctx, dc * f) if need[2] else None
        return (dpre if need[0] else None), (dpre if need[1] else None), dc_prev


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
        xp = ctx.device.xp
        H = gh.shape[-1] // 3
        act = gx + gh  # r and z are activated in place; n is replaced below
        _sigmoid_(xp, act[..., :2 * H])
        r, z, n = act[..., :H], act[..., H:2 * H], act[..., 2 * H:]
        n[...] = gh[..., 2 * H:]
        n *= r
        n += gx[..., 2 * H:]
        xp.tanh(n, out=n)
        h_new = h - n
        h_new *= z
        h_new += n
        ctx.save_for_backward(act, gh, h)
        return h_new, act

    @staticmethod
    def backward(ctx, dh, dact):
        m, (act, gh, h, dh, dact) = _math(ctx, (*ctx.saved_tensors, dh, dact))
        r, z, n = m.chunk(act, 3)
        dr, dz, dn = m.chunk(dact, 3)
        dn_pre = (dn + dh * (1 - z)) * (1 - n * n)
        dr_pre = (dr + dn_pre * m.chunk(gh, 3)[2]) * r * (1 - r)
        dz_pre = (dz + dh * (h - n)) * z * (1 - z)
        need = ctx.needs_input_grad
        dgx = _wrap(ctx, m.cat([dr_pre, dz_pre, dn_pre])) if need[0] else None
        dgh = _wrap(ctx, m.cat([dr_pre, dz_pre, dn_pre * r])) if need[1] else None
        dh_prev = _wrap(ctx, dh * z) if need[2] else None
        return dgx, dgh, dh_prev


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


__all__ = ["fused_lstm_cell", "fused_gru_cell"]
