"""Op-table entries for the fused recurrent ops (cells and whole layers of LSTM and GRU).

Both are smooth everywhere, so first and second derivatives are checked on
any inputs; shapes cover batched, unbatched and multi-batch-dimension states.
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from autograd.ops.fused import fused_gru_cell, fused_gru_layer, fused_lstm_cell, fused_lstm_layer

from .spec import OpCase, array


@st.composite
def cell_inputs(draw, chunks):
    """``(gates_x, gates_h, state)`` of shapes ``(*B, chunks*H)``, ``(*B, chunks*H)``, ``(*B, H)``."""
    hidden = draw(st.integers(1, 3))
    lead = draw(st.sampled_from([(), (1,), (3,), (2, 2)]))
    gates = lead + (chunks * hidden,)
    return (draw(array(gates)), draw(array(gates)), draw(array(lead + (hidden,)))), {}


@st.composite
def layer_inputs(draw):
    """``(gates_x (L, N, 4H), w_hh (4H, H), h0 (N, H), c0 (N, H))`` and ``reverse``."""
    length, n, hidden = draw(st.integers(1, 3)), 1, draw(st.integers(1, 2))
    arrays = (draw(array((length, n, 4 * hidden))), draw(array((4 * hidden, hidden), -1.0, 1.0)),
              draw(array((n, hidden))), draw(array((n, hidden))))
    return arrays, {"reverse": draw(st.booleans())}


@st.composite
def layer_proj_inputs(draw):
    """``(x (L, N, I), w_hh (4H, H), h0, c0 (N, H), bias (4H,), w_ih (4H, I))`` and ``reverse``."""
    length, n, hidden, size = draw(st.integers(1, 3)), draw(st.integers(1, 2)), draw(st.integers(1, 2)), 2
    arrays = (draw(array((length, n, size))), draw(array((4 * hidden, hidden), -1.0, 1.0)),
              draw(array((n, hidden))), draw(array((n, hidden))), draw(array((4 * hidden,))),
              draw(array((4 * hidden, size), -1.0, 1.0)))
    return arrays, {"reverse": draw(st.booleans())}


def lstm_layer_proj(x, w_hh, h, c, bias, w_ih, reverse=False):
    return fused_lstm_layer(x, w_hh, h, c, reverse, bias=bias, w_ih=w_ih)


def lstm_layer_proj_ref(x, w_hh, h, c, bias, w_ih, reverse=False):
    return lstm_layer_ref(x @ w_ih.T + bias, w_hh, h, c, reverse)


def lstm_layer_proj_torch(x, w_hh, h, c, bias, w_ih, reverse=False):
    return lstm_layer_torch(x @ w_ih.T + bias, w_hh, h, c, reverse)


@st.composite
def gru_layer_inputs(draw):
    """``(gates_x (L, N, 3H), w_hh (3H, H), b_hh (3H,), h0 (N, H))`` and ``reverse``."""
    length, n, hidden = draw(st.integers(1, 3)), 1, draw(st.integers(1, 2))
    arrays = (draw(array((length, n, 3 * hidden))), draw(array((3 * hidden, hidden), -1.0, 1.0)),
              draw(array((3 * hidden,))), draw(array((n, hidden))))
    return arrays, {"reverse": draw(st.booleans())}


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def lstm_ref(gx, gh, c):
    i, f, g, o = np.split(gx + gh, 4, axis=-1)
    c_new = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
    return _sigmoid(o) * np.tanh(c_new), c_new


def gru_ref(gx, gh, h):
    xr, xz, xn = np.split(gx, 3, axis=-1)
    hr, hz, hn = np.split(gh, 3, axis=-1)
    r, z = _sigmoid(xr + hr), _sigmoid(xz + hz)
    n = np.tanh(xn + r * hn)
    return (1 - z) * n + z * h


def lstm_layer_ref(gx, w_hh, h, c, reverse=False):
    out = np.empty(gx.shape[:2] + (w_hh.shape[1],))
    for t in (range(gx.shape[0] - 1, -1, -1) if reverse else range(gx.shape[0])):
        h, c = lstm_ref(gx[t], h @ w_hh.T, c)
        out[t] = h
    return out, h, c


def lstm_layer_torch(gx, w_hh, h, c, reverse=False):
    import torch

    out = [None] * gx.shape[0]
    for t in (range(gx.shape[0] - 1, -1, -1) if reverse else range(gx.shape[0])):
        h, c = lstm_torch(gx[t], h @ w_hh.T, c)
        out[t] = h
    return torch.stack(out), h, c


def gru_layer_ref(gx, w_hh, b_hh, h, reverse=False):
    out = np.empty(gx.shape[:2] + (w_hh.shape[1],))
    for t in (range(gx.shape[0] - 1, -1, -1) if reverse else range(gx.shape[0])):
        h = gru_ref(gx[t], h @ w_hh.T + b_hh, h)
        out[t] = h
    return out, h


def gru_layer_torch(gx, w_hh, b_hh, h, reverse=False):
    import torch

    out = [None] * gx.shape[0]
    for t in (range(gx.shape[0] - 1, -1, -1) if reverse else range(gx.shape[0])):
        h = gru_torch(gx[t], h @ w_hh.T + b_hh, h)
        out[t] = h
    return torch.stack(out), h


def lstm_torch(gx, gh, c):
    i, f, g, o = (gx + gh).chunk(4, dim=-1)
    c_new = f.sigmoid() * c + i.sigmoid() * g.tanh()
    return o.sigmoid() * c_new.tanh(), c_new


def gru_torch(gx, gh, h):
    xr, xz, xn = gx.chunk(3, dim=-1)
    hr, hz, hn = gh.chunk(3, dim=-1)
    r, z = (xr + hr).sigmoid(), (xz + hz).sigmoid()
    n = (xn + r * hn).tanh()
    return (1 - z) * n + z * h


CASES = [
    OpCase("fused_lstm_cell", fused_lstm_cell, lstm_ref, cell_inputs(4), torch_fn=lstm_torch),
    OpCase("fused_gru_cell", fused_gru_cell, gru_ref, cell_inputs(3), torch_fn=gru_torch),
    OpCase("fused_lstm_layer", fused_lstm_layer, lstm_layer_ref, layer_inputs(), torch_fn=lstm_layer_torch),
    OpCase("fused_lstm_layer", lstm_layer_proj, lstm_layer_proj_ref, layer_proj_inputs(),
           torch_fn=lstm_layer_proj_torch, id="fused_lstm_layer_projected"),
    OpCase("fused_gru_layer", fused_gru_layer, gru_layer_ref, gru_layer_inputs(), torch_fn=gru_layer_torch),
]
