"""Op-table entries for the reductions, cumsum and softmax/log_softmax.

Domains: ``max``/``min``/``amax``/``amin`` and the inf-norm draw inputs without
ties (ties are tested against PyTorch in tests/test_reduce_linalg.py); ``std``
draws slices of distinct values (its gradient is infinite at a constant
slice); ``var``/``std`` keep the correction below the reduced count (NaN
otherwise); the 1-, 2-, 3- and 0-norms draw inputs away from 0, where they
are not differentiable. ``prod`` deliberately draws zeros: its gradient is
exact there.
"""
from __future__ import annotations

import math

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd as ag

from .spec import OpCase, array, shapes
from .spec import torch_module as _torch


# ---------------------------------------------------------------- strategies
@st.composite
def dims(draw, ndim, kind="many"):
    """A ``dim`` argument: ``"many"`` None, an int or a tuple (maybe empty); ``"one"`` an int."""
    n = max(ndim, 1)
    pick_int = st.integers(0, n - 1).flatmap(lambda d: st.sampled_from([d, d - n]))
    if kind == "one":
        return draw(pick_int)
    choice = draw(st.sampled_from(["none", "int", "tuple"]))
    if choice == "none":
        return None
    if choice == "int":
        return draw(pick_int)
    axes = draw(st.lists(st.integers(0, n - 1), unique=True, max_size=n if ndim else 1))
    return tuple(draw(st.sampled_from([a, a - n])) for a in axes)


@st.composite
def distinct(draw, shape, spacing=0.37, nonneg=False):
    """An array of ``shape`` whose values differ pairwise by at least ``spacing`` (no ties).

    With ``nonneg`` the magnitudes are distinct and nonzero and the signs random.
    """
    n = math.prod(shape)
    perm = np.array(draw(st.permutations(range(n))), dtype=np.float64).reshape(shape)
    if nonneg:
        signs = draw(hnp.arrays(np.float64, shape, elements=st.sampled_from([-1.0, 1.0])))
        return (perm + 1) * spacing * signs
    return (perm - n / 2) * spacing + draw(st.floats(-0.1, 0.1))


def _axes(dim, ndim):
    if dim is None or dim == ():
        return tuple(range(ndim))
    dim = dim if isinstance(dim, tuple) else (dim,)
    return tuple(sorted({d % max(ndim, 1) for d in dim})) if ndim else ()


def _count(shape, dim):
    return math.prod(shape[a] for a in _axes(dim, len(shape)))


@st.composite
def reduction(draw, kind="many", values="any", keepdim=True, min_dims=0, min_side=0, max_side=4,
              low=-3.0, high=3.0, away_from=None, nonempty=False):
    """``((x,), {"dim": ..., "keepdim": ...})`` for a reduction.

    Args:
        kind: ``"many"`` (None, int or tuple dims), ``"one"`` (an int), ``"none"`` (no dim).
        values: ``"any"``, ``"distinct"`` (no ties), ``"distinct_abs"`` (no ties of ``|x|``,
            no zeros) or ``"small_ints"`` (many ties).
        nonempty: every reduced slice has at least one element.
    """
    shape = draw(shapes(min_dims=min_dims, min_side=min_side, max_side=max_side))
    params = {}
    if kind != "none":
        params["dim"] = draw(dims(len(shape), kind))
    if nonempty and _count(shape, params.get("dim")) == 0:
        shape = tuple(max(s, 1) for s in shape)
    if values == "distinct":
        x = draw(distinct(shape))
    elif values == "distinct_abs":
        x = draw(distinct(shape, nonneg=True))
    elif values == "zeros_or_away":  # exact zeros, or values too large for x**-2 to overflow
        big = st.floats(0.1, 2.0).flatmap(lambda v: st.sampled_from([v, -v]))
        x = draw(hnp.arrays(np.float64, shape, elements=st.one_of(st.just(0.0), big)))
    elif values == "small_ints":
        x = draw(hnp.arrays(np.float64, shape, elements=st.integers(-2, 2).map(float)))
    else:
        x = draw(array(shape, low, high, away_from))
    if keepdim:
        params["keepdim"] = draw(st.booleans())
    return (x,), params


@st.composite
def var_input(draw, std=False):
    """A reduction input plus a ``correction`` below the reduced count (``std``: no constant slice).
    Never empty: an empty slice has no degrees of freedom, where PyTorch's second derivative is
    ``2 / 0 * 0 = nan`` (tests/test_correctness_scan_grads.py compares those with PyTorch)."""
    (x,), params = draw(reduction(values="distinct" if std else "any", min_side=2 if std else 1,
                                  min_dims=1 if std else 0))
    n = _count(x.shape, params["dim"])
    params["correction"] = draw(st.integers(0, 1)) if n >= 2 else 0
    return (x,), params


# ---------------------------------------------------------------- NumPy references
def _np_axes(x, dim):
    return None if dim is None or dim == () or x.ndim == 0 else _axes(dim, x.ndim)


def _ref(fn):
    """A NumPy reduction taking the case's ``dim``/``keepdim``."""
    def ref(x, dim=None, keepdim=False, **kw):
        return np.asarray(fn(x, axis=_np_axes(x, dim), keepdims=keepdim, **kw))

    return ref


def _logical_ref(fn):
    """all/any: as ``_ref``, but ``dim=()`` reduces nothing (PyTorch's all/any; sum reduces all)."""
    def ref(x, dim=None, keepdim=False):
        return x != 0 if dim == () else _ref(fn)(x, dim, keepdim)

    return ref


def _tlogical(name):
    """PyTorch's all/any, taking ``dim=()`` as it is (it reduces nothing there)."""
    def call(x, dim=None, keepdim=False):
        return getattr(_torch(), name)(x, (), keepdim) if dim == () else _tred(name)(x, dim, keepdim=keepdim)

    return call


def _mean_ref(x, axis, keepdims):
    n = x.size if axis is None else math.prod(x.shape[a] for a in axis)
    s = np.sum(x, axis=axis, keepdims=keepdims)
    return s / n if n else np.full(np.shape(s), np.nan)


def _var_ref(x, axis, keepdims, correction, root=False):
    n = x.size if axis is None else math.prod(x.shape[a] for a in axis)
    if n == 0:
        v = np.full(np.shape(np.sum(x, axis=axis, keepdims=keepdims)), np.nan)
    else:
        s = np.sum((x - np.mean(x, axis=axis, keepdims=True)) ** 2, axis=axis, keepdims=keepdims)
        v = s / max(n - correction, 0)
    return np.sqrt(v) if root else v


def _lse_ref(x, axis, keepdims):
    return np.log(np.sum(np.exp(x), axis=axis, keepdims=keepdims))


def _norm_ref(p):
    def ref(x, axis, keepdims):
        a = np.abs(x)
        if p == 0:
            return np.sum(a != 0, axis=axis, keepdims=keepdims).astype(np.float64)
        if math.isinf(p):
            return (np.max if p > 0 else np.min)(a, axis=axis, keepdims=keepdims)
        return np.sum(a ** p, axis=axis, keepdims=keepdims) ** (1 / p)

    return _ref(ref)


def _extreme_dim_ref(largest):
    def ref(x, dim, keepdim=False):
        x1 = x.reshape(x.shape or (1,))
        idx = (np.argmax if largest else np.argmin)(x1, axis=dim, keepdims=True)
        values = np.take_along_axis(x1, idx, axis=dim)
        if not keepdim or x.ndim == 0:
            values, idx = values.squeeze(dim % x1.ndim), idx.squeeze(dim % x1.ndim)
        return values.reshape(values.shape if x.ndim else ()), idx.reshape(idx.shape if x.ndim else ())

    return ref


def _arg_ref(name):
    def ref(x, dim=None, keepdim=False):
        fn = getattr(np, name)
        if dim is None:
            r = np.asarray(fn(x.reshape(-1)))
            return r.reshape((1,) * x.ndim) if keepdim else r
        if x.ndim == 0:
            return np.asarray(0)
        return np.asarray(fn(x, axis=dim, keepdims=keepdim))

    return ref


def _cumsum_ref(x, dim):
    return np.cumsum(x.reshape(x.shape or (1,)), axis=dim).reshape(x.shape)


def _softmax_ref(log):
    def ref(x, dim):
        if x.size == 0:
            return x.copy()
        axis = None if x.ndim == 0 else dim
        s = x - np.max(x, axis=axis, keepdims=True)
        lse = np.log(np.sum(np.exp(s), axis=axis, keepdims=True))
        return s - lse if log else np.exp(s - lse)

    return ref


# ---------------------------------------------------------------- PyTorch calls
def _tdims(dim, x):
    """All dims spelled out for PyTorch (its ``dim=()`` has quirks: std's gradient, logsumexp)."""
    if dim is None or dim == ():
        return tuple(range(x.ndim)) if x.ndim else 0
    return dim


def _tred(name, **fixed):
    """``torch.<name>(x, dim, **kw)`` with the case's ``dim`` (None: all dims)."""
    def call(x, dim=None, **kw):
        return getattr(_torch(), name)(x, _tdims(dim, x), **fixed, **kw)

    return call


def _fro_dims(strategy):
    """Without dim tuples of 3 or more: PyTorch's 'fro' (norm's default) over them raises (a matrix norm)."""
    return strategy.filter(lambda case: not (isinstance(case[1].get("dim"), tuple)
                                             and len(case[1]["dim"]) > 2))


def _tnorm(p):
    p = 2 if p == "fro" else p
    return lambda x, dim=None, keepdim=False: _torch().linalg.vector_norm(x, p, _tdims(dim, x), keepdim)


INF = float("inf")

CASES = [
    # ------------------------------------------------------------ sum, mean, var, std
    OpCase("sum", lambda x, **k: ag.sum(x, **k), _ref(np.sum), reduction(), torch_fn=_tred("sum")),
    OpCase("sum", lambda x, dim, keepdim: x.sum(axis=dim, keepdims=keepdim), _ref(np.sum), reduction(),
           torch_fn=_tred("sum"), id="sum_axis_alias"),
    OpCase("mean", lambda x, **k: ag.mean(x, **k), _ref(_mean_ref), reduction(),
           torch_fn=_tred("mean")),
    OpCase("mean", lambda x, dim, keepdim: x.mean(axis=dim, keepdims=keepdim), _ref(_mean_ref),
           reduction(), torch_fn=_tred("mean"), id="mean_method"),
    OpCase("var", lambda x, **k: ag.var(x, **k), _ref(_var_ref), var_input(),
           torch_fn=_tred("var")),
    OpCase("var", lambda x, dim, keepdim, correction: x.var(dim, correction == 1, keepdim),
           _ref(_var_ref), var_input(), id="var_unbiased",
           torch_fn=lambda x, dim, keepdim, correction: x.var(_tdims(dim, x), correction == 1, keepdim)),
    OpCase("std", lambda x, **k: ag.std(x, **k), _ref(lambda *a, **k: _var_ref(*a, **k, root=True)),
           var_input(std=True), torch_fn=_tred("std")),
    # ------------------------------------------------------------ prod
    OpCase("prod", lambda x, **k: ag.prod(x, **k), _ref(np.prod),
           reduction(kind="one", values="zeros_or_away"), torch_fn=_tred("prod")),
    OpCase("prod", lambda x: x.prod(), _ref(np.prod),
           reduction(kind="none", keepdim=False, max_side=3, values="zeros_or_away"),
           torch_fn=lambda x: x.prod(), id="prod_all"),
    OpCase("prod", lambda x: x.prod(-1), lambda x: np.prod(x, axis=-1),
           st.just(((np.array([[0.0, 2.0, -1.5], [0.0, 0.0, 3.0], [1.5, 0.0, 0.0], [0.0, 0.0, 0.0],
                              [1.0, -2.0, 0.5]]),), {})),
           torch_fn=lambda x: x.prod(-1), id="prod_zeros"),
    # ------------------------------------------------------------ max, min, amax, amin
    OpCase("max", lambda x: ag.max(x), _ref(np.max),
           reduction(kind="none", values="distinct", keepdim=False, nonempty=True),
           torch_fn=lambda x: _torch().max(x)),
    OpCase("min", lambda x: x.min(), _ref(np.min),
           reduction(kind="none", values="distinct", keepdim=False, nonempty=True),
           torch_fn=lambda x: x.min()),
    OpCase("max", lambda x, **k: ag.max(x, **k), _extreme_dim_ref(True),
           reduction(kind="one", values="distinct", nonempty=True),
           torch_fn=lambda x, **k: tuple(_torch().max(x, **k)), id="max_dim"),
    OpCase("min", lambda x, **k: x.min(**k), _extreme_dim_ref(False),
           reduction(kind="one", values="distinct", nonempty=True),
           torch_fn=lambda x, **k: tuple(x.min(**k)), id="min_dim"),
    OpCase("amax", lambda x, **k: ag.amax(x, **k), _ref(np.max),
           reduction(values="distinct", nonempty=True),
           torch_fn=_tred("amax")),
    OpCase("amin", lambda x, **k: x.amin(**k), _ref(np.min),
           reduction(values="distinct", nonempty=True),
           torch_fn=_tred("amin")),
    OpCase("argmax", lambda x, **k: ag.argmax(x, **k), _arg_ref("argmax"),
           reduction(kind="one", values="small_ints", nonempty=True), grad=False,
           torch_fn=lambda x, **k: _torch().argmax(x, **k)),
    OpCase("argmax", lambda x, keepdim: x.argmax(keepdim=keepdim), _arg_ref("argmax"),
           reduction(kind="none", values="small_ints", nonempty=True), grad=False,
           torch_fn=lambda x, keepdim: x.argmax(keepdim=keepdim), id="argmax_flat"),
    OpCase("argmin", lambda x, **k: ag.argmin(x, **k), _arg_ref("argmin"),
           reduction(kind="one", values="small_ints", nonempty=True), grad=False,
           torch_fn=lambda x, **k: _torch().argmin(x, **k)),
    # ------------------------------------------------------------ logsumexp, norm
    OpCase("logsumexp", lambda x, **k: ag.logsumexp(x, **k), _ref(_lse_ref), reduction(),
           torch_fn=_tred("logsumexp")),
    OpCase("norm", lambda x, **k: ag.norm(x, **k), _norm_ref(2),
           _fro_dims(reduction(away_from=(0.0,))), torch_fn=_tnorm(2)),
    OpCase("norm", lambda x, **k: x.norm("fro", **k), _norm_ref(2),
           _fro_dims(reduction(away_from=(0.0,))), torch_fn=_tnorm("fro"), id="norm_fro"),
    OpCase("norm", lambda x, **k: x.norm(1, **k), _norm_ref(1),
           reduction(away_from=(0.0,)), torch_fn=_tnorm(1), id="norm_1"),
    OpCase("norm", lambda x, **k: x.norm(3, **k), _norm_ref(3),
           reduction(away_from=(0.0,)), torch_fn=_tnorm(3), id="norm_3"),
    OpCase("norm", lambda x, **k: x.norm(0.5, **k), _norm_ref(0.5),
           reduction(low=0.2, high=3.0), torch_fn=_tnorm(0.5), id="norm_half", rtol=1e-6),
    OpCase("norm", lambda x, **k: x.norm(-1.5, **k), _norm_ref(-1.5),
           reduction(away_from=(0.0,), nonempty=True), torch_fn=_tnorm(-1.5), id="norm_negative",
           rtol=1e-6),
    OpCase("norm", lambda x, **k: x.norm(0, **k), _norm_ref(0),
           reduction(away_from=(0.0,)), torch_fn=_tnorm(0), id="norm_0"),
    OpCase("norm", lambda x, **k: x.norm(INF, **k), _norm_ref(INF),
           reduction(values="distinct_abs", nonempty=True), torch_fn=_tnorm(INF), id="norm_inf"),
    OpCase("norm", lambda x, **k: x.norm(-INF, **k), _norm_ref(-INF),
           reduction(values="distinct_abs", nonempty=True), torch_fn=_tnorm(-INF), id="norm_neginf"),
    # ------------------------------------------------------------ all, any, cumsum
    OpCase("all", lambda x, **k: ag.all(x, **k), _logical_ref(np.all), reduction(values="small_ints"),
           grad=False, torch_fn=_tlogical("all")),
    OpCase("any", lambda x, **k: x.any(**k), _logical_ref(np.any), reduction(values="small_ints"),
           grad=False, torch_fn=_tlogical("any")),
    OpCase("cumsum", lambda x, dim: ag.cumsum(x, dim), _cumsum_ref,
           reduction(kind="one", keepdim=False), torch_fn=lambda x, dim: _torch().cumsum(x, dim)),
    # ------------------------------------------------------------ softmax
    OpCase("softmax", lambda x, dim: ag.softmax(x, dim), _softmax_ref(False),
           reduction(kind="one", keepdim=False), torch_fn=lambda x, dim: _torch().softmax(x, dim)),
    OpCase("log_softmax", lambda x, dim: x.log_softmax(dim), _softmax_ref(True),
           reduction(kind="one", keepdim=False),
           torch_fn=lambda x, dim: _torch().log_softmax(x, dim)),
]
