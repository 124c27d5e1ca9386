"""cummax/cummin/mode with ties and NaN, unique_consecutive(dim=), data_ptr, apply_, *_like with
memory_format=, randint with a float dtype."""
from __future__ import annotations

import numpy as np
import pytest

import autograd as ag

NAN = float("nan")


def test_cummax_cummin_ties_nan_and_gradient(device):
    x = ag.tensor([1.0, 3.0, 3.0, 2.0, NAN, 5.0, NAN], device=device, requires_grad=True)
    v, i = ag.cummax(x, 0)
    assert i.cpu().tolist() == [0, 1, 2, 2, 4, 4, 6]  # the later of equal maxima; NaN sticks
    np.testing.assert_array_equal(v.detach().cpu().numpy(), [1, 3, 3, 3, NAN, NAN, NAN])
    y = ag.tensor([[1.0, 3.0, 1.0, 0.0, 0.0]], device=device, requires_grad=True)
    v, i = y.cummin(1)
    assert i.cpu().tolist() == [[0, 0, 2, 3, 4]] and v.detach().cpu().tolist() == [[1, 1, 1, 0, 0]]
    v.backward(ag.tensor([[1.0, 2.0, 3.0, 4.0, 5.0]], device=device))
    assert y.grad.cpu().tolist() == [[3.0, 0.0, 3.0, 4.0, 5.0]]  # each output's grad to its index
    assert ag.cummax(ag.tensor([2, 1, 7], device=device), 0).indices.cpu().tolist() == [0, 0, 2]
    s = ag.cummax(ag.tensor(4.0, device=device), 0)
    assert s.values.item() == 4.0 and s.indices.item() == 0


def test_cummax_matches_torch_with_ties():
    torch = pytest.importorskip("torch")
    a = np.random.default_rng(0).integers(0, 4, (3, 9)).astype(np.float64)
    a[1, 4] = np.nan
    for name in ("cummax", "cummin"):
        for dim in (0, 1, -1):
            ours, theirs = getattr(ag, name)(ag.tensor(a), dim), getattr(torch, name)(torch.tensor(a), dim)
            np.testing.assert_array_equal(ours.values.numpy(), theirs.values.numpy())
            np.testing.assert_array_equal(ours.indices.numpy(), theirs.indices.numpy())


def test_mode_ties_last_index_and_gradient(device):
    x = ag.tensor([[3.0, 1, 3, 1, 2, 1, 3], [5, 5, 4, 4, 0, 0, 9]], device=device, requires_grad=True)
    v, i = ag.mode(x, 1)
    assert v.detach().cpu().tolist() == [1.0, 0.0] and i.cpu().tolist() == [5, 5]
    v.sum().backward()
    g = np.zeros((2, 7))
    g[0, 5] = g[1, 5] = 1
    np.testing.assert_array_equal(x.grad.cpu().numpy(), g)
    v, i = x.mode(0, keepdim=True)
    assert v.shape == (1, 7) and i.cpu().tolist() == [[0, 0, 0, 0, 1, 1, 0]]
    assert ag.mode(ag.tensor([2, 2, 1, 1], device=device)) == (1, 3)
    with pytest.raises(IndexError, match="non-zero size"):
        ag.mode(ag.zeros(2, 0), 1)


def test_mode_matches_torch():
    torch = pytest.importorskip("torch")
    a = np.random.default_rng(1).integers(0, 3, (4, 6, 5)).astype(np.float32)
    for dim in (0, 1, 2):
        for keepdim in (False, True):
            ours, theirs = ag.mode(ag.tensor(a), dim, keepdim), torch.mode(torch.tensor(a), dim, keepdim)
            np.testing.assert_array_equal(ours.values.numpy(), theirs.values.numpy())
            np.testing.assert_array_equal(ours.indices.numpy(), theirs.indices.numpy())


def test_unique_consecutive_along_a_dim(device):
    x = ag.tensor([[1, 2], [1, 2], [3, 4], [1, 2]], device=device)
    v, inv, cnt = ag.unique_consecutive(x, return_inverse=True, return_counts=True, dim=0)
    assert v.cpu().tolist() == [[1, 2], [3, 4], [1, 2]]
    assert inv.cpu().tolist() == [0, 0, 1, 2] and cnt.cpu().tolist() == [2, 1, 1]
    v, cnt = x.t().unique_consecutive(return_counts=True, dim=1)
    assert v.cpu().tolist() == [[1, 3, 1], [2, 4, 2]] and cnt.cpu().tolist() == [2, 1, 1]
    e = ag.unique_consecutive(ag.zeros(0, 3, device=device), dim=0)
    assert e.shape == (0, 3)
    torch = pytest.importorskip("torch")
    a = np.random.default_rng(2).integers(0, 2, (6, 2, 3))
    a[1] = a[0]
    for dim in (0, 1, 2, -1):
        ours = ag.unique_consecutive(ag.tensor(a), True, True, dim)
        theirs = torch.unique_consecutive(torch.tensor(a), True, True, dim)
        for o, t in zip(ours, theirs):
            np.testing.assert_array_equal(o.numpy(), t.numpy())


def test_data_ptr_and_apply():
    t = ag.arange(6.0)
    assert t.data_ptr() == t._data.__array_interface__["data"][0]
    assert t[2:].data_ptr() - t.data_ptr() == 2 * t.element_size()  # views share memory
    assert t.view(2, 3).data_ptr() == t.data_ptr() and t.clone().data_ptr() != t.data_ptr()
    v = t[1:4]
    v.apply_(lambda x: x * 10 + 1)
    assert t.tolist() == [0.0, 11.0, 21.0, 31.0, 4.0, 5.0]  # in place, through the view
    assert ag.tensor([1, 2], dtype=ag.int32).apply_(lambda x: x + 0.7).dtype == ag.int32
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        ag.ones(2, requires_grad=True).apply_(abs)
    torch = pytest.importorskip("torch")
    tt = torch.arange(6.0)
    tt[1:4].apply_(lambda x: x * 10 + 1)
    assert tt.tolist() == t.tolist()


def test_shadow_device_data_ptr_and_apply_errors(device):
    if device == "cpu":
        pytest.skip("the non-CPU paths")
    t = ag.ones(3, device=device)
    with pytest.raises(TypeError, match="only implemented on CPU"):
        t.apply_(abs)


@pytest.mark.parametrize("name,extra", [("zeros_like", ()), ("ones_like", ()), ("empty_like", ()),
                                        ("full_like", (2.0,)), ("rand_like", ()), ("randn_like", ()),
                                        ("randint_like", (5,))])
def test_like_functions_accept_memory_format(name, extra):
    x = ag.ones(2, 3, 4, 5)
    y = getattr(ag, name)(x, *extra, memory_format=ag.preserve_format)
    assert y.shape == x.shape
    assert getattr(ag, name)(x, *extra, memory_format=ag.channels_last).shape == x.shape


def test_randint_with_float_and_bool_dtypes():
    """Found by the *_like test: a float dtype reached NumPy's integers() (TypeError)."""
    y = ag.randint(0, 5, (200,), dtype=ag.float32)
    assert y.dtype == ag.float32 and set(y.tolist()) <= {0.0, 1.0, 2.0, 3.0, 4.0}
    assert ag.randint_like(ag.ones(3, dtype=ag.float64), 3).dtype == ag.float64
    assert ag.randint(0, 2, (4,), dtype=ag.bool).dtype == ag.bool
    torch = pytest.importorskip("torch")
    assert torch.randint(0, 5, (3,), dtype=torch.float32).dtype == torch.float32


def test_storage_describes_the_shared_memory():
    base = ag.arange(6.0)
    t = base[2:].view(2, 2)
    s = t.storage()
    assert s.data_ptr() == base.data_ptr() and t.storage_offset() == 2 and base.storage_offset() == 0
    assert (s.size(), len(s), s.nbytes(), s.element_size(), s.dtype) == (6, 6, 24, 4, ag.float32)
    assert s.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0] and s[3] == 3.0
    assert t.untyped_storage().nbytes() == t.untyped_storage().size() == 24
    assert t.clone().storage().data_ptr() != s.data_ptr()
    torch = pytest.importorskip("torch")
    tt = torch.arange(6.0)[2:].view(2, 2)
    assert (tt.storage().size(), tt.storage_offset(), tt.untyped_storage().nbytes()) == (6, 2, 24)
