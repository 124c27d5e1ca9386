"""Regressions found by differential fuzzing of indexing / scatter / gather against PyTorch."""
import numpy as np
import pytest

import autograd as ag

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("requires_grad", [False, True])
@pytest.mark.parametrize("vshape", [(1,), (1, 1)])
def test_setitem_scalar_element_takes_value_with_leading_ones(requires_grad, vshape):
    # x[1, 2] = tensor of shape (1,) (and a 0-d x[...] = it) works in PyTorch: leading 1s are dropped
    out = {}
    for lib in (torch, ag):
        v = lib.ones(*vshape, dtype=lib.float64, requires_grad=requires_grad)
        x = lib.zeros(3, 4, dtype=lib.float64, requires_grad=requires_grad) * 1
        x[1, 2] = v * 3
        x[0, ...] = v * 2
        z = lib.zeros((), dtype=lib.float64) * 1
        z[...] = v * 5
        z[()] = v * 7
        res = [x.detach().numpy(), z.detach().numpy()]
        if requires_grad:
            (x * lib.arange(12.0, dtype=lib.float64).reshape(3, 4)).sum().backward()
            res.append(v.grad.numpy())
        out[lib] = res
    for a, b in zip(out[torch], out[ag]):
        np.testing.assert_allclose(b, a)
