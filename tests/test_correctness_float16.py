"""Reductions of float16 inputs accumulate in float32 and cast back, as PyTorch.

``tensor([300., 400.], dtype=float16).norm()`` used to be ``inf`` (300² overflows
float16) and ``layer_norm`` of ``[0, 300, 600]`` all zeros; each case below
overflowed or lost its precision before. Expected values are computed in
float64 with NumPy and rounded to float16, and compared with PyTorch where it
is installed.
"""
from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from autograd import backend

A = np.array([300.0, 400.0])
B = np.array([0.0, 300.0, 600.0])
C = np.array([0.0, 200.0, 400.0])  # variance 40000 fits float16; the sum of squares (80000) does not


def _h(a):
    return ag.tensor(np.asarray(a), dtype=ag.float16)


def _host(t):
    return backend.to_host(t._data)


def _check(got, expected, rtol=2e-3):
    assert got.dtype == ag.float16
    g = _host(got).astype(np.float64)
    assert np.all(np.isfinite(g)), f"not finite: {g}"
    np.testing.assert_allclose(g, np.asarray(expected, dtype=np.float16).astype(np.float64),
                               rtol=rtol, atol=1e-6)


def _layer_norm_ref(x, eps=1e-5):
    return (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + eps)


CASES = {
    "norm": (lambda x: x.norm(), A, lambda a: np.linalg.norm(a)),
    "norm_p3": (lambda x: x.norm(3), A, lambda a: (a ** 3).sum() ** (1 / 3)),
    "var": (lambda x: x.var(), C, lambda a: a.var(ddof=1)),
    "std": (lambda x: x.std(), C, lambda a: a.std(ddof=1)),
    "sum_many": (lambda x: x.sum(), np.full(4096, 0.1), lambda a: a.sum()),
    "mean_many": (lambda x: x.mean(), np.full(4096, 0.1), lambda a: a.mean()),
    "softmax_long": (lambda x: F.softmax(x, 0), np.zeros(70000), lambda a: np.full(a.shape, 1 / a.size)),
    "log_softmax_long": (lambda x: F.log_softmax(x, 0), np.zeros(70000),
                         lambda a: np.full(a.shape, -np.log(a.size))),
    "logsumexp_long": (lambda x: x.logsumexp(0), np.zeros(70000), lambda a: np.log(a.size)),
    "layer_norm": (lambda x: F.layer_norm(x, (3,)), B, _layer_norm_ref),
    "group_norm": (lambda x: F.group_norm(x.reshape(1, 3, 1), 1), B,
                   lambda a: _layer_norm_ref(a).reshape(1, 3, 1)),
    "batch_norm": (lambda x: F.batch_norm(x.reshape(3, 1), None, None, training=True), B,
                   lambda a: _layer_norm_ref(a).reshape(3, 1)),
}


@pytest.mark.parametrize("name", list(CASES))
def test_float16_reduction_does_not_overflow(name):
    fn, x, ref = CASES[name]
    _check(fn(_h(x)), ref(x))


# PyTorch's CPU log_softmax/logsumexp accumulate float16 in float16 (inf for 70000 terms); its CUDA
# kernels, and xpgrad everywhere, use float32
TORCH_CASES = [n for n in CASES if n not in ("log_softmax_long", "logsumexp_long")]


@pytest.mark.parametrize("name", TORCH_CASES)
def test_float16_reduction_vs_torch(name):
    torch = pytest.importorskip("torch")
    fn, x, _ = CASES[name]
    import nn.functional as ours

    tfn = {"norm": lambda t: t.norm(), "norm_p3": lambda t: t.norm(3), "var": lambda t: t.var(),
           "std": lambda t: t.std(), "sum_many": lambda t: t.sum(), "mean_many": lambda t: t.mean(),
           "softmax_long": lambda t: torch.softmax(t, 0),
           "log_softmax_long": lambda t: torch.log_softmax(t, 0),
           "logsumexp_long": lambda t: t.logsumexp(0),
           "layer_norm": lambda t: torch.nn.functional.layer_norm(t, (3,)),
           "group_norm": lambda t: torch.nn.functional.group_norm(t.reshape(1, 3, 1), 1),
           "batch_norm": lambda t: torch.nn.functional.batch_norm(t.reshape(3, 1), None, None,
                                                                  training=True)}[name]
    del ours
    expected = tfn(torch.tensor(x, dtype=torch.float16)).float().numpy()
    _check(fn(_h(x)), expected)


def test_float16_gradients_are_finite():
    x = ag.tensor(A, dtype=ag.float16, requires_grad=True)
    x.norm().backward()
    _check(x.grad, A / np.linalg.norm(A))
    y = ag.tensor(C, dtype=ag.float16, requires_grad=True)
    y.std().backward()
    _check(y.grad, (C - C.mean()) / (np.sqrt(C.var(ddof=1)) * (C.size - 1)))


def test_clip_grad_norm_float16():
    p = nn.Parameter(ag.zeros(2, dtype=ag.float16))
    p.grad = ag.tensor(A, dtype=ag.float16)
    total = nn.utils.clip_grad_norm_([p], 1.0)
    _check(total, 500.0)
    _check(p.grad, A / 500.0)
