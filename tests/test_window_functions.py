"""``hann_window``, ``hamming_window``, ``blackman_window``, ``bartlett_window`` and ``kaiser_window``
against PyTorch 2.13: values in each float dtype, lengths 0 to 9, periodic and symmetric, their
parameters, ``requires_grad``, and the errors for bad arguments."""
from __future__ import annotations

import numpy as np
import pytest

import autograd as ag

torch = pytest.importorskip("torch")

NAMES = ["hann_window", "hamming_window", "blackman_window", "bartlett_window", "kaiser_window"]
TOL = {"float64": 1e-12, "float32": 2e-6, "float16": 2e-3}


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dtype", ["float64", "float32", "float16"])
@pytest.mark.parametrize("periodic", [True, False, None])
def test_values_as_torch(name, dtype, periodic):
    for n in range(10):
        args = (n,) if periodic is None else (n, periodic)
        got = getattr(ag, name)(*args, dtype=getattr(ag, dtype))
        want = getattr(torch, name)(*args, dtype=getattr(torch, dtype))
        assert got.dtype == getattr(ag, dtype) and tuple(got.shape) == tuple(want.shape)
        np.testing.assert_allclose(got.numpy().astype(np.float64), want.numpy().astype(np.float64),
                                   rtol=0, atol=TOL[dtype])


def test_default_dtype_and_parameters_as_torch():
    for name in NAMES:
        w = getattr(ag, name)(7)
        assert w.dtype == ag.float32 and not w.requires_grad
        np.testing.assert_allclose(w.numpy(), getattr(torch, name)(7).numpy(), atol=2e-6)
        assert getattr(ag, name)(4, requires_grad=True).requires_grad
    cases = [((5, False, 0.5), {}), ((5, False, 0.5, 0.3), {}), ((6, True), {"alpha": 0.6, "beta": 0.4}),
             ((5, False), {"alpha": 0.5})]
    for args, kw in cases:
        np.testing.assert_allclose(ag.hamming_window(*args, **kw).numpy(),
                                   torch.hamming_window(*args, **kw).numpy(), atol=2e-6)
    for args in [(5, False, 3.0), (8, True, 0.0), (6, True, 20.0)]:
        np.testing.assert_allclose(ag.kaiser_window(*args, dtype=ag.float64).numpy(),
                                   torch.kaiser_window(*args, dtype=torch.float64).numpy(), atol=1e-12)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("bad", [
    lambda f, lib: f(-1),
    lambda f, lib: f(3, dtype=lib.int64),
    lambda f, lib: f(3, dtype=lib.int32),
    lambda f, lib: f(3, dtype=lib.bool),
    lambda f, lib: f(4.0),
], ids=["negative", "int64", "int32", "bool", "float_length"])
def test_bad_arguments_raise_as_torch(name, bad):
    with pytest.raises(Exception) as want:
        bad(getattr(torch, name), torch)
    with pytest.raises(want.type) as got:
        bad(getattr(ag, name), ag)
    assert str(got.value).splitlines()[0] == str(want.value).splitlines()[0]
