"""MAML on few-shot sine-like regression and classification tasks: a functional forward with
"fast weights", inner-loop SGD steps by autograd.grad(create_graph=True), the meta-loss
backpropagated through them (second order), meta-optimizer Adam."""
from collections import OrderedDict

import torch
import torch.nn as nn
import torch.nn.functional as F

DTYPE = "float64"
TASKS, SHOTS, QUERY, INNER_STEPS, INNER_LR = 3, 5, 7, 2, 0.1


class Learner(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(OrderedDict([
            ("fc1", nn.Linear(2, 24)), ("act1", nn.Tanh()), ("fc2", nn.Linear(24, 24)), ("act2", nn.ReLU()),
            ("head", nn.Linear(24, 3))])).double()

    def forward(self, x, params=None):
        if params is None:
            params = OrderedDict(self.named_parameters())
        h = torch.tanh(F.linear(x, params["net.fc1.weight"], params["net.fc1.bias"]))
        h = F.relu(F.linear(h, params["net.fc2.weight"], params["net.fc2.bias"]))
        return F.linear(h, params["net.head.weight"], params["net.head.bias"])


def adapt(model, x, y, create_graph=True):
    params = OrderedDict(model.named_parameters())
    for _ in range(INNER_STEPS):
        loss = F.cross_entropy(model(x, params), y)
        grads = torch.autograd.grad(loss, params.values(), create_graph=create_graph)
        params = OrderedDict((name, p - INNER_LR * g) for (name, p), g in zip(params.items(), grads))
    return params


def build():
    model = Learner()
    return {"model": model, "meta_opt": torch.optim.Adam(model.parameters(), lr=1e-2)}


def modules(state):
    return {"model": state["model"]}


def batches(rng, n):
    centres = rng.standard_normal((3, 2)) * 2
    out = []
    for _ in range(n):
        tasks = []
        for _ in range(TASKS):
            perm = rng.permutation(3)  # each task relabels the classes
            ys = rng.integers(0, 3, SHOTS + QUERY)
            xs = centres[ys] + 0.5 * rng.standard_normal((SHOTS + QUERY, 2))
            tasks.append((xs, perm[ys]))
        out.append(tasks)
    return out


def step(state, batch):
    model, meta_opt = state["model"], state["meta_opt"]
    meta_opt.zero_grad()
    meta_loss = 0.0
    for xs, ys in batch:
        x, y = torch.from_numpy(xs), torch.from_numpy(ys)
        fast = adapt(model, x[:SHOTS], y[:SHOTS])
        meta_loss = meta_loss + F.cross_entropy(model(x[SHOTS:], fast), y[SHOTS:])
    meta_loss = meta_loss / len(batch)
    meta_loss.backward()
    meta_opt.step()
    return meta_loss.item()


def demo(state):
    model = state["model"]
    x = torch.linspace(-2, 2, 8, dtype=torch.float64).view(4, 2)
    fast = adapt(model, x, torch.tensor([0, 1, 2, 0]), create_graph=False)
    with torch.no_grad():
        return model(x, fast).argmax(dim=1).numpy()
