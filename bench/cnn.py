"""cnn: LeNet on 28x28 inputs, batch 64, cross-entropy, forward + backward + SGD step.

conv 1->6 5x5 (pad 2), ReLU, maxpool 2, conv 6->16 5x5, ReLU, maxpool 2,
linear 400->120->84->10.
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

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
# The practical floor: what a careful hand-written NumPy step does. Activations are kept
# channel-major (C, N, H, W); a stride-1 convolution copies its im2col matrix over whole padded
# rows ("wide" columns: each kernel offset is one contiguous run) a cache-sized chunk at a time
# into a reused buffer and multiplies it there; col2im adds the same runs back; 2x2 max pooling
# is two elementwise passes per axis with the first maximum's offset kept for the backward.
_CHUNK_COLUMNS = 4096


def _chunks(n, t):
    step = max(1, _CHUNK_COLUMNS // t)
    step = -(-n // -(-n // step))
    return [(i, min(i + step, n)) for i in range(0, n, step)]


class _Conv:
    """A stride-1 convolution of channel-major ``(C, N, H, W)`` activations, K x K, padding ``pad``."""

    def __init__(self, W, b, n, h, pad):
        self.W, self.b, self.pad = W, b, pad
        o, c, k, _ = W.shape
        self.hp = h + 2 * pad
        self.ho = self.hp - k + 1
        self.t = self.ho * self.hp  # wide columns per image
        self.buf = np.zeros((c, n, self.hp + 1, self.hp), np.float32)  # one spare row for the runs
        self.cols = np.empty(c * k * k * _CHUNK_COLUMNS * 2, np.float32)
        self.gwide = np.zeros((o, n, self.ho, self.hp), np.float32)
        self.offsets = [i * self.hp + j for i in range(k) for j in range(k)]

    def _im2col(self, n0, n1):
        c, n, _, _ = self.buf.shape
        k = self.W.shape[2]
        s = self.buf.strides
        view = as_strided(self.buf[:, n0:n1], (c, k, k, n1 - n0, self.t), (s[0], s[2], s[3], s[1], s[3]))
        cols = self.cols[:view.size].reshape(view.shape)
        cols[...] = view
        return cols.reshape(c * k * k, -1)

    def forward(self, x):
        p, h = self.pad, x.shape[2]
        self.buf[:, :, p:p + h, p:p + h] = x
        o, n, ho, t = self.W.shape[0], x.shape[1], self.ho, self.t
        w2 = self.W.reshape(o, -1)
        z = np.empty((o, n, ho, ho), np.float32)
        for n0, n1 in _chunks(n, t):
            y = (w2 @ self._im2col(n0, n1)).reshape(o, n1 - n0, ho, self.hp)
            np.add(y[..., :ho], self.b[:, None, None, None], out=z[:, n0:n1])
        return z

    def backward(self, g, need_dx):
        o, n, t = g.shape[0], g.shape[1], self.t
        self.gwide[..., :self.ho] = g
        gw = self.gwide.reshape(o, -1)
        dW = sum(self._im2col(n0, n1) @ gw[:, n0 * t:n1 * t].T for n0, n1 in _chunks(n, t))
        dW = dW.T.reshape(self.W.shape)
        db = g.sum(axis=(1, 2, 3))
        if not need_dx:
            return None, dW, db
        c, k = self.W.shape[1], self.W.shape[2]
        dcols = (self.W.reshape(o, -1).T @ gw).reshape(c, k * k, n, t)
        acc = np.zeros((c, n, (self.hp + 1) * self.hp), np.float32)
        for q, off in enumerate(self.offsets):
            acc[:, :, off:off + t] += dcols[:, q]
        p, h = self.pad, self.hp - 2 * self.pad
        return acc.reshape(c, n, self.hp + 1, self.hp)[:, :, p:p + h, p:p + h], dW, db


def _pool_forward(x):
    """2x2 max pooling of ``(C, N, H, W)`` and the offset (0..3) of each window's first maximum."""
    a0, a1 = x[..., 0::2], x[..., 1::2]
    right = a1 > a0
    m = np.maximum(a0, a1)
    b0, b1 = m[..., 0::2, :], m[..., 1::2, :]
    down = b1 > b0
    c0 = right[..., 0::2, :].view(np.uint8)
    idx = c0 + down * (2 + right[..., 1::2, :].view(np.uint8) - c0)
    return np.maximum(b0, b1), idx


def _pool_backward(g, idx):
    c, n, h, w = idx.shape
    res = np.empty((c, n, 2 * h, 2 * w), np.float32)
    for o, (i, j) in enumerate(((0, 0), (0, 1), (1, 0), (1, 1))):
        np.multiply(g, idx == o, out=res[..., i::2, j::2])
    return res


def numpy_step():
    rng = np.random.default_rng(0)

    def param(*shape):
        fan_in = int(np.prod(shape[1:]))
        return (rng.standard_normal(shape, dtype=np.float32) * np.float32(fan_in ** -0.5))

    conv1 = _Conv(param(6, 1, 5, 5), np.zeros(6, np.float32), BATCH, 28, 2)
    conv2 = _Conv(param(16, 6, 5, 5), np.zeros(16, np.float32), BATCH, 14, 0)
    fcs = [(param(120, 400), np.zeros(120, np.float32)), (param(84, 120), np.zeros(84, np.float32)),
           (param(10, 84), np.zeros(10, np.float32))]
    x, y = data()
    x = x.transpose(1, 0, 2, 3)  # channel-major
    rows = np.arange(BATCH)

    def step():
        z1 = conv1.forward(x)
        a1 = np.maximum(z1, 0)
        p1, i1 = _pool_forward(a1)
        z2 = conv2.forward(p1)
        a2 = np.maximum(z2, 0)
        p2, i2 = _pool_forward(a2)
        h = p2.transpose(1, 0, 2, 3).reshape(BATCH, -1)
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
        g = np.ascontiguousarray(g.reshape(BATCH, 16, 5, 5).transpose(1, 0, 2, 3))
        g = _pool_backward(g, i2)
        g *= z2 > 0
        dx, dW2, db2 = conv2.backward(g, True)
        g = _pool_backward(dx, i1)
        g *= z1 > 0
        _, dW1, db1 = conv1.backward(g, False)
        for W, gW, b, gb in grads + [(conv2.W, dW2, conv2.b, db2), (conv1.W, dW1, conv1.b, db1)]:
            W -= LR * gW
            b -= LR * gb

    return step
