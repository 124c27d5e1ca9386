"""Regressions found by differential fuzzing of shape/movement ops and tensor creation against
PyTorch 2.13 (the sweep lives outside the repo; each case here failed before its fix)."""
import numpy as np
import pytest

import autograd as ag

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("args", [
    ((2, 2), 1, (1, 1)),     # the same plane twice was a silent no-op rotation
    ((2, 3), 1, (0, -2)),    # the same dim, once negative
    ((2, 3, 4), 3, (-1, 2)),
    ((4,), 1, (0, 1)),       # fewer than 2 dims
    ((2, 2), 1, (0, 1, 0)),  # not two dims
])
def test_rot90_rejects_degenerate_planes(args):
    shape, k, dims = args
    with pytest.raises(RuntimeError):
        torch.rot90(torch.ones(shape), k, dims)
    with pytest.raises(RuntimeError):
        ag.rot90(ag.ones(shape), k, dims)


@pytest.mark.parametrize("start,end,steps", [(0.5, 3, 5), (-1.7, 2.9, 5), (0.5, 3, 2), (2.9, -0.5, 4),
                                             (0.5, 3, 1), (0, 10, 4)])
@pytest.mark.parametrize("dtype", ["int64", "int32"])
def test_integral_linspace_logspace_truncate_ends_first(start, end, steps, dtype):
    # linspace(0.5, 3, 5, dtype=int64) is [0, 0, 1, 2, 3] in PyTorch (was [0, 1, 1, 2, 3])
    want = torch.linspace(start, end, steps, dtype=getattr(torch, dtype))
    got = ag.linspace(start, end, steps, dtype=getattr(ag, dtype))
    assert str(got.dtype).split(".")[-1] == dtype
    np.testing.assert_array_equal(got.numpy(), want.numpy())
    for base in (10.0, 2, 0.5):
        # logspace(0.5, 3, 2, base=10, dtype=int64) is [1, 1000] in PyTorch (was [3, 1000])
        want = torch.logspace(start, end, steps, base=base, dtype=getattr(torch, dtype))
        got = ag.logspace(start, end, steps, base=base, dtype=getattr(ag, dtype))
        np.testing.assert_array_equal(got.numpy(), want.numpy())


@pytest.mark.parametrize("name", ["zeros", "ones", "empty"])
def test_creation_size_keyword(name):
    for size in [(2, 3), [4], (), ag.Size([1, 2])]:
        want = getattr(torch, name)(size=tuple(size)).shape
        assert tuple(getattr(ag, name)(size=size).shape) == tuple(want)
    with pytest.raises(TypeError):
        getattr(ag, name)(2, size=3)


def test_arange_end_keyword():
    np.testing.assert_array_equal(ag.arange(end=5).numpy(), torch.arange(end=5).numpy())
    want = torch.arange(start=1, end=6, step=2).numpy()
    np.testing.assert_array_equal(ag.arange(start=1, end=6, step=2).numpy(), want)
    with pytest.raises(TypeError):
        ag.arange()


def test_t_rejects_more_than_two_dims():
    # x.t() on a 3-d tensor returned it unchanged; PyTorch raises
    with pytest.raises(RuntimeError):
        torch.ones(2, 3, 4).t()
    for f in (lambda: ag.ones(2, 3, 4).t(), lambda: ag.t(ag.ones(2, 3, 4))):
        with pytest.raises(RuntimeError):
            f()
    assert ag.ones(2, 3).t().shape == (3, 2) and ag.ones(3).t().shape == (3,) and ag.ones(()).t().shape == ()


def test_non_integral_tensor_positions_raise():
    # narrow(0, tensor(0.7), 1) and tensor_split(x, tensor([1.5])) silently truncated the floats
    x = ag.arange(4.0)
    for bad in (ag.tensor(0.7), ag.tensor(True), ag.tensor([1])):
        with pytest.raises(RuntimeError):
            x.narrow(0, bad, 1)
    assert x.narrow(0, ag.tensor(1, dtype=ag.int32), 2).tolist() == [1.0, 2.0]
    for bad in (ag.tensor([1.5]), ag.tensor([1], dtype=ag.int32)):
        with pytest.raises(RuntimeError):
            ag.tensor_split(x, bad)
    assert [p.tolist() for p in ag.tensor_split(x, ag.tensor([1, 3]))] == [[0.0], [1.0, 2.0], [3.0]]


def test_cat_legacy_empty_gets_its_gradient():
    # a (0,) tensor skipped by cat next to 2-d ones got grad None; PyTorch gives it tensor([])
    for m in (torch, ag):
        a, e = m.ones(2, 3, requires_grad=True), m.zeros(0, requires_grad=True)
        out = m.cat([e, a, e], 1)
        (out * 2).sum().backward()
        assert tuple(out.shape) == (2, 3) and tuple(e.grad.shape) == (0,)
        assert a.grad.tolist() == [[2.0] * 3] * 2
