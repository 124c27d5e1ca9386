"""cnn: LeNet on 28x28 inputs, batch 64, cross-entropy, forward + backward + SGD step.

conv 1->6 5x5 (pad 2), ReLU, maxpool 2, conv 6->16 5x5, ReLU, maxpool 2,
linear 400->120->84->10.
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

NAME, UNIT, SCALE = "cnn", "ms", 1e3
BATCH, LR = 64, 0.01


def data(seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((BATCH, 1, 28, 28), dtype=np.float32), rng.integers(0, 10, BATCH)


def xpgrad_step(device):
    import autograd as ag
    import nn
    import nn.functional as F
    import optim

    ag.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10),
    ).to(device)
    opt = optim.SGD(model.parameters(), lr=LR)
    xn, yn = data()
    x, y = ag.tensor(xn, device=device), ag.tensor(yn, device=device)

    def step():
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()

    return step


def torch_step(torch):
    torch.manual_seed(0)
    nn = torch.nn
    model = nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10),
    )
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    xn, yn = data()
    x, y = torch.from_numpy(xn), torch.from_numpy(yn)

    def step():
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(x), y).backward()
        opt.step()

    return step


# ---------------------------------------------------------------- NumPy by hand
def _conv_forward(x, W, b, pad):
    if pad:
        x = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    O, C, K, _ = W.shape
    win = sliding_window_view(x, (K, K), axis=(2, 3))  # N, C, Ho, Wo, K, K
    N, _, Ho, Wo = win.shape[:4]
    cols = win.transpose(0, 2, 3, 1, 4, 5).reshape(N * Ho * Wo, C * K * K)
    out = cols @ W.reshape(O, -1).T
    out += b
    return out.reshape(N, Ho, Wo, O).transpose(0, 3, 1, 2), cols, x.shape


def _conv_backward(g, cols, W, xshape, pad, need_dx):
    O, C, K, _ = W.shape
    N, _, Ho, Wo = g.shape
    g2 = g.transpose(0, 2, 3, 1).reshape(-1, O)
    dW = (g2.T @ cols).reshape(W.shape)
    db = g2.sum(axis=0)
    if not need_dx:
        return None, dW, db
    dcols = (g2 @ W.reshape(O, -1)).reshape(N, Ho, Wo, C, K, K)
    dx = np.zeros(xshape, np.float32)
    for i in range(K):
        for j in range(K):
            dx[:, :, i:i + Ho, j:j + Wo] += dcols[:, :, :, :, i, j].transpose(0, 3, 1, 2)
    if pad:
        dx = dx[:, :, pad:-pad, pad:-pad]
    return dx, dW, db


def _pool_forward(x):
    N, C, H, W = x.shape
    xr = x.reshape(N, C, H // 2, 2, W // 2, 2)
    out = xr.max(axis=(3, 5))
    return out, xr


def _pool_backward(g, xr, out):
    mask = xr == out[:, :, :, None, :, None]
    return (mask * g[:, :, :, None, :, None]).reshape(xr.shape[0], xr.shape[1], xr.shape[2] * 2, -1)


def numpy_step():
    rng = np.random.default_rng(0)

    def param(*shape):
        fan_in = int(np.prod(shape[1:]))
        return (rng.standard_normal(shape, dtype=np.float32) * np.float32(fan_in ** -0.5))

    W1, b1 = param(6, 1, 5, 5), np.zeros(6, np.float32)
    W2, b2 = param(16, 6, 5, 5), np.zeros(16, np.float32)
    fcs = [(param(120, 400), np.zeros(120, np.float32)), (param(84, 120), np.zeros(84, np.float32)),
           (param(10, 84), np.zeros(10, np.float32))]
    x, y = data()
    rows = np.arange(BATCH)

    def step():
        z1, cols1, xs1 = _conv_forward(x, W1, b1, 2)
        a1 = np.maximum(z1, 0)
        p1, xr1 = _pool_forward(a1)
        z2, cols2, xs2 = _conv_forward(p1, W2, b2, 0)
        a2 = np.maximum(z2, 0)
        p2, xr2 = _pool_forward(a2)
        h = p2.reshape(BATCH, -1)
        acts, pre = [h], []
        for i, (W, b) in enumerate(fcs):
            z = h @ W.T
            z += b
            pre.append(z)
            h = np.maximum(z, 0) if i < 2 else z
            acts.append(h)
        m = h.max(axis=1, keepdims=True)
        e = np.exp(h - m)
        s = e.sum(axis=1, keepdims=True)
        g = e / s
        g[rows, y] -= 1
        g /= BATCH
        grads = []
        for i in range(2, -1, -1):
            W, b = fcs[i]
            grads.append((W, g.T @ acts[i], b, g.sum(axis=0)))
            g = g @ W
            if i:
                g *= pre[i - 1] > 0
        g = _pool_backward(g.reshape(p2.shape), xr2, p2) * (z2 > 0)
        dx, dW2, db2 = _conv_backward(g, cols2, W2, xs2, 0, True)
        g = _pool_backward(dx, xr1, p1) * (z1 > 0)
        _, dW1, db1 = _conv_backward(g, cols1, W1, xs1, 2, False)
        for W, gW, b, gb in grads + [(W2, dW2, b2, db2), (W1, dW1, b1, db1)]:
            W -= LR * gW
            b -= LR * gb

    return step
