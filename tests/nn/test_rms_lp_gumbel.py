"""RMSNorm, LP pooling and Gumbel-softmax against PyTorch (recorded answers): values and gradients of the
input and the weight in float64, float32, argument errors; Gumbel-softmax's statistics and its
straight-through gradient."""
from __future__ import annotations

import numpy as np
import pytest
from golden import T, prepared
from layer_check import check_grads, compare_fn, compare_module

import autograd as ag
import nn
import nn.functional as F

TF = T.nn.functional


def _np(t):
    return t.detach().cpu().numpy()


def _randomize(tm):
    return prepared(tm, "uniform_(0.5, 1.5)", lambda m: [p.uniform_(0.5, 1.5) for p in m.parameters()])


# ---------------------------------------------------------------- RMSNorm
@pytest.mark.parametrize("shape,normalized,kw", [
    ((4, 5), 5, dict()),
    ((2, 3, 4), (3, 4), dict()),
    ((2, 3, 4), [4], dict(eps=1e-3)),
    ((3, 2, 2, 3), (2, 2, 3), dict(eps=0.5)),
    ((6,), 6, dict(elementwise_affine=False)),
], ids=str)
def test_rmsnorm_module_matches_torch(device, shape, normalized, kw):
    m = nn.RMSNorm(normalized, **kw).to(device).double()
    tm = _randomize(T.nn.RMSNorm(normalized, **kw).double())
    x = np.random.default_rng(0).standard_normal(shape) * 2 + 0.5
    compare_module(m, tm, x, device, 1e-10, 1e-10, steps=2)
    assert repr(m) == repr(tm)


def test_rmsnorm_float32_and_default_eps(device):
    m, tm = nn.RMSNorm([3, 4]).to(device), _randomize(T.nn.RMSNorm([3, 4]))
    x = np.random.default_rng(1).standard_normal((5, 3, 4)).astype(np.float32)
    compare_module(m, tm, x, device, 1e-5, 1e-6)
    assert m(ag.tensor(x, device=device)).dtype == ag.float32
    # eps=None is the dtype's machine epsilon: it decides the output of an all-zero-but-tiny row
    tiny = np.array([[1e-30, 0.0, 0.0]])
    for dt in (np.float32, np.float64):
        compare_fn(F.rms_norm, TF.rms_norm, [tiny.astype(dt)], device, 1e-6, 0, normalized_shape=(3,))
    assert list(m.state_dict()) == ["weight"]
    assert nn.RMSNorm(3, elementwise_affine=False).weight is None


@pytest.mark.parametrize("kw", [dict(normalized_shape=(4,)), dict(normalized_shape=[3, 4], eps=0.1),
                                dict(normalized_shape=(2, 3, 4), eps=1e-6)], ids=str)
def test_rms_norm_functional(device, kw):
    x = np.random.default_rng(2).standard_normal((2, 3, 4)) * 3
    compare_fn(F.rms_norm, TF.rms_norm, [x], device, **kw)


def test_rms_norm_gradcheck(device):
    x = np.random.default_rng(3).standard_normal((3, 4))
    w = np.random.default_rng(4).random(4) + 0.5
    check_grads(lambda a, b: F.rms_norm(a, (4,), b, eps=0.01), [x, w], device)


def test_rms_norm_float16(device):
    x = np.random.default_rng(5).standard_normal((3, 8)) * 100
    y = F.rms_norm(ag.tensor(x, dtype=ag.float16, device=device), (8,))
    assert y.dtype == ag.float16
    ref = x / np.sqrt((x * x).mean(-1, keepdims=True) + np.finfo(np.float32).eps)
    np.testing.assert_allclose(_np(y).astype(np.float64), ref, rtol=2e-3, atol=2e-3)


def test_rms_norm_errors(device):
    x = ag.randn(2, 3, 4, device=device)
    with pytest.raises(RuntimeError, match=r"Given normalized_shape=\[5\], expected input with shape "
                                           r"\[\*5\], but got input of size\[2, 3, 4\]"):
        F.rms_norm(x, (5,))
    with pytest.raises(RuntimeError, match=r"expected input with shape \[\*3, 5\]"):
        F.rms_norm(x, (3, 5))
    with pytest.raises(RuntimeError, match=r"weight of shape \[3\] and normalized_shape = \[4\]"):
        F.rms_norm(x, (4,), ag.ones(3, device=device))
    with pytest.raises(RuntimeError, match="at least 1-dimensional"):
        F.rms_norm(x, [])
    with pytest.raises(ValueError, match="Input tensor must have at least 4 dimensions, but got 3"):
        F.rms_norm(x, (2, 3, 4, 1))
    with pytest.raises(TypeError, match="must be tuple of ints, not int"):
        F.rms_norm(x, 4)
    with pytest.raises(NotImplementedError, match='"rms_norm" not implemented'):
        F.rms_norm(ag.ones(2, 4, dtype=ag.int64, device=device), (4,))


# ---------------------------------------------------------------- LP pooling
LP1 = [dict(norm_type=2, kernel_size=3), dict(norm_type=1.5, kernel_size=2, stride=1),
       dict(norm_type=3, kernel_size=3, stride=2, ceil_mode=True), dict(norm_type=1, kernel_size=4, stride=3),
       dict(norm_type=float("inf"), kernel_size=2, stride=2, ceil_mode=True)]
LP2 = [dict(norm_type=2, kernel_size=2), dict(norm_type=3, kernel_size=(2, 3), stride=(1, 2)),
       dict(norm_type=2.5, kernel_size=3, stride=2, ceil_mode=True),
       dict(norm_type=float("inf"), kernel_size=2)]


def _positive_and_mixed(shape, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    return np.abs(x) + 0.1, x


@pytest.mark.parametrize("kw", LP1, ids=str)
def test_lp_pool1d_matches_torch(device, kw):
    pos, mixed = _positive_and_mixed((2, 3, 9), 6)
    compare_fn(F.lp_pool1d, TF.lp_pool1d, [pos], device, **kw)
    if kw["norm_type"] in (1, 3, float("inf")):  # odd integer powers of negative values are defined
        compare_fn(F.lp_pool1d, TF.lp_pool1d, [mixed], device, **kw)
    compare_fn(F.lp_pool1d, TF.lp_pool1d, [pos[0]], device, **kw)  # unbatched
    m, tm = nn.LPPool1d(**kw), T.nn.LPPool1d(**kw)
    compare_module(m, tm, pos, device, 1e-10, 1e-10)
    assert repr(m) == repr(tm)


@pytest.mark.parametrize("kw", LP2, ids=str)
def test_lp_pool2d_matches_torch(device, kw):
    pos, mixed = _positive_and_mixed((2, 2, 7, 8), 7)
    compare_fn(F.lp_pool2d, TF.lp_pool2d, [pos], device, **kw)
    if kw["norm_type"] in (3, float("inf")):
        compare_fn(F.lp_pool2d, TF.lp_pool2d, [mixed], device, **kw)
    m, tm = nn.LPPool2d(**kw), T.nn.LPPool2d(**kw)
    compare_module(m, tm, pos, device, 1e-10, 1e-10)
    assert repr(m) == repr(tm)


def test_lp_pool3d_and_float32(device):
    pos = _positive_and_mixed((2, 2, 4, 5, 5), 8)[0]
    compare_fn(F.lp_pool3d, TF.lp_pool3d, [pos], device, norm_type=2, kernel_size=2)
    compare_module(nn.LPPool3d(3, (2, 2, 3), stride=2, ceil_mode=True),
                   T.nn.LPPool3d(3, (2, 2, 3), stride=2, ceil_mode=True), pos, device, 1e-10, 1e-10)
    x32 = _positive_and_mixed((2, 3, 6, 6), 9)[0].astype(np.float32)
    compare_module(nn.LPPool2d(2, 3, stride=1), T.nn.LPPool2d(2, 3, stride=1), x32, device, 1e-5, 1e-6)


def test_lp_pool_zero_window_has_zero_gradient(device):
    # a window whose power sum is zero gets a zero gradient, as PyTorch (not NaN from pow at 0)
    x = np.zeros((1, 2, 6))
    x[0, 0, 3:] = [1.0, 2.0, 3.0]
    compare_fn(F.lp_pool1d, TF.lp_pool1d, [x], device, norm_type=2, kernel_size=3)
    compare_fn(F.lp_pool2d, TF.lp_pool2d, [x.reshape(1, 2, 2, 3)], device, norm_type=2, kernel_size=(1, 3))


def test_lp_pool_gradcheck(device):
    pos = _positive_and_mixed((1, 2, 5, 5), 10)[0]
    check_grads(lambda a: F.lp_pool2d(a, 2, 2, stride=1), [pos], device)
    check_grads(lambda a: F.lp_pool1d(a, 3, 3, stride=2, ceil_mode=True), [pos[0]], device)


def test_lp_pool_errors(device):
    with pytest.raises(RuntimeError, match="avg_pool1d"):
        F.lp_pool1d(ag.ones(2, 3, 4, 5, device=device), 2, 2)
    with pytest.raises(RuntimeError, match="avg_pool2d"):
        F.lp_pool2d(ag.ones(2, 3, device=device), 2, 2)
    with pytest.raises(RuntimeError, match="can't be greater than"):
        F.lp_pool1d(ag.ones(1, 1, 2, device=device), 2, 3)


def test_docstring_examples_run():
    from nn.functional import gumbel as functional_gumbel
    from nn.functional import lp_pool as functional_lp_pool
    from nn.functional import normalization as functional_normalization
    from nn.modules import lp_pool, normalization
    from test_instance_norm import run_doctests

    run_doctests(functional_gumbel, functional_lp_pool, functional_normalization, lp_pool, normalization)


# ---------------------------------------------------------------- Gumbel-softmax
def test_gumbel_softmax_statistics(device):
    logits = np.log(np.array([0.1, 0.2, 0.3, 0.4]))
    x = ag.tensor(np.tile(logits, (20000, 1)), device=device)
    ag.manual_seed(0)
    hard = _np(F.gumbel_softmax(x, tau=0.5, hard=True))
    assert set(np.unique(hard)) == {0.0, 1.0} and np.all(hard.sum(1) == 1)
    # the Gumbel-max trick: the argmax of logits + Gumbel noise is a sample of softmax(logits)
    np.testing.assert_allclose(hard.mean(0), [0.1, 0.2, 0.3, 0.4], atol=0.012)
    soft = _np(F.gumbel_softmax(x, tau=2.0))
    np.testing.assert_allclose(soft.sum(1), 1.0, rtol=1e-12)
    assert np.all(soft > 0)
    # along another dim, in float32
    y = F.gumbel_softmax(ag.tensor(np.tile(logits, (3000, 1)).T.astype(np.float32), device=device), hard=True,
                         dim=0)
    assert y.dtype == ag.float32 and np.all(_np(y).sum(0) == 1)
    np.testing.assert_allclose(_np(y).mean(1), [0.1, 0.2, 0.3, 0.4], atol=0.03)


def test_gumbel_softmax_seeded_and_gradients(device):
    rng = np.random.default_rng(11)
    logits, g = rng.standard_normal((5, 6)), rng.standard_normal((5, 6))
    ys, grads = [], []
    for hard in (False, True):
        x = ag.tensor(logits, device=device, requires_grad=True)
        ag.manual_seed(3)
        y = F.gumbel_softmax(x, tau=0.7, hard=hard)
        y.backward(ag.tensor(g, device=device))
        ys.append(_np(y))
        grads.append(_np(x.grad))
    soft, hard = ys
    # the same noise: the hard sample is the one-hot of the soft one's argmax
    np.testing.assert_array_equal(np.argmax(hard, 1), np.argmax(soft, 1))
    np.testing.assert_allclose(hard, np.eye(6)[np.argmax(soft, 1)], atol=1e-15)
    # straight-through: the hard sample's gradient is exactly the soft sample's
    np.testing.assert_array_equal(grads[1], grads[0])
    # softmax's Jacobian at the sample, divided by tau
    expect = soft * (g - (g * soft).sum(1, keepdims=True)) / 0.7
    np.testing.assert_allclose(grads[0], expect, rtol=1e-10, atol=1e-12)


def test_gumbel_softmax_arguments(device):
    x = ag.zeros(2, 3, device=device)
    with pytest.warns(UserWarning, match="`eps` parameter is deprecated"):
        F.gumbel_softmax(x, eps=1e-5)
    with pytest.raises(RuntimeError, match="dtype must be a floating point"):
        F.gumbel_softmax(ag.zeros(2, 3, dtype=ag.int64, device=device))
    with pytest.raises(IndexError, match="Dimension out of range"):
        F.gumbel_softmax(x, dim=2)
    assert F.gumbel_softmax(ag.ones((), device=device), hard=True).item() == 1.0
