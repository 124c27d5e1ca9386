"""Recurrent layers: ``RNN``, ``LSTM``, ``GRU`` (over sequences) and their cells.

Parameter names, shapes, gate order and default initialisation are PyTorch's,
so ``state_dict`` keys match and weights load from a PyTorch model.
"""
from __future__ import annotations

import math
import numbers
import warnings

import autograd as ag

from .. import functional as F
from .. import init
from ..parameter import Parameter
from ..utils.rnn import PackedSequence
from .module import Module
from .rnn_packed import packed_forward

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}
_FUNCTIONS = {"RNN_TANH": F.rnn_tanh, "RNN_RELU": F.rnn_relu, "LSTM": F.lstm, "GRU": F.gru}


def _check_size(name, value, positive=True):
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise TypeError(f"{name} should be of type int, got: {type(value).__name__}")
    if positive and value <= 0:
        raise ValueError(f"{name} must be greater than zero")


class RNNBase(Module):
    """The base of :class:`RNN`, :class:`LSTM` and :class:`GRU`.

    Holds, per layer ``k`` and direction, ``weight_ih_l{k}`` ``(G*H, H_in)``,
    ``weight_hh_l{k}`` ``(G*H, H)``, ``bias_ih_l{k}``, ``bias_hh_l{k}``
    ``(G*H,)`` (suffix ``_reverse`` for the backward direction; ``G`` is 1, 4
    or 3 gates), all initialised from ``U(-1/sqrt(H), 1/sqrt(H))``.
    """

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__()
        _check_size("input_size", input_size, positive=False)
        _check_size("hidden_size", hidden_size)
        _check_size("num_layers", num_layers)
        if isinstance(dropout, bool) or not isinstance(dropout, numbers.Number) or not 0 <= dropout <= 1:
            raise ValueError("dropout should be a number in range [0, 1] representing the probability of "
                             "an element being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn(
                "dropout option adds dropout after all but last recurrent layer, so non-zero dropout "
                f"expects num_layers greater than 1, but got dropout={dropout} and num_layers={num_layers}",
                UserWarning, stacklevel=3)
        if not isinstance(proj_size, numbers.Integral) or isinstance(proj_size, bool) or proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if proj_size and mode != "LSTM":
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        self.mode = mode
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.bias, self.batch_first = bias, batch_first
        self.dropout, self.bidirectional = float(dropout), bidirectional
        self.proj_size = proj_size
        directions = 2 if bidirectional else 1
        gate_size = _GATES[mode] * hidden_size
        real_hidden = proj_size or hidden_size  # the size of h (and of each direction's output)
        names = []
        for layer in range(num_layers):
            for d in range(directions):
                layer_input = input_size if layer == 0 else real_hidden * directions
                suffix = "_reverse" if d == 1 else ""
                shapes = [("weight_ih", (gate_size, layer_input)), ("weight_hh", (gate_size, real_hidden))]
                if bias:
                    shapes += [("bias_ih", (gate_size,)), ("bias_hh", (gate_size,))]
                if proj_size:
                    shapes.append(("weight_hr", (proj_size, hidden_size)))
                for prefix, shape in shapes:
                    name = f"{prefix}_l{layer}{suffix}"
                    setattr(self, name, Parameter(ag.empty(shape, device=device, dtype=dtype)))
                    names.append(name)
        self._flat_weights_names = names
        self.reset_parameters()

    @property
    def _flat_weights(self):
        """The parameters in the order the functional form takes them (always the current ones)."""
        return [getattr(self, n) for n in self._flat_weights_names]

    def flatten_parameters(self):
        """A no-op, for compatibility (PyTorch compacts the weights for cuDNN here)."""

    @property
    def all_weights(self):
        """Per layer and direction, the list of its parameters."""
        per = (4 if self.bias else 2) + (self.proj_size > 0)
        w = self._flat_weights
        return [w[i:i + per] for i in range(0, len(w), per)]

    def reset_parameters(self):
        """Re-draw every parameter from ``U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))``."""
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s

    def _check_input(self, input, hx):
        name = type(self).__name__
        if input.ndim not in (2, 3):
            raise ValueError(f"{name}: Expected input to be 2D or 3D, got {input.ndim}D input instead")
        if input.dtype.kind != "f":
            raise TypeError(f"{name}: expected a floating point input, got {input.dtype}")
        weight = getattr(self, self._flat_weights_names[0])
        if input.dtype != weight.dtype:
            raise ValueError(f"RNN input dtype ({input.dtype}) does not match weight dtype ({weight.dtype}). "
                             f"Convert input: input.to({weight.dtype}), or convert model: "
                             f"model.to({input.dtype})")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected {self.input_size}, "
                               f"got {input.shape[-1]}")
        batched = input.ndim == 3
        for h in (hx if isinstance(hx, (tuple, list)) else (hx,)):
            if h is not None and h.ndim != (3 if batched else 2):
                raise RuntimeError(
                    f"For {'batched 3-D' if batched else 'unbatched 2-D'} input, hx should also be "
                    f"{'3-D' if batched else '2-D'} but got {h.ndim}-D tensor")
        return batched

    def _state_shape(self, batch, cell=False):
        """``h_0``'s shape (``c_0``'s with ``cell``): ``(D * num_layers, N, proj_size or hidden_size)``."""
        size = self.hidden_size if cell or not self.proj_size else self.proj_size
        return (self.num_layers * (2 if self.bidirectional else 1), batch, size)

    def _initial_states(self, hx, batch, like, lstm):
        """``hx`` checked against the expected sizes, or zeros of them."""
        if hx is None:
            def zeros(cell):
                return ag.zeros(self._state_shape(batch, cell), dtype=like.dtype, device=like.device)
            return (zeros(False), zeros(True)) if lstm else zeros(False)
        for h, cell in zip(hx if lstm else (hx,), (False, True)):
            expected = self._state_shape(batch, cell)
            if tuple(h.shape) != expected:
                what = ("hidden[1]" if cell else "hidden[0]") if lstm else "hidden"
                raise RuntimeError(f"Expected {what} size {expected}, got {list(h.shape)}")
        return hx

    def forward(self, input, hx=None):
        """Run the layers over ``input``; returns ``(output, h_n)`` (``(output, (h_n, c_n))`` for LSTM)."""
        lstm = self.mode == "LSTM"
        if lstm and hx is not None and not (isinstance(hx, (tuple, list)) and len(hx) == 2):
            raise TypeError("LSTM expects hx to be a tuple (h_0, c_0)")
        if isinstance(input, PackedSequence):
            return self._forward_packed(input, hx, lstm)
        batched = self._check_input(input, hx)
        batch_dim = 0 if self.batch_first else 1
        if not batched:  # as PyTorch: a batch of one, squeezed again at the end
            input = input.unsqueeze(batch_dim)
            if hx is not None:
                hx = tuple(h.unsqueeze(1) for h in hx) if lstm else hx.unsqueeze(1)
        batch = input.shape[0] if self.batch_first else input.shape[1]
        hx = self._initial_states(hx, batch, input, lstm)
        result = _FUNCTIONS[self.mode](input, hx, self._flat_weights, self.bias, self.num_layers,
                                       self.dropout, self.training, self.bidirectional, self.batch_first)
        output, states = result[0], result[1:]
        if not batched:
            output = output.squeeze(batch_dim)
            states = tuple(s.squeeze(1) for s in states)
        return (output, states) if lstm else (output, states[0])

    def _forward_packed(self, packed, hx, lstm):
        """``forward`` on a :class:`~nn.utils.rnn.PackedSequence`: returns a packed output."""
        batch = int(packed.batch_sizes[0])
        self._check_input(packed.data.unsqueeze(0), None)
        hx = self._initial_states(hx, batch, packed.data, lstm)

        def run(x, h):
            return _FUNCTIONS[self.mode](x, h, self._flat_weights, self.bias, self.num_layers, self.dropout,
                                         self.training, self.bidirectional, False)

        return packed_forward(self, run, packed, hx)


class RNN(RNNBase):
    """A multi-layer Elman RNN, ``h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)``.

    Args:
        input_size: features of the input ``x``.
        hidden_size: features of the hidden state ``h``.
        num_layers: stacked recurrent layers. Default: 1.
        nonlinearity: ``'tanh'`` or ``'relu'``. Default: ``'tanh'``.
        bias: use ``b_ih`` and ``b_hh``. Default: True.
        batch_first: input and output are ``(N, L, *)`` instead of ``(L, N, *)``. Default: False.
        dropout: dropout on the outputs of every layer but the last, in training. Default: 0.
        bidirectional: run a second, reversed direction too. Default: False.

    Shape:
        - input: ``(L, N, H_in)``, ``(N, L, H_in)`` with ``batch_first``, or ``(L, H_in)`` unbatched.
        - h_0: ``(D * num_layers, N, H)`` or ``(D * num_layers, H)``; zeros when omitted.
        - output: ``(L, N, D * H)`` (batch first with ``batch_first``); h_n like h_0.

    Example::

        >>> rnn = nn.RNN(10, 20, 2)
        >>> output, hn = rnn(ag.randn(5, 3, 10), ag.randn(2, 3, 20))
        >>> output.shape, hn.shape
        ((5, 3, 20), (2, 3, 20))
    """

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, device=None, dtype=None):
        modes = {"tanh": "RNN_TANH", "relu": "RNN_RELU"}
        if nonlinearity not in modes:
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'.")
        super().__init__(modes[nonlinearity], input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity


class LSTM(RNNBase):
    """A multi-layer long short-term memory RNN (gate order ``i, f, g, o``, as PyTorch).

    ``c_t = f * c_{t-1} + i * g``, ``h_t = o * tanh(c_t)``. Arguments as :class:`RNN`
    (without ``nonlinearity``), and ``proj_size``: when > 0, ``h_t = W_hr (o * tanh(c_t))``
    with ``weight_hr_l{k}`` ``(proj_size, hidden_size)``, so that ``h`` and the output have
    ``proj_size`` features. Default: 0.

    Shape:
        - input as :class:`RNN`; ``h_0`` ``(D * num_layers, N, proj_size or H)``, ``c_0``
          ``(D * num_layers, N, H)``, zeros when omitted.
        - returns ``output, (h_n, c_n)``; output ``(L, N, D * (proj_size or H))``.

    Example::

        >>> lstm = nn.LSTM(10, 20, 2)
        >>> output, (hn, cn) = lstm(ag.randn(5, 3, 10))
        >>> output.shape, cn.shape
        ((5, 3, 20), (2, 3, 20))
    """

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, proj_size, device=device, dtype=dtype)


class GRU(RNNBase):
    """A multi-layer gated recurrent unit RNN (gate order ``r, z, n``, as PyTorch).

    ``n = tanh(W_in x + b_in + r * (W_hn h + b_hn))``, ``h' = (1 - z) * n + z * h``.
    Arguments and shapes as :class:`RNN` (without ``nonlinearity``).

    Example::

        >>> gru = nn.GRU(10, 20, batch_first=True)
        >>> output, hn = gru(ag.randn(3, 5, 10))
        >>> output.shape, hn.shape
        ((3, 5, 20), (1, 3, 20))
    """

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, device=None, dtype=None):
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, device=device, dtype=dtype)


# ---------------------------------------------------------------- cells
class RNNCellBase(Module):
    """The base of the cells: ``weight_ih`` ``(G*H, H_in)``, ``weight_hh`` ``(G*H, H)``, biases ``(G*H,)``."""

    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        super().__init__()
        _check_size("input_size", input_size, positive=False)
        _check_size("hidden_size", hidden_size)
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        g = num_chunks * hidden_size
        self.weight_ih = Parameter(ag.empty((g, input_size), device=device, dtype=dtype))
        self.weight_hh = Parameter(ag.empty((g, hidden_size), device=device, dtype=dtype))
        if bias:
            self.bias_ih = Parameter(ag.empty((g,), device=device, dtype=dtype))
            self.bias_hh = Parameter(ag.empty((g,), device=device, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    reset_parameters = RNNBase.reset_parameters  # the same initialisation

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s

    def _prepare(self, input, hx, n_states):
        """Batch an unbatched input; zeros for a missing state. Returns ``(input, states, batched)``."""
        name = type(self).__name__
        if input.ndim not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.ndim}D instead")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.shape[-1]} expected "
                               f"{self.input_size}")
        batched = input.ndim == 2
        if hx is None:
            zeros = ag.zeros(input.shape[:-1] + (self.hidden_size,), dtype=input.dtype, device=input.device)
            states = (zeros,) * n_states
        else:
            states = tuple(hx) if n_states == 2 else (hx,)
        for h in states:
            if tuple(h.shape) != input.shape[:-1] + (self.hidden_size,):
                raise RuntimeError(f"{name}: hidden state of shape {tuple(h.shape)} does not match input of "
                                   f"shape {tuple(input.shape)} and hidden_size {self.hidden_size}")
        if not batched:
            input = input.unsqueeze(0)
            states = tuple(h.unsqueeze(0) for h in states)
        return input, states, batched

    def _weights(self):
        return self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh


class RNNCell(RNNCellBase):
    """An Elman RNN cell, ``h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)`` (or ReLU).

    Shape:
        - input: ``(N, H_in)`` or ``(H_in,)``; hidden: ``(N, H)`` or ``(H,)``, zeros when omitted.
        - output: like hidden.

    Example::

        >>> cell = nn.RNNCell(10, 20)
        >>> cell(ag.randn(3, 10)).shape
        (3, 20)
    """

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None, dtype=None):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity: {nonlinearity}")
        super().__init__(input_size, hidden_size, bias, 1, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        input, (h,), batched = self._prepare(input, hx, 1)
        fn = F.rnn_tanh_cell if self.nonlinearity == "tanh" else F.rnn_relu_cell
        h = fn(input, h, *self._weights())
        return h if batched else h.squeeze(0)


class LSTMCell(RNNCellBase):
    """A long short-term memory cell; ``hx`` is ``(h, c)``; returns ``(h', c')``.

    Example::

        >>> cell = nn.LSTMCell(10, 20)
        >>> h, c = cell(ag.randn(3, 10))
        >>> h.shape, c.shape
        ((3, 20), (3, 20))
    """

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, 4, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        if hx is not None and not (isinstance(hx, (tuple, list)) and len(hx) == 2):
            raise TypeError("LSTMCell expects hx to be a tuple (h, c)")
        input, states, batched = self._prepare(input, hx, 2)
        h, c = F.lstm_cell(input, states, *self._weights())
        return (h, c) if batched else (h.squeeze(0), c.squeeze(0))


class GRUCell(RNNCellBase):
    """A gated recurrent unit cell (gate order ``r, z, n``).

    Example::

        >>> cell = nn.GRUCell(10, 20)
        >>> cell(ag.randn(10)).shape
        (20,)
    """

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, 3, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        input, (h,), batched = self._prepare(input, hx, 1)
        h = F.gru_cell(input, h, *self._weights())
        return h if batched else h.squeeze(0)


__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]
