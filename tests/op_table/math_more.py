"""Op-table entries for ``ops/math_more.py`` (fmax/fmin, logaddexp, sinc, copysign, float_power, ...)
and the reductions of ``ops/nan_reduce.py`` and ``ops/stats.py``.

Domains: fmax/fmin draw operands that never tie (a tie is a kink; ties and NaN are tested against
PyTorch in tests/test_math_more.py); sinc, sgn and copysign keep away from 0.
"""
from __future__ import annotations


import itertools
import math

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd as ag

from .reduce import _mean_ref, distinct, _np_axes, _ref, _tdims, _var_ref, reduction, var_input
from .spec import OpCase, array, broadcast_pair, on_device, shapes, torch_array, unary
from .spec import torch_module as _torch


def tf(name, **kw):
    """``torch.<name>`` called with the case's tensors and parameters (looked up when the test runs)."""
    def call(*ts, **params):
        return getattr(_torch(), name)(*ts, **params, **kw)

    call.__name__ = f"torch.{name}"
    return call


@st.composite
def untied_pair(draw):
    """Two broadcasting arrays whose elements are never equal (quarter vs three-quarter points)."""
    s = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=4))
    a = draw(hnp.arrays(np.float64, s.input_shapes[0], elements=st.integers(-3, 3).map(lambda k: k + 0.25)))
    b = draw(hnp.arrays(np.float64, s.input_shapes[1], elements=st.integers(-3, 3).map(lambda k: k + 0.75)))
    return (a, b), {}


def _logaddexp2_ref(a, b):
    return np.logaddexp2(a, b)


def _sinc_ref(a):
    return np.sinc(a)


@st.composite
def with_nans(draw, nonempty=False):
    """A reduction input with some elements NaN; with ``nonempty`` every reduced slice keeps one
    number (the element at index 0 of each reduced dimension), so nanmean is finite."""
    (x,), params = draw(reduction(nonempty=nonempty, min_dims=1 if nonempty else 0))
    mask = draw(hnp.arrays(np.bool_, x.shape))
    if nonempty and x.ndim:
        axes = _np_axes(x, params["dim"])
        axes = range(x.ndim) if axes is None else axes
        mask[tuple(slice(0, 1) if a in axes else slice(None) for a in range(x.ndim))] = False
    return (np.where(mask, np.nan, x),), params


@st.composite
def one_dim(draw, scale=1.0, min_dims=0):
    """An array and one ``dim`` of it."""
    shape = draw(shapes(min_dims=min_dims))
    n = max(len(shape), 1)
    return (draw(array(shape)) * scale,), {"dim": draw(st.integers(-n, n - 1))}


@st.composite
def diff_input(draw, ends=False):
    """``x`` (at least 1-d), ``n`` and ``dim``; with ``ends`` also arrays to prepend and append."""
    (x,), p = draw(one_dim(min_dims=1))
    p["n"] = draw(st.integers(0, 3))
    if not ends:
        return (x,), p
    d = p["dim"] % x.ndim
    pre = draw(array(x.shape[:d] + (draw(st.integers(0, 2)),) + x.shape[d + 1:]))
    app = draw(array(x.shape[:d] + (draw(st.integers(0, 2)),) + x.shape[d + 1:]))
    return (x, pre, app), p


def _nanmean_ref(x, axis, keepdims):
    return np.nansum(x, axis=axis, keepdims=keepdims) / np.sum(~np.isnan(x), axis=axis, keepdims=keepdims)


def _lcse_ref(x, dim):
    return np.logaddexp.accumulate(x.reshape(x.shape or (1,)), axis=dim).reshape(x.shape)


def _diff_ref(x, n, dim, pre=None, app=None):
    if pre is not None and n:
        x = np.concatenate([pre, x, app], axis=dim)
    return np.diff(x, n=n, axis=dim)


def _aminmax_ref(x, dim=None, keepdim=False):
    return _ref(np.min)(x, dim, keepdim), _ref(np.max)(x, dim, keepdim)


def _stat_mean_ref(root):
    def ref(x, dim=None, keepdim=False, correction=1):
        axis = _np_axes(x, dim)
        return _var_ref(x, axis, keepdim, correction, root=root), _mean_ref(x, axis, keepdim)

    return ref


def _tstat_mean(name):
    def call(x, dim=None, keepdim=False, correction=1):
        return tuple(getattr(_torch(), name)(x, _tdims(dim, x), correction=correction, keepdim=keepdim))

    return call


@st.composite
def dist_input(draw):
    (a, b), _ = draw(untied_pair())
    return (a, b), {"p": draw(st.sampled_from([2, 1, 3, 1.5]))}


def _dist_ref(a, b, p):
    return np.asarray(np.sum(np.abs(a - b) ** p) ** (1 / p))


@st.composite
def cov_input(draw, weights=None):
    """A (variables, observations) matrix or one variable (1-D), of distinct values; a correction;
    with ``weights``, ``"f"`` integer frequency weights (a parameter) or ``"a"`` float ones (an input)."""
    n_obs = draw(st.integers(3, 5))
    shape = draw(st.sampled_from([(n_obs,), (1, n_obs), (2, n_obs), (3, n_obs)]))
    x = draw(distinct(shape))
    params = {"correction": draw(st.integers(0, 1))}
    if weights == "f":
        params["fweights"] = draw(hnp.arrays(np.int64, (n_obs,), elements=st.integers(1, 3)))
    if weights == "a":
        return (x, draw(array((n_obs,), 0.5, 2.0))), params
    return (x,), params


def _cov_ref(x, aweights=None, correction=1, fweights=None):
    return np.asarray(np.cov(x, ddof=correction, fweights=fweights, aweights=aweights))


def _cov_fn(x, aweights=None, correction=1, fweights=None):
    fw = None if fweights is None else on_device(fweights, x)
    return ag.cov(x, correction=correction, fweights=fw, aweights=aweights)


def _cov_torch(x, aweights=None, correction=1, fweights=None):
    fw = None if fweights is None else torch_array(fweights)
    return _torch().cov(x, correction=correction, fweights=fw, aweights=aweights)


@st.composite
def blocks(draw):
    """One to three arrays of 0, 1 or 2 dimensions, none empty: PyTorch 2.13's backward misplaces
    the gradient of a block after an empty one (its forward places it right; empties are tested in
    tests/test_math_more.py)."""
    k = draw(st.integers(1, 3))
    return tuple(draw(array(draw(shapes(max_dims=2, min_side=1, max_side=3)))) for _ in range(k)), {}


def _block_diag_ref(*xs):
    mats = [x.reshape(1, -1) if x.ndim < 2 else x for x in xs]
    out = np.zeros((sum(m.shape[0] for m in mats), sum(m.shape[1] for m in mats)))
    r = c = 0
    for m in mats:
        out[r:r + m.shape[0], c:c + m.shape[1]] = m
        r, c = r + m.shape[0], c + m.shape[1]
    return out


@st.composite
def combinations_input(draw):
    return (draw(array((draw(st.integers(0, 5)),))),), {"r": draw(st.integers(0, 3)),
                                                          "with_replacement": draw(st.booleans())}


def _combinations_ref(x, r, with_replacement):
    if r == 0:
        return np.zeros(0)
    pick = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    return x[np.array(list(pick(range(len(x)), r)), dtype=np.int64).reshape(-1, r)]


@st.composite
def bincount_input(draw, weighted=True):
    n = draw(st.integers(0, 6))
    idx = draw(hnp.arrays(np.int64, (n,), elements=st.integers(0, 5)))
    params = {"minlength": draw(st.integers(0, 8))}
    return ((idx, draw(array((n,)))) if weighted else (idx,)), params


def _bincount_ref(idx, weights=None, minlength=0):
    out = np.bincount(idx, weights, minlength)
    return out if weights is None else out.astype(np.float64)  # NumPy: int64 when empty


@st.composite
def histc_input(draw):
    """Values on a 1/64 lattice and dyadic ranges: every bin edge is exact, in NumPy and PyTorch."""
    shape = draw(shapes(max_dims=2))
    x = draw(hnp.arrays(np.float64, shape, elements=st.integers(-192, 192).map(lambda k: k / 64)))
    lo, hi = draw(st.sampled_from([(0, 0), (-2, 2), (-1, 3), (0.5, 0.5)]))
    return (x,), {"bins": draw(st.sampled_from([1, 2, 4, 8])), "min": lo, "max": hi}


def _histc_ref(x, bins, min, max):  # noqa: A002
    lo, hi = min, max
    if lo == hi and x.size:
        lo, hi = x.min(), x.max()
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    return np.histogram(x, bins, range=(lo, hi))[0].astype(np.float64)


@st.composite
def matrices(draw, ords=("fro", 1, -1, math.inf, -math.inf)):
    """A 2-D or 3-D array without ties among its column or row sums of ``|x|`` (distinct magnitudes
    plus square roots), no zeros; two distinct ``dim``s, an ``ord`` and ``keepdim``."""
    shape = draw(shapes(min_dims=2, max_dims=3, min_side=1))
    n = math.prod(shape)
    perm = np.array(draw(st.permutations(range(n))), dtype=np.float64)
    signs = draw(hnp.arrays(np.float64, (n,), elements=st.sampled_from([-1.0, 1.0])))
    x = (((perm + 1) * 0.37 + 0.01 * np.sqrt(perm + 2)) * signs).reshape(shape)
    d0, d1 = draw(st.permutations(range(len(shape))))[:2]
    dim = tuple(d - len(shape) * draw(st.booleans()) for d in (d0, d1))
    return (x,), {"ord": draw(st.sampled_from(ords)), "dim": dim, "keepdim": draw(st.booleans())}


def _matrix_norm_ref(x, ord, dim, keepdim):
    return np.asarray(np.linalg.norm(x, ord, dim, keepdim))


@st.composite
def norm_input(draw):
    """``linalg.norm``'s forms: no ``dim`` (any shape, ord None; 1-D or 2-D with an ord), one dim,
    two dims."""
    form = draw(st.sampled_from(["flat", "vector", "matrix", "one_dim", "two_dims"]))
    if form in ("matrix", "two_dims"):
        (x,), p = draw(matrices())
        return (x,), ({"ord": p["ord"]} if form == "matrix" and x.ndim == 2 else p)
    shape = draw(shapes(min_dims=1 if form != "flat" else 0, max_dims=1 if form == "vector" else 3,
                        min_side=1))
    x = draw(array(shape, away_from=[0.0]))
    if form == "flat":
        return (x,), {}
    ord = draw(st.sampled_from([2, 1, 3, 0.5]))
    if form == "vector":
        return (x,), {"ord": ord}
    n = x.ndim
    return (x,), {"ord": ord, "dim": draw(st.integers(-n, n - 1)), "keepdim": draw(st.booleans())}


def _norm_ref(x, ord=None, dim=None, keepdim=False):
    if dim is None and ord is None:
        return np.asarray(np.linalg.norm(x.reshape(-1)))
    return np.asarray(np.linalg.norm(x, ord, dim, keepdim))


nonzero = unary(away_from=[0.0])

CASES = [
    OpCase("fmax", ag.fmax, np.fmax, untied_pair(), torch_fn=tf("fmax")),
    OpCase("fmax", lambda a, b: a.fmax(b), np.fmax, untied_pair(), torch_fn=lambda a, b: a.fmax(b),
           id="fmax_method"),
    OpCase("fmin", ag.fmin, np.fmin, untied_pair(), torch_fn=tf("fmin")),
    OpCase("fmin", lambda a, b: b.fmin(a), lambda a, b: np.fmin(b, a), untied_pair(),
           torch_fn=lambda a, b: b.fmin(a), id="fmin_method"),
    OpCase("logaddexp", ag.logaddexp, np.logaddexp, broadcast_pair(), torch_fn=tf("logaddexp")),
    OpCase("logaddexp", lambda a, b: (a * 1000).logaddexp(b * 1000),
           lambda a, b: np.logaddexp(a * 1000, b * 1000),
           broadcast_pair(), torch_fn=lambda a, b: (a * 1000).logaddexp(b * 1000), id="logaddexp_large"),
    OpCase("logaddexp2", ag.logaddexp2, _logaddexp2_ref, broadcast_pair(), torch_fn=tf("logaddexp2")),
    OpCase("logaddexp2", lambda a, b: a.logaddexp2(b), _logaddexp2_ref, broadcast_pair(),
           torch_fn=lambda a, b: a.logaddexp2(b), id="logaddexp2_method"),
    # torch.sgn's gradient is a ZeroTensor (not convertible to NumPy); torch.sign is the same real function
    OpCase("sgn", ag.sgn, np.sign, nonzero, torch_fn=tf("sign")),
    OpCase("sgn", lambda a: a.sgn(), np.sign, nonzero, torch_fn=lambda a: a.sign(), id="sgn_method"),
    OpCase("angle", ag.angle, lambda a: np.where(a < 0, np.pi, 0.0), nonzero, torch_fn=tf("angle")),
    OpCase("positive", ag.positive, np.positive, unary(), torch_fn=tf("positive")),
    OpCase("positive", lambda a: a.positive(), np.positive, unary(), torch_fn=lambda a: a.positive(),
           id="positive_method"),
    OpCase("deg2rad", ag.deg2rad, np.deg2rad, unary(-400.0, 400.0), torch_fn=tf("deg2rad")),
    OpCase("deg2rad", lambda a: a.deg2rad(), np.deg2rad, unary(), torch_fn=lambda a: a.deg2rad(),
           id="deg2rad_method"),
    OpCase("rad2deg", ag.rad2deg, np.rad2deg, unary(), torch_fn=tf("rad2deg")),
    OpCase("rad2deg", lambda a: a.rad2deg(), np.rad2deg, unary(), torch_fn=lambda a: a.rad2deg(),
           id="rad2deg_method"),
    OpCase("sinc", ag.sinc, _sinc_ref, nonzero, torch_fn=tf("sinc")),
    OpCase("sinc", lambda a: a.sinc(), _sinc_ref, unary(low=-0.5, high=0.5, away_from=[0.0]),
           torch_fn=lambda a: a.sinc(), id="sinc_method_near_0"),
    OpCase("copysign", ag.copysign, np.copysign, broadcast_pair(away_from=[0.0]), torch_fn=tf("copysign"),
           differentiable=(0,)),
    OpCase("copysign", lambda a: a.copysign(-0.0), lambda a: np.copysign(a, -0.0), nonzero,
           torch_fn=lambda a: a.copysign(-0.0), id="copysign_scalar"),
    OpCase("float_power", ag.float_power, np.power, broadcast_pair(low=0.2, high=2.5),
           torch_fn=tf("float_power")),
    OpCase("float_power", lambda a: a.float_power(2.5), lambda a: np.power(a, 2.5), unary(0.2, 3.0),
           torch_fn=lambda a: a.float_power(2.5), id="float_power_scalar"),
    OpCase("heaviside", ag.heaviside, np.heaviside, broadcast_pair(), torch_fn=tf("heaviside"), grad=False),
    OpCase("heaviside", lambda a: a.round().heaviside(ag.zeros((), dtype=a.dtype, device=a.device)),
           lambda a: np.heaviside(np.round(a), 0.0), unary(), grad=False, id="heaviside_at_zero"),
    OpCase("float_power", lambda b: ag.float_power(1.5, b), lambda b: np.power(1.5, b), unary(),
           torch_fn=lambda b: _torch().float_power(1.5, b), id="float_power_scalar_base"),
    # ------------------------------------------------------------ ops/nan_reduce.py
    OpCase("nansum", lambda x, **k: ag.nansum(x, **k), _ref(np.nansum), with_nans(),
           torch_fn=lambda x, dim=None, **k: _torch().nansum(x, _tdims(dim, x), **k)),
    OpCase("nansum", lambda x, dim, keepdim: x.nansum(dim, keepdim), _ref(np.nansum), with_nans(),
           torch_fn=lambda x, dim, keepdim: x.nansum(_tdims(dim, x), keepdim), id="nansum_method"),
    OpCase("nanmean", lambda x, **k: ag.nanmean(x, **k), _ref(_nanmean_ref), with_nans(nonempty=True),
           torch_fn=lambda x, dim=None, **k: _torch().nanmean(x, _tdims(dim, x), **k)),
    OpCase("nanmean", lambda x, dim, keepdim: x.nanmean(dim, keepdim), _ref(_nanmean_ref),
           with_nans(nonempty=True), id="nanmean_method",
           torch_fn=lambda x, dim, keepdim: x.nanmean(_tdims(dim, x), keepdim)),
    OpCase("std_mean", lambda x, **k: ag.std_mean(x, **k), _stat_mean_ref(True), var_input(std=True),
           torch_fn=_tstat_mean("std_mean")),
    OpCase("var_mean", lambda x, **k: ag.var_mean(x, **k), _stat_mean_ref(False), var_input(),
           torch_fn=_tstat_mean("var_mean")),
    OpCase("aminmax", lambda x, **k: tuple(ag.aminmax(x, **k)), _aminmax_ref,
           reduction(kind="one", values="distinct", nonempty=True),
           torch_fn=lambda x, **k: tuple(_torch().aminmax(x, **k))),
    OpCase("aminmax", lambda x, keepdim: tuple(x.aminmax(keepdim=keepdim)), _aminmax_ref,
           reduction(kind="none", values="distinct", nonempty=True), id="aminmax_all",
           torch_fn=lambda x, keepdim: tuple(x.aminmax(keepdim=keepdim))),
    # ------------------------------------------------------------ ops/cum_diff.py
    OpCase("logcumsumexp", ag.logcumsumexp, _lcse_ref, one_dim(), torch_fn=tf("logcumsumexp")),
    OpCase("logcumsumexp", lambda x, dim: x.logcumsumexp(dim), _lcse_ref, one_dim(scale=300.0),
           torch_fn=lambda x, dim: x.logcumsumexp(dim), id="logcumsumexp_spread"),
    OpCase("diff", ag.diff, _diff_ref, diff_input(), torch_fn=tf("diff")),
    OpCase("diff", lambda x, p, a, n, dim: x.diff(n, dim, p, a),
           lambda x, p, a, n, dim: _diff_ref(x, n, dim, p, a),
           diff_input(ends=True), torch_fn=lambda x, p, a, n, dim: x.diff(n, dim, p, a), id="diff_ends"),
    OpCase("ravel", ag.ravel, np.ravel, unary(), torch_fn=tf("ravel")),
    # ------------------------------------------------------------ ops/stats.py
    OpCase("dist", ag.dist, _dist_ref, dist_input(), torch_fn=tf("dist"), rtol=1e-6),
    OpCase("dist", lambda a, b, p: a.dist(b, p), _dist_ref, dist_input(), rtol=1e-6,
           torch_fn=lambda a, b, p: a.dist(b, p), id="dist_method"),
    OpCase("cov", _cov_fn, _cov_ref, cov_input(), torch_fn=_cov_torch),
    OpCase("cov", _cov_fn, _cov_ref, cov_input("f"), torch_fn=_cov_torch, id="cov_fweights"),
    OpCase("cov", lambda x, aw, **k: _cov_fn(x, aw, **k), lambda x, aw, **k: _cov_ref(x, aw, **k),
           cov_input("a"), torch_fn=lambda x, aw, **k: _cov_torch(x, aw, **k), id="cov_aweights"),
    OpCase("corrcoef", ag.corrcoef, np.corrcoef, cov_input().map(lambda d: (d[0], {})),
           torch_fn=tf("corrcoef"), rtol=1e-6, atol=1e-6),
    OpCase("corrcoef", lambda x: x.corrcoef(), np.corrcoef, cov_input().map(lambda d: (d[0], {})),
           torch_fn=lambda x: x.corrcoef(), rtol=1e-6, atol=1e-6, id="corrcoef_method"),
    OpCase("block_diag", ag.block_diag, _block_diag_ref, blocks(), torch_fn=tf("block_diag")),
    # ------------------------------------------------------------ ops/counting.py
    # no gradient: torch.bincount's weights require grad, but its backward raises "not implemented"
    OpCase("bincount", ag.bincount, _bincount_ref, bincount_input(), torch_fn=tf("bincount"), grad=False),
    OpCase("bincount", lambda i, **k: i.bincount(**k), _bincount_ref, bincount_input(weighted=False),
           torch_fn=lambda i, **k: i.bincount(**k), grad=False, id="bincount_counts"),
    OpCase("histc", ag.histc, _histc_ref, histc_input(), torch_fn=tf("histc"), grad=False),
    OpCase("histc", lambda x, **k: x.histc(**k), _histc_ref, histc_input(),
           torch_fn=lambda x, **k: x.histc(**k), grad=False, id="histc_method"),
    # ------------------------------------------------------------ ops/linalg_norm.py
    OpCase("linalg", lambda x, **k: ag.linalg.matrix_norm(x, **k), _matrix_norm_ref, matrices(),
           torch_fn=lambda x, **k: _torch().linalg.matrix_norm(x, **k), id="linalg.matrix_norm"),
    OpCase("linalg", lambda x, **k: ag.linalg.norm(x, **k), _norm_ref, norm_input(), rtol=1e-6,
           torch_fn=lambda x, **k: _torch().linalg.norm(x, **k), id="linalg.norm"),
    OpCase("combinations", ag.combinations, _combinations_ref, combinations_input(),
           torch_fn=tf("combinations")),
    OpCase("ravel", lambda x: x.t().ravel() if x.ndim == 2 else x.ravel(),
           lambda x: (x.T if x.ndim == 2 else x).ravel(), unary(), id="ravel_method",
           torch_fn=lambda x: x.t().ravel() if x.ndim == 2 else x.ravel()),
]
