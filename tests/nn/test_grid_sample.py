"""grid_sample, affine_grid and interpolate's bicubic/area modes against NumPy references and
PyTorch (recorded answers): values, gradients with respect to input and grid, double backward."""
from __future__ import annotations

import numpy as np
import pytest
from golden import T, answer, digest
from layer_check import assert_close, check_grads, compare_fn

import autograd as ag
import nn.functional as F

TF = T.nn.functional


def _np(t):
    return t.detach().cpu().numpy()


def _np_bilinear(x, grid, padding_mode, align_corners):
    """A direct NumPy transcription of PyTorch's 2-D bilinear grid sampler (loops)."""
    n, c, h, w = x.shape
    out = np.zeros((n, c) + grid.shape[1:3])

    def src(v, size):
        v = (v + 1) / 2 * (size - 1) if align_corners else ((v + 1) * size - 1) / 2
        if padding_mode == "border":
            v = min(max(v, 0), size - 1)
        elif padding_mode == "reflection":
            lo, hi = (0, 2 * (size - 1)) if align_corners else (-1, 2 * size - 1)
            span, low = (hi - lo) / 2, lo / 2
            d = abs(v - low)
            flips, extra = np.floor(d / span), np.fmod(d, span)
            v = extra + low if flips % 2 == 0 else span - extra + low
            v = min(max(v, 0), size - 1)
        return v

    for b in range(n):
        for i in range(grid.shape[1]):
            for j in range(grid.shape[2]):
                ix, iy = src(grid[b, i, j, 0], w), src(grid[b, i, j, 1], h)
                x0, y0 = int(np.floor(ix)), int(np.floor(iy))
                for yy, xx in ((y0, x0), (y0, x0 + 1), (y0 + 1, x0), (y0 + 1, x0 + 1)):
                    wt = (1 - abs(ix - xx)) * (1 - abs(iy - yy))
                    if 0 <= yy < h and 0 <= xx < w:
                        out[b, :, i, j] += wt * x[b, :, yy, xx]
    return out


def _torch_grid_sample(x, g, seed, kw):
    import torch

    tx, tg = torch.tensor(x, requires_grad=True), torch.tensor(g, requires_grad=True)
    out = torch.nn.functional.grid_sample(tx, tg, **kw)
    out.backward(torch.tensor(np.random.default_rng(seed).standard_normal(tuple(out.shape))))
    return {"out": out.detach().numpy(), "gx": tx.grad.numpy(), "gg": tg.grad.numpy()}


def _compare_grid_sample(x, g, device, seed=0, **kw):
    """Ours against PyTorch's: output and the gradients of input and grid (zero for 'nearest')."""
    ref = answer(f"grid_sample|{digest(x)}|{digest(g)}|{seed}|{sorted(kw.items())}",
                 lambda: _torch_grid_sample(x, g, seed, kw))
    xa = ag.tensor(x, device=device, requires_grad=True)
    ga = ag.tensor(g, device=device, requires_grad=True)
    out = F.grid_sample(xa, ga, **kw)
    assert_close(_np(out), ref["out"], 1e-10, 1e-10, f"grid_sample {kw}: output")
    out.backward(ag.tensor(np.random.default_rng(seed).standard_normal(ref["out"].shape), device=device))
    assert_close(_np(xa.grad), ref["gx"], 1e-10, 1e-10, f"grid_sample {kw}: input gradient")
    gg = np.zeros_like(g) if ga.grad is None else _np(ga.grad)
    assert_close(gg, ref["gg"], 1e-9, 1e-9, f"grid_sample {kw}: grid gradient")
    return out


@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("align_corners", [False, True])
def test_grid_sample_2d(device, padding_mode, align_corners):
    rng = np.random.default_rng(1)
    x, g = rng.standard_normal((2, 3, 5, 4)), rng.uniform(-1.4, 1.4, (2, 3, 4, 2))
    kw = dict(padding_mode=padding_mode, align_corners=align_corners)
    out = _compare_grid_sample(x, g, device, mode="bilinear", **kw)
    np.testing.assert_allclose(_np(out), _np_bilinear(x, g, padding_mode, align_corners), atol=1e-12)
    _compare_grid_sample(x, g, device, mode="nearest", **kw)
    check_grads(lambda a, b: F.grid_sample(a, b, **kw), [x[:1, :1, :3, :3], g[:1, :2, :2] * 0.9], device)


@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("align_corners", [False, True])
def test_grid_sample_bicubic_matches_pytorch(device, padding_mode, align_corners):
    # each of the 4x4 taps is padded (not the coordinate); the grid's gradient is the cubic weights'
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    x, g = rng.standard_normal((2, 3, 5, 4)), rng.uniform(-1.8, 1.8, (2, 3, 4, 2))
    g[0, 0, 0] = [1.0, -1.0]  # on the corners exactly
    kw = dict(mode="bicubic", padding_mode=padding_mode, align_corners=align_corners)
    xa, ga = ag.tensor(x, device=device, requires_grad=True), ag.tensor(g, device=device, requires_grad=True)
    xt, gt = torch.tensor(x, requires_grad=True), torch.tensor(g, requires_grad=True)
    out, ref = F.grid_sample(xa, ga, **kw), torch.nn.functional.grid_sample(xt, gt, **kw)
    assert_close(_np(out), ref.detach().numpy(), 1e-10, 1e-10, "bicubic output")
    up = rng.standard_normal(ref.shape)
    out.backward(ag.tensor(up, device=device))
    ref.backward(torch.tensor(up))
    assert_close(_np(xa.grad), xt.grad.numpy(), 1e-10, 1e-10, "bicubic input gradient")
    assert_close(_np(ga.grad), gt.grad.numpy(), 1e-9, 1e-9, "bicubic grid gradient")
    if padding_mode == "reflection":
        check_grads(lambda a, b: F.grid_sample(a, b, **kw), [x[:1, :1, :3, :3], g[:1, :1, :2] * 0.9], device)


@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
def test_grid_sample_3d(device, padding_mode, mode):
    rng = np.random.default_rng(2)
    x, g = rng.standard_normal((2, 2, 3, 4, 5)), rng.uniform(-1.3, 1.3, (2, 2, 3, 2, 3))
    for align_corners in (False, True):
        _compare_grid_sample(x, g, device, mode=mode, padding_mode=padding_mode, align_corners=align_corners)


def test_grid_sample_identity_and_errors(device):
    x = np.random.default_rng(3).standard_normal((1, 2, 4, 5))
    theta = ag.tensor([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]], dtype=ag.float64, device=device)
    for ac in (False, True):  # the identity transform samples every pixel centre exactly
        grid = F.affine_grid(theta, (1, 2, 4, 5), align_corners=ac)
        np.testing.assert_allclose(_np(F.grid_sample(ag.tensor(x, device=device), grid, align_corners=ac)), x,
                                   atol=1e-12)
    xt = ag.tensor(x)
    with pytest.raises(ValueError, match="expected mode"):
        F.grid_sample(xt, ag.zeros(1, 2, 2, 2, dtype=ag.float64), mode="cubic")
    with pytest.raises(RuntimeError, match="bicubic interpolation only supports 4D input"):
        F.grid_sample(ag.zeros(1, 1, 2, 2, 2), ag.zeros(1, 1, 1, 1, 3), mode="bicubic")
    with pytest.raises(ValueError, match="expected padding_mode"):
        F.grid_sample(xt, ag.zeros(1, 2, 2, 2, dtype=ag.float64), padding_mode="wrap")
    with pytest.raises(RuntimeError, match="grid of shape"):
        F.grid_sample(xt, ag.zeros(1, 2, 2, 3, dtype=ag.float64))
    with pytest.raises(RuntimeError, match="same batch size"):
        F.grid_sample(xt, ag.zeros(2, 2, 2, 2, dtype=ag.float64))


@pytest.mark.parametrize("size", [(2, 3, 4, 5), (2, 1, 3, 2, 4), (2, 1, 1, 3)], ids=str)
@pytest.mark.parametrize("align_corners", [False, True])
def test_affine_grid(device, size, align_corners):
    nd = len(size) - 2
    theta = np.random.default_rng(4).standard_normal((2, nd, nd + 1))
    compare_fn(F.affine_grid, TF.affine_grid, [theta], device, size=size, align_corners=align_corners)
    # NumPy: grid[n, ..., :] = theta[n] @ [x, y(, z), 1] on the base coordinates
    axes = []
    for s in reversed(size[2:]):
        line = np.linspace(-1, 1, s) if s > 1 else np.zeros(1)
        axes.append(line if align_corners or s <= 1 else line * (s - 1) / s)
    mesh = np.meshgrid(*reversed(axes), indexing="ij")
    base = np.stack(list(reversed(mesh)) + [np.ones(size[2:])], -1)
    ref = np.einsum("...k,njk->n...j", base, theta)
    out = F.affine_grid(ag.tensor(theta, device=device), size, align_corners=align_corners)
    np.testing.assert_allclose(_np(out), ref, atol=1e-12)


def test_affine_grid_errors():
    with pytest.raises(ValueError, match="Nx2x3"):
        F.affine_grid(ag.zeros(1, 3, 4), (1, 1, 2, 2))
    with pytest.raises(ValueError, match="Nx3x4"):
        F.affine_grid(ag.zeros(1, 2, 3), (1, 1, 2, 2, 2))
    with pytest.raises(NotImplementedError, match="4D and 5D"):
        F.affine_grid(ag.zeros(1, 2, 3), (1, 1, 2))
    with pytest.raises(ValueError, match="positive output size"):
        F.affine_grid(ag.zeros(1, 2, 3), (1, 1, 0, 2))


def _np_cubic_matrix(n, out, align_corners, scale=None):
    """Rows of Keys' cubic (A=-0.75) weights, taps clamped to the border, as PyTorch's bicubic."""
    a = -0.75
    m = np.zeros((out, n))
    for i in range(out):
        if align_corners:
            s = i * (n - 1) / (out - 1) if out > 1 else 0.0
        else:
            s = (i + 0.5) * ((1 / scale) if scale else n / out) - 0.5
        i0 = int(np.floor(s))
        t = s - i0
        for k, d in enumerate((t + 1, t, 1 - t, 2 - t)):
            w = ((a + 2) * d - (a + 3)) * d * d + 1 if d <= 1 else ((a * d - 5 * a) * d + 8 * a) * d - 4 * a
            m[i, min(max(i0 - 1 + k, 0), n - 1)] += w
    return m


@pytest.mark.parametrize("kw", [dict(size=(7, 9)), dict(size=(3, 2)), dict(scale_factor=1.7),
                                dict(scale_factor=(0.6, 2.5))], ids=str)
@pytest.mark.parametrize("align_corners", [False, True])
def test_interpolate_bicubic(device, kw, align_corners):
    x = np.random.default_rng(5).standard_normal((2, 3, 5, 4))
    compare_fn(F.interpolate, TF.interpolate, [x], device, mode="bicubic", align_corners=align_corners, **kw)
    out = _np(F.interpolate(ag.tensor(x, device=device), mode="bicubic", align_corners=align_corners, **kw))
    sf = kw.get("scale_factor")
    sf = (sf, sf) if isinstance(sf, float) else sf
    mh = _np_cubic_matrix(5, out.shape[2], align_corners, sf and sf[0])
    mw = _np_cubic_matrix(4, out.shape[3], align_corners, sf and sf[1])
    np.testing.assert_allclose(out, np.einsum("ih,nchw,jw->ncij", mh, x, mw), atol=1e-12)


@pytest.mark.parametrize("shape,kw", [((2, 3, 7), dict(size=3)), ((2, 3, 6, 5), dict(size=(4, 3))),
                                      ((1, 2, 4, 6, 5), dict(size=(2, 3, 5))),
                                      ((2, 3, 8, 6), dict(scale_factor=0.5))], ids=str)
def test_interpolate_area(device, shape, kw):
    x = np.random.default_rng(6).standard_normal(shape)
    compare_fn(F.interpolate, TF.interpolate, [x], device, mode="area", **kw)
    nd = len(shape) - 2
    fn = getattr(F, f"adaptive_avg_pool{nd}d", None)
    if fn is not None:
        out = F.interpolate(ag.tensor(x, device=device), mode="area", **kw)
        np.testing.assert_array_equal(_np(out), _np(fn(ag.tensor(x, device=device), out.shape[2:])))


def test_interpolate_bicubic_double_backward_and_errors(device):
    x = np.random.default_rng(7).standard_normal((1, 1, 3, 3))
    check_grads(lambda t: F.interpolate(t, size=(4, 5), mode="bicubic", align_corners=False), [x], device)
    with pytest.raises(NotImplementedError, match="bicubic mode needs 4D input"):
        F.interpolate(ag.zeros(1, 1, 3), size=4, mode="bicubic")
    with pytest.raises(ValueError, match="align_corners option"):
        F.interpolate(ag.zeros(1, 1, 3), size=4, mode="area", align_corners=True)


def test_docstring_examples_run():
    from nn.functional import grid_sample, interpolate
    from test_instance_norm import run_doctests

    run_doctests(grid_sample, interpolate)


@pytest.mark.parametrize("theta", [False, True])
def test_nearest_gives_the_grid_a_zero_gradient_as_pytorch(theta):
    """The nearest pixels do not vary with the grid: PyTorch's grid (and so theta) gradient is
    zeros, not absent, and an optimizer's weight decay still moves such a parameter."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    x0, g0 = rng.standard_normal((2, 3, 4, 5)), rng.uniform(-1, 1, (2, 3, 2, 2))
    t0 = np.array([[[1.0, 0.1, 0.0], [0.0, 0.9, 0.2]]] * 2)
    grads = []
    for lib in (ag, torch):
        x = lib.tensor(x0, requires_grad=True)
        src = lib.tensor(t0 if theta else g0, requires_grad=True)
        fn = F if lib is ag else torch.nn.functional
        grid = fn.affine_grid(src, (2, 3, 3, 2), align_corners=False) if theta else src
        fn.grid_sample(x, grid, mode="nearest", align_corners=False).sum().backward()
        grads.append((x.grad.numpy(), src.grad.numpy()))
    np.testing.assert_allclose(grads[0][0], grads[1][0], rtol=1e-12)
    np.testing.assert_array_equal(grads[0][1], grads[1][1])
