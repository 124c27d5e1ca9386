"""The shadow device is faithful to CuPy where NumPy-only code breaks, and it catches such code.

These tests prove that the shadow device (tests/shadow.py) would catch the
mistakes that make code fail on a GPU: implicit host conversion, mixing host
and device arrays, NumPy-only functions, methods and generator calls, and
NumPy scalars where CuPy gives 0-d arrays.
"""
from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from autograd import backend
from autograd.function import Primitive

from conftest import SHADOW
from shadow import CUPY_GENERATOR_METHODS, ShadowArray

pytestmark = pytest.mark.skipif(not SHADOW, reason="the shadow device is not registered")


@pytest.fixture
def dev():
    return ag.device(SHADOW)


def arr(dev, values):
    return dev.backend.from_host(np.asarray(values))


# ---------------------------------------------------------------- deliberately wrong ops
class HostExp(Primitive):
    """Wrong on a GPU: pulls its input to the host with np.asarray."""

    @staticmethod
    def forward(ctx, x):
        return np.exp(np.asarray(x))

    @staticmethod
    def backward(ctx, g):
        return g


class HostBackward(Primitive):
    """Right forward, wrong backward: builds the gradient on the host."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * 2

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return ag.from_numpy(np.asarray(g._data) * 2)


class NumpyAt(Primitive):
    """Wrong on a GPU: ufunc.at exists in NumPy only (CuPy: cupyx.scatter_add)."""

    @staticmethod
    def forward(ctx, x, index):
        out = ctx.device.xp.zeros_like(x)
        ctx.device.xp.add.at(out, index, x[index])
        return out


class ReturnsHost(Primitive):
    """Wrong on a GPU: returns a host array from a device op."""

    @staticmethod
    def forward(ctx, x):
        return np.zeros(3)


def test_deliberate_np_asarray_in_forward_is_caught(dev):
    cpu = HostExp.apply(ag.tensor([0.0, 1.0]))  # fine on the CPU...
    np.testing.assert_allclose(cpu.numpy(), np.exp([0.0, 1.0]))
    with pytest.raises(TypeError, match="Implicit conversion to a NumPy array"):
        HostExp.apply(ag.tensor([0.0, 1.0], device=dev))  # ...and caught on the shadow device


def test_deliberate_np_asarray_in_backward_is_caught(dev):
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    HostBackward.apply(x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 2.0])
    y = ag.tensor([1.0, 2.0], device=dev, requires_grad=True)
    with pytest.raises(TypeError, match="Implicit conversion"):
        HostBackward.apply(y).sum().backward()


def test_numpy_only_ufunc_at_is_caught(dev):
    idx = [0, 0, 1]
    assert NumpyAt.apply(ag.tensor([1.0, 2.0, 3.0]), idx).tolist() == [2.0, 2.0, 0.0]
    with pytest.raises(AttributeError):
        NumpyAt.apply(ag.tensor([1.0, 2.0, 3.0], device=dev), idx)


def test_host_result_of_a_device_op_is_caught(dev):
    with pytest.raises(TypeError, match="expected an array of"):
        ReturnsHost.apply(ag.ones(3, device=dev))


# ---------------------------------------------------------------- CuPy's rules, one by one
def test_implicit_host_conversion_raises(dev):
    a = arr(dev, [1.0, 2.0])
    for convert in (np.asarray, np.array, np.ascontiguousarray, lambda x: np.zeros(2) + x.get() + x):
        with pytest.raises(TypeError):
            convert(a)
    t = ag.tensor([1.0], device=dev)
    with pytest.raises(TypeError):
        np.asarray(t)


def test_explicit_transfers_and_syncs_work(dev):
    a = arr(dev, [[1.5, 2.0]])
    host = a.get()
    assert isinstance(host, np.ndarray) and host.tolist() == [[1.5, 2.0]]
    assert dev.backend.to_host(a).tolist() == [[1.5, 2.0]]
    assert backend.to_host(a).tolist() == [[1.5, 2.0]]
    assert a.tolist() == [[1.5, 2.0]] and a[0, 0].item() == 1.5
    assert float(a[0, 1]) == 2.0 and int(a[0, 1]) == 2 and bool(a[0, 0] > 1)


def test_mixing_host_and_device_arrays_raises(dev):
    a = arr(dev, [1.0, 2.0])
    h = np.ones(2)
    for mix in (lambda: a + h, lambda: h + a, lambda: a * h, lambda: dev.xp.maximum(a, h),
                lambda: np.add(h, a), lambda: dev.xp.where(a > 0, h, a), lambda: a.__setitem__(0, h[:1]),
                lambda: dev.xp.concatenate([a, h])):
        with pytest.raises(TypeError, match="host numpy.ndarray"):
            mix()
    # NumPy scalars and Python numbers are fine, as in CuPy
    assert (a * np.float32(2)).tolist() == [2.0, 4.0] and (a + 1).tolist() == [2.0, 3.0]


def test_reductions_give_arrays_not_numpy_scalars(dev):
    a = arr(dev, [[1.0, 2.0], [3.0, 4.0]])
    xp = dev.xp
    for r in (a.sum(), a.max(), a.mean(), a.argmax(), a.all(), a.any(), xp.sum(a), xp.amax(a),
              xp.count_nonzero(a), a[0, 0], a.std(), a.var(), xp.dot(a[0], a[1])):
        assert isinstance(r, ShadowArray) and r.ndim == 0, type(r)
    t = ag.tensor([1.0, 2.0], device=dev)
    for out in (t.sum(), t.max(), t.mean(), t.argmax(), t.norm(), t.prod(), t.all(), (t == t).any()):
        assert isinstance(out._data, ShadowArray) and out.device is dev


def test_module_has_only_cupy_functions(dev):
    xp = dev.xp
    for missing in ("vectorize", "frompyfunc", "piecewise", "apply_along_axis", "nditer", "asmatrix",
                    "fromiter", "genfromtxt", "errstate"):
        assert not hasattr(xp, missing), missing
    assert not hasattr(xp.add, "at") and not hasattr(xp.maximum, "reduceat")
    assert not hasattr(xp.lib.stride_tricks, "sliding_window_view")
    for present in ("exp", "where", "einsum", "take_along_axis", "argsort", "asarray"):
        assert callable(getattr(xp, present))


def test_generator_has_only_cupy_methods(dev):
    g = dev.backend.generator(dev.index)
    for name in ("random", "standard_normal", "integers", "uniform"):
        assert name in CUPY_GENERATOR_METHODS and callable(getattr(g, name))
    for name in ("permutation", "choice", "shuffle", "normal", "bytes", "permuted"):
        with pytest.raises(AttributeError, match="cupy.random.Generator"):
            getattr(g, name)
    assert isinstance(g.random((2,), dtype=np.float32), ShadowArray)
    assert g.random((2,), dtype=np.float32).dtype == np.float32


def test_permutation_goes_through_the_backend(dev):
    from autograd.random import permutation_array

    ag.manual_seed(5)
    p = permutation_array(10, dev)
    assert isinstance(p, ShadowArray) and p.dtype == np.int64
    assert sorted(p.tolist()) == list(range(10))
    ag.manual_seed(5)
    assert permutation_array(10, dev).tolist() == p.tolist()


def test_device_arrays_are_not_pickled(dev):
    import pickle

    with pytest.raises(TypeError):
        pickle.dumps(arr(dev, [1.0]))


# ---------------------------------------------------------------- the CuPy backend is what runs
def test_the_shadow_runs_the_cupy_backend(dev):
    assert isinstance(dev.backend, backend.CupyBackend)
    assert dev.backend.indexed and backend.device_of(arr(dev, [1.0])) is dev
    assert dev.backend.device_count() == 1
    with pytest.raises(RuntimeError, match="invalid device ordinal"):
        ag.zeros(2, device=f"{SHADOW}:1")  # allocations run under the device's context


def test_scatter_add_through_cupyx(dev):
    # indexing backward with repeated indices uses backend.scatter_add (cupyx.scatter_add on CuPy)
    x = ag.tensor([1.0, 2.0, 3.0], device=dev, requires_grad=True)
    x[ag.tensor([0, 0, 2])].sum().backward()
    assert x.grad.tolist() == [2.0, 0.0, 1.0]


def test_erf_through_cupyx(dev):
    x = ag.tensor([-1.0, 0.0, 0.5], device=dev)
    np.testing.assert_allclose(F.gelu(x).cpu().numpy(), F.gelu(x.cpu()).numpy(), rtol=1e-6)


def test_windows_through_as_strided(dev):
    ag.manual_seed(0)
    conv = nn.Conv2d(2, 3, 3, padding=1)
    x = ag.randn(1, 2, 5, 5)
    ref = conv(x)
    got = conv.to(dev)(x.to(dev))
    assert got.device is dev
    np.testing.assert_allclose(got.detach().cpu().numpy(), ref.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_same_results_as_cpu_with_assert_same_on_devices():
    from autograd.testing import assert_same_on_devices

    ag.manual_seed(0)
    x = ag.randn(4, 5, requires_grad=True)
    w = ag.randn(5, 3, requires_grad=True)
    target = ag.tensor([0, 2, 1, 2])
    assert_same_on_devices(
        lambda x, w, t: F.cross_entropy(F.layer_norm(x, (5,)).tanh() @ w, t, label_smoothing=0.1),
        x, w, target, devices=("cpu", SHADOW))
    assert_same_on_devices(lambda x: (x.softmax(-1) * x.exp()).cumsum(0)[x > 0].sum(), x,
                           devices=("cpu", SHADOW))
