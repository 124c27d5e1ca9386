"""``autograd.testing``: the strategies draw what they promise; the assertions catch wrong gradients."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd as ag
from autograd import testing as agt
from autograd.gradcheck import GradcheckError


def test_import_autograd_does_not_import_hypothesis():
    code = "import sys, autograd; assert 'hypothesis' not in sys.modules; autograd.testing.tensors"
    subprocess.run([sys.executable, "-c", code], check=True)


@given(agt.tensors(shape=(2, 3), requires_grad=True))
def test_tensors_fixed_shape(x):
    assert x.shape == (2, 3) and x.dtype == ag.float64 and x.requires_grad and x.is_leaf
    assert np.isfinite(x.detach().numpy()).all() and abs(x.detach().numpy()).max() <= 10


@given(agt.tensors(shape=agt.shapes(min_dims=1, max_dims=2), dtype=ag.int64,
                   elements=st.integers(0, 3)))
def test_tensors_shape_strategy_dtype_elements(x):
    assert x.dtype == ag.int64 and 1 <= x.ndim <= 2
    v = x.numpy()
    assert ((0 <= v) & (v <= 3)).all()


@given(st.data())
def test_tensors_on_device(data):
    x = data.draw(agt.tensors(shape=(3,), dtype=ag.float32, device="cpu"))
    assert x.dtype == ag.float32 and x.device == ag.device("cpu")


@given(agt.broadcastable_shapes(num_shapes=3))
def test_broadcastable_shapes(shapes):
    assert len(shapes) == 3
    np.broadcast_shapes(*shapes)  # raises if they do not broadcast


@given(st.data())
def test_index_strategies(data):
    shape = (3, 4)
    x = ag.tensor(np.arange(12.0).reshape(shape))
    ix = data.draw(agt.basic_indices(shape))
    assert x[ix].shape == np.arange(12.0).reshape(shape)[ix].shape
    ii = data.draw(agt.integer_indices(shape))
    assert len(ii) == 2 and all(i.dtype == ag.int64 for i in ii)
    assert all(((-n <= i.numpy()) & (i.numpy() < n)).all() for i, n in zip(ii, shape))
    assert x[ii].shape == ii[0].shape
    m = data.draw(agt.bool_masks(shape))
    assert m.shape == shape and m.dtype == ag.bool


@given(agt.tensors(shape=agt.shapes(max_dims=2), elements=st.floats(0.5, 2.0)))
def test_assert_gradcheck_passes_on_correct_op(x):
    agt.assert_gradcheck(lambda t: (t.log() * t).sin(), x)
    agt.assert_gradgradcheck(lambda t: t.sqrt() * t, x)


class WrongGrad(ag.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * x  # should be 2x


class WrongSecondOrder(ag.Function):
    """Correct first derivative, but backward is not differentiable (detached)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 3 * (x * x).detach()


def test_gradcheck_reports_the_worst_element():
    x = ag.tensor([1.0, 2.0, 5.0], dtype=ag.float64, requires_grad=True)
    with pytest.raises(GradcheckError) as info:
        ag.gradcheck(WrongGrad.apply, (x,))
    msg = str(info.value)
    assert "input 0" in msg and "element (2,)" in msg  # the largest error is at x = 5
    assert "numerical" in msg and "analytical" in msg
    assert not ag.gradcheck(WrongGrad.apply, (x,), raise_exception=False)
    with pytest.raises(GradcheckError):
        agt.assert_gradcheck(WrongGrad.apply, x)


def test_gradcheck_checks_every_input_and_output():
    a = ag.tensor([1.0, 2.0], dtype=ag.float64, requires_grad=True)
    b = ag.tensor([3.0], dtype=ag.float64, requires_grad=True)
    assert ag.gradcheck(lambda x, y: (x * y, (x + y).exp()), (a, b))
    with pytest.raises(GradcheckError, match="input 1"):
        ag.gradcheck(lambda x, y: x * WrongGrad.apply(y), (a, b))
    # a non-tensor argument passes through
    assert ag.gradcheck(lambda x, k: x ** k, (a, 3))


def test_gradgradcheck_catches_a_non_differentiable_backward():
    x = ag.tensor([1.0, -2.0], dtype=ag.float64, requires_grad=True)
    assert ag.gradcheck(WrongSecondOrder.apply, (x,))
    with pytest.raises(GradcheckError, match="second-order"):
        ag.gradgradcheck(WrongSecondOrder.apply, (x,))
    v = ag.tensor([0.5, 1.0], dtype=ag.float64, requires_grad=True)
    assert ag.gradgradcheck(lambda t: t ** 3, (x,), grad_outputs=(v,))


def test_assert_close():
    agt.assert_close(ag.tensor([1.0, float("nan")]), np.array([1.0, np.nan]))
    with pytest.raises(AssertionError, match="worst at"):
        agt.assert_close(ag.tensor([1.0, 2.0]), [1.0, 2.5])
    with pytest.raises(AssertionError, match="shape"):
        agt.assert_close(ag.ones(2), ag.ones(3))
    with pytest.raises(AssertionError):
        agt.assert_close(ag.tensor([float("nan")]), [1.0])


def test_assert_same_on_devices(other_device):
    x = ag.tensor(np.linspace(-1, 1, 6).reshape(2, 3), requires_grad=True)
    agt.assert_same_on_devices(lambda t: (t.exp() * t).sum(dim=1) if hasattr(t, "sum") else t, x,
                               devices=("cpu", other_device))


def test_assert_same_on_devices_detects_a_difference(other_device):
    x = ag.tensor([1.0, 2.0], requires_grad=True)

    def device_dependent(t):
        return t * (2.0 if t.device.type == "cpu" else 3.0)

    with pytest.raises(AssertionError, match="output 0"):
        agt.assert_same_on_devices(device_dependent, x, devices=("cpu", other_device))


def test_assert_same_on_devices_skips_without_cuda():
    if ag.backend.cuda_available():
        pytest.skip("a GPU is present")
    with pytest.raises(pytest.skip.Exception, match="not available"):
        agt.assert_same_on_devices(lambda t: t * 2, ag.ones(2), devices=("cpu", "cuda"))
