"""Pooling layers and functionals against PyTorch (forward, gradients, indices, options)."""
from __future__ import annotations

import numpy as np
import pytest
from layer_check import check_grads, compare_fn, compare_module

import autograd as ag
import nn.functional as F
from nn.modules.pooling import AdaptiveAvgPool2d, AvgPool2d, MaxPool1d, MaxPool2d

from golden import T, _torch, answer, digest

MAX2D = [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
    dict(kernel_size=(2, 3), stride=(1, 2), dilation=(2, 1), padding=(1, 1)),
    dict(kernel_size=2, stride=3, ceil_mode=True),
]


@pytest.mark.parametrize("kw", MAX2D, ids=str)
def test_max_pool2d_matches_torch(device, kw):
    x = np.random.default_rng(0).standard_normal((2, 3, 9, 8))
    compare_module(MaxPool2d(**kw), T.nn.MaxPool2d(**kw), x, device, 1e-12, 1e-12)
    y, i = F.max_pool2d(ag.tensor(x, device=device), return_indices=True, **kw)
    ref = answer(f"max_pool2d indices {kw} {digest(x)}", lambda: {
        "i": _torch.nn.functional.max_pool2d(_torch.tensor(x), return_indices=True, **kw)[1].numpy()})
    assert i.dtype == ag.int64
    np.testing.assert_array_equal(i.cpu().numpy(), ref["i"])


def test_max_pool_gradient_goes_to_first_max(device):
    x = np.array([[[[1.0, 1.0, 0.0], [1.0, 1.0, 0.0], [2.0, 2.0, 2.0]]]])
    compare_fn(F.max_pool2d, T.nn.functional.max_pool2d, [x], device, kernel_size=2, stride=1)
    compare_fn(F.max_pool1d, T.nn.functional.max_pool1d, [np.ones((1, 2, 5))], device,
               kernel_size=3, stride=1, ceil_mode=True)


@pytest.mark.parametrize("kw", [dict(kernel_size=3, stride=2, ceil_mode=True),
                                dict(kernel_size=2, padding=1, dilation=2)], ids=str)
def test_max_pool1d_matches_torch(device, kw):
    x = np.random.default_rng(1).standard_normal((2, 3, 10))
    compare_module(MaxPool1d(**kw), T.nn.MaxPool1d(**kw), x, device, 1e-12, 1e-12)
    compare_module(MaxPool1d(**kw), T.nn.MaxPool1d(**kw), x[0], device, 1e-12, 1e-12)


AVG2D = [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=3, stride=2, padding=1, count_include_pad=False),
    dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
    dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
    dict(kernel_size=(2, 3), stride=(3, 1), padding=(1, 0), divisor_override=5),
]


@pytest.mark.parametrize("kw", AVG2D, ids=str)
def test_avg_pool2d_matches_torch(device, kw):
    x = np.random.default_rng(2).standard_normal((2, 3, 8, 7))
    compare_module(AvgPool2d(**kw), T.nn.AvgPool2d(**kw), x, device, 1e-12, 1e-12)


@pytest.mark.parametrize("size", [1, (2, 2), (3, 5), (4, None), (7, 6), (5, 3)], ids=str)
def test_adaptive_avg_pool2d_matches_torch(device, size):
    x = np.random.default_rng(3).standard_normal((2, 3, 8, 7))
    compare_module(AdaptiveAvgPool2d(size), T.nn.AdaptiveAvgPool2d(size), x, device, 1e-12, 1e-12)
    compare_module(AdaptiveAvgPool2d(size), T.nn.AdaptiveAvgPool2d(size), x[0], device, 1e-12, 1e-12)


def test_float32(device):
    x = np.random.default_rng(4).standard_normal((2, 3, 8, 8)).astype(np.float32)
    for fn in (lambda t: F.max_pool2d(t, 2), lambda t: F.avg_pool2d(t, 3, 2, 1),
               lambda t: F.adaptive_avg_pool2d(t, 3)):
        assert fn(ag.tensor(x, device=device)).dtype == ag.float32


def test_repr_like_torch():
    assert repr(MaxPool2d(3, 2, 1)) == repr(T.nn.MaxPool2d(3, 2, 1))
    assert repr(AvgPool2d(2)) == repr(T.nn.AvgPool2d(2))
    assert repr(AdaptiveAvgPool2d((2, 3))) == repr(T.nn.AdaptiveAvgPool2d((2, 3)))


@pytest.mark.parametrize("fn", [
    lambda t: F.max_pool2d(t, 2, 1, padding=1),
    lambda t: F.avg_pool2d(t, 3, 2, 1, ceil_mode=True, count_include_pad=False),
    lambda t: F.adaptive_avg_pool2d(t, (2, 3)),
    lambda t: F.max_pool1d(t.flatten(2), 3, 2),
], ids=["max_pool2d", "avg_pool2d", "adaptive_avg_pool2d", "max_pool1d"])
def test_gradcheck(device, fn):
    # distinct values so that max pooling has no ties within finite-difference reach
    x = np.random.default_rng(5).permutation(2 * 4 * 5).reshape(2, 1, 4, 5) / 7.0
    check_grads(fn, [x], device)


def test_errors(device):
    x = ag.randn(1, 2, 4, 4, device=device)
    with pytest.raises(RuntimeError, match="input"):
        F.max_pool2d(ag.randn(4, 4, device=device), 2)
    with pytest.raises(RuntimeError, match="kernel size"):
        F.max_pool2d(x, 5)
    with pytest.raises(RuntimeError, match="pad should be at most half"):
        F.avg_pool2d(x, 2, padding=2)
    with pytest.raises(RuntimeError, match="divisor"):
        F.avg_pool2d(x, 2, divisor_override=0)
