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
