"""BLAS's thread count: ``set_num_threads`` sets it, and convolutions hold it to one thread for
their thin products (and give it back), with the same values either way."""
from __future__ import annotations

import threading

import numpy as np
import pytest

import autograd as ag
import nn.functional as F
from autograd.arraylib import blas_threads
from autograd.ops import conv

pytest.importorskip("threadpoolctl")
needs_blas = pytest.mark.skipif(blas_threads.get_num_threads() is None,
                                reason="no BLAS that threadpoolctl sees")


@needs_blas
def test_set_num_threads_sets_blas_threads():
    before = ag.get_num_threads()
    try:
        ag.set_num_threads(1)
        assert blas_threads.get_num_threads() == 1 and ag.get_num_threads() == 1
        ag.set_num_threads(3)
        assert blas_threads.get_num_threads() == 3 and ag.get_num_threads() == 3
    finally:
        ag.set_num_threads(before)


@needs_blas
def test_one_thread_is_reentrant_and_restores():
    before = blas_threads.get_num_threads()
    ag.set_num_threads(2)
    try:
        inside = []
        with blas_threads.one_thread():
            with blas_threads.one_thread():
                inside.append(blas_threads.get_num_threads())
            inside.append(blas_threads.get_num_threads())
        assert inside == [1, 1] and blas_threads.get_num_threads() == 2
        with pytest.raises(ZeroDivisionError), blas_threads.one_thread():
            1 / 0
        assert blas_threads.get_num_threads() == 2
    finally:
        ag.set_num_threads(before)


@needs_blas
def test_one_thread_leaves_the_count_alone_in_other_threads():
    # OpenBLAS ignores a raised count from a thread other than the main one: a convolution in a
    # worker thread must not lower it, since it could not restore it
    ag.set_num_threads(2)
    seen = []

    def work():
        with blas_threads.one_thread():
            seen.append(blas_threads.get_num_threads())
        F.conv2d(ag.randn(4, 2, 8, 8), ag.randn(3, 2, 3, 3)).sum()

    t = threading.Thread(target=work)
    t.start()
    t.join()
    assert seen == [2] and blas_threads.get_num_threads() == 2


@needs_blas
def test_conv_holds_blas_to_one_thread_only_for_thin_products(monkeypatch):
    ag.set_num_threads(2)
    seen = []
    real = np.matmul

    class Spy:
        def __getattr__(self, name):
            return getattr(np, name)

        @staticmethod
        def matmul(*a, **k):
            seen.append(blas_threads.get_num_threads())
            return real(*a, **k)

    x = ag.randn(8, 3, 12, 12, requires_grad=True)
    w = ag.randn(4, 3, 3, 3, requires_grad=True)
    device = x.device
    monkeypatch.setattr(type(device), "xp", property(lambda self: Spy()), raising=False)
    F.conv2d(x, w, padding=1).sum().backward()
    assert seen and set(seen) == {1}
    seen.clear()
    monkeypatch.setattr(conv, "_ONE_THREAD_MACS", 0)
    F.conv2d(x, w, padding=1).sum().backward()
    assert seen and set(seen) == {2}
    assert blas_threads.get_num_threads() == 2


@pytest.mark.parametrize("macs", [0, 1 << 40])
def test_conv_values_do_not_depend_on_the_thread_rule(device, macs, monkeypatch):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((20, 3, 10, 10))
    w = rng.standard_normal((5, 3, 3, 3))
    b = rng.standard_normal(5)

    def run():
        xt, wt, bt = (ag.tensor(a, device=device, requires_grad=True) for a in (x, w, b))
        y = F.conv2d(xt, wt, bt, padding=1)
        (y * y).sum().backward()
        return [t.detach().cpu().numpy() for t in (y, xt.grad, wt.grad, bt.grad)]

    ref = run()
    monkeypatch.setattr(conv, "_ONE_THREAD_MACS", macs)
    for a, r in zip(run(), ref):
        np.testing.assert_allclose(a, r, rtol=1e-12, atol=1e-12)
