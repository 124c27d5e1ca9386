"""3-D pooling and adaptive max pooling: NumPy references and PyTorch."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F


def _bins(n, o):
    return [(i * n // o, -(-(i + 1) * n // o)) for i in range(o)]


def _np_adaptive_max(x, out):
    nd = len(out)
    lead, sizes = x.shape[:x.ndim - nd], x.shape[x.ndim - nd:]
    y = np.empty(lead + tuple(out))
    idx = np.empty(lead + tuple(out), dtype=np.int64)
    for pos in itertools.product(*(range(o) for o in out)):
        cell = [_bins(n, o)[p] for n, o, p in zip(sizes, out, pos)]
        win = x[(Ellipsis, *(slice(s, e) for s, e in cell))].reshape(*lead, -1)
        a = win.argmax(-1)
        y[(Ellipsis, *pos)] = win.max(-1)
        local = np.unravel_index(a, [e - s for s, e in cell])
        glob = [loc + s for loc, (s, _) in zip(local, cell)]
        idx[(Ellipsis, *pos)] = np.ravel_multi_index(glob, sizes)
    return y, idx


@pytest.mark.parametrize("shape,out", [((2, 3, 7), 3), ((2, 3, 7, 5), (3, 2)), ((3, 7, 5), (4, None)),
                                       ((1, 2, 8, 6), (4, 3)), ((1, 2, 5, 4, 3), (2, 3, 2))])
def test_adaptive_max_pool_values_indices_grad(device, shape, out):
    x = np.random.default_rng(0).standard_normal(shape)
    nd = 1 if isinstance(out, int) else len(out)
    fn = {1: F.adaptive_max_pool1d, 2: F.adaptive_max_pool2d, 3: F.adaptive_max_pool3d}[nd]
    t = ag.tensor(x, device=device, requires_grad=True)
    y, i = fn(t, out, return_indices=True)
    outs = (out,) * nd if isinstance(out, int) else tuple(
        n if o is None else o for n, o in zip(shape[-nd:], out))
    ry, ri = _np_adaptive_max(x, outs)
    np.testing.assert_allclose(y.detach().cpu().numpy(), ry)
    np.testing.assert_array_equal(i.cpu().numpy(), ri)
    assert i.dtype == ag.int64
    g = np.random.default_rng(1).standard_normal(ry.shape)
    y.backward(ag.tensor(g, device=device))
    rg = np.zeros(x.reshape(*x.shape[:-nd], -1).shape)  # scatter the upstream grad to the argmax
    np.put_along_axis(rg, ri.reshape(*ri.shape[:-nd], -1), 0, -1)
    flat_g, flat_i = g.reshape(*g.shape[:-nd], -1), ri.reshape(*ri.shape[:-nd], -1)
    for j in range(flat_i.shape[-1]):
        sel = flat_i[..., j:j + 1]
        np.put_along_axis(rg, sel, np.take_along_axis(rg, sel, -1) + flat_g[..., j:j + 1], -1)
    np.testing.assert_allclose(t.grad.cpu().numpy(), rg.reshape(x.shape))
    torch = pytest.importorskip("torch")
    tt = torch.tensor(x, requires_grad=True)
    tfn = getattr(torch.nn.functional, f"adaptive_max_pool{nd}d")
    ty, ti = tfn(tt, out, return_indices=True)
    ty.backward(torch.tensor(g))
    np.testing.assert_allclose(y.detach().cpu().numpy(), ty.detach().numpy())
    np.testing.assert_array_equal(i.cpu().numpy(), ti.numpy())
    np.testing.assert_allclose(t.grad.cpu().numpy(), tt.grad.numpy())


def test_adaptive_max_pool_first_max_on_ties_and_modules():
    x = ag.ones(1, 1, 5, 5, requires_grad=True)
    y = nn.AdaptiveMaxPool2d(2)(x)
    y.sum().backward()
    g = x.grad.numpy()[0, 0]
    assert g.sum() == 4 and g[0, 0] == 1 and g[2, 2] == 1  # first element of each bin
    assert repr(nn.AdaptiveMaxPool1d(3)) == "AdaptiveMaxPool1d(output_size=3)"
    assert nn.AdaptiveMaxPool2d((1, 1), return_indices=True)(ag.ones(2, 3, 4))[1].shape == (2, 1, 1)
    with pytest.raises(RuntimeError, match="adaptive_max_pool2d"):
        F.adaptive_max_pool2d(ag.ones(4, 4), 2)
    with pytest.raises(RuntimeError, match="floating point"):
        F.adaptive_max_pool1d(ag.ones(1, 4, dtype=ag.int64), 2)


def test_pool3d_against_numpy_and_torch(device):
    x = np.random.default_rng(2).standard_normal((2, 2, 4, 6, 5))
    t = ag.tensor(x, device=device)
    ref = x.reshape(2, 2, 2, 2, 3, 2, 5).max(axis=(3, 5))  # kernel (2, 2, 1)
    np.testing.assert_allclose(F.max_pool3d(t, (2, 2, 1)).cpu().numpy(), ref)
    avg = nn.AvgPool3d(2)(t).cpu().numpy()
    np.testing.assert_allclose(avg, x[..., :4].reshape(2, 2, 2, 2, 3, 2, 2, 2).mean(axis=(3, 5, 7)))
    np.testing.assert_allclose(nn.AdaptiveAvgPool3d(1)(t).cpu().numpy(),
                               x.mean(axis=(2, 3, 4), keepdims=True))
    torch = pytest.importorskip("torch")
    tx = torch.tensor(x)
    for ours, theirs in [(nn.MaxPool3d(3, 2, 1, ceil_mode=True), torch.nn.MaxPool3d(3, 2, 1, ceil_mode=True)),
                         (nn.AvgPool3d(3, 2, 1, count_include_pad=False),
                          torch.nn.AvgPool3d(3, 2, 1, count_include_pad=False)),
                         (nn.AdaptiveAvgPool3d((3, 4, None)), torch.nn.AdaptiveAvgPool3d((3, 4, None)))]:
        np.testing.assert_allclose(ours(t).cpu().numpy(), theirs(tx).numpy(), atol=1e-12)
