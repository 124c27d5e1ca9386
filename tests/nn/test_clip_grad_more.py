"""get_total_norm and clip_grads_with_norm_ (PyTorch 2.6+), and clip_grad_norm_ built on them."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import autograd as ag
import nn

torch = pytest.importorskip("torch")


def _grads(dtype="float64"):
    rng = np.random.default_rng(3)
    return [rng.standard_normal(s).astype(dtype) for s in ((3, 4), (5,), (2, 2, 2))]


def _params(lib, arrays):
    out = []
    for a in arrays:
        if lib is torch:
            p = torch.nn.Parameter(torch.zeros(a.shape, dtype=getattr(torch, str(a.dtype))))
            p.grad = torch.tensor(a)
        else:
            p = nn.Parameter(ag.zeros(*a.shape, dtype=getattr(ag, str(a.dtype))))
            p.grad = ag.tensor(a)
        out.append(p)
    return out


@pytest.mark.parametrize("norm_type", [2.0, 1, 3.5, math.inf, -math.inf, 0.0])
def test_get_total_norm_as_torch(norm_type):
    arrays = _grads()
    ours = nn.utils.get_total_norm([ag.tensor(a) for a in arrays], norm_type)
    theirs = torch.nn.utils.get_total_norm([torch.tensor(a) for a in arrays], norm_type)
    np.testing.assert_allclose(ours.item(), theirs.item(), rtol=1e-12)
    assert ours.dtype == ag.float64 and ours.ndim == 0
    one = nn.utils.get_total_norm(ag.tensor(arrays[0]), norm_type)  # a lone tensor
    np.testing.assert_allclose(one.item(), torch.nn.utils.get_total_norm(torch.tensor(arrays[0]),
                                                                         norm_type).item(), rtol=1e-12)


def test_get_total_norm_empty_and_nonfinite():
    assert nn.utils.get_total_norm([]).item() == 0.0
    bad = [ag.tensor([1.0, math.inf])]
    with pytest.raises(RuntimeError, match="non-finite"):
        nn.utils.get_total_norm(bad, error_if_nonfinite=True)
    assert nn.utils.get_total_norm(bad).item() == math.inf


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_clip_grads_with_norm_as_torch(dtype, max_norm):
    arrays = _grads(dtype)
    ours, theirs = _params(nn, arrays), _params(torch, arrays)
    total = nn.utils.get_total_norm([p.grad for p in ours])
    ttotal = torch.nn.utils.get_total_norm([p.grad for p in theirs])
    assert nn.utils.clip_grads_with_norm_(ours, max_norm, total) is None
    torch.nn.utils.clip_grads_with_norm_(theirs, max_norm, ttotal)
    for p, q in zip(ours, theirs):
        assert p.grad.dtype == getattr(ag, dtype)
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-6 if dtype == "float32" else 1e-12)


def test_clip_with_a_norm_reduced_elsewhere_and_clip_grad_norm_is_the_composition():
    arrays = _grads()
    a, b = _params(nn, arrays), _params(nn, arrays)
    # e.g. a norm combined over two shards: sqrt(n1^2 + n2^2)
    n1 = nn.utils.get_total_norm([p.grad for p in a[:2]])
    n2 = nn.utils.get_total_norm([p.grad for p in a[2:]])
    total = (n1 ** 2 + n2 ** 2).sqrt()
    nn.utils.clip_grads_with_norm_(a, 1.0, total)
    ret = nn.utils.clip_grad_norm_((p for p in b), 1.0)
    np.testing.assert_allclose(ret.item(), total.item(), rtol=1e-12)
    for p, q in zip(a, b):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-12)
    c = _params(nn, arrays)
    nn.utils.clip_grads_with_norm_(c, 1.0, float(total.item()))  # a Python number works too
    np.testing.assert_allclose(c[0].grad.numpy(), a[0].grad.numpy(), rtol=1e-12)


def test_clip_grad_norm_warnings_as_torch():
    with pytest.warns(UserWarning, match="empty generator"):
        assert nn.utils.clip_grad_norm_((p for p in []), 1.0).item() == 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nn.utils.clip_grad_norm_([], 1.0)  # an empty list: no warning
    p = _params(nn, _grads())
    with pytest.warns(FutureWarning, match="clip_grad_norm_"):
        nn.utils.clip_grad_norm(p, 1.0)
