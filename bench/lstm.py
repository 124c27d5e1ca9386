"""lstm: nn.LSTM(64, 128), seq 50, batch 32; loss = sum of squares of the last hidden state.

Forward + backward.
"""
from __future__ import annotations

import numpy as np

NAME, UNIT, SCALE = "lstm", "ms", 1e3
L, N, I, H = 50, 32, 64, 128


def data(seed=0):
    return np.random.default_rng(seed).standard_normal((L, N, I), dtype=np.float32)


def xpgrad_step(device):
    import autograd as ag
    import nn

    ag.manual_seed(0)
    lstm = nn.LSTM(I, H).to(device)
    x = ag.tensor(data(), device=device)

    def step():
        lstm.zero_grad()
        _, (h, _) = lstm(x)
        (h * h).sum().backward()

    return step


def torch_step(torch):
    torch.manual_seed(0)
    lstm = torch.nn.LSTM(I, H)
    x = torch.from_numpy(data())

    def step():
        lstm.zero_grad()
        _, (h, _) = lstm(x)
        (h * h).sum().backward()

    return step


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def numpy_step():
    rng = np.random.default_rng(0)
    k = np.float32(H ** -0.5)
    W_ih = rng.uniform(-k, k, (4 * H, I)).astype(np.float32)
    W_hh = rng.uniform(-k, k, (4 * H, H)).astype(np.float32)
    b = rng.uniform(-k, k, 4 * H).astype(np.float32)
    x = data()

    def step():
        xw = (x.reshape(-1, I) @ W_ih.T + b).reshape(L, N, 4 * H)
        h = np.zeros((N, H), np.float32)
        c = np.zeros((N, H), np.float32)
        hs, cs, acts = [h], [c], []
        for t in range(L):
            z = xw[t] + h @ W_hh.T
            i, f = _sigmoid(z[:, :H]), _sigmoid(z[:, H:2 * H])
            g, o = np.tanh(z[:, 2 * H:3 * H]), _sigmoid(z[:, 3 * H:])
            c = f * c + i * g
            tc = np.tanh(c)
            h = o * tc
            hs.append(h)
            cs.append(c)
            acts.append((i, f, g, o, tc))
        dh = 2 * h
        dc = np.zeros_like(c)
        dW_hh = np.zeros_like(W_hh)
        dz_all = np.empty((L, N, 4 * H), np.float32)
        for t in range(L - 1, -1, -1):
            i, f, g, o, tc = acts[t]
            dc = dc + dh * o * (1 - tc * tc)
            dz = dz_all[t]
            dz[:, :H] = dc * g * i * (1 - i)
            dz[:, H:2 * H] = dc * cs[t] * f * (1 - f)
            dz[:, 2 * H:3 * H] = dc * i * (1 - g * g)
            dz[:, 3 * H:] = dh * tc * o * (1 - o)
            dc = dc * f
            dW_hh += dz.T @ hs[t]
            dh = dz @ W_hh
        dz2 = dz_all.reshape(-1, 4 * H)
        return dz2.T @ x.reshape(-1, I), dW_hh, dz2.sum(axis=0)

    return step
