"""attention: one GPT block, forward + backward + AdamW step.

Batch 8, sequence 64, width 128, 4 heads: ``x + attn(ln1(x))`` with causal
``scaled_dot_product_attention``, then ``+ mlp(ln2(.))`` with GELU (tanh form);
loss = mean of squares of the output. The NumPy floor is the same math written
by hand (forward, backward, AdamW), on the same initial weights.
"""
from __future__ import annotations

import math

import numpy as np

NAME, UNIT, SCALE = "attention", "ms", 1e3
B, T, C, NH = 8, 64, 128, 4
HD = C // NH
LR, BETAS, EPS, WD = 1e-3, (0.9, 0.999), 1e-8, 0.01
# name: shape, in PyTorch's layout (Linear weights are (out, in))
SHAPES = {"ln1.weight": (C,), "ln1.bias": (C,), "qkv.weight": (3 * C, C), "qkv.bias": (3 * C,),
          "proj.weight": (C, C), "proj.bias": (C,), "ln2.weight": (C,), "ln2.bias": (C,),
          "fc.weight": (4 * C, C), "fc.bias": (4 * C,), "out.weight": (C, 4 * C), "out.bias": (C,)}


def data(seed=0):
    return np.random.default_rng(seed).standard_normal((B, T, C), dtype=np.float32)


def init_params(seed=1):
    rng = np.random.default_rng(seed)
    out = {}
    for name, shape in SHAPES.items():
        if name.startswith("ln"):
            out[name] = (np.ones if name.endswith("weight") else np.zeros)(shape, np.float32)
        else:
            out[name] = (rng.standard_normal(shape) * 0.02).astype(np.float32)
    return out


# ---------------------------------------------------------------- the model, for xpgrad and PyTorch
def make_block(nn, F):
    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln1, self.ln2 = nn.LayerNorm(C), nn.LayerNorm(C)
            self.qkv, self.proj = nn.Linear(C, 3 * C), nn.Linear(C, C)
            self.fc, self.out = nn.Linear(C, 4 * C), nn.Linear(4 * C, C)
            self.gelu = nn.GELU(approximate="tanh")

        def forward(self, x):
            q, k, v = self.qkv(self.ln1(x)).split(C, dim=2)
            q, k, v = (t.view(B, T, NH, HD).transpose(1, 2) for t in (q, k, v))
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            x = x + self.proj(y.transpose(1, 2).contiguous().view(B, T, C))
            return x + self.out(self.gelu(self.fc(self.ln2(x))))

    return Block()


def _step_fn(block, opt, x):
    def step():
        opt.zero_grad()
        (block(x) ** 2).mean().backward()
        opt.step()

    return step


def xpgrad_step(device):
    import autograd as ag
    import nn
    import nn.functional as F
    import optim

    block = make_block(nn, F).to(device)
    block.load_state_dict({k: ag.tensor(v, device=device) for k, v in init_params().items()})
    opt = optim.AdamW(block.parameters(), lr=LR, betas=BETAS, eps=EPS, weight_decay=WD)
    return _step_fn(block, opt, ag.tensor(data(), device=device))


def torch_step(torch):
    block = make_block(torch.nn, torch.nn.functional)
    block.load_state_dict({k: torch.from_numpy(v) for k, v in init_params().items()})
    opt = torch.optim.AdamW(block.parameters(), lr=LR, betas=BETAS, eps=EPS, weight_decay=WD)
    return _step_fn(block, opt, torch.from_numpy(data()))


# ---------------------------------------------------------------- the NumPy floor
def _layer_norm(x, w, b):
    mu = x.mean(-1, keepdims=True)
    xc = x - mu
    rstd = 1 / np.sqrt((xc * xc).mean(-1, keepdims=True) + np.float32(1e-5))
    xhat = xc * rstd
    return xhat * w + b, (xhat, rstd)


def _layer_norm_back(dy, w, cache, input_grad=True):
    xhat, rstd = cache
    dw, db = (dy * xhat).reshape(-1, C).sum(0), dy.reshape(-1, C).sum(0)
    if not input_grad:
        return None, dw, db
    dxhat = dy * w
    dx = rstd * (dxhat - dxhat.mean(-1, keepdims=True) - xhat * (dxhat * xhat).mean(-1, keepdims=True))
    return dx, dw, db


_K = np.float32(math.sqrt(2 / math.pi))


def _linear_back(dy, x):
    """Weight and bias gradients of ``y = x @ W.T + b``."""
    dy2 = dy.reshape(-1, dy.shape[-1])
    return dy2.T @ x.reshape(-1, x.shape[-1]), dy2.sum(0)


def loss_and_grads(p, x):
    """The block's loss and the gradient of every parameter, by hand."""
    g = {}
    f32 = np.float32
    h1, ln1 = _layer_norm(x, p["ln1.weight"], p["ln1.bias"])
    qkv = h1 @ p["qkv.weight"].T + p["qkv.bias"]
    q, k, v = (qkv[..., i * C:(i + 1) * C].reshape(B, T, NH, HD).transpose(0, 2, 1, 3) for i in range(3))
    s = (q @ k.transpose(0, 1, 3, 2)) * f32(HD ** -0.5)
    s[..., np.triu_indices(T, 1)[0], np.triu_indices(T, 1)[1]] = -np.inf
    s -= s.max(-1, keepdims=True)
    att = np.exp(s)
    att /= att.sum(-1, keepdims=True)
    y = (att @ v).transpose(0, 2, 1, 3).reshape(B, T, C)
    x2 = x + y @ p["proj.weight"].T + p["proj.bias"]
    h2, ln2 = _layer_norm(x2, p["ln2.weight"], p["ln2.bias"])
    u = h2 @ p["fc.weight"].T + p["fc.bias"]
    th = np.tanh(_K * (u + f32(0.044715) * u ** 3))
    gel = f32(0.5) * u * (1 + th)
    out = x2 + gel @ p["out.weight"].T + p["out.bias"]
    loss = float((out * out).mean())
    # backward
    dout = out * f32(2 / out.size)
    g["out.weight"], g["out.bias"] = _linear_back(dout, gel)
    dgel = dout @ p["out.weight"]
    du = dgel * (f32(0.5) * (1 + th) + f32(0.5) * u * (1 - th * th) * _K * (1 + f32(3 * 0.044715) * u * u))
    g["fc.weight"], g["fc.bias"] = _linear_back(du, h2)
    dx2, g["ln2.weight"], g["ln2.bias"] = _layer_norm_back(du @ p["fc.weight"], p["ln2.weight"], ln2)
    dx2 += dout
    g["proj.weight"], g["proj.bias"] = _linear_back(dx2, y)
    dy = (dx2 @ p["proj.weight"]).reshape(B, T, NH, HD).transpose(0, 2, 1, 3)
    datt = dy @ v.transpose(0, 1, 3, 2)
    dv = att.transpose(0, 1, 3, 2) @ dy
    ds = att * (datt - (datt * att).sum(-1, keepdims=True)) * f32(HD ** -0.5)
    dq, dk = ds @ k, ds.transpose(0, 1, 3, 2) @ q
    dqkv = np.concatenate([t.transpose(0, 2, 1, 3).reshape(B, T, C) for t in (dq, dk, dv)], -1)
    g["qkv.weight"], g["qkv.bias"] = _linear_back(dqkv, h1)
    _, g["ln1.weight"], g["ln1.bias"] = _layer_norm_back(dqkv @ p["qkv.weight"], p["ln1.weight"], ln1, False)
    return loss, g


def numpy_step():
    p, x = init_params(), data()
    m = {k: np.zeros_like(v) for k, v in p.items()}
    s = {k: np.zeros_like(v) for k, v in p.items()}
    t = [0]
    b1, b2 = BETAS

    def step():
        _, grads = loss_and_grads(p, x)
        t[0] += 1
        c1, c2 = 1 - b1 ** t[0], 1 - b2 ** t[0]
        for k, w in p.items():
            gk = grads[k]
            w *= np.float32(1 - LR * WD)
            m[k] *= np.float32(b1)
            m[k] += np.float32(1 - b1) * gk
            s[k] *= np.float32(b2)
            s[k] += np.float32(1 - b2) * gk * gk
            w -= np.float32(LR / c1) * m[k] / (np.sqrt(s[k] / np.float32(c2)) + np.float32(EPS))

    return step
