"""nn.functional: recurrent layers (``rnn_tanh``, ``rnn_relu``, ``lstm``, ``gru``) and their cells.

How the layers stay fast: for each layer and direction, the input projection of
all time steps is one matmul; each step is then one matmul (``h @ W_hh.T``) and
fused cell math. LSTM and GRU run the whole time loop of a layer and direction
as one op (``ag.fused_lstm_layer``, which also does the input projection, and
``ag.fused_gru_layer``: the per-step matmul and fused cell math on raw arrays,
and the gradient of ``W_hh`` as one matmul over all steps); the plain RNN uses
matmul + add + tanh/relu per step. Between layers the sequence is kept
time-major (``(L, N, *)``, PyTorch's default layout: no copy of the input or
the output for LSTM); GRU and the plain RNN project it batch-major, so that the
plain RNN's per-step slices of the projection are one ``split`` and its step
outputs one ``cat``, whatever ``L`` is. An LSTM with projections (``proj_size``)
runs step by step: ``fused_lstm_cell`` and one matmul by ``W_hr^T`` per step.
"""
from __future__ import annotations

import autograd as ag
from autograd.ops.fused import fused_gru_cell, fused_gru_layer, fused_lstm_cell, fused_lstm_layer

from .dropout import dropout as _dropout
from .linear import linear

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


# ---------------------------------------------------------------- one step
def _step(mode, gx, h, c, w_hh_t, b_hh):
    """One time step from the input projection ``gx`` (which holds ``b_hh`` too, except for GRU)."""
    gh = h @ w_hh_t
    if mode == "LSTM":
        return fused_lstm_cell(gx, gh, c)
    if mode == "GRU":
        if b_hh is not None:  # GRU's b_hn sits inside r * (W_hn h + b_hn): it can't be folded
            gh = gh + b_hh
        return fused_gru_cell(gx, gh, h), None
    pre = gx + gh
    return (pre.tanh() if mode == "RNN_TANH" else pre.relu()), None


def _input_bias(mode, b_ih, b_hh):
    """The bias added once to the input projection: ``b_ih + b_hh`` except for GRU."""
    if b_ih is None:
        return None
    return b_ih if mode == "GRU" else b_ih + b_hh


def _cell(mode, input, h, c, w_ih, w_hh, b_ih, b_hh):
    gx = linear(input, w_ih, _input_bias(mode, b_ih, b_hh))
    return _step(mode, gx, h, c, w_hh.t(), b_hh if mode == "GRU" else None)


def rnn_tanh_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One Elman RNN step, ``h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)``.

    Shape:
        - input: ``(N, H_in)``; hx: ``(N, H)``; output: ``(N, H)``.
    """
    return _cell("RNN_TANH", input, hx, None, w_ih, w_hh, b_ih, b_hh)[0]


def rnn_relu_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One Elman RNN step with ReLU, ``h' = relu(x W_ih^T + b_ih + h W_hh^T + b_hh)``."""
    return _cell("RNN_RELU", input, hx, None, w_ih, w_hh, b_ih, b_hh)[0]


def lstm_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One LSTM step; ``hx`` is ``(h, c)``; returns ``(h', c')``. Gate order ``i, f, g, o``."""
    h, c = hx
    return _cell("LSTM", input, h, c, w_ih, w_hh, b_ih, b_hh)


def gru_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One GRU step (gate order ``r, z, n``; ``n = tanh(W_in x + b_in + r * (W_hn h + b_hn))``)."""
    return _cell("GRU", input, hx, None, w_ih, w_hh, b_ih, b_hh)[0]


# ---------------------------------------------------------------- a whole layer
def _projected_lstm(x, h, c, w_ih, w_hh, bias, w_hr, reverse):
    """An LSTM layer with ``proj_size``: ``h_t = (o * tanh(c_t)) @ W_hr^T``, step by step."""
    gx = linear(x, w_ih, bias)
    w_hh_t, w_hr_t = w_hh.t(), w_hr.t()
    outs = [None] * x.shape[0]
    for t in (range(x.shape[0] - 1, -1, -1) if reverse else range(x.shape[0])):
        h, c = fused_lstm_cell(gx[t], h @ w_hh_t, c)
        h = outs[t] = h @ w_hr_t
    return ag.stack(outs, 0), h, c


def _direction(mode, x, h, c, w_ih, w_hh, b_ih, b_hh, reverse, w_hr=None):
    """One layer in one direction over time-major ``x`` ``(L, N, H_in)``: ``(out (L, N, H), h, c)``."""
    length, n, size = x.shape
    if w_hr is not None:
        return _projected_lstm(x, h, c, w_ih, w_hh, _input_bias(mode, b_ih, b_hh), w_hr, reverse)
    if mode == "LSTM":  # the whole time loop, input projection included, in one op
        return fused_lstm_layer(x, w_hh, h, c, reverse, bias=_input_bias(mode, b_ih, b_hh), w_ih=w_ih)
    gates = w_ih.shape[0]
    # GRU and the plain RNN project batch-major (GRU's float32 rounding as before); the plain RNN's
    # steps are then one split and its outputs one cat
    x = x.transpose(0, 1)
    gx = linear(x.reshape(n * length, size), w_ih, _input_bias(mode, b_ih, b_hh))
    if mode == "GRU":  # the time loop in one op
        out, h = fused_gru_layer(gx.reshape(n, length, gates).transpose(0, 1), w_hh, b_hh, h, reverse)
        return out, h, None
    steps = gx.reshape(n, length * gates).split(gates, dim=1)
    w_hh_t = w_hh.t()
    outs = [None] * length
    for t in (range(length - 1, -1, -1) if reverse else range(length)):
        h, c = _step(mode, steps[t], h, c, w_hh_t, None)
        outs[t] = h
    out = outs[0].unsqueeze(1) if length == 1 else ag.cat(outs, dim=1).reshape(n, length, -1)
    return out.transpose(0, 1), h, c


def _run(mode, input, hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first):
    """The sequence loop shared by ``rnn_tanh``, ``rnn_relu``, ``lstm`` and ``gru``."""
    h0, c0 = hx if mode == "LSTM" else (hx, None)
    directions = 2 if bidirectional else 1
    proj = c0 is not None and h0.shape[-1] != c0.shape[-1]  # LSTM with proj_size: W_hr follows the biases
    per = (4 if has_biases else 2) + proj
    if len(params) != num_layers * directions * per:
        raise RuntimeError(
            f"{mode.lower()}: expected {num_layers * directions * per} weight tensors for "
            f"num_layers={num_layers}, bidirectional={bool(bidirectional)}, has_biases={bool(has_biases)}, "
            f"got {len(params)}"
        )
    if input.ndim != 3:
        raise ValueError(f"{mode.lower()}: expected a 3-D input, got shape {tuple(input.shape)}")
    if input.shape[1 if batch_first else 0] == 0:
        raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
    h0s = h0.split(1, 0) if h0.shape[0] > 1 else (h0,)
    c0s = (c0.split(1, 0) if c0.shape[0] > 1 else (c0,)) if c0 is not None else None
    x = input.transpose(0, 1) if batch_first else input  # time-major inside
    h_n, c_n = [], []
    for layer in range(num_layers):
        outs = []
        for d in range(directions):
            k = layer * directions + d
            w = params[k * per:(k + 1) * per]
            b_ih, b_hh = (w[2], w[3]) if has_biases else (None, None)
            h = _squeeze0(h0s[k])
            c = _squeeze0(c0s[k]) if c0s is not None else None
            out, h, c = _direction(mode, x, h, c, w[0], w[1], b_ih, b_hh, reverse=d == 1,
                                   w_hr=w[-1] if proj else None)
            outs.append(out)
            h_n.append(h)
            c_n.append(c)
        x = outs[0] if directions == 1 else ag.cat(outs, dim=2)
        if dropout and train and layer < num_layers - 1:
            x = _dropout(x, dropout, True)
    output = x.transpose(0, 1) if batch_first else x
    if mode == "LSTM":
        return output, _stack0(h_n), _stack0(c_n)
    return output, _stack0(h_n)


def _stack0(states):
    """The layers' final states as one ``(layers * D, N, H)`` tensor (one layer: a view)."""
    return states[0].unsqueeze(0) if len(states) == 1 else ag.stack(states, 0)


def _squeeze0(t):
    return t.reshape(t.shape[1:])


def rnn_tanh(input, hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first):
    """A multi-layer Elman RNN with tanh over a whole sequence (``torch.rnn_tanh``'s signature).

    Args:
        input: ``(L, N, H_in)``, or ``(N, L, H_in)`` with ``batch_first``.
        hx: the initial hidden state, ``(num_layers * D, N, H)``.
        params: ``[w_ih, w_hh, b_ih, b_hh]`` (the biases only with ``has_biases``)
            per layer and direction, layer-major, forward direction first.
        dropout: dropout probability applied to the outputs of every layer but
            the last, when ``train``.

    Returns:
        ``(output, h_n)``: output ``(L, N, D * H)`` (batch first with
        ``batch_first``), h_n ``(num_layers * D, N, H)``.
    """
    return _run("RNN_TANH", input, hx, params, has_biases, num_layers, dropout, train, bidirectional,
                batch_first)


def rnn_relu(input, hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first):
    """A multi-layer Elman RNN with ReLU over a whole sequence; arguments as :func:`rnn_tanh`."""
    return _run("RNN_RELU", input, hx, params, has_biases, num_layers, dropout, train, bidirectional,
                batch_first)


def lstm(input, hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first):
    """A multi-layer LSTM over a whole sequence; ``hx`` is ``(h0, c0)``; returns ``(output, h_n, c_n)``.

    Arguments as :func:`rnn_tanh`. With projections (``h0``'s last dimension, the projection
    size, differs from ``c0``'s) each layer and direction has a fifth weight ``w_hr``
    ``(proj_size, H)`` after the biases, and ``h_t = (o_t * tanh(c_t)) @ w_hr^T``.
    """
    return _run("LSTM", input, hx, params, has_biases, num_layers, dropout, train, bidirectional,
                batch_first)


def gru(input, hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first):
    """A multi-layer GRU over a whole sequence; returns ``(output, h_n)``. Arguments as :func:`rnn_tanh`."""
    return _run("GRU", input, hx, params, has_biases, num_layers, dropout, train, bidirectional,
                batch_first)


__all__ = ["rnn_tanh", "rnn_relu", "lstm", "gru", "rnn_tanh_cell", "rnn_relu_cell", "lstm_cell",
           "gru_cell"]
