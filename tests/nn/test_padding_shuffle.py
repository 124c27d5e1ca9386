"""Padding layers, ``Conv*`` ``padding_mode``, pixel/channel shuffles and the ``Fold``/``Unfold`` layers:
against NumPy references (``np.pad``, reshapes) and PyTorch."""
from __future__ import annotations

import numpy as np
import pytest
from golden import T
from layer_check import check_grads, compare_module

import autograd as ag
import nn
import nn.functional as F

RNG = np.random.default_rng(0)


@pytest.fixture(autouse=True)
def _fresh_rng():
    """Each test draws its inputs from its own generator (the recorded answers depend on them)."""
    global RNG
    RNG = np.random.default_rng(0)
NP_MODE = {"Reflection": "reflect", "Replication": "edge", "Circular": "wrap"}


def _np(t):
    return t.detach().cpu().numpy()


@pytest.mark.parametrize("kind", ["Zero", "Constant", "Reflection", "Replication", "Circular"])
@pytest.mark.parametrize("nd", [1, 2])
def test_padding_layers_match_np_pad(device, kind, nd):
    pads = (1, 2, 2, 0)[:2 * nd]
    cls = getattr(nn, f"{kind}Pad{nd}d")
    m = cls(pads, 1.5) if kind == "Constant" else cls(pads)
    x = RNG.standard_normal((2, 3) + (4,) * nd)
    widths = [(0, 0), (0, 0)] + [(pads[2 * i], pads[2 * i + 1]) for i in range(nd)][::-1]
    if kind in NP_MODE:
        ref = np.pad(x, widths, mode=NP_MODE[kind])
    else:
        ref = np.pad(x, widths, constant_values=1.5 if kind == "Constant" else 0.0)
    np.testing.assert_array_equal(_np(m(ag.tensor(x, device=device))), ref)
    check_grads(m, [x[:1, :2]], device)
    tm = getattr(T.nn, f"{kind}Pad{nd}d")(*((pads, 1.5) if kind == "Constant" else (pads,)))
    assert repr(m) == repr(tm)


def test_padding_layer_errors():
    with pytest.raises(ValueError, match="expected 3D or 4D"):
        nn.ReflectionPad2d(1)(ag.zeros(4, 4))
    with pytest.raises(ValueError, match="padding"):
        nn.ZeroPad2d((1, 2, 3))


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
@pytest.mark.parametrize("padding", [1, "same", (2, 1)], ids=str)
def test_conv_padding_mode(device, mode, padding):
    m = nn.Conv2d(2, 3, 3, padding=padding, padding_mode=mode).double().to(device)
    x = RNG.standard_normal((2, 2, 5, 6))
    p = (1, 1) if padding in (1, "same") else padding
    np_mode = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}[mode]
    xp = np.pad(x, [(0, 0), (0, 0), (p[0], p[0]), (p[1], p[1])], mode=np_mode)
    ref = F.conv2d(ag.tensor(xp, device=device), m.weight.detach(), m.bias.detach())
    np.testing.assert_allclose(_np(m(ag.tensor(x, device=device))), _np(ref), rtol=1e-12)
    assert f"padding_mode={mode}" in repr(m)
    tm = T.nn.Conv2d(2, 3, 3, padding=padding, padding_mode=mode)
    compare_module(nn.Conv2d(2, 3, 3, padding=padding, padding_mode=mode).to(device), tm,
                   x.astype(np.float32), device, rtol=1e-5, atol=1e-5)


def test_conv_padding_mode_errors():
    with pytest.raises(ValueError, match="padding_mode must be one of"):
        nn.Conv2d(1, 1, 3, padding_mode="mirror")
    with pytest.raises(ValueError, match="zeros"):
        nn.ConvTranspose2d(1, 1, 3, padding_mode="reflect")


def test_pixel_shuffle_reference_and_inverse(device):
    x = RNG.standard_normal((2, 8, 3, 4))
    y = F.pixel_shuffle(ag.tensor(x, device=device), 2)
    ref = x.reshape(2, 2, 2, 2, 3, 4).transpose(0, 1, 4, 2, 5, 3).reshape(2, 2, 6, 8)
    np.testing.assert_array_equal(_np(y), ref)
    np.testing.assert_array_equal(_np(nn.PixelUnshuffle(2)(y)), x)
    check_grads(lambda t: F.pixel_shuffle(t, 2), [x[:1, :4, :2, :2]], device)
    c = F.channel_shuffle(ag.tensor(np.arange(6.0).reshape(1, 6, 1), device=device), 2)
    assert _np(c).ravel().tolist() == [0, 3, 1, 4, 2, 5]
    with pytest.raises(RuntimeError, match="divisible"):
        F.pixel_shuffle(ag.zeros(1, 3, 2, 2), 2)


def test_shuffles_fold_unfold_match_torch(device):
    x = RNG.standard_normal((2, 8, 4, 6)).astype(np.float32)
    for m, tm in ((nn.PixelShuffle(2), T.nn.PixelShuffle(2)),
                  (nn.PixelUnshuffle(2), T.nn.PixelUnshuffle(2)),
                  (nn.ChannelShuffle(4), T.nn.ChannelShuffle(4)),
                  (nn.Unfold(2, padding=1, stride=2), T.nn.Unfold(2, padding=1, stride=2))):
        assert repr(m) == repr(tm)
        compare_module(m.to(device), tm, x, device)
    cols = RNG.standard_normal((2, 12, 6)).astype(np.float32)
    m, tm = nn.Fold((4, 5), (2, 3), stride=(2, 1)), T.nn.Fold((4, 5), (2, 3), stride=(2, 1))
    assert repr(m) == repr(tm)
    compare_module(m.to(device), tm, cols, device)


@pytest.mark.parametrize("fn", [lambda x: F.pixel_shuffle(x, 1), lambda x: F.pixel_unshuffle(x, 1),
                                lambda x: F.channel_shuffle(x, 1), lambda x: F.channel_shuffle(x, 2)],
                         ids=["pixel_shuffle_1", "pixel_unshuffle_1", "channel_shuffle_1",
                              "channel_shuffle_2"])
def test_shuffles_return_new_tensors(fn):
    # with a factor of 1 (or a trivial permutation) they returned views: a later write to the input
    # showed in the output, where PyTorch's are new tensors
    x = ag.arange(8.0).reshape(1, 2, 2, 2)
    y = fn(x)
    before = y.numpy().copy()
    x.mul_(10)
    np.testing.assert_array_equal(y.numpy(), before)
