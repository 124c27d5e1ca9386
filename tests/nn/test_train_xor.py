"""End to end: an MLP learns XOR with a hand-written SGD loop, on every device."""
from __future__ import annotations

import numpy as np

import autograd as ag
import nn
import nn.functional as F


def test_mlp_learns_xor(device):
    ag.manual_seed(0)
    x = ag.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], device=device)
    y = ag.tensor([0, 1, 1, 0], device=device)
    model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 2)).to(device)
    for _ in range(300):
        loss = F.cross_entropy(model(x), y)
        model.zero_grad()
        loss.backward()
        with ag.no_grad():
            for p in model.parameters():
                p -= 0.5 * p.grad
    assert loss.item() < 0.05
    pred = model(x).argmax(dim=1)
    np.testing.assert_array_equal(pred.cpu().numpy(), [0, 1, 1, 0])


def test_mlp_learns_xor_with_bce_and_clipping(device):
    ag.manual_seed(1)
    x = ag.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], device=device)
    y = ag.tensor([[0.0], [1.0], [1.0], [0.0]], device=device)
    model = nn.Sequential(nn.Linear(2, 8), nn.GELU(), nn.Linear(8, 1)).to(device)
    loss_fn = nn.BCEWithLogitsLoss()
    for _ in range(400):
        loss = loss_fn(model(x), y)
        model.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        with ag.no_grad():
            for p in model.parameters():
                p -= 0.5 * p.grad
    assert loss.item() < 0.1
    np.testing.assert_array_equal((model(x) > 0).cpu().numpy().ravel(), [False, True, True, False])
