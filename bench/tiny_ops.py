"""tiny_ops: a chain of 200 elementwise ops (add, mul, tanh, exp) on (8,) tensors, sum, backward.

Reported per op (forward + backward), in microseconds.
"""
from __future__ import annotations

import numpy as np

NAME, UNIT, SCALE = "tiny_ops", "µs/op", 1e6
N_OPS = 200
PER_STEP = N_OPS  # the runner divides by this


def _chain(x, tanh, exp):
    for i in range(N_OPS):
        k = i % 4
        if k == 0:
            x = x + 0.1
        elif k == 1:
            x = x * 0.9
        elif k == 2:
            x = tanh(x)
        else:
            x = exp(x)
    return x


def xpgrad_step(device):
    import autograd as ag

    x = ag.tensor(np.linspace(-1, 1, 8, dtype=np.float32), device=device, requires_grad=True)

    def step():
        x.grad = None
        _chain(x, ag.tanh, ag.exp).sum().backward()

    return step


def numpy_forward(x0):
    """The chain's forward in NumPy, keeping what its backward needs."""
    saved, x = [], x0
    for i in range(N_OPS):
        k = i % 4
        if k == 0:
            x = x + np.float32(0.1)
        elif k == 1:
            x = x * np.float32(0.9)
        elif k == 2:
            x = np.tanh(x)
        else:
            x = np.exp(x)
        saved.append(x)
    return saved


def numpy_backward(saved):
    """The chain's backward in NumPy, from the values ``numpy_forward`` kept."""
    g = np.ones_like(saved[-1])
    for i in range(N_OPS - 1, -1, -1):
        k = i % 4
        if k == 1:
            g = g * np.float32(0.9)
        elif k == 2:
            y = saved[i]
            g = g * (1 - y * y)
        elif k == 3:
            g = g * saved[i]
        else:
            g = g + 0  # an add's backward passes the gradient on (a copy, as an engine would)
    return g


def numpy_step():
    x0 = np.linspace(-1, 1, 8, dtype=np.float32)

    def step():
        return numpy_backward(numpy_forward(x0))

    return step


def torch_step(torch):
    x = torch.linspace(-1, 1, 8, requires_grad=True)

    def step():
        x.grad = None
        _chain(x, torch.tanh, torch.exp).sum().backward()

    return step
