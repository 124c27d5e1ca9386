"""nn.CrossMapLRN2d against PyTorch's (values; gradients where PyTorch's backward is its forward's)."""
from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn
from autograd.gradcheck import gradcheck, gradgradcheck

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("channels,size", [(7, 5), (7, 3), (4, 4), (9, 2), (3, 7), (1, 3), (5, 1), (6, 6)])
def test_values_equal_torch(channels, size):
    x = np.random.default_rng(channels * 10 + size).standard_normal((2, channels, 3, 4))
    ours, ref = nn.CrossMapLRN2d(size, 0.3, 0.75, 1.5), torch.nn.CrossMapLRN2d(size, 0.3, 0.75, 1.5)
    assert repr(ours) == repr(ref)
    np.testing.assert_allclose(ours(ag.tensor(x)).numpy(), ref(torch.from_numpy(x)).numpy(), rtol=1e-13)


@pytest.mark.parametrize("channels,size", [(3, 7), (1, 3), (4, 9)])
def test_gradients_equal_torch_where_its_windows_are_centred(channels, size):
    rng = np.random.default_rng(1)
    x, g = rng.standard_normal((2, channels, 3, 3)), rng.standard_normal((2, channels, 3, 3))
    xt, xo = torch.from_numpy(x).requires_grad_(), ag.tensor(x, requires_grad=True)
    torch.nn.CrossMapLRN2d(size, 0.3, 0.75, 1.5)(xt).backward(torch.from_numpy(g))
    nn.CrossMapLRN2d(size, 0.3, 0.75, 1.5)(xo).backward(ag.tensor(g))
    np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_gradcheck_and_errors(device):
    x = ag.tensor(np.random.default_rng(2).standard_normal((1, 6, 2, 2)), requires_grad=True, device=device)
    m = nn.CrossMapLRN2d(3, 0.5, 0.75, 1.0)
    assert gradcheck(m, (x,))
    assert gradgradcheck(m, (x,))
    with pytest.raises(ValueError, match="CrossMapLRN2d: Expected input to be 4D, got 3D instead."):
        m(ag.randn(2, 3, 4))


@pytest.mark.parametrize("name", ["nn.modules.cross_map_lrn"])
def test_docstring_examples(name):
    import doctest
    import importlib

    import nn.functional as F

    result = doctest.testmod(importlib.import_module(name), extraglobs={"ag": ag, "nn": nn, "F": F},
                             optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0
