"""Direct tests against PyTorch for the breadth math ops: NaN and tie behaviour, dtypes, the
non-differentiable ones (heaviside, bincount, histc, promote_types ...) and bad-input errors.

The differentiable ops' values and gradients are in the op table (tests/op_table/math_more.py).
"""
from __future__ import annotations

import doctest
import math

import numpy as np
import pytest

import autograd as ag

torch = pytest.importorskip("torch")

NAN, INF = math.nan, math.inf
DTYPES = {"float16": torch.float16, "float32": torch.float32, "float64": torch.float64, "int64": torch.int64,
          "int32": torch.int32, "int16": torch.int16, "int8": torch.int8, "uint8": torch.uint8,
          "bool": torch.bool}


def _pair(data, dtype=None):
    """The same data as an autograd tensor and a torch tensor."""
    a = np.asarray(data, dtype=dtype)
    return ag.tensor(a, dtype=a.dtype), torch.from_numpy(a.copy())


def _same(got, want, rtol=1e-6, atol=1e-7):
    """``got`` (autograd) equals ``want`` (torch) in shape, dtype and values (NaN where NaN)."""
    if isinstance(want, (tuple, list)):
        assert len(got) == len(want)
        for g, w in zip(got, want):
            _same(g, w, rtol, atol)
        return
    assert str(got.dtype) == str(want.dtype).replace("torch.", ""), (got.dtype, want.dtype)
    assert tuple(got.shape) == tuple(want.shape)
    np.testing.assert_allclose(got.detach().numpy().astype(np.float64),
                               want.detach().numpy().astype(np.float64), rtol=rtol, atol=atol, equal_nan=True)


def _raises_like(fn_ag, fn_torch):
    """Both raise the same exception type with the same message."""
    with pytest.raises(Exception) as te:
        fn_torch()
    with pytest.raises(type(te.value)) as ae:
        fn_ag()
    assert str(ae.value) == str(te.value), (str(ae.value), str(te.value))


# ---------------------------------------------------------------- ops/math_more.py
@pytest.mark.parametrize("name", ["fmax", "fmin"])
def test_fmax_fmin_nan_and_ties_against_torch(name):
    a, ta = _pair([1.0, NAN, 3.0, NAN, 2.0, -0.0])
    b, tb = _pair([NAN, 2.0, 3.0, NAN, 2.0, 0.0])
    a.requires_grad_(True)
    b.requires_grad_(True)
    ta.requires_grad_(True)
    tb.requires_grad_(True)
    y, ty = getattr(ag, name)(a, b), getattr(torch, name)(ta, tb)
    _same(y, ty.detach())
    g = np.arange(1.0, 7.0)
    y.backward(ag.tensor(g))
    ty.backward(torch.tensor(g, dtype=torch.float64))
    np.testing.assert_array_equal(a.grad.numpy(), ta.grad.numpy())
    np.testing.assert_array_equal(b.grad.numpy(), tb.grad.numpy())


@pytest.mark.parametrize("name", ["fmax", "fmin"])
@pytest.mark.parametrize("da,db", [("int64", "int64"), ("bool", "bool"), ("int32", "float32"),
                                   ("float16", "float32"), ("uint8", "int8")])
def test_fmax_fmin_dtypes(name, da, db):
    a, ta = _pair([1, 0, 3], da)
    b, tb = _pair([0, 2, 3], db)
    _same(getattr(ag, name)(a, b), getattr(torch, name)(ta, tb))


def test_logaddexp_infinities_and_dtypes():
    for xs, ys in [([1000.0, -INF, INF, -INF, NAN], [1000.0, -INF, 1.0, 3.0, 1.0])]:
        for name in ("logaddexp", "logaddexp2"):
            a, ta = _pair(xs, "float32")
            b, tb = _pair(ys, "float32")
            with np.errstate(all="ignore"):
                _same(getattr(ag, name)(a, b), getattr(torch, name)(ta, tb))
    a, ta = _pair([1.0, 2.0], "float16")
    _same(ag.logaddexp(a, a), torch.logaddexp(ta, ta), rtol=1e-3)


def test_unary_dtypes_against_torch():
    for dtype in ("int64", "bool", "float16", "float64", "uint8"):
        a, ta = _pair([0, 1, 2, 0], dtype)
        for name in ("sgn", "deg2rad", "rad2deg", "sinc"):
            if name == "sinc" and dtype == "float16":
                continue
            _same(getattr(ag, name)(a), getattr(torch, name)(ta), rtol=1e-3)
        if dtype != "bool":
            _same(ag.positive(a), torch.positive(ta))
    x = ag.tensor([1.0, 2.0])
    assert ag.positive(x) is x


def test_sinc_at_zero_and_its_gradient():
    x = ag.tensor([0.0, 1e-20, 0.5, -2.0], dtype=ag.float64, requires_grad=True)
    tx = torch.tensor([0.0, 1e-20, 0.5, -2.0], dtype=torch.float64, requires_grad=True)
    y, ty = ag.sinc(x), torch.sinc(tx)
    _same(y.detach(), ty.detach())
    y.sum().backward()
    ty.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), atol=1e-12)


def test_copysign_dtypes_signed_zero_and_nan():
    a, ta = _pair([1.0, -2.0, NAN, 0.0], "float32")
    for other in (-0.0, 0.0, -2, 3):
        _same(ag.copysign(a, other), torch.copysign(ta, other))
    b, tb = _pair([-0.0, 0.0, -NAN, -1.0], "float32")
    _same(ag.copysign(a, b), torch.copysign(ta, tb))
    i, ti = _pair([1, -2, 3], "int64")
    _same(ag.copysign(i, i), torch.copysign(ti, ti))
    _same(ag.copysign(i, -2), torch.copysign(ti, -2))
    h, th = _pair([1.0, 2.0], "float16")
    f, tf_ = _pair([-1.0], "float32")
    _same(ag.copysign(h, f), torch.copysign(th, tf_))
    # the gradient: to ``input`` only, 0 where ``input`` is 0
    x = ag.tensor([2.0, 0.0, -3.0], dtype=ag.float64, requires_grad=True)
    tx = torch.tensor([2.0, 0.0, -3.0], dtype=torch.float64, requires_grad=True)
    ag.copysign(x, -1.0).sum().backward()
    torch.copysign(tx, -1.0).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), tx.grad.numpy())


def test_float_power_is_float64():
    for dtype in ("int64", "float16", "float32"):
        a, ta = _pair([1, 2, 3], dtype)
        _same(ag.float_power(a, 2), torch.float_power(ta, 2))
        _same(ag.float_power(a, 2.5), torch.float_power(ta, 2.5))
        _same(ag.float_power(a, a), torch.float_power(ta, ta))
        _same(ag.float_power(2, a), torch.float_power(2, ta))
        _same(a.float_power(0.5), ta.float_power(0.5))
    x = ag.tensor([1.5, 2.0], requires_grad=True)
    ag.float_power(x, 3).sum().backward()
    assert x.grad.dtype == ag.float32
    np.testing.assert_allclose(x.grad.numpy(), 3 * np.array([1.5, 2.0]) ** 2, rtol=1e-6)


def test_heaviside_against_torch():
    x, tx = _pair([-1.5, 0.0, 2.0, NAN, -0.0, INF], "float32")
    v, tv = _pair([0.25], "float32")
    _same(ag.heaviside(x, v), torch.heaviside(tx, tv))
    _same(x.heaviside(v), tx.heaviside(tv))
    v2, tv2 = _pair([[7.0], [8.0]], "float32")
    _same(ag.heaviside(x, v2), torch.heaviside(tx, tv2))
    i, ti = _pair([-2, 0, 3], "int64")
    vi, tvi = _pair(5, "int64")
    _same(ag.heaviside(i, vi), torch.heaviside(ti, tvi))
    x.requires_grad_(True)
    assert not ag.heaviside(x, v).requires_grad


def test_math_more_errors_match_torch():
    f, tf_ = _pair([1.0, 2.0], "float32")
    i, ti = _pair([1, 2], "int64")
    b, tb = _pair([True, False])
    _raises_like(lambda: ag.fmax(f, 2.0), lambda: torch.fmax(tf_, 2.0))
    _raises_like(lambda: ag.fmin(f, 2.0), lambda: torch.fmin(tf_, 2.0))
    _raises_like(lambda: ag.logaddexp(f, 2.0), lambda: torch.logaddexp(tf_, 2.0))
    _raises_like(lambda: ag.logaddexp(i, i), lambda: torch.logaddexp(ti, ti))
    _raises_like(lambda: ag.logaddexp2(i, i), lambda: torch.logaddexp2(ti, ti))
    _raises_like(lambda: ag.positive(b), lambda: torch.positive(tb))
    _raises_like(lambda: ag.heaviside(f, 0.5), lambda: torch.heaviside(tf_, 0.5))
    _raises_like(lambda: ag.heaviside(i, ag.tensor(0.5)), lambda: torch.heaviside(ti, torch.tensor(0.5)))


def test_docstring_examples():
    from autograd.ops import math_more

    modules = [math_more]
    for name in ("nan_reduce", "stats", "counting", "linalg_norm"):
        try:
            modules.append(__import__(f"autograd.ops.{name}", fromlist=[name]))
        except ImportError:
            pass
    for mod in modules:
        result = doctest.testmod(mod, extraglobs={"ag": ag}, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert result.failed == 0, mod.__name__
