"""ConvTranspose3d / conv_transpose3d against PyTorch (recorded answers): output and the gradients of
the input, weight and bias in float64 and float32, output_size, unbatched input, errors."""
from __future__ import annotations

import numpy as np
import pytest
from golden import T
from layer_check import check_grads, compare_fn, compare_module

import autograd as ag
import nn
import nn.functional as F


@pytest.mark.parametrize("kw", [
    dict(),
    dict(stride=2, padding=1, output_padding=1),
    dict(stride=(1, 2, 3), padding=(0, 1, 1), output_padding=(0, 1, 2), dilation=(1, 1, 1)),
    dict(stride=2, dilation=2, groups=2, bias=False),
], ids=str)
def test_conv_transpose3d_module_matches_torch(device, kw):
    m = nn.ConvTranspose3d(4, 6, (2, 3, 2), **kw).to(device).double()
    tm = T.nn.ConvTranspose3d(4, 6, (2, 3, 2), **kw).double()
    compare_module(m, tm, np.random.default_rng(0).standard_normal((2, 4, 3, 4, 5)), device, 1e-10, 1e-10)
    assert repr(m) == repr(tm)
    assert list(m.state_dict()) == (["weight", "bias"] if kw.get("bias", True) else ["weight"])


def test_conv_transpose3d_functional_float32_and_unbatched(device):
    rng = np.random.default_rng(1)
    x, w = rng.standard_normal((2, 4, 3, 3, 4)), rng.standard_normal((4, 3, 3, 2, 2))
    b = rng.standard_normal(3)
    compare_fn(F.conv_transpose3d, T.nn.functional.conv_transpose3d, [x, w, b], device, stride=2, padding=1)
    compare_fn(F.conv_transpose3d, T.nn.functional.conv_transpose3d, [x[0], w], device, stride=(2, 1, 1))
    f32 = [a.astype(np.float32) for a in (x, w, b)]
    compare_fn(F.conv_transpose3d, T.nn.functional.conv_transpose3d, f32, device, 1e-5, 1e-5, stride=2)
    small = [rng.standard_normal((1, 2, 2, 2, 2)), rng.standard_normal((2, 1, 2, 2, 2))]
    check_grads(lambda a, k: F.conv_transpose3d(a, k, stride=2), small, device)


def test_conv_transpose3d_output_size_and_errors(device):
    m = nn.ConvTranspose3d(2, 3, 3, stride=2, padding=1).to(device)
    x = ag.randn(1, 2, 3, 4, 4, device=device)
    assert m(x).shape == (1, 3, 5, 7, 7)
    assert m(x, output_size=(6, 8, 7)).shape == (1, 3, 6, 8, 7)
    with pytest.raises(ValueError, match="requested an output size"):
        m(x, output_size=(10, 10, 10))
    with pytest.raises(RuntimeError, match="expected a 4-D \\(unbatched\\) or 5-D \\(batched\\) input"):
        F.conv_transpose3d(ag.randn(2, 3, 4, device=device), m.weight)
    with pytest.raises(RuntimeError, match="output padding must be smaller than either stride or dilation"):
        F.conv_transpose3d(x, m.weight, output_padding=2, stride=2)


def test_docstring_examples_run():
    from nn.functional import conv
    from nn.modules import conv as modules_conv
    from test_instance_norm import run_doctests

    run_doctests(conv, modules_conv)
