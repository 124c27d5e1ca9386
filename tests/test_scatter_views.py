"""``select_scatter``, ``slice_scatter`` and ``as_strided_scatter`` against PyTorch 2.13: values on
strided inputs, gradients, and the errors for bad arguments (the op table draws the regular cases)."""
from __future__ import annotations

import numpy as np
import pytest

import autograd as ag

torch = pytest.importorskip("torch")


def _both(fn, *arrays):
    """``fn`` run with autograd and with torch on the same float64 numbers: (values, grads) of each."""
    out = []
    g = None
    for lib in (ag, torch):
        ts = [lib.tensor(a, requires_grad=True) for a in arrays]
        r = fn(lib, *ts)
        if g is None:
            g = np.random.default_rng(1).standard_normal(tuple(r.shape))
        r.backward(lib.tensor(g))
        out.append((r.detach().numpy(), [t.grad.numpy() for t in ts]))
    return out


@pytest.mark.parametrize("fn", [
    lambda lib, a, s: lib.select_scatter(a, s, 1, -1),
    lambda lib, a, s: a.select_scatter(s, 0, 2),
], ids=["fn", "method"])
def test_select_scatter_values_and_grads_as_torch(fn):
    rng = np.random.default_rng(0)
    a, s = rng.standard_normal((3, 3)), rng.standard_normal(3)
    (va, ga), (vt, gt) = _both(fn, a, s)
    np.testing.assert_allclose(va, vt)
    for x, y in zip(ga, gt):
        np.testing.assert_allclose(x, y)


@pytest.mark.parametrize("kw,src", [
    ({"dim": 1, "start": 1, "end": None, "step": 2}, (3, 2)),
    ({"dim": 0, "start": -10, "end": 2}, (2, 4)),
    ({"dim": 1, "start": 3, "end": 1}, (3, 0)),
    ({}, (3, 4)),
])
def test_slice_scatter_values_and_grads_as_torch(kw, src):
    rng = np.random.default_rng(0)
    a, s = rng.standard_normal((3, 4)), rng.standard_normal(src)
    (va, ga), (vt, gt) = _both(lambda lib, x, y: lib.slice_scatter(x, y, **kw), a, s)
    np.testing.assert_allclose(va, vt)
    for x, y in zip(ga, gt):
        np.testing.assert_allclose(x, y)


@pytest.mark.parametrize("view", [
    lambda t: t, lambda t: t.t(), lambda t: t[1:], lambda t: t[:, 1:], lambda t: t.permute(1, 0)[::2],
], ids=["contiguous", "transposed", "rows", "columns", "strided"])
@pytest.mark.parametrize("args", [((2, 2), (1, 2), None), ((2, 1), (3, 1), 1), ((3,), (2,), 2)])
def test_as_strided_scatter_values_as_torch_on_strided_inputs(view, args):
    """PyTorch's copy keeps the strides of a dense input (the positions are of that layout)."""
    a = np.arange(12.0).reshape(3, 4)
    size, stride, off = args
    src = -np.arange(1.0, 1 + int(np.prod(size))).reshape(size)
    got = ag.as_strided_scatter(view(ag.tensor(a)), ag.tensor(src), size, stride, off)
    want = torch.as_strided_scatter(view(torch.tensor(a)), torch.tensor(src), size, stride, off)
    assert tuple(got.shape) == tuple(want.shape)
    np.testing.assert_array_equal(got.numpy(), want.numpy())


def test_as_strided_scatter_gradients():
    """src's gradient is PyTorch's; input's is zero where src was written and passes elsewhere
    (PyTorch 2.13's formula gives the opposite, the gradient at the written positions only)."""
    (va, ga), (vt, gt) = _both(lambda lib, x, y: lib.as_strided_scatter(x, y, (2, 1), (1, 1), 1),
                               np.zeros(4), np.zeros((2, 1)))
    np.testing.assert_allclose(va, vt)
    np.testing.assert_allclose(ga[1], gt[1])
    g = np.random.default_rng(1).standard_normal(4)
    np.testing.assert_allclose(ga[0], [g[0], 0, 0, g[3]])
    x = ag.tensor(np.random.default_rng(2).standard_normal((3, 4)), requires_grad=True)
    s = ag.tensor(np.random.default_rng(3).standard_normal((2, 2)), requires_grad=True)
    assert ag.gradcheck(lambda x, s: ag.as_strided_scatter(x.t(), s, (2, 2), (1, 3), 1), (x, s))
    assert ag.gradgradcheck(lambda x, s: ag.as_strided_scatter(x, s, (2, 2), (4, 1), 5), (x, s))


BAD = [
    lambda lib, x: lib.select_scatter(x, lib.zeros(3), 0, 1),
    lambda lib, x: lib.select_scatter(x, lib.zeros(4), 0, 3),
    lambda lib, x: lib.select_scatter(x, lib.zeros(4), 2, 0),
    lambda lib, x: lib.select_scatter(x, 1.0, 0, 1),
    lambda lib, x: lib.slice_scatter(x, lib.zeros(3, 4), 0, 1),
    lambda lib, x: lib.slice_scatter(x, lib.zeros(2, 4), 0, 1, step=0),
    lambda lib, x: lib.slice_scatter(x, lib.zeros(2, 4), 0, 1, step=-1),
    lambda lib, x: lib.slice_scatter(x, lib.zeros(3, 2), 5),
    lambda lib, x: lib.as_strided_scatter(x, lib.zeros(2, 3), (2, 2), (1, 2)),
    lambda lib, x: lib.as_strided_scatter(x, lib.zeros(2, 2), (2, 2), (1, 2), 20),
    lambda lib, x: lib.as_strided_scatter(x, lib.zeros(2, 2), (2, 2), (-1, 2), 2),
]


@pytest.mark.parametrize("k", range(len(BAD)))
def test_bad_arguments_raise_as_torch(k):
    with pytest.raises(Exception) as want:
        BAD[k](torch, torch.zeros(3, 4))
    with pytest.raises(want.type) as got:
        BAD[k](ag, ag.zeros(3, 4))
    assert str(got.value).splitlines()[0] == str(want.value).splitlines()[0]


def test_dtype_of_src_is_cast_to_inputs():
    out = ag.select_scatter(ag.zeros(2, 2), ag.ones(2, dtype=ag.float64), 0, 0)
    assert out.dtype == ag.float32
    assert out.tolist() == [[1.0, 1.0], [0.0, 0.0]]
