"""DLPack: zero-copy exchange with NumPy, PyTorch and device arrays; gradients stop at the boundary."""
from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd import backend

from conftest import SHADOW

DTYPES = [np.float32, np.float64, np.float16, np.int64, np.int32, np.uint8, np.bool_]


# ---------------------------------------------------------------- NumPy
@pytest.mark.parametrize("dtype", DTYPES)
def test_numpy_to_tensor_shares_memory(dtype):
    a = (np.arange(6).reshape(2, 3) % 2).astype(dtype)
    t = ag.from_dlpack(a)
    assert t.device == "cpu" and t.dtype == dtype and t.shape == (2, 3)
    assert not t.requires_grad and t.is_leaf
    assert np.shares_memory(t.numpy(), a)
    a[1, 2] = 0
    assert t[1, 2].item() == 0


@pytest.mark.parametrize("dtype", DTYPES)
def test_tensor_to_numpy_shares_memory(dtype):
    t = ag.tensor([[1, 0], [0, 1]], dtype=dtype)
    a = np.from_dlpack(t)
    assert a.dtype == dtype and a.shape == (2, 2)
    assert np.shares_memory(a, t.numpy())
    with ag.no_grad():
        t.fill_(0)  # an in-place change on the tensor is seen through the NumPy array
    assert not a.any()


def test_writes_go_both_ways_and_views_keep_strides():
    base = np.arange(12.0).reshape(3, 4)
    view = base[:, ::2].T  # non-contiguous
    t = ag.from_dlpack(view)
    assert t.shape == (2, 3)
    np.testing.assert_array_equal(t.numpy(), view)
    with ag.no_grad():
        t.mul_(10)
    np.testing.assert_array_equal(base[:, ::2].T, view)
    assert base[2, 2] == 100.0
    back = np.from_dlpack(t)
    assert np.shares_memory(back, base)


def test_zero_dim_and_empty():
    t = ag.from_dlpack(np.array(3.5))
    assert t.shape == () and t.item() == 3.5
    e = ag.from_dlpack(np.zeros((0, 4), dtype=np.float32))
    assert e.shape == (0, 4)
    assert np.from_dlpack(ag.zeros(0, 2)).shape == (0, 2)


def test_dlpack_device_of_cpu_tensor():
    assert ag.ones(2).__dlpack_device__() == (1, 0)


# ---------------------------------------------------------------- gradients do not cross
def test_exporting_a_tensor_that_requires_grad_raises_like_torch():
    x = ag.ones(3, requires_grad=True)
    with pytest.raises(BufferError, match=r"require gradient, use tensor.detach\(\)"):
        np.from_dlpack(x)
    with pytest.raises(BufferError, match="detach"):
        (x * 2).__dlpack__()
    a = np.from_dlpack(x.detach())
    assert np.shares_memory(a, x.detach().numpy())


def test_imported_tensor_starts_a_new_graph():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = ag.from_dlpack(x)  # an xpgrad tensor comes back detached, sharing memory
    assert not y.requires_grad and y.grad_fn is None
    assert np.shares_memory(y.numpy(), x.detach().numpy())
    z = ag.from_dlpack(np.from_dlpack((x * 3).detach())).requires_grad_()
    (z ** 2).sum().backward()
    assert x.grad is None  # nothing flowed back through the exchange
    np.testing.assert_allclose(z.grad.numpy(), [6.0, 12.0])


def test_from_dlpack_rejects_non_producers():
    with pytest.raises(TypeError, match="__dlpack__"):
        ag.from_dlpack([1.0, 2.0])


# ---------------------------------------------------------------- PyTorch
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "bool", "float16"])
def test_torch_to_tensor_shares_memory(dtype):
    torch = pytest.importorskip("torch")
    src = torch.arange(6).reshape(2, 3).to(getattr(torch, dtype))
    t = ag.from_dlpack(src)
    assert t.device == "cpu" and t.dtype == np.dtype(dtype) and t.shape == (2, 3)
    src[0, 0] = 1
    assert t[0, 0].item() == 1
    assert backend.data_ptr(t._data) == src.data_ptr()


def test_tensor_to_torch_shares_memory():
    torch = pytest.importorskip("torch")
    t = ag.arange(6.0).reshape(2, 3)
    u = torch.from_dlpack(t)
    assert tuple(u.shape) == (2, 3) and u.dtype == torch.float32
    assert u.data_ptr() == backend.data_ptr(t._data)
    u.mul_(2)
    assert t.tolist() == [[0.0, 2.0, 4.0], [6.0, 8.0, 10.0]]
    with pytest.raises(BufferError, match="detach"):
        torch.from_dlpack(ag.ones(2, requires_grad=True))


def test_torch_tensor_requiring_grad_is_refused_by_torch():
    torch = pytest.importorskip("torch")
    with pytest.raises(BufferError, match="detach"):
        ag.from_dlpack(torch.ones(2, requires_grad=True))
    t = ag.from_dlpack(torch.ones(2, requires_grad=True).detach())
    assert not t.requires_grad


def test_round_trip_through_torch_keeps_values():
    torch = pytest.importorskip("torch")
    ag.manual_seed(0)
    t = ag.randn(4, 5)
    back = ag.from_dlpack(torch.from_dlpack(t).t())
    np.testing.assert_array_equal(back.numpy(), t.numpy().T)
    assert np.shares_memory(back.numpy(), t.numpy())


# ---------------------------------------------------------------- device arrays (shadow / CuPy)
def test_device_array_to_tensor_shares_memory():
    dev = ag.device(SHADOW)
    arr = dev.backend.from_host(np.arange(4.0))
    assert arr.__dlpack_device__()[0] == dev.backend.dlpack_type
    t = ag.from_dlpack(arr)
    assert t.device is dev and t.tolist() == [0.0, 1.0, 2.0, 3.0]
    arr[0] = 5.0
    assert t[0].item() == 5.0  # the same device memory
    u = ag.from_dlpack(t)
    assert u.device is dev and backend.data_ptr(u._data) == backend.data_ptr(t._data)


def test_device_tensor_is_refused_by_host_consumers():
    # as CUDA memory is: NumPy and PyTorch-CPU cannot import it; .cpu() first
    t = ag.ones(3, device=SHADOW)
    assert t.__dlpack_device__() == (ag.device(SHADOW).backend.dlpack_type, 0)
    with pytest.raises(BufferError):
        np.from_dlpack(t)
    np.testing.assert_array_equal(np.from_dlpack(t.cpu()), [1.0, 1.0, 1.0])


def test_device_backend_refuses_host_producers():
    dev = ag.device(SHADOW)
    with pytest.raises(BufferError):
        dev.backend.dlpack_from(np.ones(2))


def test_unknown_dlpack_device_type_raises():
    class Foreign:
        def __dlpack_device__(self):
            return (4, 0)  # kDLOpenCL

        def __dlpack__(self, **kw):  # pragma: no cover - never reached
            raise AssertionError

    with pytest.raises(BufferError, match="device type 4"):
        ag.from_dlpack(Foreign())


@pytest.mark.cuda
def test_cupy_round_trip():
    cupy = pytest.importorskip("cupy")
    a = cupy.arange(5.0)
    t = ag.from_dlpack(a)
    assert t.device == "cuda:0"
    a[0] = 9.0
    assert t[0].item() == 9.0
    b = cupy.from_dlpack(t)
    assert b.data.ptr == a.data.ptr
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():  # pragma: no cover - CUDA PyTorch only
        assert torch.from_dlpack(t).data_ptr() == a.data.ptr
