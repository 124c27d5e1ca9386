"""Where ``mlp``'s time above the NumPy floor goes: ``python -m bench.mlp_anatomy``.

Times three steps of the same network in interleaved rounds: xpgrad, the floor (``bench.mlp``),
and a *replica*: NumPy only, doing exactly xpgrad's array work (the (out, in) weight read
transposed, log-softmax then a gather, the masked ReLU gradient of ``keep_where``, bias gradients
by sum, the SGD update in parameter order). The replica against the floor is what xpgrad's
choice of kernels and layouts costs; xpgrad against the replica is what the engine's Python
costs (recording, the backward walk, modules, argument checks), caches cold after each GEMM
included. Then the forward, piece by piece, in the same rounds.
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from . import mlp
from .common import timeit_interleaved


def _log_softmax(h):
    """Row-wise log-softmax, as xpgrad's LogSoftmax computes it."""
    s = h - h.max(axis=1, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=1, keepdims=True))


def replica_step(params=None):
    """One SGD step in NumPy with xpgrad's kernels; ``params``: [W1, b1, W2, b2, ...] arrays
    ((out, in) weights), updated in place (default: the floor's initial weights, transposed)."""
    from autograd.arraylib.devices import keep_where

    if params is None:
        rng = np.random.default_rng(0)
        params = []
        for a, b in zip(mlp.SIZES[:-1], mlp.SIZES[1:]):
            params += [np.ascontiguousarray((rng.standard_normal((a, b), dtype=np.float32)
                                             * np.float32(a ** -0.5)).T), np.zeros(b, np.float32)]
    x, y = mlp.data()
    rows, n = np.arange(mlp.BATCH), len(params) // 2

    def step():
        acts = [x]
        for i in range(n):
            z = acts[-1] @ params[2 * i].T
            z += params[2 * i + 1]
            acts.append(np.maximum(z, 0) if i < n - 1 else z)
        logp = _log_softmax(acts[-1])
        step.loss = -logp[rows, y].mean()
        g = np.zeros_like(logp)
        g[rows, y] = -1.0 / mlp.BATCH
        g = g - np.exp(logp) * g.sum(axis=1, keepdims=True)
        grads = [None] * len(params)
        for i in range(n - 1, -1, -1):
            grads[2 * i], grads[2 * i + 1] = g.T @ acts[i], g.sum(axis=0)
            if i:
                g = keep_where(g @ params[2 * i], acts[i] > 0)
        for p, gp in zip(params, grads):
            p += np.multiply(gp, -mlp.LR)

    return step


def forward_pieces(reps):
    """Median µs of each forward piece (layer by layer, then the loss), xpgrad and replica
    alternating step by step, each after a full step of its own (caches as in training)."""
    import nn.functional as F

    model, opt, x, y = mlp.xpgrad_parts("cpu")
    mods = list(model)
    params = [p._data.copy() for p in model.parameters()]  # the same start, trained apart
    rep = replica_step(params)
    xn, yn = x.numpy(), y.numpy()
    rows = np.arange(len(yn))
    t = {}

    def add(key, t0):
        t.setdefault(key, []).append(time.perf_counter() - t0)

    for _ in range(reps):
        opt.zero_grad()
        h = x
        for i, m in enumerate(mods):
            t0 = time.perf_counter()
            h = m(h)
            add(("xpgrad", f"{type(m).__name__} {i}"), t0)
        t0 = time.perf_counter()
        loss = F.cross_entropy(h, y)
        add(("xpgrad", "cross_entropy"), t0)
        loss.backward()
        opt.step()
        hn = xn
        for i in range(len(mods)):
            t0 = time.perf_counter()
            if i % 2 == 0:
                hn = hn @ params[i].T
                hn += params[i + 1]
            else:
                hn = np.maximum(hn, 0)
            add(("replica", f"{type(mods[i]).__name__} {i}"), t0)
        t0 = time.perf_counter()
        _ = -_log_softmax(hn)[rows, yn].mean()
        add(("replica", "cross_entropy"), t0)
        rep()
    return {k: float(np.median(v[reps // 5:])) * 1e6 for k, v in t.items()}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=200)
    args = ap.parse_args(argv)
    names = ("xpgrad", "replica", "floor")
    xp_ms, rep_ms, floor_ms = (s * 1e3 for s in timeit_interleaved(
        [mlp.xpgrad_step("cpu"), replica_step(), mlp.numpy_step()], args.reps))
    print(f"# mlp anatomy, {args.reps} interleaved rounds (median ms per step)")
    for name, ms in zip(names, (xp_ms, rep_ms, floor_ms)):
        print(f"{name:8s} {ms:8.3f} ms   x floor {ms / floor_ms:5.3f}")
    print(f"kernels and layout (replica - floor): {rep_ms - floor_ms:+.3f} ms;"
          f" engine Python (xpgrad - replica): {xp_ms - rep_ms:+.3f} ms")
    pieces = forward_pieces(max(args.reps // 2, 5))
    print("forward piece         xpgrad µs  replica µs")
    for key in [k for who, k in pieces if who == "xpgrad"]:
        print(f"{key:20s} {pieces['xpgrad', key]:10.1f} {pieces['replica', key]:11.1f}")
    return {"xpgrad": xp_ms, "replica": rep_ms, "floor": floor_ms, "pieces": pieces}


if __name__ == "__main__":
    main()
