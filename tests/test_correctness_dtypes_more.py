"""Result dtypes and integer wrap-around as PyTorch 2.13: bool square / sign / clamp, Python ints
beyond an integer tensor's range (cast to its dtype, wrapping), integer powers by negative tensor
exponents, and ``Tensor.view(dtype)``."""
from __future__ import annotations

import pytest

import autograd as ag

torch = pytest.importorskip("torch")


def _same(ours, theirs):
    assert str(ours.dtype) == str(theirs.dtype).replace("torch.", "")
    assert ours.tolist() == theirs.tolist()


CASES = {
    "square_bool": lambda m: m.tensor([True, False]).square(),
    "sign_bool": lambda m: m.sign(m.tensor([True, False])),
    "clamp_bool_int": lambda m: m.tensor([True, False]).clamp(0, 1),
    "clamp_bool_float": lambda m: m.tensor([True, False]).clamp(0.5, 2.5),
    "clamp_int_float": lambda m: m.tensor([1, 5, 9]).clamp(2.5, 7.5),
    "clamp_uint8_negative": lambda m: m.tensor([1, 5], dtype=m.uint8).clamp(min=-1),
    "uint8_plus_minus_one": lambda m: m.tensor([0, 5], dtype=m.uint8) + (-1),
    "uint8_plus_300": lambda m: m.tensor([0, 5], dtype=m.uint8) + 300,
    "minus_one_plus_uint8": lambda m: -1 + m.tensor([0, 5], dtype=m.uint8),
    "int32_plus_2_40": lambda m: m.tensor([1, -7], dtype=m.int32) + 2 ** 40,
    "int32_times_2_31": lambda m: m.tensor([1, 3], dtype=m.int32) * 2 ** 31,
    "int8_minus_1000": lambda m: m.tensor([1], dtype=m.int8) - 1000,
    "int64_plus_2_63": lambda m: m.tensor([1]) + 2 ** 63,
    "uint8_times_minus_one": lambda m: m.tensor([3], dtype=m.uint8) * -1,
    "uint8_floordiv_minus_one": lambda m: m.tensor([255, 0], dtype=m.uint8) // -1,
    "uint8_mod_300": lambda m: m.tensor([255, 0], dtype=m.uint8) % 300,
    "uint8_eq_minus_one": lambda m: m.tensor([255, 0], dtype=m.uint8) == -1,
    "uint8_lt_300": lambda m: m.tensor([255, 0], dtype=m.uint8) < 300,
    "uint8_true_div_minus_one": lambda m: m.tensor([255, 0], dtype=m.uint8) / -1,
    "int_pow_negative_tensor": lambda m: m.tensor([2, -1, 1, 0, -1, 3]) ** m.tensor([-1, -1, -3, -1, -2, 2]),
    "int_scalar_pow_negative_tensor": lambda m: 2 ** m.tensor([-1, 2]),
    "view_float_as_int": lambda m: m.tensor([1.0, 2.0]).view(m.int32),
    "view_double_as_float": lambda m: m.tensor([1.0, 2.0], dtype=m.float64).view(m.float32),
    "view_float_as_double": lambda m: m.tensor([[1.0, 2.0], [3.0, 4.0]]).view(m.float64),
    "view_float_as_uint8": lambda m: m.tensor([1.0]).view(m.uint8),
    "view_bool_as_uint8": lambda m: m.tensor([True, False]).view(m.uint8),
    "view_dtype_keyword": lambda m: m.tensor([1.0, -2.0]).view(dtype=m.int32),
}


@pytest.mark.parametrize("name", list(CASES))
def test_result_as_torch(name):
    _same(CASES[name](ag), CASES[name](torch))


RAISES = {
    "int_pow_negative_scalar": lambda m: m.tensor([2, 3]) ** -1,
    "clamp_int8_overflow": lambda m: m.tensor([1], dtype=m.int8).clamp(max=1000),
    "clamp_uint8_below_minus_255": lambda m: m.tensor([1], dtype=m.uint8).clamp(min=-256),
    "view_odd_last_dim": lambda m: m.tensor([1.0, 2.0, 3.0]).view(m.float64),
    "view_0d_other_size": lambda m: m.tensor(1.0).view(m.float64),
    "view_strided_other_size": lambda m: m.ones(2, 4).t().view(m.float64),
}


@pytest.mark.parametrize("name", list(RAISES))
def test_raises_as_torch(name):
    with pytest.raises(RuntimeError) as theirs:
        RAISES[name](torch)
    with pytest.raises(RuntimeError) as ours:
        RAISES[name](ag)
    assert str(theirs.value).split(",")[0].split(" (")[0] in str(ours.value)


def test_view_dtype_shares_memory_and_version_and_is_not_differentiable():
    x = ag.ones(2, 4, requires_grad=True)
    with ag.no_grad():
        y = x.view(ag.int32)
    v = x.detach()
    before = v._version[0] if v._version else 0
    b = v.view(ag.int16)
    assert b.shape == (2, 8)
    b[0, 0] = 0  # writes the low half of x[0, 0]'s bits (1.0 is 0x3f800000: the low half is 0)
    assert x[0, 0].item() == 1.0 and v._version[0] == before + 1
    b[0, 1] = 0
    assert x[0, 0].item() == 0.0
    assert not y.requires_grad and not x.view(ag.float64).requires_grad
    t = torch.ones(2, requires_grad=True)
    assert x.view(ag.float64).requires_grad == t.view(torch.float64).requires_grad


FILLS = {  # PyTorch's checked conversion of a fill value: -255..-1 wrap for uint8, else in range
    "full_uint8_minus_one": lambda m: m.full((2,), -1, dtype=m.uint8),
    "tensor_uint8_minus_one": lambda m: m.tensor([-1, 255, -255], dtype=m.uint8),
    "new_full_uint8_minus_one": lambda m: m.zeros(2, dtype=m.uint8).new_full((2,), -1),
    "full_like_uint8_minus_one": lambda m: m.full_like(m.zeros(2, dtype=m.uint8), -255),
    "fill_uint8_minus_one": lambda m: m.zeros(2, dtype=m.uint8).fill_(-1),
    "setitem_uint8_minus_one": lambda m: (lambda t: (t.__setitem__(0, -1), t)[1])(m.zeros(2, dtype=m.uint8)),
    "add_alpha_python_int": lambda m: m.ones(2, dtype=m.uint8).add(-1, alpha=2),
    "where_uint8_minus_one": lambda m: m.where(m.tensor([True, False]), -1, m.ones(2, dtype=m.uint8)),
    "masked_fill_uint8_m1": lambda m: m.ones(2, dtype=m.uint8).masked_fill(m.tensor([True, False]), -1),
    "sub_alpha_python_int": lambda m: m.ones(2, dtype=m.uint8).sub(1, alpha=2),
}


@pytest.mark.parametrize("name", list(FILLS))
def test_fill_values_as_torch(name):
    _same(FILLS[name](ag), FILLS[name](torch))


OVERFLOWS = {
    "tensor_uint8_minus_256": lambda m: m.tensor([-256], dtype=m.uint8),
    "tensor_int8_minus_129": lambda m: m.tensor([3, -129], dtype=m.int8),
    "tensor_int32_2_40": lambda m: m.tensor([2 ** 40], dtype=m.int32),
    "full_int32_2_40": lambda m: m.full((1,), 2 ** 40, dtype=m.int32),
    "fill_uint8_256": lambda m: m.zeros(2, dtype=m.uint8).fill_(256),
    "where_uint8_300": lambda m: m.where(m.tensor([True, False]), m.ones(2, dtype=m.uint8), 300),
    "masked_fill_uint8_300": lambda m: m.ones(2, dtype=m.uint8).masked_fill(m.tensor([True, False]), 300),
    "setitem_int8_300": lambda m: m.zeros(2, dtype=m.int8).__setitem__(0, 300),
    "add_float_alpha_to_ints": lambda m: m.ones(2, dtype=m.int64).add(1, alpha=0.5),
}


@pytest.mark.parametrize("name", list(OVERFLOWS))
def test_overflowing_values_raise_as_torch(name):
    with pytest.raises(RuntimeError) as theirs:
        OVERFLOWS[name](torch)
    with pytest.raises(RuntimeError) as ours:  # was NumPy's OverflowError (or no error)
        OVERFLOWS[name](ag)
    assert str(ours.value) == str(theirs.value)


REFUSED = {  # the dtypes PyTorch's kernels refuse: same exception type and message
    "abs_bool": lambda m: m.tensor([True]).abs(),
    "relu_bool": lambda m: m.relu(m.tensor([True])),
    "floor_divide_bool": lambda m: m.tensor([True]) // m.tensor([True]),
    "lerp_int": lambda m: m.lerp(m.tensor([1]), m.tensor([2]), 0.5),
    "add__int_by_float": lambda m: m.tensor([1, 5]).add_(0.5),
    "mul__bool_by_int": lambda m: m.tensor([True]).mul_(2),
}


@pytest.mark.parametrize("name", list(REFUSED))
def test_refused_dtypes_as_torch(name):
    with pytest.raises(Exception) as theirs:
        REFUSED[name](torch)
    with pytest.raises(theirs.type) as ours:
        REFUSED[name](ag)
    assert str(ours.value) == str(theirs.value)
