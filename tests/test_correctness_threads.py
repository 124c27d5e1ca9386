"""Backward from several threads into one shared model loses no gradient update (accumulation
into ``.grad`` is serialised, as PyTorch's AccumulateGrad)."""
from __future__ import annotations

import sys
import threading

import numpy as np

import autograd as ag
import nn

THREADS, REPEATS = 8, 40


def test_concurrent_backward_accumulates_every_update():
    rng = np.random.default_rng(0)
    model = nn.Linear(256, 256)
    x = ag.tensor(rng.standard_normal((4, 256)).astype(np.float32))
    model(x).sum().backward()
    one = {n: p.grad.numpy().copy() for n, p in model.named_parameters()}
    model.zero_grad()
    barrier = threading.Barrier(THREADS)
    errors = []

    def work():
        try:
            barrier.wait()
            for _ in range(REPEATS):
                model(x).sum().backward()
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible: races show up at once
    try:
        threads = [threading.Thread(target=work) for _ in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(old)
    assert not errors, errors
    for n, p in model.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), one[n] * THREADS * REPEATS, rtol=1e-4, err_msg=n)
