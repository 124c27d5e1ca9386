"""``empty_strided``, ``asarray`` and ``frombuffer`` against PyTorch 2.13: strides and storage, memory
sharing (copy=None/True/False) with tensors, NumPy arrays and buffers, dtypes, requires_grad, and the
errors for bad arguments."""
from __future__ import annotations

import array
import warnings

import numpy as np
import pytest

import autograd as ag

torch = pytest.importorskip("torch")


def _same_error(fn, *args):
    with pytest.raises(Exception) as want:
        fn(torch, *args)
    with pytest.raises(want.type) as got:
        fn(ag, *args)
    assert str(got.value).splitlines()[0] == str(want.value).splitlines()[0]


# ---------------------------------------------------------------- empty_strided
@pytest.mark.parametrize("size,stride", [((2, 3), (1, 2)), ((2, 3), (3, 1)), ((2, 3), (0, 0)), ((), ()),
                                         ((4, 0, 2), (1, 5, 9)), ((3,), (4,))])
def test_empty_strided_as_torch(size, stride):
    got = ag.empty_strided(size, stride, dtype=ag.float64)
    want = torch.empty_strided(size, stride, dtype=torch.float64)
    assert tuple(got.shape) == tuple(want.shape) and got.stride() == want.stride()
    assert got.dtype == ag.float64 and got.is_contiguous() == want.is_contiguous()
    assert got.untyped_storage().nbytes() == want.untyped_storage().nbytes()
    assert ag.empty_strided(size, stride).dtype == ag.float32
    assert ag.empty_strided(size, stride, requires_grad=True).requires_grad


@pytest.mark.parametrize("bad", [
    lambda lib: lib.empty_strided((2, 3), (3,)),
    lambda lib: lib.empty_strided((2, -3), (3, 1)),
    lambda lib: lib.empty_strided((2, 3), (-3, 1)),
    lambda lib: lib.empty_strided(2, 1),
    lambda lib: lib.empty_strided((2, 3), (3, 1), dtype=lib.int64, requires_grad=True),
])
def test_empty_strided_errors_as_torch(bad):
    _same_error(bad)


# ---------------------------------------------------------------- frombuffer
@pytest.mark.parametrize("kw", [{"dtype": "uint8"}, {"dtype": "int16", "count": 2, "offset": 2},
                                {"dtype": "int16", "count": -2}, {"dtype": "float32", "offset": 4},
                                {"dtype": "int64"}])
def test_frombuffer_as_torch_and_shares_memory(kw):
    kw = {**kw, "dtype": kw["dtype"]}
    buf_a, buf_t = bytearray(range(8)), bytearray(range(8))
    got = ag.frombuffer(buf_a, **{**kw, "dtype": getattr(ag, kw["dtype"])})
    want = torch.frombuffer(buf_t, **{**kw, "dtype": getattr(torch, kw["dtype"])})
    np.testing.assert_array_equal(got.numpy(), want.numpy())
    buf_a[-1] = buf_t[-1] = 200
    np.testing.assert_array_equal(got.numpy(), want.numpy())
    got = ag.frombuffer(array.array("i", [1, 2, 3]), dtype=ag.int32)
    assert got.tolist() == [1, 2, 3]
    assert ag.frombuffer(bytearray(8), dtype=ag.float32, requires_grad=True).requires_grad


@pytest.mark.parametrize("bad", [
    lambda lib: lib.frombuffer(bytearray(range(8)), dtype=lib.int32, count=3),
    lambda lib: lib.frombuffer(bytearray(range(8)), dtype=lib.int32, offset=8),
    lambda lib: lib.frombuffer(bytearray(range(8)), dtype=lib.int32, offset=-1),
    lambda lib: lib.frombuffer(bytearray(range(8)), dtype=lib.int32, offset=1),
    lambda lib: lib.frombuffer(bytearray(range(8)), dtype=lib.int32, count=0),
    lambda lib: lib.frombuffer(bytearray(), dtype=lib.int32),
    lambda lib: lib.frombuffer([1, 2], dtype=lib.uint8),
    lambda lib: lib.frombuffer(bytearray(range(8))),
])
def test_frombuffer_errors_as_torch(bad):
    _same_error(bad)


# ---------------------------------------------------------------- asarray
def test_asarray_of_a_tensor_shares_or_copies_as_torch():
    x = ag.arange(4.0)
    assert ag.asarray(x) is x and ag.asarray(x, dtype=ag.float32, copy=False) is x
    c = ag.asarray(x, copy=True)
    c[0] = 5
    assert x[0].item() == 0
    assert ag.asarray(x, dtype=ag.float64).dtype == ag.float64
    leaf = ag.arange(4.0, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        y = leaf * 2
        assert ag.asarray(y) is y
        r = ag.asarray(y, copy=True)
        assert r.requires_grad and r.grad_fn is not None
    d = ag.asarray(y, requires_grad=False)
    assert not d.requires_grad and d.grad_fn is None and y.requires_grad
    z = ag.arange(3.0)
    assert ag.asarray(z, requires_grad=True) is z and z.requires_grad  # PyTorch's: sets z's flag


def test_asarray_of_a_numpy_array_shares_memory_unless_copied():
    a = np.arange(4.0)
    t = ag.asarray(a)
    a[0] = 9
    assert t.dtype == ag.float64 and t[0].item() == 9
    c = ag.asarray(a, copy=True)
    a[1] = 7
    assert c[1].item() == 1
    f = ag.asarray(a, dtype=ag.float32)
    assert f.dtype == ag.float32
    assert ag.asarray(np.arange(3), dtype=ag.float32, requires_grad=True).requires_grad
    assert ag.asarray(np.arange(4, dtype=np.uint8)).dtype == ag.uint8


@pytest.mark.parametrize("obj,kw", [
    ([1, 2, 3], {}), ([1.0, 2, 3], {}), (3.5, {}), (3, {}), (True, {}), ([1, 2], {"dtype": "float64"}),
    (np.float32(2.0), {}), (np.float64(3.5), {}), (bytearray(b"abcd"), {"dtype": "uint8"}),
    (bytearray(b"abcdefgh"), {}), (array.array("f", [1, 2]), {}), ([1.0, 2.0], {"requires_grad": True}),
])
def test_asarray_values_and_dtypes_as_torch(obj, kw):
    def call(lib):
        k = {**kw, **({"dtype": getattr(lib, kw["dtype"])} if "dtype" in kw else {})}
        return lib.asarray(obj, **k)

    got, want = call(ag), call(torch)
    assert str(got.dtype).split(".")[-1] == str(want.dtype).split(".")[-1]
    assert tuple(got.shape) == tuple(want.shape) and got.requires_grad == want.requires_grad
    np.testing.assert_array_equal(got.detach().numpy(), want.detach().numpy())


def test_asarray_of_a_buffer_shares_memory():
    buf = bytearray(b"abcd")
    t = ag.asarray(buf, dtype=ag.uint8)
    buf[0] = 0
    assert t[0].item() == 0
    c = ag.asarray(buf, dtype=ag.uint8, copy=True)
    buf[1] = 0
    assert c[1].item() == 98


@pytest.mark.parametrize("bad", [
    lambda lib: lib.asarray(lib.arange(4.0), dtype=lib.float64, copy=False),
    lambda lib: lib.asarray(np.arange(3.0), dtype=lib.float32, copy=False),
    lambda lib: lib.asarray([1, 2, 3], copy=False),
    lambda lib: lib.asarray(3.5, copy=False),
    lambda lib: lib.asarray(np.float64(3.5), copy=False),
    lambda lib: lib.asarray(np.arange(3), requires_grad=True),
    lambda lib: lib.asarray([1, 2], requires_grad=True),
])
def test_asarray_errors_as_torch(bad):
    _same_error(bad)
