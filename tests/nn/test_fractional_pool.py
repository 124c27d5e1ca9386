"""Fractional max pooling (F.fractional_max_pool2d/3d, nn.FractionalMaxPool2d/3d) against PyTorch's."""
from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from autograd.gradcheck import gradcheck, gradgradcheck

torch = pytest.importorskip("torch")

CASES = [  # nd, input shape, kernel, output_size
    (2, (2, 3, 9, 8), (2, 3), (4, 3)),
    (2, (3, 7, 7), 2, 5),  # unbatched
    (2, (1, 2, 10, 10), 3, 8),  # overlapping windows
    (2, (1, 1, 5, 5), 1, 5),
    (2, (1, 2, 6, 6), 3, 1),
    (3, (2, 2, 6, 7, 5), 2, (3, 4, 2)),
    (3, (2, 5, 5, 6), (1, 2, 3), 3),  # unbatched
]


def _run_both(nd, x, kernel, out, samples, **kw):
    tf = getattr(torch.nn.functional, f"fractional_max_pool{nd}d")
    of = getattr(F, f"fractional_max_pool{nd}d")
    xt = torch.from_numpy(x).requires_grad_()
    xo = ag.tensor(x, requires_grad=True)
    rt = tf(xt, kernel, output_size=out, return_indices=True, _random_samples=torch.from_numpy(samples), **kw)
    ro = of(xo, kernel, output_size=out, return_indices=True, _random_samples=ag.tensor(samples), **kw)
    return xt, xo, rt, ro


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("nd,shape,kernel,out", CASES)
def test_values_indices_and_gradients_equal_torch_with_the_same_samples(nd, shape, kernel, out, dtype):
    rng = np.random.default_rng(len(shape) * 7 + nd)
    x = rng.standard_normal(shape).astype(dtype)
    batch = shape[0] if len(shape) == nd + 2 else 1
    samples = rng.random((batch, shape[-nd - 1], nd)).astype(dtype)
    xt, xo, (yt, it), (yo, io) = _run_both(nd, x, kernel, out, samples)
    np.testing.assert_array_equal(yo.detach().numpy(), yt.detach().numpy())
    np.testing.assert_array_equal(io.numpy(), it.numpy())
    assert io.dtype == ag.int64 and yo.dtype == xo.dtype
    g = rng.standard_normal(tuple(yt.shape)).astype(dtype)
    yt.backward(torch.from_numpy(g))
    yo.backward(ag.tensor(g))
    np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), rtol=1e-6, atol=1e-6)


def test_nan_and_inf_windows_pick_what_torch_picks():
    # a window with NaNs gives its last NaN, an all -inf window its first element
    x = np.random.default_rng(0).standard_normal((1, 1, 6, 6))
    x[0, 0, 0, 1] = x[0, 0, 1, 0] = np.nan
    x[0, 0, 3:, 3:] = -np.inf
    x[0, 0, 2, 2] = np.inf
    xt, xo, (yt, it), (yo, io) = _run_both(2, x, 2, 3, np.array([[[0.3, 0.6]]]))
    np.testing.assert_array_equal(yo.detach().numpy(), yt.detach().numpy())
    np.testing.assert_array_equal(io.numpy(), it.numpy())
    yt.sum().backward()
    yo.sum().backward()
    np.testing.assert_array_equal(xo.grad.numpy(), xt.grad.numpy())


def test_float32_window_starts_are_torch_s_over_many_samples():
    # the interval formula is evaluated in the input's dtype, as PyTorch's kernel
    rng = np.random.default_rng(3)
    x = np.arange(37 * 41, dtype=np.float32).reshape(1, 1, 37, 41)
    x = np.repeat(x, 64, axis=1)
    for out in ((12, 13), (25, 30), (35, 39)):
        samples = rng.random((1, 64, 2)).astype(np.float32)
        *_, (yt, it), (yo, io) = _run_both(2, x, 2, out, samples)
        np.testing.assert_array_equal(io.numpy(), it.numpy())


def test_output_ratio_and_modules_as_torch():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 3, 10, 12))
    s = rng.random((2, 3, 2))
    m = nn.FractionalMaxPool2d(3, output_ratio=(0.5, 0.75), _random_samples=ag.tensor(s))
    mt = torch.nn.FractionalMaxPool2d(3, output_ratio=(0.5, 0.75), _random_samples=torch.from_numpy(s))
    np.testing.assert_array_equal(m(ag.tensor(x)).numpy(), mt(torch.from_numpy(x)).numpy())
    assert list(m.state_dict()) == list(mt.state_dict()) == ["_random_samples"]
    assert repr(m) == repr(mt) == "FractionalMaxPool2d()"
    x3 = rng.standard_normal((1, 2, 6, 6, 6))
    s3 = rng.random((1, 2, 3))
    m3 = nn.FractionalMaxPool3d(2, output_size=3, return_indices=True, _random_samples=ag.tensor(s3))
    mt3 = torch.nn.FractionalMaxPool3d(2, output_size=3, return_indices=True,
                                       _random_samples=torch.from_numpy(s3))
    (y, i), (yt, it) = m3(ag.tensor(x3)), mt3(torch.from_numpy(x3))
    np.testing.assert_array_equal(y.numpy(), yt.numpy())
    np.testing.assert_array_equal(i.numpy(), it.numpy())
    # without samples: random windows, but each output is the maximum of its input at the index
    y, i = F.fractional_max_pool2d(ag.tensor(x), 2, output_ratio=0.5, return_indices=True)
    assert tuple(y.shape) == (2, 3, 5, 6)
    np.testing.assert_array_equal(np.take_along_axis(x.reshape(2, 3, -1), i.numpy().reshape(2, 3, -1), 2),
                                  y.numpy().reshape(2, 3, -1))


def test_gradcheck_and_gradgradcheck(device):
    rng = np.random.default_rng(7)
    x = ag.tensor(rng.standard_normal((1, 1, 6, 5)), requires_grad=True, device=device)
    s = ag.tensor(rng.random((1, 1, 2)), device=device)

    def fn(t):
        return F.fractional_max_pool2d(t, (3, 2), output_size=(3, 3), _random_samples=s)

    assert gradcheck(fn, (x,))
    assert gradgradcheck(fn, (x,))
    x3 = ag.tensor(rng.standard_normal((1, 4, 4, 5)), requires_grad=True, device=device)
    s3 = ag.tensor(rng.random((1, 1, 3)), device=device)
    assert gradcheck(lambda t: F.fractional_max_pool3d(t, 2, output_size=2, _random_samples=s3), (x3,))


def test_bad_arguments_raise_as_torch():
    x = ag.randn(2, 3, 7, 7)
    with pytest.raises(RuntimeError, match="pool height 3 too large relative to input height 7"):
        F.fractional_max_pool2d(x, 3, output_size=6)
    with pytest.raises(RuntimeError, match=r"pool3d_out\(\): pool width 2 too large .* width 7"):
        F.fractional_max_pool3d(ag.randn(1, 2, 5, 6, 7), 2, output_size=(2, 2, 7))
    with pytest.raises(RuntimeError, match="size.1. equals to input channel size"):
        F.fractional_max_pool2d(x, 2, output_size=3, _random_samples=ag.rand(2, 2, 2))
    with pytest.raises(ValueError, match="requires specifying either an output_size or an output_ratio"):
        F.fractional_max_pool2d(x, 2)
    with pytest.raises(RuntimeError, match=r"Expect _random_samples.size\(2\) equals to 2; got 3"):
        F.fractional_max_pool2d(x, 2, output_size=3, _random_samples=ag.rand(2, 3, 3))
    with pytest.raises(RuntimeError, match="no less then input batch size"):
        F.fractional_max_pool2d(x, 2, output_size=3, _random_samples=ag.rand(1, 3, 2))
    with pytest.raises(RuntimeError, match="same dtype as input"):
        F.fractional_max_pool2d(x, 2, output_size=3, _random_samples=ag.rand(2, 3, 2, dtype=ag.float64))
    with pytest.raises(ValueError, match="requires specifying either an output size, or a pooling ratio"):
        nn.FractionalMaxPool2d(2)
    with pytest.raises(ValueError, match="only one of output_size and output_ratio"):
        nn.FractionalMaxPool3d(2, output_size=2, output_ratio=0.5)
    with pytest.raises(ValueError, match=r"output_ratio must be between 0 and 1 \(got 1.2\)"):
        nn.FractionalMaxPool2d(2, output_ratio=1.2)



@pytest.mark.parametrize("nd", [2, 3])
@pytest.mark.parametrize("kernel,out", [(2, 2), (2, 1), (1, 3), (1, 2), (3, 1)])
def test_window_fit_at_the_boundary_as_torch(nd, kernel, out):
    # PyTorch's 2d check is out + kernel - 1 <= size, its 3d check out + kernel - 1 < size
    shape, samples = (1, 1) + (3,) * nd, np.full((1, 1, nd), 0.5)
    results = []
    for m, pool in ((ag, getattr(F, f"fractional_max_pool{nd}d")),
                    (torch, getattr(torch.nn.functional, f"fractional_max_pool{nd}d"))):
        x = m.arange(3.0 ** nd, dtype=m.float64).reshape(shape)
        try:
            y = pool(x, kernel, output_size=out, _random_samples=m.tensor(samples, dtype=m.float64))
            results.append(y.tolist())
        except RuntimeError as e:
            results.append(str(e))
    assert results[0] == results[1]

@pytest.mark.parametrize("name", ["nn.modules.fractional_pool", "nn.functional.fractional_pool"])
def test_docstring_examples(name):
    import doctest
    import importlib

    import nn.functional as F

    result = doctest.testmod(importlib.import_module(name), extraglobs={"ag": ag, "nn": nn, "F": F},
                             optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0
