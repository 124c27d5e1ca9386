"""dtype promotion (PyTorch's rules, checked against PyTorch) and dtype conversions."""
from __future__ import annotations

import numpy as np
import pytest

import autograd as ag

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
SCALARS = [True, 3, 2.5]
OPS = {
    "add": lambda a, b: a + b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "maximum": None,  # filled per library (a function, not an operator)
}


def _operands(lib, torch):
    """(label, builder) pairs: dimensioned tensors, 0-d tensors and Python scalars."""
    out = []
    for name in DTYPES:
        for shape in ((2,), ()):
            label = f"{name}{list(shape)}"
            out.append((label, ("tensor", name, shape)))
    for s in SCALARS:
        out.append((repr(s), ("scalar", s)))
    return out


def _build(spec, lib, device=None):
    if spec[0] == "scalar":
        return spec[1]
    _, name, shape = spec
    values = np.ones(shape, dtype=name)
    if lib == "ag":
        return ag.tensor(values, dtype=getattr(ag, name), device=device)
    import torch

    return torch.tensor(values, dtype=getattr(torch, name))


def _name(dtype):
    return str(dtype).replace("torch.", "")


@pytest.mark.parametrize("op", ["add", "mul", "div"])
def test_binary_promotion_matches_torch(op, device):
    torch = pytest.importorskip("torch")
    fn = OPS[op]
    specs = _operands("ag", torch)
    mismatches = []
    for la, a in specs:
        for lb, b in specs:
            if a[0] == "scalar" and b[0] == "scalar":
                continue
            try:
                expected = _name(fn(_build(a, "torch"), _build(b, "torch")).dtype)
            except RuntimeError:
                continue  # an operation PyTorch refuses
            got = fn(_build(a, "ag", device), _build(b, "ag", device))
            if got.dtype.name != expected:
                mismatches.append(f"{la} {op} {lb}: {got.dtype.name}, torch gives {expected}")
    assert not mismatches, "\n".join(mismatches)


def test_maximum_promotion_matches_torch(device):
    torch = pytest.importorskip("torch")
    mismatches = []
    for a in DTYPES:
        for b in DTYPES:
            ta, tb = (torch.ones(2, dtype=getattr(torch, n)) for n in (a, b))
            expected = _name(torch.maximum(ta, tb).dtype)
            got = ag.maximum(ag.ones(2, dtype=getattr(ag, a), device=device),
                             ag.ones(2, dtype=getattr(ag, b), device=device)).dtype.name
            if got != expected:
                mismatches.append(f"maximum({a}, {b}): {got}, torch gives {expected}")
    assert not mismatches, "\n".join(mismatches)


@pytest.mark.parametrize("fn", ["exp", "sqrt", "sigmoid", "tanh"])
@pytest.mark.parametrize("dtype", ["bool", "uint8", "int32", "int64", "float16", "float32", "float64"])
def test_unary_float_result_dtype(fn, dtype, device):
    torch = pytest.importorskip("torch")
    expected = _name(getattr(torch, fn)(torch.ones(2, dtype=getattr(torch, dtype))).dtype)
    got = getattr(ag, fn)(ag.ones(2, dtype=getattr(ag, dtype), device=device)).dtype.name
    assert got == expected


def test_documented_cases(device):
    f32 = ag.ones(3, device=device)
    assert f32.dtype == ag.float32
    assert (f32 * 2.5).dtype == ag.float32  # Python scalars do not widen a float tensor
    assert (f32 + ag.tensor(1.0, dtype=ag.float64, device=device)).dtype == ag.float32  # 0-d
    assert (f32 + ag.ones(3, dtype=ag.float64, device=device)).dtype == ag.float64
    i64 = ag.arange(3, device=device)
    assert i64.dtype == ag.int64
    assert (i64 * 2).dtype == ag.int64
    assert (i64 * 2.5).dtype == ag.float32  # int tensor with a float scalar: the default dtype
    assert (i64 / 2).dtype == ag.float32  # true division of integers
    assert (i64 // 2).dtype == ag.int64
    assert (i64 + ag.ones(3, dtype=ag.float16, device=device)).dtype == ag.float16
    assert (i64 + ag.tensor(1.5, dtype=ag.float64, device=device)).dtype == ag.float64
    b = ag.tensor([True, False], device=device)
    assert (b + b).dtype == ag.bool and (b + 1).dtype == ag.int64 and (b * 1.5).dtype == ag.float32


def test_default_dtype_changes_float_results(device):
    ag.set_default_dtype(ag.float64)
    try:
        assert ag.get_default_dtype() == ag.float64
        assert ag.ones(2, device=device).dtype == ag.float64
        assert ag.tensor([1.5]).dtype == ag.float64
        assert (ag.arange(3, device=device) * 0.5).dtype == ag.float64
        assert ag.ones(2, dtype=ag.float32, device=device).dtype == ag.float32
    finally:
        ag.set_default_dtype(ag.float32)
    assert ag.ones(2).dtype == ag.float32
    with pytest.raises(TypeError, match="floating"):
        ag.set_default_dtype(ag.int64)


def test_casts_and_gradients_through_casts(device):
    x = ag.tensor([1.5, -2.25], dtype=ag.float64, device=device, requires_grad=True)
    y = x.float()
    assert y.dtype == ag.float32 and y.requires_grad
    (y * 2).sum().backward()
    assert x.grad.dtype == ag.float64 and x.grad.tolist() == [2.0, 2.0]
    assert x.double() is x  # a no-op cast returns the same tensor
    assert x.detach().long().tolist() == [1, -2] and x.detach().long().dtype == ag.int64
    assert x.detach().bool().dtype == ag.bool
    assert x.detach().half().dtype == ag.float16
    assert x.detach().int().dtype == ag.int32
    assert x.detach().type_as(ag.ones(1, dtype=ag.float16)).dtype == ag.float16
    assert x.detach().to(ag.float32).dtype == ag.float32


def test_dtype_aliases():
    assert ag.float is ag.float32 or ag.float == ag.float32
    assert ag.double == ag.float64 and ag.long == ag.int64 and ag.half == ag.float16
    assert ag.int == ag.int32
    assert ag.tensor([1, 2], dtype=float).dtype == ag.float64  # Python float means float64 here
    assert ag.tensor([1, 2]).dtype == ag.int64
    assert ag.tensor([True]).dtype == ag.bool
    assert ag.tensor([1.0, 2]).dtype == ag.float32


@pytest.mark.parametrize("dtype", DTYPES)
def test_triangles_and_diagonals_keep_the_dtype(dtype, device):
    # they filled with the number 0, which made a bool result int64: a tril'd mask then indexed by
    # position (x[mask] of shape (3, 3, 3)) and ~mask gave -1 / -2
    a = (np.arange(9).reshape(3, 3) % 2).astype(dtype)
    x = ag.tensor(a, device=device)
    for name, got, expected in [
        ("tril", x.tril(), np.tril(a)), ("triu", ag.triu(x, 1), np.triu(a, 1)),
        ("diag", ag.diag(x[0]), np.diag(a[0])), ("diag_embed", ag.diag_embed(x[:2], 1),
                                                 np.stack([np.diag(r, 1) for r in a[:2]])),
    ]:
        assert got.dtype == x.dtype, name
        np.testing.assert_array_equal(got.cpu().numpy(), expected, err_msg=name)
    y = x.clone()
    y.tril_()
    assert y.dtype == x.dtype
    np.testing.assert_array_equal(y.cpu().numpy(), np.tril(a))
    if dtype == "bool":
        m = ag.ones(3, 3, dtype=ag.bool, device=device).tril()
        assert ag.arange(9.0, device=device).reshape(3, 3)[m].shape == (6,)


def test_reductions_accumulate_in_the_dtype_asked_for(device):
    # an explicit small dtype was ignored: NumPy widened the sum to int64 / uint64 (250, not -6)
    x = ag.tensor([100, 100, 50], dtype=ag.int8, device=device)
    for got, value, dtype in [
        (x.sum(dtype=ag.int8), -6, ag.int8), (x.sum(dtype=ag.int32), 250, ag.int32),
        (x.prod(dtype=ag.int8), 32, ag.int8), (x.sum(), 250, ag.int64),
        (ag.tensor([[100, 100], [50, 1]], dtype=ag.uint8, device=device).sum(1, dtype=ag.uint8), [200, 51],
         ag.uint8),
        (ag.tensor([True, True], device=device).sum(dtype=ag.bool), True, ag.bool),
        (ag.tensor([True, True], device=device).sum(), 2, ag.int64),
        (x.cumsum(0, dtype=ag.int8), [100, -56, -6], ag.int8), (x.cumsum(0), [100, 200, 250], ag.int64),
    ]:
        assert got.dtype == dtype
        np.testing.assert_array_equal(got.cpu().numpy(), value)


def test_cumsum_accumulates_float16_in_float32_and_float32_in_float64(device):
    # it accumulated in the input's dtype: 2048 + 1 + 1 ... stayed 2048 in float16, and
    # 1e8 + eight 1s - 1e8 gave 0 in float32; PyTorch's CPU kernel gives 2052 and 8
    h = ag.tensor([2048.0, 1.0, 1.0, 1.0, 1.0], dtype=ag.float16, device=device)
    np.testing.assert_array_equal(h.cumsum(0).cpu().numpy(), [2048, 2048, 2050, 2052, 2052])
    f = ag.tensor([1e8] + [1.0] * 8 + [-1e8], dtype=ag.float32, device=device)
    assert f.cumsum(0).cpu().numpy()[-1] == 8.0 and f.cumsum(0).dtype == ag.float32
    big = ag.tensor([60000.0, 60000.0, -60000.0], dtype=ag.float16, device=device)
    np.testing.assert_array_equal(big.cumsum(0).cpu().numpy(), [60000, np.inf, 60000])
