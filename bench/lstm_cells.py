"""lstm_cells: an LSTM written from primitives, as users write their own cells.

Per step ``z = x[t] @ Wx + h @ Wh + b`` (the four gates fused in one matmul),
slices, ``sigmoid``/``tanh``; seq 50, batch 32, in 64, hidden 128; loss = sum of
squares of the last hidden state. Forward + backward. The NumPy floor is the
same math as ``bench.lstm``'s.
"""
from __future__ import annotations

import numpy as np

from .lstm import H, I, L, N, data, numpy_step  # noqa: F401  (the same floor)

NAME, UNIT, SCALE = "lstm_cells", "ms", 1e3


def _weights(seed=0):
    rng = np.random.default_rng(seed)
    k = np.float32(H ** -0.5)
    return tuple(rng.uniform(-k, k, shape).astype(np.float32) for shape in ((I, 4 * H), (H, 4 * H), (4 * H,)))


def _cell_loop(lib, x, Wx, Wh, b, zeros):
    """The user's LSTM: the same text runs on xpgrad (``lib = autograd``) and PyTorch."""
    h = c = zeros
    for t in range(L):
        z = x[t] @ Wx + h @ Wh + b
        i, f = lib.sigmoid(z[:, :H]), lib.sigmoid(z[:, H:2 * H])
        g, o = lib.tanh(z[:, 2 * H:3 * H]), lib.sigmoid(z[:, 3 * H:])
        c = f * c + i * g
        h = o * lib.tanh(c)
    return (h * h).sum()


def xpgrad_step(device):
    import autograd as ag

    Wx, Wh, b = (ag.tensor(w, device=device, requires_grad=True) for w in _weights())
    x, zeros = ag.tensor(data(), device=device), ag.zeros(N, H, device=device)

    def step():
        for w in (Wx, Wh, b):
            w.grad = None
        _cell_loop(ag, x, Wx, Wh, b, zeros).backward()

    return step


def torch_step(torch):
    Wx, Wh, b = (torch.tensor(w, requires_grad=True) for w in _weights())
    x, zeros = torch.from_numpy(data()), torch.zeros(N, H)

    def step():
        for w in (Wx, Wh, b):
            w.grad = None
        _cell_loop(torch, x, Wx, Wh, b, zeros).backward()

    return step
