"""Convolution layers and functionals against PyTorch (forward, input and parameter gradients)."""
from __future__ import annotations

import numpy as np
import pytest
from layer_check import check_grads, compare_fn, compare_module

import autograd as ag
import nn.functional as F
from nn.modules.conv import Conv1d, Conv2d, ConvTranspose2d

from golden import T

CONV2D = [
    dict(),
    dict(stride=2, padding=1),
    dict(stride=(2, 1), padding=(1, 2), dilation=(1, 2)),
    dict(padding="same"),
    dict(padding="same", dilation=2),
    dict(padding="valid", bias=False),
    dict(groups=2, padding=1),
    dict(groups=4, stride=2, bias=False),
]


@pytest.mark.parametrize("kw", CONV2D, ids=str)
def test_conv2d_module_matches_torch(device, kw):
    rng = np.random.default_rng(1)
    kw = dict(kw)
    m = Conv2d(4, 8, (3, 2) if kw.get("padding") == "same" else 3, **kw)
    tm = T.nn.Conv2d(4, 8, (3, 2) if kw.get("padding") == "same" else 3, **kw).double()
    m.to(device).double()
    x = rng.standard_normal((2, 4, 9, 8))
    compare_module(m, tm, x, device, rtol=1e-10, atol=1e-10)


def test_conv2d_float32_stays_float32(device):
    m, tm = Conv2d(3, 5, 3, padding=1).to(device), T.nn.Conv2d(3, 5, 3, padding=1)
    x = np.random.default_rng(0).standard_normal((2, 3, 7, 7)).astype(np.float32)
    compare_module(m, tm, x, device, rtol=1e-4, atol=1e-5)
    y = m(ag.tensor(x, device=device))
    assert y.dtype == ag.float32


@pytest.mark.parametrize("kw", [dict(), dict(stride=2, padding=2, dilation=2), dict(padding="same"),
                                dict(groups=3, bias=False)], ids=str)
def test_conv1d_module_matches_torch(device, kw):
    m, tm = Conv1d(3, 6, 3, **kw).to(device).double(), T.nn.Conv1d(3, 6, 3, **kw).double()
    compare_module(m, tm, np.random.default_rng(2).standard_normal((2, 3, 11)), device, 1e-10, 1e-10)


@pytest.mark.parametrize("kw", [
    dict(),
    dict(stride=2, padding=1, output_padding=1),
    dict(stride=(2, 3), padding=(0, 1), output_padding=(1, 2), dilation=(1, 1)),
    dict(stride=2, dilation=2, groups=2, bias=False),
    dict(stride=3, padding=1, output_padding=2, dilation=3),
], ids=str)
def test_conv_transpose2d_module_matches_torch(device, kw):
    m = ConvTranspose2d(4, 6, 3, **kw).to(device).double()
    tm = T.nn.ConvTranspose2d(4, 6, 3, **kw).double()
    compare_module(m, tm, np.random.default_rng(3).standard_normal((2, 4, 5, 6)), device, 1e-10, 1e-10)


def test_conv_transpose2d_output_size(device):
    m = ConvTranspose2d(2, 3, 3, stride=2, padding=1).to(device)
    x = ag.randn(1, 2, 4, 4, device=device)
    assert m(x).shape == (1, 3, 7, 7)
    assert m(x, output_size=(8, 8)).shape == (1, 3, 8, 8)
    with pytest.raises(ValueError):
        m(x, output_size=(10, 10))


def test_unbatched_inputs(device):
    rng = np.random.default_rng(4)
    w = rng.standard_normal((5, 3, 3, 3))
    compare_fn(F.conv2d, T.nn.functional.conv2d, [rng.standard_normal((3, 6, 6)), w], device,
               padding=1)
    compare_fn(F.conv1d, T.nn.functional.conv1d,
               [rng.standard_normal((3, 8)), rng.standard_normal((4, 3, 2))], device)
    compare_fn(F.conv_transpose2d, T.nn.functional.conv_transpose2d,
               [rng.standard_normal((5, 4, 4)), rng.standard_normal((5, 2, 3, 3))], device, stride=2)


def test_conv3d_matches_torch(device):
    rng = np.random.default_rng(5)
    compare_fn(F.conv3d, T.nn.functional.conv3d,
               [rng.standard_normal((2, 4, 5, 4, 6)), rng.standard_normal((6, 2, 2, 3, 2)),
                rng.standard_normal(6)], device, stride=(1, 2, 1), padding=1, groups=2)


def test_default_init_and_names():
    ag.manual_seed(0)
    m = Conv2d(6, 16, 5)
    assert [n for n, _ in m.named_parameters()] == ["weight", "bias"]
    assert m.weight.shape == (16, 6, 5, 5) and m.bias.shape == (16,)
    bound = 1 / np.sqrt(6 * 25)  # kaiming_uniform_(a=sqrt(5)) gives the same bound as the bias
    w, b = m.weight.detach().numpy(), m.bias.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert np.abs(b).max() <= bound
    assert abs(w.std() - bound / np.sqrt(3)) < 0.1 * bound
    t = ConvTranspose2d(4, 6, 3, groups=2)
    assert t.weight.shape == (4, 3, 3, 3)
    assert Conv2d(2, 2, 3, bias=False).bias is None


def test_extra_repr_like_torch():
    cases = [((16, 33, 3), dict(stride=2)),
             ((16, 33, (3, 5)), dict(stride=(2, 1), padding=(4, 2), dilation=(3, 1), bias=False)),
             ((4, 4, 3), dict(padding="same", groups=2))]
    for args, kw in cases:
        assert repr(Conv2d(*args, **kw)) == repr(T.nn.Conv2d(*args, **kw))
    assert repr(ConvTranspose2d(4, 2, 3, stride=2, output_padding=1)) == \
        repr(T.nn.ConvTranspose2d(4, 2, 3, stride=2, output_padding=1))
    assert repr(Conv1d(3, 5, 2)) == repr(T.nn.Conv1d(3, 5, 2))


@pytest.mark.parametrize("fn,arrays,kw", [
    (F.conv2d, [(1, 4, 4, 4), (2, 2, 3, 2), (2,)], dict(stride=(2, 1), padding=1, dilation=(1, 2),
                                                         groups=2)),
    (F.conv1d, [(1, 2, 7), (3, 2, 3)], dict(padding="same")),
    (F.conv_transpose2d, [(1, 2, 3, 3), (2, 2, 2, 3), (2,)], dict(stride=2, padding=1, output_padding=1)),
], ids=["conv2d", "conv1d", "conv_transpose2d"])
def test_gradcheck(device, fn, arrays, kw):
    rng = np.random.default_rng(6)
    check_grads(lambda *xs: fn(*xs, **kw), [rng.standard_normal(s) for s in arrays], device)


def test_errors(device):
    x = ag.randn(1, 4, 5, 5, device=device)
    with pytest.raises(RuntimeError, match="dimensions|input of shape"):
        F.conv2d(ag.randn(4, 5, device=device), ag.randn(2, 4, 3, 3, device=device))
    with pytest.raises(RuntimeError, match="groups"):
        F.conv2d(x, ag.randn(6, 3, 3, 3, device=device), groups=3)
    with pytest.raises(RuntimeError, match="channels"):
        F.conv2d(x, ag.randn(2, 3, 3, 3, device=device))
    with pytest.raises(RuntimeError, match="kernel size"):
        F.conv2d(x, ag.randn(2, 4, 7, 7, device=device))
    with pytest.raises(ValueError, match="strided"):
        F.conv2d(x, ag.randn(2, 4, 3, 3, device=device), stride=2, padding="same")
    with pytest.raises(ValueError, match="divisible"):
        Conv2d(5, 4, 3, groups=2)
    with pytest.raises(ValueError, match="padding"):
        Conv2d(4, 4, 3, padding="full")
    with pytest.raises(RuntimeError, match="output padding"):
        F.conv_transpose2d(x, ag.randn(4, 2, 3, 3, device=device), stride=2, output_padding=2)
