"""Error paths of the engine core: each error names what was wrong, the op, and where."""
from __future__ import annotations

import pytest

import autograd as ag


def _line_of(fn, offset):
    return f"test_errors_core.py:{fn.__code__.co_firstlineno + offset}"


@pytest.mark.parametrize("requires_grad", [False, True])
def test_broadcast_mismatch_names_shapes_and_op(device, requires_grad):
    a = ag.ones(2, 3, device=device, requires_grad=requires_grad)
    b = ag.ones(4, device=device)
    with pytest.raises(RuntimeError) as info:
        a * b
    msg = str(info.value)
    assert "Mul" in msg and "(2, 3)" in msg and "(4,)" in msg
    assert "size of tensor a (3) must match the size of tensor b (4)" in msg
    assert "test_errors_core.py" in msg
    with pytest.raises(RuntimeError, match=r"Add.*\(2, 3\).*\(4,\)"):
        a + b
    with pytest.raises(RuntimeError, match=r"Maximum.*\(2, 3\).*\(4,\)"):
        ag.maximum(a, b)


def test_mixing_devices_names_both(device, other_device):
    if device == other_device:
        pytest.skip("needs two different devices")
    a = ag.ones(2, device=device, requires_grad=True)
    b = ag.ones(2, device=other_device)
    with pytest.raises(RuntimeError, match="same device") as info:
        a + b
    msg = str(info.value)
    assert str(a.device) in msg and str(b.device) in msg and "Add" in msg
    assert "test_errors_core.py" in msg
    with pytest.raises(RuntimeError, match="same device"):
        a < b  # comparisons too
    with pytest.raises(RuntimeError, match="same device"):
        ag.where(a > 0, a, b)


def test_moving_between_devices_is_differentiable(device, other_device):
    a = ag.tensor([1.0, 2.0], device=device, requires_grad=True)
    b = a.to(other_device) * 3
    assert b.device == ag.device(other_device)
    b.sum().backward()
    assert a.grad.device == a.device and a.grad.tolist() == [3.0, 3.0]


def test_gradient_on_wrong_device_raises(device, other_device):
    if device == other_device:
        pytest.skip("needs two different devices")
    x = ag.ones(2, device=device, requires_grad=True)
    with pytest.raises(RuntimeError, match="gradient is on"):
        (x * 2).backward(ag.ones(2, device=other_device))


def test_unknown_device_raises():
    with pytest.raises(RuntimeError, match="unknown device type 'tpu'"):
        ag.ones(2, device="tpu")
    with pytest.raises(ValueError):
        ag.ones(2, device="cpu:1")


def test_index_of_wrong_dtype(device):
    x = ag.ones(3, 4, device=device)
    bad = ag.tensor([0.0, 1.0], device=device)
    with pytest.raises(IndexError, match="float32"):
        x[bad]
    with pytest.raises((RuntimeError, IndexError), match="dtype"):
        x.gather(0, ag.tensor([[0.0]], device=device))
    with pytest.raises(IndexError, match="out of bounds"):
        x[ag.tensor([5], device=device)]


def test_backward_twice_error_names_op_and_place(device):
    x = ag.ones(2, device=device, requires_grad=True)
    y = x.exp()
    loss = y.sum()
    loss.backward()
    with pytest.raises(RuntimeError, match="second time") as info:
        loss.backward()
    assert "ExpBackward" in str(info.value)
    assert _line_of(test_backward_twice_error_names_op_and_place, 2) in str(info.value)


def test_in_place_violation_names_op_and_place(device):
    x = ag.ones(2, device=device, requires_grad=True)
    h = x * 1
    y = h.sin()
    with ag.no_grad():
        h.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation") as info:
        y.sum().backward()
    msg = str(info.value)
    assert "SinBackward" in msg and _line_of(test_in_place_violation_names_op_and_place, 3) in msg


def test_in_place_on_leaf_names_shape(device):
    x = ag.ones(2, 3, device=device, requires_grad=True)
    for op in (lambda: x.add_(1), lambda: x.mul_(2), lambda: x.zero_(), lambda: x.fill_(1.0),
               lambda: x.clamp_(0, 1), lambda: x.copy_(ag.ones(2, 3, device=device)),
               lambda: x.uniform_(), lambda: x.normal_()):
        with pytest.raises(RuntimeError, match=r"leaf Variable.*\(2, 3\)"):
            op()


def test_in_place_shape_and_dtype_errors(device):
    x = ag.ones(3, device=device)
    with pytest.raises(RuntimeError, match="doesn't match the broadcast shape"):
        x.add_(ag.ones(2, 3, device=device))
    i = ag.ones(3, dtype=ag.int64, device=device)
    with pytest.raises(RuntimeError, match="can't be cast"):
        i.mul_(1.5)


def test_non_scalar_backward(device):
    x = ag.ones(2, 2, device=device, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"shape \(2, 2\)"):
        (x * 2).backward()
    with pytest.raises(RuntimeError, match="scalar outputs"):
        ag.grad(x * 2, x)


def test_type_errors(device):
    x = ag.ones(2, device=device)
    with pytest.raises(TypeError, match="Tensor"):
        ag.exp([1.0, 2.0])
    with pytest.raises(TypeError):
        x + "a"
    with pytest.raises(RuntimeError, match="boolean"):  # PyTorch's type for this one
        ag.where(x, x, x)
    with pytest.raises(ValueError, match="rounding_mode"):
        ag.div(x, x, rounding_mode="round")
    with pytest.raises(RuntimeError, match="min"):
        ag.clamp(x)


def test_gradcheck_errors():
    x32 = ag.ones(2, requires_grad=True)
    with pytest.raises(TypeError, match="float64"):
        ag.gradcheck(lambda t: t * 2, (x32,))
    with pytest.raises(ValueError, match="requires grad"):
        ag.gradcheck(lambda t: t * 2, (ag.ones(2, dtype=ag.float64),))
