"""BatchNorm, LayerNorm and GroupNorm against PyTorch (train/eval, running statistics, options)."""
from __future__ import annotations

import numpy as np
import pytest
from layer_check import check_grads, compare_module

import autograd as ag
import nn.functional as F
from nn.modules.batchnorm import BatchNorm1d, BatchNorm2d
from nn.modules.normalization import GroupNorm, LayerNorm

from golden import T, _torch, prepared

BN = [dict(), dict(momentum=None), dict(affine=False), dict(track_running_stats=False), dict(bias=False),
      dict(momentum=0.3, eps=1e-3)]


def _randomize_affine(tm):
    return prepared(tm, "affine.uniform_(0.5, 1.5)", lambda m: [p.uniform_(0.5, 1.5) for p in m.parameters()])


@pytest.mark.parametrize("kw", BN, ids=str)
@pytest.mark.parametrize("train", [True, False], ids=["train", "eval"])
def test_batchnorm2d_matches_torch(device, kw, train):
    m, tm = BatchNorm2d(3, **kw).to(device).double(), T.nn.BatchNorm2d(3, **kw).double()
    tm = _randomize_affine(tm)
    x = np.random.default_rng(0).standard_normal((4, 3, 5, 4)) * 2 + 1
    if not train:  # give eval mode some non-trivial running statistics first
        tm = prepared(tm, "train()(x * 0.5 + 3)", lambda t: t.train()(_torch.tensor(x * 0.5 + 3)))
        m.eval()
        tm = tm.eval()
    compare_module(m, tm, x, device, 1e-9, 1e-9, steps=3)


@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 5)], ids=str)
@pytest.mark.parametrize("kw", [dict(), dict(momentum=None)], ids=str)
def test_batchnorm1d_running_stats_after_steps(device, shape, kw):
    m, tm = BatchNorm1d(3, **kw).to(device).double(), T.nn.BatchNorm1d(3, **kw).double()
    tm = _randomize_affine(tm)
    ref = compare_module(m, tm, np.random.default_rng(1).standard_normal(shape) * 3 - 1, device, 1e-9, 1e-9,
                         steps=4)
    assert int(m.num_batches_tracked.item()) == 4 and m.num_batches_tracked.dtype == ag.int64
    assert [n for n, _ in m.named_buffers()] == ["running_mean", "running_var", "num_batches_tracked"]
    assert list(m.state_dict()) == ref["state_keys"].tolist()
    m.eval()
    tm = tm.eval()
    compare_module(m, tm, np.random.default_rng(2).standard_normal(shape), device, 1e-9, 1e-9)


def test_batchnorm_float32_and_repr(device):
    m, tm = BatchNorm2d(2).to(device), T.nn.BatchNorm2d(2)
    x = np.random.default_rng(3).standard_normal((3, 2, 4, 4)).astype(np.float32)
    compare_module(m, tm, x, device, 1e-4, 1e-5, steps=2)
    assert m(ag.tensor(x, device=device)).dtype == ag.float32
    assert m.running_mean.dtype == ag.float32
    assert repr(m) == repr(tm)
    assert repr(BatchNorm1d(4, momentum=None, affine=False)) == \
        repr(T.nn.BatchNorm1d(4, momentum=None, affine=False))


@pytest.mark.parametrize("kw", [dict(), dict(elementwise_affine=False), dict(bias=False),
                                dict(eps=1e-2)], ids=str)
@pytest.mark.parametrize("shape", [(5,), (4, 5)], ids=str)
def test_layer_norm_matches_torch(device, kw, shape):
    m, tm = LayerNorm(shape, **kw).to(device).double(), T.nn.LayerNorm(shape, **kw).double()
    tm = _randomize_affine(tm)
    compare_module(m, tm, np.random.default_rng(4).standard_normal((2, 3, 4, 5)), device, 1e-9, 1e-9)
    assert repr(m) == repr(tm)


@pytest.mark.parametrize("groups,affine", [(1, True), (2, True), (6, False), (3, True)], ids=str)
def test_group_norm_matches_torch(device, groups, affine):
    m = GroupNorm(groups, 6, affine=affine).to(device).double()
    tm = _randomize_affine(T.nn.GroupNorm(groups, 6, affine=affine).double())
    compare_module(m, tm, np.random.default_rng(5).standard_normal((2, 6, 3, 4)), device, 1e-9, 1e-9)
    compare_module(m, tm, np.random.default_rng(6).standard_normal((3, 6)), device, 1e-9, 1e-9)
    assert repr(m) == repr(tm)


def test_gradcheck(device):
    rng = np.random.default_rng(7)
    x, w, b = rng.standard_normal((3, 2, 3)), rng.standard_normal(2), rng.standard_normal(2)
    check_grads(lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True), [x, w, b], device)
    check_grads(lambda x, w, b: F.layer_norm(x, (3,), w, b),
                [x, rng.standard_normal(3), rng.standard_normal(3)], device)
    check_grads(lambda x, w, b: F.group_norm(x.reshape(1, 6, 3), 3, w, b),
                [x, rng.standard_normal(6), rng.standard_normal(6)], device)


def test_errors(device):
    with pytest.raises(ValueError, match="4D"):
        BatchNorm2d(3)(ag.randn(2, 3, device=device))
    with pytest.raises(ValueError, match="2D or 3D"):
        BatchNorm1d(3)(ag.randn(2, 3, 4, 4, device=device))
    with pytest.raises(ValueError, match="more than 1 value"):
        BatchNorm1d(3)(ag.randn(1, 3, device=device))
    with pytest.raises(RuntimeError, match="normalized_shape"):
        F.layer_norm(ag.randn(2, 3, device=device), (4,))
    with pytest.raises(RuntimeError, match="divisible"):
        F.group_norm(ag.randn(2, 6, device=device), 4)
    with pytest.raises(ValueError, match="divisible"):
        GroupNorm(4, 6)
