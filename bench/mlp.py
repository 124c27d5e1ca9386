"""mlp: 784-512-512-10 ReLU MLP, batch 128, softmax cross-entropy, forward + backward + SGD step."""
from __future__ import annotations

import numpy as np

NAME, UNIT, SCALE = "mlp", "ms", 1e3
SIZES = (784, 512, 512, 10)
BATCH, LR = 128, 0.01


def data(seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((BATCH, SIZES[0]), dtype=np.float32)
    y = rng.integers(0, SIZES[-1], BATCH)
    return x, y


def xpgrad_parts(device):
    """The model, its SGD optimizer and the batch, as xpgrad tensors on ``device``."""
    import autograd as ag
    import nn
    import optim

    ag.manual_seed(0)
    layers = []
    for i in range(len(SIZES) - 1):
        layers += [nn.Linear(SIZES[i], SIZES[i + 1]), nn.ReLU()]
    model = nn.Sequential(*layers[:-1]).to(device)
    opt = optim.SGD(model.parameters(), lr=LR)
    xn, yn = data()
    return model, opt, ag.tensor(xn, device=device), ag.tensor(yn, device=device)


def xpgrad_step(device):
    import nn.functional as F

    model, opt, x, y = xpgrad_parts(device)

    def step():
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()

    return step


def numpy_step():
    rng = np.random.default_rng(0)
    Ws = [(rng.standard_normal((a, b), dtype=np.float32) * np.float32(a ** -0.5)) for a, b in
          zip(SIZES[:-1], SIZES[1:])]
    bs = [np.zeros(b, np.float32) for b in SIZES[1:]]
    x, y = data()
    rows = np.arange(BATCH)

    def step():
        acts, pre = [x], []
        h = x
        for i, (W, b) in enumerate(zip(Ws, bs)):
            z = h @ W
            z += b
            pre.append(z)
            h = np.maximum(z, 0) if i < len(Ws) - 1 else z
            acts.append(h)
        m = h.max(axis=1, keepdims=True)
        e = np.exp(h - m)
        s = e.sum(axis=1, keepdims=True)
        _ = (np.log(s[:, 0]) + m[:, 0] - h[rows, y]).mean()
        g = e / s
        g[rows, y] -= 1
        g /= BATCH
        for i in range(len(Ws) - 1, -1, -1):
            gW = acts[i].T @ g
            gb = g.sum(axis=0)
            if i:
                g = g @ Ws[i].T
                g *= pre[i - 1] > 0
            Ws[i] -= LR * gW
            bs[i] -= LR * gb

    return step


def torch_step(torch):
    torch.manual_seed(0)
    layers = []
    for i in range(len(SIZES) - 1):
        layers += [torch.nn.Linear(SIZES[i], SIZES[i + 1]), torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers[:-1])
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    xn, yn = data()
    x, y = torch.from_numpy(xn), torch.from_numpy(yn)

    def step():
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()

    return step
