"""deep_chain: build and backpropagate through a chain of 100,000 ops."""
from __future__ import annotations

import numpy as np

NAME, UNIT, SCALE = "deep_chain", "ms", 1e3
DEPTH = 100_000


def xpgrad_step(device):
    import autograd as ag

    x = ag.ones(4, device=device, requires_grad=True)

    def step():
        x.grad = None
        y = x
        for _ in range(DEPTH):
            y = y * 1.0
        y.sum().backward()

    return step


def numpy_step():
    x = np.ones(4, np.float32)

    def step():
        y = x
        for _ in range(DEPTH):
            y = y * np.float32(1.0)
        g = np.ones_like(y)
        for _ in range(DEPTH):
            g = g * np.float32(1.0)
        return g

    return step


def torch_step(torch):
    x = torch.ones(4, requires_grad=True)

    def step():
        x.grad = None
        y = x
        for _ in range(DEPTH):
            y = y * 1.0
        y.sum().backward()

    return step
