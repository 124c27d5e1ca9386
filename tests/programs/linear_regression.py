"""Fit a polynomial with a single Linear layer and hand-written SGD on ``p.data``."""
import numpy as np
import torch
import torch.nn.functional as F

POLY_DEGREE = 4
W_TARGET = np.array([[0.5], [-1.2], [0.8], [0.3]], dtype=np.float32)
B_TARGET = np.array([0.7], dtype=np.float32)


def make_features(x):
    """Builds features i.e. a matrix with columns [x, x^2, x^3, x^4]."""
    x = x.unsqueeze(1)
    return torch.cat([x ** i for i in range(1, POLY_DEGREE + 1)], 1)


def build():
    return {"fc": torch.nn.Linear(POLY_DEGREE, 1)}


def modules(state):
    return {"fc": state["fc"]}


def batches(rng, n):
    return [rng.standard_normal(32).astype(np.float32) for _ in range(n)]


def step(state, batch):
    fc = state["fc"]
    x = make_features(torch.from_numpy(batch))
    y = x.mm(torch.tensor(W_TARGET)) + torch.tensor(B_TARGET).item()
    fc.zero_grad()
    output = F.smooth_l1_loss(fc(x), y)
    loss = output.item()
    output.backward()
    for param in fc.parameters():
        param.data.add_(-0.2 * param.grad)
    return loss


def demo(state):
    return np.array([state["fc"].weight.view(-1).tolist() + [state["fc"].bias.item()]])
