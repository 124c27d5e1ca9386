"""In-place functional activations, alpha dropout, multilabel margin loss and pdist against PyTorch
(recorded answers): values and gradients in float64, statistics of the random ones, argument errors."""
from __future__ import annotations

import numpy as np
import pytest
from golden import answer, digest
from layer_check import assert_close

import autograd as ag
import nn.functional as F


def _np(t):
    return t.detach().cpu().numpy()


# ---------------------------------------------------------------- in-place activations
INPLACE = [("relu_", dict()), ("leaky_relu_", dict()), ("leaky_relu_", dict(negative_slope=0.2)),
           ("elu_", dict()), ("elu_", dict(alpha=0.5)), ("hardtanh_", dict()),
           ("hardtanh_", dict(min_val=-0.5, max_val=2.0))]


def _inplace_reference(name, x, g, kw):
    import torch

    ref = {}
    for label, sl in (("whole", slice(None)), ("view", slice(1, None))):
        tx = torch.tensor(x, requires_grad=True)
        ty = tx * 1
        tv = ty[sl]
        assert getattr(torch.nn.functional, name)(tv, **kw) is tv
        ty.backward(torch.tensor(g))
        ref[f"{label}.out"], ref[f"{label}.grad"] = ty.detach().numpy().copy(), tx.grad.numpy().copy()
    return ref


@pytest.mark.parametrize("name,kw", INPLACE, ids=str)
def test_inplace_activation_matches_torch(device, name, kw):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 5)) * 2
    x[0, :4] = [0.0, -1.0, 1.0, -0.5]  # the kinks and the bounds
    g = rng.standard_normal((4, 5))
    ref = answer(f"inplace:{name}|{digest(x)}|{sorted(kw.items())!r}",
                 lambda: _inplace_reference(name, x, g, kw))
    fn = getattr(F, name)
    for label, sl in (("whole", slice(None)), ("view", slice(1, None))):
        xt = ag.tensor(x, device=device, requires_grad=True)
        y = xt * 1
        v = y[sl]
        assert fn(v, **kw) is v
        y.backward(ag.tensor(g, device=device))
        assert_close(_np(y), ref[f"{label}.out"], 1e-12, 1e-12, f"{name} {label}: output")
        assert_close(_np(xt.grad), ref[f"{label}.grad"], 1e-12, 1e-12, f"{name} {label}: gradient")
    # unrecorded: written into the tensor's own array, the same values as out-of-place
    plain = ag.tensor(x, device=device)
    data = plain.data
    assert fn(plain, **kw) is plain
    np.testing.assert_allclose(_np(data), ref["whole.out"], rtol=1e-12)
    out_of_place = getattr(F, name[:-1])(ag.tensor(x, device=device), **kw)
    assert_close(_np(out_of_place), ref["whole.out"], 1e-12, 1e-12, name[:-1])


def test_inplace_activation_errors(device):
    leaf = ag.randn(3, device=device, requires_grad=True)
    for fn in (F.relu_, F.leaky_relu_, F.elu_, F.hardtanh_):
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an"):
            fn(leaf)
    # a tensor another node saved: its backward sees the change
    x = ag.randn(3, device=device, requires_grad=True)
    y = x * 1
    z = y * y
    F.elu_(y)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()


def test_docstring_examples_run():
    from nn.functional import activation_inplace
    from test_instance_norm import run_doctests

    run_doctests(activation_inplace)
