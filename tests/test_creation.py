"""Creation functions, conversions out of tensors (item/tolist/numpy) and repr."""
from __future__ import annotations

import numpy as np
import pytest

import autograd as ag


def host(t):
    return t.detach().cpu().numpy()


@pytest.mark.parametrize("fn,fill", [(ag.zeros, 0.0), (ag.ones, 1.0), (ag.empty, None)])
def test_filled(fn, fill, device):
    t = fn(2, 3, device=device)
    assert t.shape == (2, 3) and t.dtype == ag.float32 and t.device == ag.device(device)
    assert not t.requires_grad and t.is_leaf
    if fill is not None:
        assert (host(t) == fill).all()
    assert fn((2, 3), device=device).shape == (2, 3)
    assert fn([4], device=device).shape == (4,)
    assert fn(device=device).shape == ()
    t = fn(2, dtype=ag.float64, device=device, requires_grad=True)
    assert t.dtype == ag.float64 and t.requires_grad
    assert fn(0, 3, device=device).shape == (0, 3)
    assert fn(2, dtype=ag.int64, device=device).dtype == ag.int64


@pytest.mark.parametrize("fn", [ag.zeros, ag.ones, ag.empty, ag.rand, ag.randn])
def test_negative_size_raises(fn):
    with pytest.raises(RuntimeError, match="negative dimension -1"):
        fn(2, -1)


def test_bad_size_type_raises():
    with pytest.raises(TypeError, match="size"):
        ag.zeros(2.5)


def test_full(device):
    t = ag.full((2, 2), 7, device=device)
    assert t.dtype == ag.int64 and (host(t) == 7).all()
    assert ag.full((2,), 1.5, device=device).dtype == ag.float32
    assert ag.full((2,), True, device=device).dtype == ag.bool
    assert ag.full(3, 2.0, dtype=ag.float64, device=device).shape == (3,)
    with pytest.raises(RuntimeError, match="negative"):
        ag.full((-2,), 1.0)


def test_like_functions(device):
    base = ag.ones(2, 3, dtype=ag.float64, device=device)
    for fn in (ag.zeros_like, ag.ones_like, ag.empty_like, ag.rand_like, ag.randn_like):
        t = fn(base)
        assert t.shape == (2, 3) and t.dtype == ag.float64 and t.device == base.device
        assert not t.requires_grad
    assert ag.zeros_like(base, dtype=ag.float32).dtype == ag.float32
    assert ag.ones_like(base, requires_grad=True).requires_grad
    f = ag.full_like(base, 4.0)
    assert (host(f) == 4).all() and f.dtype == ag.float64


def test_tensor_from_data(device):
    t = ag.tensor([[1, 2], [3, 4]], device=device)
    assert t.dtype == ag.int64 and t.shape == (2, 2) and t.tolist() == [[1, 2], [3, 4]]
    assert ag.tensor(3.5, device=device).shape == ()
    assert ag.tensor([], device=device).shape == (0,)
    assert ag.tensor([1.0], dtype=ag.float16, device=device).dtype == ag.float16
    a = np.arange(3.0)
    t = ag.tensor(a, device=device)
    assert t.dtype == ag.float64  # a NumPy array keeps its dtype
    a[0] = 100
    assert t.tolist()[0] == 0.0  # tensor() copies
    with pytest.raises(RuntimeError, match="floating point"):
        ag.tensor([1, 2], requires_grad=True)
    with pytest.raises(TypeError):
        ag.tensor(["a", "b"])


def test_tensor_from_tensor_copies(device):
    x = ag.ones(2, device=device, requires_grad=True)
    y = ag.tensor(x)
    assert not y.requires_grad and y.grad_fn is None
    with ag.no_grad():
        x.add_(1)
    assert y.tolist() == [1.0, 1.0]


def test_as_tensor_and_from_numpy_share_memory():
    a = np.zeros(3)
    t = ag.as_tensor(a)
    f = ag.from_numpy(a)
    a[1] = 5
    assert t.tolist() == [0.0, 5.0, 0.0] and f.tolist() == [0.0, 5.0, 0.0]
    assert f.dtype == ag.float64
    with pytest.raises(TypeError, match="numpy.ndarray"):
        ag.from_numpy([1.0])
    assert ag.as_tensor([1, 2]).dtype == ag.int64
    x = ag.ones(2)
    assert ag.as_tensor(x) is x


def test_arange_linspace_eye(device):
    assert ag.arange(5, device=device).tolist() == [0, 1, 2, 3, 4]
    assert ag.arange(5, device=device).dtype == ag.int64
    assert ag.arange(1, 2, 0.25, device=device).tolist() == [1.0, 1.25, 1.5, 1.75]
    assert ag.arange(1, 2, 0.25).dtype == ag.float32
    assert ag.arange(3, dtype=ag.float64).dtype == ag.float64
    assert ag.arange(5, 0, -2).tolist() == [5, 3, 1]
    with pytest.raises(RuntimeError, match="step"):
        ag.arange(0, 3, 0)
    with pytest.raises(RuntimeError):
        ag.arange(3, 0, 1)
    ls = ag.linspace(0, 1, 5, device=device)
    assert ls.dtype == ag.float32 and np.allclose(host(ls), [0, 0.25, 0.5, 0.75, 1])
    assert ag.linspace(0, 1, 0).shape == (0,)
    e = ag.eye(3, device=device)
    assert (host(e) == np.eye(3)).all() and e.dtype == ag.float32
    assert ag.eye(2, 3).shape == (2, 3)


def test_random_functions(device):
    ag.manual_seed(0)
    a = ag.rand(100, device=device)
    b = ag.randn(100, device=device)
    ag.manual_seed(0)
    a2 = ag.rand(100, device=device)
    assert (host(a) == host(a2)).all(), "manual_seed makes draws repeatable"
    assert a.dtype == ag.float32 and 0 <= host(a).min() and host(a).max() < 1
    assert abs(host(b).mean()) < 0.5 and 0.5 < host(b).std() < 1.5
    assert ag.randn(2, 2, dtype=ag.float64, device=device).dtype == ag.float64
    r = ag.randint(0, 5, (1000,), device=device)
    assert r.dtype == ag.int64 and set(r.tolist()) == {0, 1, 2, 3, 4}
    assert ag.randint(3, (4,)).shape == (4,)
    with pytest.raises(RuntimeError):
        ag.randint(5, 5, (2,))
    assert ag.rand(2, requires_grad=True).requires_grad
    with pytest.raises(TypeError):
        ag.manual_seed(1.5)


def test_randperm(device):
    ag.manual_seed(3)
    p = ag.randperm(50, device=device)
    assert p.dtype == ag.int64 and p.device == ag.device(device) and p.shape == (50,)
    assert sorted(p.tolist()) == list(range(50)) and p.tolist() != list(range(50))
    ag.manual_seed(3)
    assert ag.randperm(50, device=device).tolist() == p.tolist(), "manual_seed makes it repeatable"
    assert ag.randperm(0, device=device).shape == (0,)
    f = ag.randperm(4, dtype=ag.float32, device=device, requires_grad=True)
    assert f.dtype == ag.float32 and f.requires_grad and sorted(f.tolist()) == [0.0, 1.0, 2.0, 3.0]
    with pytest.raises(RuntimeError, match="non-negative"):
        ag.randperm(-1)
    with pytest.raises(TypeError, match="'n' must be int"):
        ag.randperm(2.5)


def test_randperm_matches_torch_semantics():
    torch = pytest.importorskip("torch")
    assert ag.randperm(5).dtype == ag.int64 and torch.randperm(5).dtype == torch.int64
    assert str(ag.randperm(0)).replace("autograd", "torch") == str(torch.randperm(0))


def test_deepcopy_tensor(device):
    import copy

    x = ag.tensor([1.0, 2.0], device=device, requires_grad=True)
    (x * x).sum().backward()
    y = copy.deepcopy(x)
    assert y is not x and y.is_leaf and y.requires_grad and y.device == x.device
    assert y.tolist() == [1.0, 2.0] and y.grad.tolist() == [2.0, 4.0] and y.grad is not x.grad
    with ag.no_grad():
        y.add_(1.0)
    assert x.tolist() == [1.0, 2.0], "the copy owns its data"
    pair = copy.deepcopy([x, x])
    assert pair[0] is pair[1], "the memo keeps shared tensors shared"
    z = copy.deepcopy(ag.tensor([1, 2], device=device))
    assert z.dtype == ag.int64 and not z.requires_grad and z.grad is None
    with pytest.raises(RuntimeError, match="graph leaves"):
        copy.deepcopy(x * 2)


def test_in_place_random_fills(device):
    t = ag.zeros(1000, device=device)
    t.uniform_(-2, 2)
    v = host(t)
    assert -2 <= v.min() and v.max() < 2 and v.std() > 0.5
    t.normal_(3, 0.1)
    assert abs(host(t).mean() - 3) < 0.05


def test_item_tolist_numpy(device):
    t = ag.tensor([[1.5, 2.0]], device=device)
    assert t.tolist() == [[1.5, 2.0]]
    assert ag.tensor([2.5], device=device).item() == 2.5
    assert isinstance(ag.tensor(3, device=device).item(), int)
    with pytest.raises(RuntimeError, match="2 elements"):
        ag.ones(2, device=device).item()
    assert float(ag.tensor(1.5, device=device)) == 1.5 and int(ag.tensor(2, device=device)) == 2
    x = ag.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="detach"):
        x.numpy()
    assert x.detach().numpy().tolist() == [1.0, 1.0]
    c = ag.zeros(2)
    c.numpy()[0] = 4  # numpy() shares memory on the CPU
    assert c.tolist() == [4.0, 0.0]


def test_numpy_on_a_device_tensor_needs_cpu(device):
    t = ag.ones(2, device=device)
    if t.device.type == "cpu":
        assert isinstance(t.numpy(), np.ndarray)
        return
    with pytest.raises(TypeError, match="cpu"):
        t.numpy()
    assert t.cpu().numpy().tolist() == [1.0, 1.0]


def test_attributes(device):
    t = ag.zeros(2, 3, 4, device=device)
    assert t.ndim == 3 and t.dim() == 3 and t.numel() == 24 and len(t) == 2
    assert t.size() == (2, 3, 4) and t.size(1) == 3 and t.size(-1) == 4
    with pytest.raises(IndexError):
        t.size(3)
    with pytest.raises(TypeError):
        len(ag.tensor(1.0))
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(ag.ones(2))
    assert bool(ag.ones(1))


def test_repr():
    assert repr(ag.tensor([1.0, 2.0])) == "tensor([1., 2.])"
    assert repr(ag.tensor([1.5, 2.25])) == "tensor([1.5000, 2.2500])"
    assert repr(ag.tensor([1, 2])) == "tensor([1, 2])"
    assert repr(ag.tensor([True, False])) == "tensor([ True, False])"
    assert repr(ag.tensor([True, True])) == "tensor([True, True])"  # padded only to the widest value
    assert repr(ag.tensor([[False], [False]])) == "tensor([[False],\n        [False]])"
    assert repr(ag.tensor([1.0], dtype=ag.float64)) == "tensor([1.], dtype=autograd.float64)"
    assert repr(ag.tensor([1], dtype=ag.int32)) == "tensor([1], dtype=autograd.int32)"
    assert repr(ag.tensor([1.0], requires_grad=True)) == "tensor([1.], requires_grad=True)"
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    assert repr(x * 2) == "tensor([2., 4.], grad_fn=<MulBackward>)"
    assert repr(ag.tensor(3.0)) == "tensor(3.)"
    assert repr(ag.zeros(2, 2)) == "tensor([[0., 0.],\n        [0., 0.]])"


def test_repr_on_device(device):
    r = repr(ag.ones(2, device=device))
    if device == "cpu":
        assert r == "tensor([1., 1.])"
    else:
        assert r == f"tensor([1., 1.], device='{ag.device(device)}')"


def test_numpy_scalars_keep_their_dtype_as_in_torch():
    # they were read as Python numbers: ag.tensor(a.mean()) of a float64 array became float32
    a = np.array([1e-9, 2.0, 3.0])
    cases = [
        (np.float64(1.5), ag.float64), (a.mean(), ag.float64), ([np.float64(1.5), 2], ag.float64),
        ([np.int32(1), np.int32(2)], ag.int32), ([np.float16(1)], ag.float16),
        ([np.uint8(1), True], ag.uint8),
        ([[np.float32(1.0)], [2.5]], ag.float32), ([np.int32(1), 2.5], ag.float32),
        ([np.int8(1), 300], ag.int64), (np.bool_(True), ag.bool), ([1.5, 2], ag.float32), ([1, 2], ag.int64),
    ]
    for data, dtype in cases:
        t = ag.tensor(data)
        assert t.dtype == dtype, (data, t.dtype)
        np.testing.assert_array_equal(t.numpy(), np.asarray(data, dtype=t.numpy().dtype))
    assert ag.tensor(a.mean()).item() == a.mean()  # no float32 rounding


def test_tensors_and_arrays_in_nested_data_keep_their_dtype_as_in_torch():
    # the host arrays made from 0-d tensors were inferred as Python numbers: float64 became float32
    x = ag.tensor([ag.tensor(0.1, dtype=ag.float64), ag.tensor(0.2, dtype=ag.float64)])
    assert x.dtype == ag.float64 and x.tolist() == [0.1, 0.2]
    assert ag.tensor([ag.tensor(1, dtype=ag.int32), ag.tensor(2, dtype=ag.int32)]).dtype == ag.int32
    assert ag.tensor([np.zeros(3), np.ones(3)]).dtype == ag.float64
    assert ag.tensor([np.zeros(2, dtype=np.float32), [1.0, 2.0]]).dtype == ag.float32


def test_zero_dim_tensors_as_numbers_and_sizes_as_pytorch():
    # arange(lengths.max()) and zeros(n) with n a 0-d tensor raised TypeError; PyTorch takes them
    lengths = ag.tensor([2, 3, 1])
    n = lengths.max()
    assert ag.arange(n).tolist() == [0, 1, 2] and ag.arange(n).dtype == ag.int64
    assert ag.arange(ag.tensor(3.0)).dtype == ag.float32
    assert ag.arange(1, ag.tensor(6), ag.tensor(2)).tolist() == [1, 3, 5]
    assert ag.full((2,), ag.tensor(3.0)).tolist() == [3.0, 3.0]
    assert ag.full((2,), ag.tensor(3)).dtype == ag.int64
    assert ag.linspace(ag.tensor(0.0), ag.tensor(1.0), 3).tolist() == [0.0, 0.5, 1.0]
    assert ag.zeros(n).shape == (3,) and ag.ones(2, n).shape == (2, 3) and ag.randn(n).shape == (3,)
    assert ag.zeros((n, 2)).shape == (3, 2) and ag.ones(2).repeat(n).shape == (6,)
    mask = ag.arange(n)[None, :] < lengths[:, None]  # the usual padding mask
    assert mask.tolist() == [[True, True, False], [True, True, True], [True, False, False]]
    with pytest.raises(TypeError):
        ag.arange(ag.tensor([3]))  # a 1-element tensor is not a number (PyTorch refuses it too)
