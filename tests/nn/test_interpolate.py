"""``F.interpolate`` and the ``Upsample`` layers: nearest against a NumPy reference, linear modes against
hand values, gradcheck, and everything against PyTorch."""
from __future__ import annotations

import numpy as np
import pytest
from golden import T
from layer_check import check_grads, compare_fn

import autograd as ag
import nn
import nn.functional as F

RNG = np.random.default_rng(0)


@pytest.fixture(autouse=True)
def _fresh_rng():
    """Each test draws its inputs from its own generator (the recorded answers depend on them)."""
    global RNG
    RNG = np.random.default_rng(0)


def test_nearest_matches_numpy_repeat(device):
    x = RNG.standard_normal((2, 3, 4, 5))
    out = F.interpolate(ag.tensor(x, device=device), scale_factor=2).cpu().numpy()
    np.testing.assert_array_equal(out, x.repeat(2, 2).repeat(2, 3))
    out = nn.UpsamplingNearest2d(size=(2, 5))(ag.tensor(x, device=device)).cpu().numpy()
    np.testing.assert_array_equal(out, x[:, :, ::2])


def test_linear_by_hand(device):
    x = ag.tensor([[[0.0, 1.0, 3.0]]], device=device)
    np.testing.assert_allclose(F.interpolate(x, size=5, mode="linear", align_corners=True).cpu().numpy(),
                               [[[0.0, 0.5, 1.0, 2.0, 3.0]]])
    np.testing.assert_allclose(F.interpolate(x, scale_factor=2, mode="linear").cpu().numpy(),
                               [[[0.0, 0.25, 0.75, 1.5, 2.5, 3.0]]])


@pytest.mark.parametrize("kw", [dict(scale_factor=2), dict(size=(3, 7), mode="nearest-exact"),
                                dict(size=(5, 4), mode="bilinear"),
                                dict(scale_factor=1.5, mode="bilinear", align_corners=True)], ids=str)
def test_gradients(device, kw):
    check_grads(lambda t: F.interpolate(t, **kw), [RNG.standard_normal((1, 2, 3, 3))], device)


CASES = [dict(scale_factor=2), dict(size=(7, 3)), dict(scale_factor=1.7, mode="nearest-exact"),
         dict(size=(8, 9), mode="bilinear"), dict(size=(8, 9), mode="bilinear", align_corners=True),
         dict(scale_factor=(1.5, 2.5), mode="bilinear"), dict(size=(3, 2), mode="bilinear"),
         dict(scale_factor=0.6), dict(scale_factor=1.3, mode="bilinear", recompute_scale_factor=True)]


@pytest.mark.parametrize("kw", CASES, ids=str)
def test_matches_torch(device, kw):
    compare_fn(F.interpolate, T.nn.functional.interpolate, [RNG.standard_normal((2, 3, 5, 4))], device, **kw)


def test_linear_and_trilinear_match_torch(device):
    compare_fn(F.interpolate, T.nn.functional.interpolate, [RNG.standard_normal((2, 3, 5))], device,
               size=8, mode="linear")
    compare_fn(F.interpolate, T.nn.functional.interpolate, [RNG.standard_normal((1, 2, 3, 4, 2))], device,
               scale_factor=2, mode="trilinear")


def test_upsample_repr_and_errors():
    assert repr(nn.Upsample(scale_factor=2)) == "Upsample(scale_factor=2.0, mode='nearest')"
    assert repr(nn.Upsample(size=(3, 4), mode="bilinear", align_corners=True)) == \
        "Upsample(size=(3, 4), mode='bilinear')"
    assert repr(nn.UpsamplingBilinear2d(scale_factor=2)) == \
        "UpsamplingBilinear2d(scale_factor=2.0, mode='bilinear')"
    x = ag.zeros(1, 1, 2, 2)
    with pytest.raises(ValueError, match="only one of size or scale_factor"):
        F.interpolate(x)
    with pytest.raises(ValueError, match="align_corners"):
        F.interpolate(x, scale_factor=2, align_corners=True)
    with pytest.raises(NotImplementedError, match="mode 'box' is not supported"):
        F.interpolate(x, scale_factor=2, mode="box")
    with pytest.raises(NotImplementedError, match="needs 3D"):
        F.interpolate(x, scale_factor=2, mode="linear")


@pytest.mark.parametrize("mode, shape", [("nearest", (1, 1, 2, 6)), ("bilinear", (1, 1, 2, 6)),
                                         ("nearest-exact", (1, 1, 2, 6)), ("linear", (1, 1, 2)),
                                         ("trilinear", (1, 1, 2, 3, 3))])
def test_an_empty_output_raises_as_pytorchs(mode, shape):
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError) as theirs:
        torch.nn.functional.interpolate(torch.ones(shape), scale_factor=0.45, mode=mode)
    with pytest.raises(RuntimeError) as ours:
        F.interpolate(ag.ones(shape), scale_factor=0.45, mode=mode)
    assert str(ours.value) == str(theirs.value)


def test_nearest_with_a_fractional_scale_is_differentiated_exactly():
    """The forward uses the given scale, as PyTorch's; the gradient is its adjoint (PyTorch 2.13's
    backward maps by the size ratio instead, and fails its own gradcheck here)."""
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(1).standard_normal((2, 2, 5))
    ours = F.interpolate(ag.tensor(x), scale_factor=2.19, mode="nearest")
    theirs = torch.nn.functional.interpolate(torch.tensor(x), scale_factor=2.19, mode="nearest")
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    assert ag.gradcheck(lambda t: F.interpolate(t, scale_factor=2.19, mode="nearest"),
                        (ag.tensor(x, requires_grad=True),))


@pytest.mark.parametrize("mode", ["bilinear", "bicubic", "lanczos"])
@pytest.mark.parametrize("size", [(3, 5), (17, 2), (1, 1)])
def test_antialias_matches_pytorch(mode, size):
    # Pillow-style resampling: shrinking filters over every input pixel under an output pixel
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 3, 13, 7))
    g = rng.standard_normal((2, 3) + size)
    for align_corners, scale in ((None, False), (True, False), (False, True)):
        if mode == "lanczos" and align_corners:
            continue
        kw = dict(mode=mode, align_corners=align_corners, antialias=True)
        kw.update(scale_factor=(size[0] / 13, size[1] / 7)) if scale else kw.update(size=size)
        xo, xt = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        yo, yt = F.interpolate(xo, **kw), torch.nn.functional.interpolate(xt, **kw)
        np.testing.assert_allclose(yo.detach().numpy(), yt.detach().numpy(), rtol=1e-10, atol=1e-12)
        yo.backward(ag.tensor(g))
        yt.backward(torch.tensor(g))
        np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_antialias_restrictions_raise_as_pytorch():
    x = ag.ones(1, 1, 8, 8)
    with pytest.raises(ValueError, match="restricted to bilinear, bicubic, and lanczos"):
        F.interpolate(x, size=4, mode="nearest", antialias=True)
    with pytest.raises(ValueError, match="restricted to bilinear, bicubic, and lanczos"):
        F.interpolate(ag.ones(1, 1, 8), size=4, mode="linear", antialias=True)
    with pytest.raises(ValueError, match="Lanczos mode requires antialias=True"):
        F.interpolate(x, size=4, mode="lanczos")
