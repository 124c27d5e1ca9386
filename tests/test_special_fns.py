"""The special functions (``ops/special_fns.py``, ``ag.special``) against PyTorch in float64: values at
ordinary, boundary, infinite and NaN points, gradients (and second derivatives), dtypes, errors, the
in-place forms, on every device; and what the CPU does without SciPy."""
from __future__ import annotations

import math
import sys

import numpy as np
import pytest

import autograd as ag

torch = pytest.importorskip("torch")
pytest.importorskip("scipy")

INF, NAN = math.inf, math.nan
SPECIAL = ["0.0", "-0.0", "1.0", "-1.0", "inf", "-inf", "nan"]
POINTS = [float(v) for v in SPECIAL] + [0.5, -0.5, 2.5, -2.5, -2.0, -3.0, 0.1, 1e-300, 7.0, -7.0, 30.0]


def pair(d, values, grad=True):
    a = ag.tensor(values, dtype=ag.float64, device=d, requires_grad=grad)
    t = torch.tensor(values, dtype=torch.float64, requires_grad=grad)
    return a, t


def same(ours, theirs, rtol=1e-10, atol=1e-12):
    np.testing.assert_allclose(ours.detach().cpu().numpy(), theirs.detach().numpy(), rtol=rtol, atol=atol,
                               equal_nan=True)


def grads(fn_ag, fn_t, a, t):
    (ga,) = ag.autograd.grad(fn_ag(a).sum(), [a])
    (gt,) = torch.autograd.grad(fn_t(t).sum(), [t])
    return ga, gt


UNARY = {  # ours, torch's
    "asinh": (ag.asinh, torch.asinh), "acosh": (ag.acosh, torch.acosh), "atanh": (ag.atanh, torch.atanh),
    "arcsinh": (ag.arcsinh, torch.arcsinh), "erfc": (ag.erfc, torch.erfc),
    "lgamma": (ag.lgamma, torch.lgamma),
    "digamma": (ag.digamma, torch.digamma), "i0": (ag.i0, torch.i0),
    "polygamma1": (lambda x: ag.polygamma(1, x), lambda x: torch.polygamma(1, x)),
    "polygamma0": (lambda x: ag.polygamma(0, x), lambda x: torch.polygamma(0, x)),
    "erfcx": (ag.special.erfcx, torch.special.erfcx), "ndtr": (ag.special.ndtr, torch.special.ndtr),
    "ndtri": (ag.special.ndtri, torch.special.ndtri),
    "log_ndtr": (ag.special.log_ndtr, torch.special.log_ndtr),
    "i0e": (ag.special.i0e, torch.special.i0e), "i1": (ag.special.i1, torch.special.i1),
    "i1e": (ag.special.i1e, torch.special.i1e), "entr": (ag.special.entr, torch.special.entr),
    "gammaln": (ag.special.gammaln, torch.special.gammaln), "psi": (ag.special.psi, torch.special.psi),
    "expit": (ag.special.expit, torch.special.expit), "sinc": (ag.special.sinc, torch.special.sinc),
    "exp2": (ag.special.exp2, torch.special.exp2), "erfinv": (ag.special.erfinv, torch.special.erfinv),
}
# where PyTorch's kernels give float noise (polygamma(1, -2) = 1.6e32) or NaN at inf, SciPy gives inf / 0
# (and SciPy's trigamma is exact where PyTorch's is off by 5e-10); the values at these points are checked
# in test_boundary_points
NEG_INTS = {-1.0, -2.0, -3.0, -7.0}
NOT_COMPARED = {"polygamma1": NEG_INTS | {INF}, "digamma": NEG_INTS, "psi": NEG_INTS, "polygamma0": NEG_INTS}
GRAD_RTOL = {"polygamma1": 1e-8, "digamma": 1e-8, "psi": 1e-8, "polygamma0": 1e-8}


@pytest.mark.parametrize("name", sorted(UNARY))
def test_values_and_gradients_as_torch(device, name):
    ours, theirs = UNARY[name]
    pts = [p for p in POINTS if p not in NOT_COMPARED.get(name, ())]
    if name == "ndtri":
        pts = [0.0, 1.0, 0.5, 1e-300, 0.975, -0.5, 1.5, NAN]
    a, t = pair(device, pts)
    same(ours(a), theirs(t), rtol=GRAD_RTOL.get(name, 1e-10) if name == "polygamma1" else 1e-10)
    ga, gt = grads(ours, theirs, a, t)
    same(ga, gt, rtol=GRAD_RTOL.get(name, 1e-9))


def test_boundary_points(device):
    x = ag.tensor([1.0, -1.0, 0.0], dtype=ag.float64, device=device, requires_grad=True)
    assert ag.acosh(x).tolist()[0] == 0.0 and math.isnan(ag.acosh(x).tolist()[2])
    assert ag.atanh(x).tolist()[:2] == [INF, -INF]
    (g,) = ag.autograd.grad(ag.atanh(x).sum(), [x])
    assert g.tolist() == [INF, INF, 1.0]
    z = ag.tensor([0.0, -0.0, -1.0, -2.0, -INF], dtype=ag.float64, device=device)
    assert ag.lgamma(z).tolist() == [INF] * 5
    d = ag.digamma(z).tolist()
    assert d[:2] == [-INF, INF] and all(math.isnan(v) for v in d[2:])


@pytest.mark.parametrize("name", ["asinh", "acosh", "atanh", "erfc", "lgamma", "digamma", "i0", "polygamma1",
                                  "erfcx", "ndtr", "ndtri", "log_ndtr", "i0e", "i1", "i1e", "entr"])
def test_second_derivatives_as_torch(device, name):
    ours, theirs = UNARY[name]
    pts = {"acosh": [1.3, 2.5, 4.0], "ndtri": [0.3, 0.7, 0.1]}.get(name, [0.3, 0.7, -0.4])
    if name in ("lgamma", "digamma", "polygamma1", "entr"):
        pts = [1.3, 2.5, 0.6]
    a, t = pair(device, pts)
    (ga,) = ag.autograd.grad(ours(a).sum(), [a], create_graph=True)
    (gt,) = torch.autograd.grad(theirs(t).sum(), [t], create_graph=True)
    (gga,) = ag.autograd.grad(ga.sum(), [a])
    (ggt,) = torch.autograd.grad(gt.sum(), [t])
    same(gga, ggt, rtol=1e-8)
    assert ag.gradgradcheck(ours, [a])


def test_binary_functions_as_torch(device):
    av, xv = [0.5, 1.0, 2.0, 3.0, 1.0, 0.0, 2.0], [0.3, 1.0, 0.0, 5.0, INF, 1.0, NAN]
    a, ta = pair(device, av, grad=False)
    for ours, theirs in ((ag.igamma, torch.igamma), (ag.igammac, torch.igammac)):
        x, tx = pair(device, xv)
        same(ours(a, x), theirs(ta, tx))
        (g,) = ag.autograd.grad(ours(a, x).sum(), [x])
        (gt,) = torch.autograd.grad(theirs(ta, tx).sum(), [tx])
        same(g, gt)
    x, tx = pair(device, [0.0, 0.0, 0.0, 1.0, 2.0, -1.0])
    y, ty = pair(device, [-1.0, NAN, 3.0, -1.0, 0.5, 1.0])
    same(ag.special.xlog1py(x, y), torch.special.xlog1py(tx, ty))
    ga = ag.autograd.grad(ag.special.xlog1py(x, y).sum(), [x, y])
    gt = torch.autograd.grad(torch.special.xlog1py(tx, ty).sum(), [tx, ty])
    for o, e in zip(ga, gt):
        same(o, e)
    s, q = pair(device, [2.0, 1.0, 0.5, 3.0], grad=False)
    h, th = pair(device, [1.0, 1.0, -1.0, 2.5], grad=False)
    same(ag.special.zeta(s, h), torch.special.zeta(q, th))
    assert ag.special.zeta(s, 2.0).tolist()[0] == pytest.approx(math.pi ** 2 / 6 - 1)


def test_mvlgamma_and_polygamma_orders(device):
    x, t = pair(device, [1.5, 2.0, 3.7])
    for p in (1, 3):
        same(ag.mvlgamma(x, p), torch.mvlgamma(t, p))
        same(*grads(lambda v: ag.mvlgamma(v, p), lambda v: torch.mvlgamma(v, p), x, t))
    same(x.polygamma(3), t.polygamma(3))
    same(ag.special.multigammaln(x, 2), torch.special.multigammaln(t, 2))
    same(ag.special.polygamma(2, x), torch.special.polygamma(2, t))


def test_integer_inputs_promote_to_the_default_float_dtype():
    i = ag.tensor([1, 2, 3])
    for fn in (ag.asinh, ag.acosh, ag.lgamma, ag.digamma, ag.erfc, ag.i0, lambda v: ag.polygamma(1, v),
               lambda v: ag.mvlgamma(v, 2), ag.special.i1, ag.special.ndtr, ag.special.entr):
        assert fn(i).dtype == ag.float32
    for fn in (ag.lgamma, ag.atanh, ag.i0, ag.special.erfcx):
        assert fn(i.bool()).dtype == ag.float32
    assert ag.lgamma(i.double()).dtype == ag.float64
    assert ag.special.xlog1py(i, i).dtype == ag.float32 and ag.special.zeta(i, 2).dtype == ag.float32


def test_errors_as_torch():
    x = ag.tensor([1.5, 2.0], dtype=ag.float64, requires_grad=True)
    with pytest.raises(RuntimeError, match="does not support negative n"):
        ag.polygamma(-1, x)
    with pytest.raises(RuntimeError, match="p has to be greater than or equal to 1"):
        ag.mvlgamma(x, 0)
    with pytest.raises(RuntimeError, match="may not be a boolean tensor"):
        ag.mvlgamma(ag.tensor([True]), 2)
    with pytest.raises(NotImplementedError, match="not implemented for 'Long'"):
        ag.igamma(ag.tensor([1, 2]), ag.tensor([1, 2]))
    with pytest.raises(TypeError, match="must be Tensor"):
        ag.igamma(x, 2.0)
    with pytest.raises(NotImplementedError, match="the derivative for 'igamma: input' is not implemented"):
        ag.igamma(x, x.detach()).sum().backward()
    with pytest.raises(NotImplementedError, match="the derivative for 'igammac: input' is not implemented"):
        ag.igammac(x, x).sum().backward()
    with pytest.raises(NotImplementedError, match="the derivative for 'zeta' is not implemented"):
        ag.special.zeta(x, 1.0).sum().backward()
    with pytest.raises(TypeError, match="must be Tensor"):
        ag.lgamma(2.0)


def test_tensor_methods_and_in_place_forms(device):
    v = [1.5, 2.0, 3.7]
    for name in ("asinh", "acosh", "atanh", "arcsinh", "arccosh", "arctanh", "erfc", "lgamma", "digamma",
                 "i0"):
        x, t = pair(device, v, grad=False)
        same(getattr(x, name)(), getattr(t, name)())
        getattr(x, name + "_")()
        getattr(t, name + "_")()
        same(x, t)
    for name, arg in (("polygamma", 2), ("mvlgamma", 2), ("igamma", None), ("igammac", None)):
        x, t = pair(device, v, grad=False)
        args = (x.clone(),) if arg is None else (arg,)
        targs = (t.clone(),) if arg is None else (arg,)
        same(getattr(x, name)(*args), getattr(t, name)(*targs))
        getattr(x, name + "_")(*args)
        getattr(t, name + "_")(*targs)
        same(x, t)
    leaf = ag.tensor(v, dtype=ag.float64, device=device, requires_grad=True)
    y = leaf * 1.0
    y.lgamma_()
    (g,) = ag.autograd.grad(y.sum(), [leaf])
    same(g, torch.digamma(torch.tensor(v, dtype=torch.float64)))


def test_special_namespace_names():
    names = ("expit logit erf erfc erfcx erfinv exp2 expm1 log1p gammaln digamma psi polygamma multigammaln "
             "i0 i0e i1 i1e ndtr ndtri log_ndtr logsumexp softmax log_softmax sinc round xlogy xlog1py entr "
             "zeta").split()
    assert all(hasattr(ag.special, n) for n in names)
    x = ag.tensor([[0.2, -1.3, 2.5]], dtype=ag.float64)
    t = torch.tensor([[0.2, -1.3, 2.5]], dtype=torch.float64)
    same(ag.special.softmax(x, 1), torch.special.softmax(t, 1))
    same(ag.special.log_softmax(x, 1), torch.special.log_softmax(t, 1))
    same(ag.special.logsumexp(x, 1), torch.special.logsumexp(t, 1))
    same(ag.special.round(x), torch.special.round(t))
    same(ag.special.logit(x.sigmoid()), torch.special.logit(t.sigmoid()))
    same(ag.special.xlogy(x, x.abs()), torch.special.xlogy(t, t.abs()))


def test_without_scipy_the_cpu_falls_back_or_says_so(monkeypatch):
    monkeypatch.setitem(sys.modules, "scipy", None)
    monkeypatch.setitem(sys.modules, "scipy.special", None)
    x, t = pair("cpu", [0.5, -2.0, 0.0, 3.0, -INF, NAN], grad=False)
    same(ag.lgamma(x), torch.lgamma(t))
    same(ag.erfc(x), torch.erfc(t))
    same(ag.i0(x), torch.i0(t))
    with pytest.raises(RuntimeError, match="digamma.*needs SciPy|needs SciPy"):
        ag.digamma(x)
