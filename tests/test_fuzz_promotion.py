"""Regressions found by differential fuzzing of elementwise ops and type promotion against PyTorch."""
import operator

import numpy as np
import pytest

import autograd as ag

torch = pytest.importorskip("torch")


def _both(fn, *arrays):
    """``fn`` run on torch and on autograd with tensors made from the same NumPy arrays."""
    t = fn(torch, *[torch.tensor(a) for a in arrays])
    a = fn(ag, *[ag.tensor(a) for a in arrays])
    return t, a


def _same(t, a):
    assert str(a.dtype) == str(t.dtype).replace("torch.", "")
    np.testing.assert_allclose(a.numpy().astype(np.float64), t.numpy().astype(np.float64), rtol=1e-6)


@pytest.mark.parametrize("op", ["div", "true_divide", "atan2", "copysign", "xlogy", "ldexp"])
@pytest.mark.parametrize("other_dtype", [np.int8, np.int16, np.int64])
def test_int_to_float_ops_cast_a_negative_0d_operand_from_its_own_dtype(op, other_dtype):
    # uint8 tensor with a 0-d int16 -2: the common dtype is uint8, but PyTorch casts each operand
    # straight to float32 (7 / -2 = -3.5), not through uint8 (7 / 254)
    x = np.array([7, 10, 3], dtype=np.uint8)
    y = np.array(-2, dtype=other_dtype)
    for args in ((x, y), (y, x)):
        _same(*_both(lambda m, a, b: getattr(m, op)(a, b), *args))


@pytest.mark.parametrize("op", ["eq", "lt", "le", "gt", "ge", "bitwise_and", "bitwise_or", "bitwise_xor"])
def test_comparisons_and_bitwise_compute_in_the_promoted_dtype(op):
    fn = lambda m, a, b: getattr(m, op)(a, b)  # noqa: E731
    cases = [(np.array([5, 8, 0], np.uint8), np.array(-6, np.int16)),   # -6 is 250 as uint8
             (np.array(-3, np.int8), np.array([1, 11, 0], np.uint8)),
             (np.array([5, 8, 0], np.uint8), np.array(3, np.int8))]    # the dimensioned dtype wins
    if not op.startswith("bitwise"):
        cases.append((np.array([0.1, 2.0], np.float16), np.array(0.1, np.float64)))  # compared in float16
    for args in cases:
        t, a = _both(fn, *args)
        assert str(a.dtype) == str(t.dtype).replace("torch.", "")
        np.testing.assert_array_equal(a.numpy(), t.numpy())


@pytest.mark.parametrize("op", ["add", "sub"])
def test_alpha_is_applied_in_the_result_dtype(op):
    b16 = np.array([True, False])
    if op == "add":
        _same(*_both(lambda m, a: m.add(a, True, alpha=2), np.array([True, False])))
    for x, y, alpha in [(np.array([True, False]), b16, 2),                           # bool + 2 * bool: bool
                        (np.array([1.5, -1.0], np.float16), b16, 0.5),             # float16 stays float16
                        (np.array([-5.0, 2.0], np.float32), np.array(1.19, np.float16), 3)]:
        if op == "sub" and (x.dtype == bool or y.dtype == bool):
            continue
        _same(*_both(lambda m, a, b: getattr(m, op)(a, b, alpha=alpha), x, y))


def test_xlogy_with_a_python_scalar_keeps_a_float16_tensor_dtype():
    for x in (np.array([0.5, 3.0], np.float16), np.array(3.0, np.float16)):  # 0-d too
        _same(*_both(lambda m, a: m.xlogy(a, 1.5), x))
        _same(*_both(lambda m, a: m.xlogy(2.0, a), x))


@pytest.mark.parametrize("fn", [lambda m, a, b: m.fmod(a, b),
                                lambda m, a, b: m.div(a, b, rounding_mode="trunc")])
def test_integer_fmod_and_trunc_division_by_zero_raise(fn):
    a, b = ag.tensor([3, 4]), ag.tensor([1, 0])
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        fn(ag, a, b)
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        fn(ag, a, 0)
    fn(ag, ag.tensor([1.0]), ag.tensor([0.0]))  # floats do not raise
    assert ag.div(ag.tensor([2**40 + 1, -7]), 3, rounding_mode="trunc").tolist() == [366503875925, -2]


@pytest.mark.parametrize("fn", [lambda m, a, b: m.floor_divide(a, b), lambda m, a, b: m.remainder(a, b),
                                lambda m, a, b: m.fmod(a, b)])
def test_integer_division_by_zero_over_an_empty_result_does_not_raise(fn):
    t, a = _both(fn, np.zeros((0,), np.int16), np.array([0], np.int16))
    assert tuple(a.shape) == tuple(t.shape) == (0,)


@pytest.mark.parametrize("fn", [lambda m, x: x * 1e-7, lambda m, x: 1e-7 * x, lambda m, x: x / 1e5,
                                lambda m, x: 1e5 / x, lambda m, x: x * 2**33, lambda m, x: m.mul(x, 1e-7),
                                lambda m, x: x * m.tensor(1e-7),
                                lambda m, x: x / m.tensor(3.3, dtype=m.float64),
                                lambda m, x: x * m.tensor(100000), lambda m, x: m.tensor(1e-7) * x])
def test_float16_times_or_over_a_scalar_reads_the_scalar_in_float32(fn):
    # PyTorch's CPU kernels take a scalar operand unrounded, in float32: float16 x / 1e5 is not 0
    # (1e5 is inf in float16) and x * 1e-7 is not 19% off (1e-7 is the subnormal 1.19e-7 there)
    x = np.array([1000.0, 3.0, 0.1, 7.0, 0.0, -0.0], np.float16)
    t, a = _both(fn, x)
    assert a.dtype == ag.float16
    np.testing.assert_array_equal(a.numpy(), t.numpy())
    xg = ag.tensor(x[:4], requires_grad=True)
    fn(ag, xg).sum().backward()
    assert xg.grad.dtype == ag.float16


@pytest.mark.parametrize("op", ["floordiv", "mod", "pow", "and", "or", "xor"])
def test_augmented_assignments_write_in_place(op):
    # without __ifloordiv__ & co. Python rebound x to a new tensor: a view or alias kept the old values
    for m in (torch, ag):
        x = m.tensor([5, 7, 9])
        alias, view = x, x[1:]
        expect = getattr(operator, op + "_" * (op in ("and", "or")))(x.clone(), 2).tolist()
        x = getattr(operator, "i" + op)(x, 2)  # x op= 2
        assert x is alias and alias.tolist() == expect and view.tolist() == expect[1:]


def test_in_place_ops_cast_within_a_category_and_take_a_rounding_mode():
    for m in (torch, ag):
        x = m.tensor([7, 1, 250], dtype=m.uint8)
        x += m.tensor([-2, 3, 10], dtype=m.int8)  # int16 result, same category: wraps into uint8
        assert x.tolist() == [5, 4, 4] and x.dtype == m.uint8
        x.bitwise_or_(m.tensor([8, 0, 0], dtype=m.int16))
        assert x.tolist() == [13, 4, 4]
        y = m.tensor([-7, 7])
        y.div_(2, rounding_mode="trunc")
        assert y.tolist() == [-3, 3]
        y.div_(2, rounding_mode="floor")
        assert y.tolist() == [-2, 1]
        with pytest.raises(RuntimeError):
            y.div_(2)  # a float result cannot be written into int64


def test_clamp_with_tensor_bounds_takes_the_result_dtype_of_all_three():
    cases = [(np.array([5, 4, -3], np.int8), np.array(-1, np.int16), np.array(4)),          # int8
             (np.array([[1.7, 5.6, 3.5]], np.float32), np.array(3.0), np.array([[2.0], [-0.0]], np.float32)),
             (np.array(4.4, np.float16), np.array([[False], [False]]), np.array(1.2)),        # float64
             (np.array([1, 5, 9], np.int8), np.array(np.nan), np.array(4))]                  # NaN bound
    for x, lo, hi in cases:
        _same(*_both(lambda m, a, b, c: m.clamp(a, b, c), x, lo, hi))
    _same(*_both(lambda m, a, b: m.clamp(a, max=b), np.array([7, 3, -1]), np.array([0.5, np.nan, 2.0])))


def test_addcmul_addcdiv_dtype_and_integer_value_as_pytorch():
    ints = (np.array([1, 0, 1], np.uint8), np.array([-6, 7, 0], np.int32), np.array([[7], [2]], np.uint8))
    _same(*_both(lambda m, a, b, c: m.addcmul(a, b, c, value=0.5), *ints))   # int32, value truncated to 0
    _same(*_both(lambda m, a, b, c: m.addcmul(a, b, c, value=-1.7), *ints))  # value -1
    mixed = (np.array([True, False]), np.array(3), np.array([[-6, -3]], np.int16))
    _same(*_both(lambda m, a, b, c: m.addcmul(a, b, c, value=2), *mixed))    # int16 (0-d int64 is a scalar)
    with pytest.raises(RuntimeError, match="Integer division with addcdiv"):
        ag.addcdiv(ag.tensor([1.0, 2.0]), ag.tensor([1, 2]), ag.tensor([3, 4]))


def test_trunc_division_has_a_zero_gradient_and_remainder_zeros_take_the_dividends_sign():
    # the trunc quotient's gradient went through a / b: 0 * inf = NaN where b is 0 or tiny
    for b in (ag.tensor([1e-300, 2.0, 0.0], dtype=ag.float64, requires_grad=True), 0.0):
        a = ag.tensor([-0.4, 3.0, 1.0], dtype=ag.float64, requires_grad=True)
        ag.div(a, b, rounding_mode="trunc").sum().backward()
        assert a.grad.tolist() == [0.0, 0.0, 0.0]
        if isinstance(b, ag.Tensor):
            assert b.grad.tolist() == [0.0, 0.0, 0.0]
    # remainder: -1 % 1 is -0.0 and 0 % -2 is 0.0 in PyTorch (NumPy's signs follow the divisor)
    x = np.array([-1.0, -2.0, 0.0, -0.0, 3.0])
    for fn in (lambda m, t: t % 1, lambda m, t: t % -2, lambda m, t: 0 % (t + 5)):
        t, a = _both(fn, x)
        np.testing.assert_array_equal(np.signbit(a.numpy()), np.signbit(t.numpy()))


@pytest.mark.parametrize("op", ["floor", "ceil", "trunc", "round", "fix"])
def test_rounding_an_integer_tensor_returns_a_copy_and_bool_raises(op):
    x = ag.tensor([1, 2, 3])
    y = getattr(ag, op)(x)
    y += 1  # PyTorch's result is a new tensor: x must not change
    assert x.tolist() == [1, 2, 3] and y.tolist() == [2, 3, 4] and y.dtype == ag.int64
    with pytest.raises(NotImplementedError):
        getattr(ag, op)(ag.tensor([True, False]))


def test_round_with_decimals_and_frac_of_integers_raise_as_pytorch():
    with pytest.raises(NotImplementedError):
        ag.round(ag.tensor([15, 24]), decimals=-1)  # gave [0, 0] (PyTorch has no integer kernel)
    with pytest.raises(NotImplementedError):
        ag.frac(ag.tensor([1, 2], dtype=ag.uint8))
    assert ag.round(ag.tensor([1.25, 15.0]), decimals=-1).tolist() == [0.0, 20.0]


def test_bool_pow_and_remainder_and_negative_integer_powers_as_pytorch():
    t = np.array([True, False])
    for e in (True, False):  # bool ** bool stays bool (it was int8)
        _same(*_both(lambda m, a: a ** e, t))
    x = ag.tensor([True, False])
    x **= True
    assert x.dtype == ag.bool
    for fn in (lambda a: a ** a, lambda a: True ** a, lambda a: a % True, lambda a: a % a):
        with pytest.raises(NotImplementedError):
            fn(ag.tensor([True, False]))
    with pytest.raises(RuntimeError, match="negative integer powers"):
        ag.zeros(0, dtype=ag.int64) ** -1  # empty too, as PyTorch
