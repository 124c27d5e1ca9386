"""Direct tests against PyTorch for the breadth math ops: NaN and tie behaviour, dtypes, the
non-differentiable ones (heaviside, bincount, histc, promote_types ...) and bad-input errors.

The differentiable ops' values and gradients are in the op table (tests/op_table/math_more.py).
"""
from __future__ import annotations

import doctest
import math
import warnings

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
    from autograd.ops import counting, cum_diff, dtype_rules, linalg_norm, math_more, nan_reduce, stats

    for mod in (math_more, nan_reduce, cum_diff, stats, counting, dtype_rules, linalg_norm):
        result = doctest.testmod(mod, extraglobs={"ag": ag}, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert result.failed == 0, mod.__name__


# ---------------------------------------------------------------- ops/nan_reduce.py, ops/cum_diff.py
def test_nansum_nanmean_against_torch():
    data = [[1.0, NAN, 3.0], [NAN, NAN, NAN]]
    for dtype in ("float32", "float64", "float16"):
        x, tx = _pair(data, dtype)
        for kw in ({}, {"dim": 1}, {"dim": 0, "keepdim": True}, {"dim": (0, 1)}, {"dtype": torch.float64}):
            akw = dict(kw, dtype=ag.float64) if "dtype" in kw else kw
            _same(ag.nansum(x, **akw), torch.nansum(tx, **kw), rtol=1e-3)
            _same(ag.nanmean(x, **akw), torch.nanmean(tx, **kw), rtol=1e-3)
    for dtype in ("int64", "int8", "uint8", "bool"):
        x, tx = _pair([[1, 0, 1], [1, 1, 0]], dtype)
        _same(ag.nansum(x), torch.nansum(tx))
        _same(x.nansum(1), tx.nansum(1))
    x, tx = _pair([100, 100, 100], "int8")
    _same(ag.nansum(x, dtype=ag.int8), torch.nansum(tx, dtype=torch.int8))
    e, te = _pair(np.zeros((0, 2)), "float32")
    _same(ag.nansum(e), torch.nansum(te))
    _same(ag.nanmean(e), torch.nanmean(te))
    _same(ag.nanmean(e, 0), torch.nanmean(te, 0))


def test_nansum_nanmean_gradients_at_nan():
    data = [[1.0, NAN, 3.0], [NAN, 2.0, 5.0]]
    x = ag.tensor(data, dtype=ag.float64, requires_grad=True)
    tx = torch.tensor(data, dtype=torch.float64, requires_grad=True)
    (ag.nansum(x, 1) * ag.tensor([1.0, 2.0], dtype=ag.float64)).sum().backward()
    (torch.nansum(tx, 1) * torch.tensor([1.0, 2.0], dtype=torch.float64)).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), tx.grad.numpy())
    x.grad = None
    tx.grad = None
    ag.nanmean(x, 0).sum().backward()
    torch.nanmean(tx, 0).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), tx.grad.numpy())


def test_std_var_mean_argument_forms():
    x, tx = _pair(np.arange(12.0).reshape(3, 4) ** 1.5, "float32")
    for args, kw in [((), {}), ((True,), {}), ((False,), {}), ((0,), {}), ((1, False, True), {}),
                     ((), {"dim": 1, "correction": 0, "keepdim": True}), (((0, 1),), {}),
                     ((), {"unbiased": False})]:
        _same(ag.std_mean(x, *args, **kw), torch.std_mean(tx, *args, **kw), rtol=1e-5)
        _same(ag.var_mean(x, *args, **kw), torch.var_mean(tx, *args, **kw), rtol=1e-5)
    assert type(ag.std_mean(x)) is tuple


def test_aminmax_against_torch():
    x, tx = _pair([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]], "float64")
    for kw in ({}, {"dim": 1}, {"dim": -2, "keepdim": True}, {"keepdim": True}):
        out, tout = ag.aminmax(x, **kw), torch.aminmax(tx, **kw)
        _same(tuple(out), tuple(tout))
        _same(out.min, tout.min)
        _same(out.max, tout.max)
        assert type(out).__name__ == "aminmax" and out._fields == ("min", "max")
    for data, dtype in (([NAN, 1.0], "float32"), ([True, False], "bool"), ([3, -1], "int32")):
        a, ta = _pair(data, dtype)
        _same(tuple(a.aminmax()), tuple(ta.aminmax()))
    s, ts = _pair(3.0, "float32")
    _same(tuple(ag.aminmax(s, dim=0)), tuple(torch.aminmax(ts, dim=0)))
    e, te = _pair(np.zeros((2, 0)), "float32")
    _same(tuple(ag.aminmax(e, dim=0)), tuple(torch.aminmax(te, dim=0)))
    # the gradient: ties share it evenly, as PyTorch
    xg = ag.tensor([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]], dtype=ag.float64, requires_grad=True)
    txg = torch.tensor([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]], dtype=torch.float64, requires_grad=True)
    for kw in ({}, {"dim": 1}):
        xg.grad, txg.grad = None, None
        lo, hi = ag.aminmax(xg, **kw)
        tlo, thi = torch.aminmax(txg, **kw)
        (lo + 10 * hi).sum().backward()
        (tlo + 10 * thi).sum().backward()
        np.testing.assert_array_equal(xg.grad.numpy(), txg.grad.numpy())


def test_logcumsumexp_against_torch():
    for data in ([-1000.0, 0.0, 0.0, 1000.0], [-INF, -INF, 1.0, INF], [1.0, NAN, 2.0], [INF, 1.0]):
        x, tx = _pair(data, "float32")
        _same(ag.logcumsumexp(x, 0), torch.logcumsumexp(tx, 0))
    x, tx = _pair(np.linspace(-3, 3, 24).reshape(2, 3, 4), "float16")
    _same(x.logcumsumexp(-1), tx.logcumsumexp(-1), rtol=2e-3, atol=2e-3)
    s, ts = _pair(1.5, "float32")
    _same(ag.logcumsumexp(s, -1), torch.logcumsumexp(ts, -1))


def test_diff_dtypes_and_ends():
    for dtype in ("int64", "uint8", "bool", "float16", "int8"):
        x, tx = _pair([[1, 0, 4, 4], [0, 1, 1, 0]], dtype)
        for kw in ({}, {"n": 2}, {"dim": 0}, {"n": 5}, {"n": 0}):
            _same(ag.diff(x, **kw), torch.diff(tx, **kw))
    x, tx = _pair(np.arange(6.0).reshape(2, 3), "float32")
    p, tp = _pair(np.zeros((2, 1)), "int64")
    _same(ag.diff(x, append=p), torch.diff(tx, append=tp))
    _same(x.diff(2, 1, p, p), tx.diff(2, 1, tp, tp))


def test_ravel():
    x, tx = _pair(np.arange(6).reshape(2, 3), "int64")
    _same(ag.ravel(x.t()), torch.ravel(tx.t()))
    _same(ag.ravel(ag.tensor(2.0)), torch.ravel(torch.tensor(2.0)))


def test_reduce_and_scan_errors_match_torch():
    f, tf_ = _pair([1.0, 2.0], "float32")
    i, ti = _pair([1, 2], "int64")
    s, ts = _pair(1.0, "float32")
    m, tm = _pair(np.zeros((2, 3)), "float32")
    e, te = _pair(np.zeros((2, 0)), "float32")
    _raises_like(lambda: ag.nanmean(i), lambda: torch.nanmean(ti))
    _raises_like(lambda: ag.nanmean(i, dtype=ag.float32), lambda: torch.nanmean(ti, dtype=torch.float32))
    _raises_like(lambda: ag.nansum(1.0), lambda: torch.nansum(1.0))
    _raises_like(lambda: ag.var_mean(i), lambda: torch.var_mean(ti))
    _raises_like(lambda: ag.std_mean(i), lambda: torch.std_mean(ti))
    _raises_like(lambda: ag.aminmax(e), lambda: torch.aminmax(te))
    _raises_like(lambda: ag.aminmax(e, dim=-1), lambda: torch.aminmax(te, dim=-1))
    _raises_like(lambda: ag.aminmax(m, dim=2), lambda: torch.aminmax(tm, dim=2))
    _raises_like(lambda: ag.logcumsumexp(i, 0), lambda: torch.logcumsumexp(ti, 0))
    _raises_like(lambda: ag.logcumsumexp(m, 2), lambda: torch.logcumsumexp(tm, 2))
    _raises_like(lambda: ag.diff(s), lambda: torch.diff(ts))
    _raises_like(lambda: ag.diff(f, n=-1), lambda: torch.diff(tf_, n=-1))
    _raises_like(lambda: ag.diff(m, dim=2), lambda: torch.diff(tm, dim=2))
    _raises_like(lambda: ag.diff(m, prepend=1.0), lambda: torch.diff(tm, prepend=1.0))
    _raises_like(lambda: ag.diff(m, 1, 0, ag.zeros(3)), lambda: torch.diff(tm, 1, 0, torch.zeros(3)))
    _raises_like(lambda: ag.diff(m, 1, 0, ag.zeros(1, 2)), lambda: torch.diff(tm, 1, 0, torch.zeros(1, 2)))


# ---------------------------------------------------------------- ops/stats.py
def test_dist_norms_and_dtypes():
    x, tx = _pair(np.arange(6.0).reshape(2, 3), "float32")
    y, ty = _pair([1.0, -1.0, 0.5], "float32")
    for p in (2, 1, 0, 0.5, float("inf"), float("-inf"), -1, 3):
        _same(ag.dist(x, y, p), torch.dist(tx, ty, p), rtol=1e-5)
    _same(ag.dist(x, x, -1), torch.dist(tx, tx, -1))
    h, th = _pair([1.0, 2.0], "float16")
    f, tf_ = _pair([0.0, 0.0], "float32")
    _same(ag.dist(h, f), torch.dist(th, tf_))


def test_cov_corrcoef_edges_and_dtypes():
    x, tx = _pair([[0.0, 1.0, 2.0], [2.0, 1.0, 0.5]], "float32")
    for kw in ({}, {"correction": 0}, {"correction": 2}):
        _same(ag.cov(x, **kw), torch.cov(tx, **kw), rtol=1e-5)
    _same(x.cov(fweights=ag.tensor([1, 2, 3])), tx.cov(fweights=torch.tensor([1, 2, 3])), rtol=1e-5)
    aw, taw = _pair([1.0, 2.0, 3.0], "float64")
    _same(ag.cov(x, aweights=aw, fweights=ag.tensor([3, 0, 1])),
          torch.cov(tx, aweights=taw, fweights=torch.tensor([3, 0, 1])), rtol=1e-5)
    for data, dtype in (([[0, 1, 2], [2, 1, 0]], "int64"), ([1.0, 2.0, 4.0], "float16"), (2.0, "float32"),
                        (np.zeros((2, 0)), "float32"), ([[1.0, 2.0, 4.0]], "float64")):
        a, ta = _pair(data, dtype)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # the degrees-of-freedom warning, checked below
            _same(ag.cov(a), torch.cov(ta), rtol=1e-3)
            _same(ag.corrcoef(a), torch.corrcoef(ta), rtol=1e-3)
    with pytest.warns(UserWarning, match=r"^cov\(\): degrees of freedom is <= 0") as caught:
        torch_value = torch.cov(tx, correction=5)
        value = ag.cov(x, correction=5)
    assert len(caught) == 2 and caught[0].message.args[0].startswith(caught[1].message.args[0])
    _same(value, torch_value)
    _same(x.corrcoef(), tx.corrcoef(), rtol=1e-5)


def test_block_diag_and_combinations_against_torch():
    parts = [([[1.0, 2.0]], "float32"), (3, "int64"), ([4, 5], "int32"), (np.zeros((0, 2)), "float64"),
             (np.zeros(0), "float32")]
    pairs = [_pair(d, t) for d, t in parts]
    _same(ag.block_diag(*[p[0] for p in pairs]), torch.block_diag(*[p[1] for p in pairs]))
    _same(ag.block_diag(pairs[1][0], pairs[2][0]), torch.block_diag(pairs[1][1], pairs[2][1]))
    _same(ag.block_diag(), torch.block_diag())
    v, tv = _pair([1, 2, 3, 4], "int64")
    for r in (0, 1, 2, 3, 5):
        for rep in (False, True):
            _same(ag.combinations(v, r, rep), torch.combinations(tv, r, rep))
    e, te = _pair(np.zeros(0), "float32")
    _same(ag.combinations(e), torch.combinations(te))


def test_stats_errors_match_torch():
    x, tx = _pair([[0.0, 1.0, 2.0], [2.0, 1.0, 0.5]], "float32")
    i, ti = _pair([1, 2], "int64")
    c, tc = _pair(np.zeros((2, 2, 2)), "float32")
    _raises_like(lambda: ag.dist(i, i), lambda: torch.dist(ti, ti))
    _raises_like(lambda: ag.dist(x, 1.0), lambda: torch.dist(tx, 1.0))
    _raises_like(lambda: ag.cov(c), lambda: torch.cov(tc))
    _raises_like(lambda: ag.corrcoef(c), lambda: torch.corrcoef(tc))
    for kw in ({"fweights": [1.0, 2.0, 3.0]}, {"fweights": [1, -2, 3]}, {"fweights": [[1, 2, 3]]},
               {"fweights": [1, 2]}, {"aweights": [1.0, -2.0, 3.0]}, {"aweights": [1, 2, 3]},
               {"aweights": [1.0, 2.0]}):
        _raises_like(lambda: ag.cov(x, **{k: ag.tensor(v) for k, v in kw.items()}),
                     lambda: torch.cov(tx, **{k: torch.tensor(v) for k, v in kw.items()}))
    _raises_like(lambda: ag.block_diag(c), lambda: torch.block_diag(tc))
    _raises_like(lambda: ag.combinations(x), lambda: torch.combinations(tx))
    _raises_like(lambda: ag.combinations(i, -1), lambda: torch.combinations(ti, -1))


# ---------------------------------------------------------------- ops/counting.py, ops/dtype_rules.py
def test_bincount_against_torch():
    for dtype in ("int64", "int32", "int16", "int8", "uint8"):
        i, ti = _pair([1, 3, 1, 0], dtype)
        _same(ag.bincount(i), torch.bincount(ti))
        _same(i.bincount(minlength=7), ti.bincount(minlength=7))
        for wdtype in ("float32", "float64", "float16", "int64", "int32", "bool"):
            w, tw = _pair([1, 0, 3, 4], wdtype)
            _same(ag.bincount(i, w), torch.bincount(ti, tw))
    e, te = _pair(np.zeros(0, dtype=np.int64))
    _same(ag.bincount(e), torch.bincount(te))
    _same(ag.bincount(e, minlength=3), torch.bincount(te, minlength=3))
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    assert not ag.bincount(ag.tensor([0, 1]), w).requires_grad


def test_histc_against_torch():
    rng = np.random.default_rng(0)
    data = rng.standard_normal(200)
    for dtype, rtol in (("float32", 0), ("float64", 0), ("float16", 0)):
        x, tx = _pair(data, dtype)
        for kw in ({}, {"bins": 7}, {"bins": 10, "min": -1, "max": 1}, {"bins": 3, "min": 0.1, "max": 0.9},
                   {"bins": 5, "min": 2, "max": 2}):
            _same(ag.histc(x, **kw), torch.histc(tx, **kw), rtol=rtol, atol=0)
    # elements on bin edges, outside the range, the range of one value, an empty input
    for values, kw in (([0.0, 1.0, 2.0, 3.0], {"bins": 3, "min": 0, "max": 3}),
                       ([1.0, 2, 3, 0.1, 0.2, 0.3, 0.7], {"bins": 7, "min": 0.1, "max": 1.0}),
                       ([1.0, 2, 1, 5, -1], {"bins": 4, "min": 0, "max": 3}), ([1.0, 1.0], {"bins": 3}),
                       ([1.0, 2.0], {"bins": 3, "min": 1, "max": 1}), ([], {"bins": 3}),
                       ([[1.0, 2.0], [3.0, 4.0]], {"bins": 3})):
        x, tx = _pair(values, "float32")
        _same(ag.histc(x, **kw), torch.histc(tx, **kw), rtol=0, atol=0)
        _same(x.histc(**kw), tx.histc(**kw), rtol=0, atol=0)
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    assert not ag.histc(x, 3).requires_grad


def test_counting_errors_match_torch():
    i, ti = _pair([1, 3, 1, 0], "int64")
    f, tf_ = _pair([1.0, 2.0], "float32")
    for a, ta in (_pair([-1], "int64"), _pair([[1]], "int64")):
        _raises_like(lambda: ag.bincount(a), lambda: torch.bincount(ta))
    for a, ta in (_pair([1.0], "float32"), _pair([True], "bool")):
        _raises_like(lambda: ag.bincount(a), lambda: torch.bincount(ta))
    _raises_like(lambda: ag.bincount(i, minlength=-1), lambda: torch.bincount(ti, minlength=-1))
    _raises_like(lambda: ag.bincount(i, ag.tensor([1.0, 2.0])),
                 lambda: torch.bincount(ti, torch.tensor([1.0, 2.0])))
    _raises_like(lambda: ag.histc(i, 3), lambda: torch.histc(ti, 3))
    _raises_like(lambda: ag.histc(f, 0), lambda: torch.histc(tf_, 0))
    _raises_like(lambda: ag.histc(f, 2.5), lambda: torch.histc(tf_, 2.5))
    _raises_like(lambda: ag.histc(f, 3, 3, 1), lambda: torch.histc(tf_, 3, 3, 1))
    _raises_like(lambda: ag.histc(f, 3, 0, INF), lambda: torch.histc(tf_, 3, 0, INF))
    _raises_like(lambda: ag.histc(f, 3, NAN), lambda: torch.histc(tf_, 3, NAN))


def test_promote_types_and_can_cast_against_torch():
    names = list(DTYPES)
    for a in names:
        for b in names:
            da, db = getattr(ag, a), getattr(ag, b)
            ta, tb = DTYPES[a], DTYPES[b]
            want = str(torch.promote_types(ta, tb)).replace("torch.", "")
            assert str(ag.promote_types(da, db)) == want, (a, b)
            assert ag.can_cast(da, db) == torch.can_cast(ta, tb), (a, b)
    _raises_like(lambda: ag.promote_types(ag.int64, 1), lambda: torch.promote_types(torch.int64, 1))
    _raises_like(lambda: ag.can_cast(1, ag.int8), lambda: torch.can_cast(1, torch.int8))


def test_result_type_against_torch():
    operands = [(1, 1), (2.5, 2.5), (True, True)]
    for name in ("float16", "float32", "float64", "int64", "int32", "uint8", "bool"):
        for data in ([1], 1):
            operands.append(_pair(data, name))
    for a, ta in operands:
        for b, tb in operands:
            if not isinstance(a, ag.Tensor) and not isinstance(b, ag.Tensor) and isinstance(a, bool):
                continue  # torch.result_type(True, True) is not an accepted overload
            want = str(torch.result_type(ta, tb)).replace("torch.", "")
            assert str(ag.result_type(a, b)) == want, (a, b, want)
    with pytest.raises(TypeError, match=r"^result_type\(\) received an invalid combination of arguments"):
        ag.result_type(ag.tensor([1]), "a")


# ---------------------------------------------------------------- ops/linalg_norm.py
_A = np.arange(-4.0, 8.0).reshape(3, 4)
_NORM_CALLS = [
    lambda m, a, b: m.linalg.matrix_norm(a),
    lambda m, a, b: m.linalg.matrix_norm(a, 1),
    lambda m, a, b: m.linalg.matrix_norm(a, -1),
    lambda m, a, b: m.linalg.matrix_norm(a, INF),
    lambda m, a, b: m.linalg.matrix_norm(a, -INF),
    lambda m, a, b: m.linalg.matrix_norm(b, 1, dim=(0, 2)),
    lambda m, a, b: m.linalg.matrix_norm(b, INF, dim=(2, 0), keepdim=True),
    lambda m, a, b: m.linalg.matrix_norm(b, -1, dim=(2, 0), keepdim=True),
    lambda m, a, b: m.linalg.matrix_norm(b, -INF, dim=(-1, -3)),
    lambda m, a, b: m.linalg.matrix_norm(a, dtype=m.float64),
    lambda m, a, b: m.linalg.matrix_norm(a.half(), 1, dtype=m.float32),
    lambda m, a, b: m.linalg.matrix_norm(m.zeros(0, 3), 1),
    lambda m, a, b: m.linalg.matrix_norm(m.zeros(3, 0), 1),
    lambda m, a, b: m.linalg.matrix_norm(m.zeros(2, 0, 3), INF, keepdim=True),
    lambda m, a, b: m.linalg.matrix_norm(m.zeros(0, 3)),
    lambda m, a, b: m.linalg.matrix_norm(a, 1.0),
    lambda m, a, b: m.linalg.matrix_norm(a, True),
    lambda m, a, b: m.linalg.matrix_norm(a, dim=[0, 1]),
    lambda m, a, b: m.linalg.norm(a),
    lambda m, a, b: m.linalg.norm(b),
    lambda m, a, b: m.linalg.norm(a, "fro"),
    lambda m, a, b: m.linalg.norm(a[0], 3),
    lambda m, a, b: m.linalg.norm(a, 1),
    lambda m, a, b: m.linalg.norm(a, -INF),
    lambda m, a, b: m.linalg.norm(a, INF, dim=1),
    lambda m, a, b: m.linalg.norm(a, None, dim=(0, 1)),
    lambda m, a, b: m.linalg.norm(a, dim=[1]),
    lambda m, a, b: m.linalg.norm(m.tensor(3.0)),
    lambda m, a, b: m.linalg.norm(a, dtype=m.float64),
    lambda m, a, b: m.linalg.norm(b, 1, dim=(2, 1), keepdim=True),
    lambda m, a, b: m.linalg.norm(b, 0.5, dim=2),
    lambda m, a, b: m.linalg.norm(a[0], 0),
    lambda m, a, b: m.linalg.norm(a, dim=1, keepdim=True),
]
_NORM_ERRORS = [
    lambda m, a, b: m.linalg.matrix_norm(a, 3),
    lambda m, a, b: m.linalg.matrix_norm(a, "abc"),
    lambda m, a, b: m.linalg.matrix_norm(a[0]),
    lambda m, a, b: m.linalg.matrix_norm(a, dim=(0, 0)),
    lambda m, a, b: m.linalg.matrix_norm(a, dim=(0, 2)),
    lambda m, a, b: m.linalg.matrix_norm(a.long()),
    lambda m, a, b: m.linalg.matrix_norm(a, dtype=m.int64),
    lambda m, a, b: m.linalg.matrix_norm(a, dim=(0, 1, 1)),
    lambda m, a, b: m.linalg.matrix_norm(a, dim=(0,)),
    lambda m, a, b: m.linalg.matrix_norm(a, "fro", dim=(-1, 1)),
    lambda m, a, b: m.linalg.norm(b, 2),
    lambda m, a, b: m.linalg.norm(a[0], "fro"),
    lambda m, a, b: m.linalg.norm(a, "fro", dim=1),
    lambda m, a, b: m.linalg.norm(a, 0, dim=(0, 1)),
    lambda m, a, b: m.linalg.norm(a.long()),
    lambda m, a, b: m.linalg.norm(a, dim=(0, 1, 1)),
    lambda m, a, b: m.linalg.norm(a, 1, dim=(0, 1, 1)),
    lambda m, a, b: m.linalg.norm(m.tensor(3.0), 2),
    lambda m, a, b: m.linalg.norm(a, 2.5, dim=(0, 1)),
    lambda m, a, b: m.linalg.norm(a.long(), dtype=m.float64),
    lambda m, a, b: m.linalg.norm(b, "abc", dim=1),
    lambda m, a, b: m.linalg.norm(a, 0),
]


def _norm_operands(module):
    a = _A.astype(np.float32)
    if module is torch:
        return torch.from_numpy(a), torch.from_numpy(a.reshape(3, 2, 2).copy())
    return ag.tensor(a), ag.tensor(a.reshape(3, 2, 2))


@pytest.mark.parametrize("k", range(len(_NORM_CALLS)))
def test_linalg_norms_against_torch(k):
    _same(_NORM_CALLS[k](ag, *_norm_operands(ag)), _NORM_CALLS[k](torch, *_norm_operands(torch)), rtol=1e-6)


@pytest.mark.parametrize("k", range(len(_NORM_ERRORS)))
def test_linalg_norm_errors_match_torch(k):
    _raises_like(lambda: _NORM_ERRORS[k](ag, *_norm_operands(ag)),
                 lambda: _NORM_ERRORS[k](torch, *_norm_operands(torch)))


def test_linalg_norm_ties_share_the_gradient_as_torch():
    data = [[1.0, -2.0, 3.0], [-3.0, 2.0, 1.0], [0.0, 2.0, -2.0]]  # equal column and row sums, a zero
    for ord in (1, -1, INF, -INF, "fro"):
        x = ag.tensor(data, dtype=ag.float64, requires_grad=True)
        tx = torch.tensor(data, dtype=torch.float64, requires_grad=True)
        ag.linalg.matrix_norm(x, ord).backward()
        torch.linalg.matrix_norm(tx, ord).backward()
        np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12, err_msg=str(ord))


def test_tensor_norm_nuc_is_the_nuclear_matrix_norm():
    # x.norm('nuc') raised NotImplementedError; PyTorch gives linalg.matrix_norm(x, 'nuc', dim)
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    a = rng.standard_normal((2, 3, 4))
    for dim, keepdim in (((0, 2), False), ((0, 2), True), ((-2, -1), False)):
        x = ag.tensor(a, requires_grad=True)
        tx = torch.tensor(a, requires_grad=True)
        y, ty = ag.norm(x, "nuc", dim, keepdim), torch.norm(tx, "nuc", dim, keepdim)
        np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-12)
        y.sum().backward()
        ty.sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-10)
    m = ag.tensor(a[0])
    np.testing.assert_allclose(m.norm("nuc").item(), torch.tensor(a[0]).norm("nuc").item(), rtol=1e-12)
    with pytest.raises(RuntimeError, match="dim must be a 2-tuple"):
        ag.tensor(a).norm("nuc")
    with pytest.raises(RuntimeError, match="Order abc not supported"):
        m.norm("abc")


def test_block_diag_gradient_after_an_empty_block():
    # an empty 1-D block is a (1, 0) matrix: it takes a row, so the scalar after it sits at [1, 0]
    # (PyTorch 2.13 places it there in the forward but reads its gradient from [0, 0])
    e = ag.zeros(0, dtype=ag.float64, requires_grad=True)
    s = ag.tensor(5.0, dtype=ag.float64, requires_grad=True)
    out = ag.block_diag(e, s)
    np.testing.assert_array_equal(out.detach().numpy(), [[0.0], [5.0]])
    out.backward(ag.tensor([[1.0], [2.0]], dtype=ag.float64))
    assert s.grad.item() == 2.0 and e.grad.shape == (0,)


def test_sinc_gradient_near_zero_is_finite_and_accurate():
    # the quotient's gradient overflowed to -inf below ~1e-150 and lost its digits near 0; the
    # derivative there is -pi^2 x / 3
    x = ag.tensor([1e-300, 1e-170, 1e-8, 1e-5], dtype=ag.float64, requires_grad=True)
    ag.sinc(x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), -np.pi ** 2 * x.detach().numpy() / 3, rtol=1e-9)
