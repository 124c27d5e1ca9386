"""The one windowing engine (autograd/ops/window.py): im2col/col2im behind F.unfold/F.fold and
the convolution's wide and strided layouts, against loop references (and PyTorch when installed)."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

import autograd as ag
import nn.functional as F
from autograd.gradcheck import gradcheck, gradgradcheck
from autograd.ops.window import col2im, im2col

CASES = [  # kernel, dilation, padding, stride
    ((2, 2), 1, 0, 1),
    ((3, 2), (1, 2), (1, 0), (2, 1)),
    ((2, 3), 2, 1, 3),
]


def _unfold_ref(x, kernel, dilation, padding, stride):
    """PyTorch's unfold by loops: column block (c, ki, kj), row l over the windows."""
    d = (dilation,) * 2 if isinstance(dilation, int) else dilation
    p = (padding,) * 2 if isinstance(padding, int) else padding
    s = (stride,) * 2 if isinstance(stride, int) else stride
    n, c, h, w = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (p[0], p[0]), (p[1], p[1])))
    oh = (h + 2 * p[0] - d[0] * (kernel[0] - 1) - 1) // s[0] + 1
    ow = (w + 2 * p[1] - d[1] * (kernel[1] - 1) - 1) // s[1] + 1
    res = np.zeros((n, c * kernel[0] * kernel[1], oh * ow))
    for ch, ki, kj in itertools.product(range(c), range(kernel[0]), range(kernel[1])):
        row = (ch * kernel[0] + ki) * kernel[1] + kj
        for i, j in itertools.product(range(oh), range(ow)):
            res[:, row, i * ow + j] = xp[:, ch, i * s[0] + ki * d[0], j * s[1] + kj * d[1]]
    return res, (h, w)


@pytest.mark.parametrize("kernel,dilation,padding,stride", CASES)
def test_unfold_fold_match_loops_and_are_adjoint(device, kernel, dilation, padding, stride):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 7, 8))
    ref, size = _unfold_ref(x, kernel, dilation, padding, stride)
    xt = ag.tensor(x, device=device)
    cols = F.unfold(xt, kernel, dilation, padding, stride)
    np.testing.assert_allclose(cols.cpu().numpy(), ref, rtol=1e-12)
    c = rng.standard_normal(ref.shape)
    back = F.fold(ag.tensor(c, device=device), size, kernel, dilation, padding, stride).cpu().numpy()
    # fold is unfold's adjoint: <unfold(x), c> == <x, fold(c)>
    np.testing.assert_allclose((ref * c).sum(), (x * back).sum(), rtol=1e-10)
    torch = pytest.importorskip("torch")
    tc = torch.nn.functional.unfold(torch.tensor(x), kernel, dilation, padding, stride)
    np.testing.assert_allclose(cols.cpu().numpy(), tc.numpy(), rtol=1e-12)
    tf = torch.nn.functional.fold(torch.tensor(c), size, kernel, dilation, padding, stride)
    np.testing.assert_allclose(back, tf.numpy(), rtol=1e-12)


def test_im2col_col2im_gradients():
    rng = np.random.default_rng(1)
    x = ag.tensor(rng.standard_normal((1, 2, 5, 4)), requires_grad=True)
    assert gradcheck(lambda t: im2col(t, (2, 3), 1, 1, (2, 1)), (x,))
    assert gradgradcheck(lambda t: im2col(t, (2, 3), 1, 1, (2, 1)), (x,))
    c = ag.tensor(rng.standard_normal((1, 8, 8)), requires_grad=True)
    assert gradcheck(lambda t: col2im(t, (4, 5), 2, 1, 0, (2, 1)), (c,))


def test_fold_rejects_mismatched_columns():
    with pytest.raises(RuntimeError, match="fold: input of shape"):
        F.fold(ag.zeros(1, 5, 6), (4, 5), 2)


@pytest.mark.parametrize("kw", [dict(), dict(padding=1), dict(stride=2, padding=1), dict(dilation=2)],
                         ids=str)
def test_conv_layouts_match_a_loop_reference(kw):
    """The convolution's wide (stride 1) and strided im2col layouts and its col2im, by loops."""
    rng = np.random.default_rng(2)
    x = ag.tensor(rng.standard_normal((3, 2, 6, 7)), requires_grad=True)
    w = ag.tensor(rng.standard_normal((4, 2, 3, 2)), requires_grad=True)
    y = F.conv2d(x, w, **kw)
    cols, _ = _unfold_ref(x.detach().numpy(), (3, 2), kw.get("dilation", 1), kw.get("padding", 0),
                          kw.get("stride", 1))
    ref = np.einsum("ok,nkl->nol", w.detach().numpy().reshape(4, -1), cols).reshape(y.shape)
    np.testing.assert_allclose(y.detach().numpy(), ref, rtol=1e-10, atol=1e-12)
    g = rng.standard_normal(y.shape)
    y.backward(ag.tensor(g))
    gcols = np.einsum("ok,nol->nkl", w.detach().numpy().reshape(4, -1), g.reshape(3, 4, -1))
    gx = F.fold(ag.tensor(gcols), (6, 7), (3, 2), kw.get("dilation", 1), kw.get("padding", 0),
                kw.get("stride", 1)).numpy()
    np.testing.assert_allclose(x.grad.numpy(), gx, rtol=1e-10, atol=1e-12)
    gw = np.einsum("nol,nkl->ok", g.reshape(3, 4, -1), cols).reshape(w.shape)
    np.testing.assert_allclose(w.grad.numpy(), gw, rtol=1e-10, atol=1e-12)
