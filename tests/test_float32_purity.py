"""float32 stays float32: one training step of an MLP, a LeNet-style CNN and an LSTM.

Before backward, the whole graph behind the loss is walked (iteratively): every
edge's recorded input dtype, every leaf, every saved value (input tensors,
outputs and constants) and every array held as a node attribute must be free
of float64, so that no op upcasts on the way (a float64 temporary saved for
backward, or an upcast output, shows up here). After backward and the
optimizer step, gradients, parameters and optimizer state must all be float32.
"""
from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
import optim
from autograd import backend


def _arrays_in(value, depth=0):
    """The backend arrays in ``value`` (an array, a Tensor, or a tuple/list/dict of them)."""
    if isinstance(value, ag.Tensor):
        yield value._data
    elif backend.is_array(value):
        yield value
    elif isinstance(value, (tuple, list)) and depth < 4:
        for v in value:
            yield from _arrays_in(v, depth + 1)
    elif isinstance(value, dict) and depth < 4:
        for v in value.values():
            yield from _arrays_in(v, depth + 1)


def _float64_in_graph(loss):
    """``[(where, dtype)]`` for every float64 array found behind ``loss`` (empty when pure)."""
    found = []

    def check(where, dtype):
        if np.dtype(dtype) == np.float64:
            found.append((where, dtype))

    check("loss", loss.dtype)
    stack, seen, nodes = [loss.grad_fn], set(), 0
    assert loss.grad_fn is not None, "the loss has no graph"
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        nodes += 1
        name = node.name()
        for i, edge in enumerate(node._edges or ()):
            if edge is None:
                continue
            fn, _, _, dtype = edge
            check(f"{name} input {i}", dtype)
            if isinstance(fn, ag.Tensor):  # a leaf
                check(f"{name} leaf input {i}", fn._data.dtype)
            elif id(fn) not in seen:
                stack.append(fn)
        saved = node._saved
        if saved is not None:
            records = saved if isinstance(saved, list) else ()
            for j, rec in enumerate(records):  # (kind, value, version, counter, index), or a number
                if type(rec) is not tuple:
                    continue
                kind, value = rec[:2]
                for a in _arrays_in(value):
                    check(f"{name} saved value {j} (kind {kind})", a.dtype)
        for attr, value in vars(node).items():
            if attr in ("_saved", "_edges"):
                continue
            for a in _arrays_in(value):
                check(f"{name}.{attr}", a.dtype)
    assert nodes > 5, f"only {nodes} graph nodes found behind the loss"
    return found


def _check_after_step(model, opt):
    for name, p in model.named_parameters():
        assert p.dtype == ag.float32, f"parameter {name} is {p.dtype}"
        assert p.grad is not None, f"parameter {name} has no gradient"
        assert p.grad.dtype == ag.float32, f"gradient of {name} is {p.grad.dtype}"
    states = [s for s in opt.state.values() if s]
    assert states, "the optimizer kept no state"
    for state in states:
        for key, value in state.items():
            for a in _arrays_in(value):
                if a.dtype.kind == "f":
                    assert a.dtype == np.float32, f"optimizer state {key!r} is {a.dtype}"


def _rng():
    return np.random.default_rng(0)


def _mlp(device):
    model = nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 5))
    model.to(device)
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    x = ag.tensor(_rng().standard_normal((16, 20)).astype(np.float32), device=device)
    y = ag.tensor(_rng().integers(0, 5, 16), device=device)
    return model, opt, lambda: F.cross_entropy(model(x), y)


def _cnn(device):
    model = nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10),
    ).to(device)
    opt = optim.Adam(model.parameters(), lr=1e-3)
    x = ag.tensor(_rng().standard_normal((4, 1, 28, 28)).astype(np.float32), device=device)
    y = ag.tensor(_rng().integers(0, 10, 4), device=device)
    return model, opt, lambda: F.cross_entropy(model(x), y)


def _lstm(device):
    lstm = nn.LSTM(input_size=6, hidden_size=8, num_layers=2, batch_first=True).to(device)
    opt = optim.Adam(lstm.parameters(), lr=1e-3)
    x = ag.tensor(_rng().standard_normal((3, 5, 6)).astype(np.float32), device=device)
    target = ag.tensor(_rng().standard_normal((3, 5, 8)).astype(np.float32), device=device)

    def loss():
        out, (h, c) = lstm(x)
        return F.mse_loss(out, target) + F.mse_loss(h[-1], target[:, -1])

    return lstm, opt, loss


@pytest.mark.parametrize("build", [_mlp, _cnn, _lstm], ids=["mlp", "cnn", "lstm"])
def test_one_float32_training_step_stays_float32(device, build):
    model, opt, compute_loss = build(device)
    assert all(p.dtype == ag.float32 for p in model.parameters())
    opt.zero_grad()
    loss = compute_loss()
    assert loss.dtype == ag.float32
    found = _float64_in_graph(loss)
    assert not found, "float64 arrays in the graph behind a float32 loss:\n" + "\n".join(
        f"  {where}: {dtype}" for where, dtype in found)
    loss.backward()
    opt.step()
    _check_after_step(model, opt)
