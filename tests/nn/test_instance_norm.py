"""InstanceNorm1d/2d/3d and LocalResponseNorm against NumPy references and PyTorch
(train/eval, running statistics, unbatched input, options)."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from golden import T, _torch, prepared
from layer_check import check_grads, compare_fn, compare_module

import autograd as ag
import nn
import nn.functional as F

IN = [dict(), dict(affine=True), dict(track_running_stats=True), dict(affine=True, track_running_stats=True),
      dict(track_running_stats=True, momentum=None), dict(affine=True, bias=False, eps=1e-3)]


def _np(t):
    return t.detach().cpu().numpy()


def _np_instance_norm(x, eps=1e-5):
    dims = tuple(range(2, x.ndim))
    return (x - x.mean(dims, keepdims=True)) / np.sqrt(x.var(dims, keepdims=True) + eps)


def _randomize_affine(tm):
    return prepared(tm, "affine.uniform_(0.5, 1.5)", lambda m: [p.uniform_(0.5, 1.5) for p in m.parameters()])


@pytest.mark.parametrize("nd", [1, 2, 3])
def test_instance_norm_matches_numpy_and_running_stats(device, nd):
    rng = np.random.default_rng(nd)
    x = rng.standard_normal((3, 2) + (4, 3, 2)[:nd]) * 2 + 1
    m = getattr(nn, f"InstanceNorm{nd}d")(2, track_running_stats=True, momentum=0.3).double().to(device)
    np.testing.assert_allclose(_np(m(ag.tensor(x, device=device))), _np_instance_norm(x), rtol=1e-10)
    dims = tuple(range(2, x.ndim))
    count = x[0, 0].size
    mean = x.mean(dims).mean(0)
    var = (x.var(dims) * count / (count - 1)).mean(0)
    np.testing.assert_allclose(_np(m.running_mean), 0.7 * 0 + 0.3 * mean, rtol=1e-10)
    np.testing.assert_allclose(_np(m.running_var), 0.7 * 1 + 0.3 * var, rtol=1e-10)
    assert int(m.num_batches_tracked.item()) == 0  # PyTorch's instance norms never count batches
    m.eval()
    y = _np(m(ag.tensor(x, device=device)))
    shape = (1, 2) + (1,) * nd
    ref = (x - _np(m.running_mean).reshape(shape)) / np.sqrt(_np(m.running_var).reshape(shape) + 1e-5)
    np.testing.assert_allclose(y, ref, rtol=1e-10)
    check_grads(lambda t: F.instance_norm(t), [x[:2]], device)


@pytest.mark.parametrize("kw", IN, ids=str)
@pytest.mark.parametrize("train", [True, False], ids=["train", "eval"])
def test_instance_norm2d_matches_torch(device, kw, train):
    x = np.random.default_rng(0).standard_normal((3, 4, 5, 4)) * 2 + 1
    m, tm = nn.InstanceNorm2d(4, **kw).to(device).double(), T.nn.InstanceNorm2d(4, **kw).double()
    tm = _randomize_affine(tm)
    if not train:  # give eval mode some non-trivial running statistics first
        tm = prepared(tm, "train()(x * 0.5 + 3)", lambda t: t.train()(_torch.tensor(x * 0.5 + 3)))
        m.eval()
        tm = tm.eval()
    compare_module(m, tm, x, device, 1e-9, 1e-9, steps=3)
    assert repr(m) == repr(tm)


UNBATCHED = [("InstanceNorm1d", (3, 6)), ("InstanceNorm2d", (3, 4, 5)), ("InstanceNorm3d", (3, 2, 3, 4)),
             ("InstanceNorm1d", (2, 3, 6))]


@pytest.mark.parametrize("cls,shape", UNBATCHED, ids=str)
def test_instance_norm_unbatched_and_float32(device, cls, shape):
    kw = dict(affine=True, track_running_stats=True)
    m, tm = getattr(nn, cls)(3, **kw).to(device), getattr(T.nn, cls)(3, **kw)
    x = np.random.default_rng(1).standard_normal(shape).astype(np.float32)
    compare_module(m, _randomize_affine(tm), x, device, 1e-4, 1e-5, steps=2)
    assert m(ag.tensor(x, device=device)).dtype == ag.float32


def test_instance_norm_errors():
    with pytest.raises(ValueError, match="expected 3D or 4D input"):
        nn.InstanceNorm2d(3)(ag.randn(3, 4))
    with pytest.raises(ValueError, match=r"size at dim=1 to match num_features \(3\), but got: 2"):
        nn.InstanceNorm1d(3, affine=True)(ag.randn(4, 2, 5))
    with pytest.warns(UserWarning, match="does not match num_features"):
        nn.InstanceNorm1d(3)(ag.randn(4, 2, 5))
    with pytest.raises(ValueError, match="more than 1 spatial element"):
        F.instance_norm(ag.randn(2, 3, 1))
    with pytest.raises(RuntimeError, match="running_mean and running_var to be defined"):
        F.instance_norm(ag.randn(2, 3, 4), use_input_stats=False)
    with pytest.raises(RuntimeError, match="weight should contain 3 elements"):
        F.instance_norm(ag.randn(2, 3, 4), weight=ag.ones(4))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nn.InstanceNorm1d(3)(ag.randn(2, 3, 4))


def _np_lrn(x, size, alpha, beta, k):
    c = x.shape[1]
    sq = np.pad(x * x, [(0, 0), (size // 2, (size - 1) // 2)] + [(0, 0)] * (x.ndim - 2))
    div = sum(sq[:, i:i + c] for i in range(size)) / size
    return x / (k + alpha * div) ** beta


@pytest.mark.parametrize("shape", [(2, 5, 4), (2, 6, 3, 3), (1, 4, 2, 3, 2)], ids=str)
@pytest.mark.parametrize("size,kw", [(2, dict()), (3, dict(alpha=0.5, beta=0.6, k=2.0)),
                                     (5, dict(alpha=1.0))], ids=str)
def test_local_response_norm(device, shape, size, kw):
    x = np.random.default_rng(size).standard_normal(shape)
    m = nn.LocalResponseNorm(size, **kw)
    full = dict(dict(alpha=1e-4, beta=0.75, k=1.0), **kw)
    np.testing.assert_allclose(_np(m(ag.tensor(x, device=device))), _np_lrn(x, size, **full), rtol=1e-10)
    compare_fn(F.local_response_norm, T.nn.functional.local_response_norm, [x], device, size=size, **kw)
    if len(shape) == 3:
        check_grads(lambda t: F.local_response_norm(t, size, **kw), [x[:1, :, :2]], device)
    assert repr(m) == repr(T.nn.LocalResponseNorm(size, **kw))


def test_local_response_norm_errors_and_empty():
    with pytest.raises(ValueError, match="3D or higher"):
        F.local_response_norm(ag.randn(2, 3), 2)
    assert F.local_response_norm(ag.randn(0, 3, 2), 2).shape == (0, 3, 2)


def run_doctests(*modules):
    """Run every docstring example of ``modules`` (with ``ag``, ``nn`` and ``F`` in scope)."""
    import doctest

    for mod in modules:
        for test in doctest.DocTestFinder().find(mod, globs={"ag": ag, "nn": nn, "F": F}):
            runner = doctest.DocTestRunner()
            runner.run(test, out=lambda s: None)
            assert runner.failures == 0, f"{test.name}: a docstring example fails"


def test_docstring_examples_run():
    from nn.functional import instance_norm
    from nn.modules import instancenorm

    run_doctests(instance_norm, instancenorm)
