"""Op-table entries for scatter_reduce (every reduction, with and without self), index_reduce,
index_put, put, quantile and nanquantile.

The gradients of amax / amin and of quantile are defined piecewise, so the drawn values are
distinct and spaced well beyond the finite-difference step (a tie would make the numerical
gradient differ from PyTorch's split; ties are compared with PyTorch in tests/test_scatter_reduce.py).
Products draw values away from 0. Index arrays travel in ``params`` as NumPy arrays.
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

import autograd as ag

from .spec import OpCase, array, shapes
from .spec import on_device as _t, torch_array as _tt, torch_module as _torch

REDUCES = ("sum", "prod", "mean", "amax", "amin")
MODES = ("linear", "lower", "higher", "midpoint", "nearest")


def _distinct(draw, shapes_, sign=False):
    """Arrays of ``shapes_`` whose values are all distinct, at least 0.1 apart and away from 0."""
    sizes = [int(np.prod(s)) for s in shapes_]
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1)))
    vals = (rng.permutation(sum(sizes)) + 1) * 0.1 + rng.random(sum(sizes)) * 0.01  # 0.1 .. apart
    if sign:
        vals = vals * rng.choice([-1.0, 1.0], vals.shape)
    out, k = [], 0
    for s, n in zip(shapes_, sizes):
        out.append(vals[k:k + n].reshape(s))
        k += n
    return out


# ---------------------------------------------------------------- scatter_reduce
@st.composite
def scatter_reduce_input(draw):
    """``(a, src)`` of distinct values, a dim and an index (repeats drawn) of ``src``'s shape."""
    shape = draw(shapes(min_dims=1, max_dims=3, min_side=1, max_side=3))
    d = draw(st.integers(0, len(shape) - 1))
    sshape = [draw(st.integers(1, n)) for n in shape]
    sshape[d] = draw(st.integers(1, 4))
    index = np.asarray(draw(st.lists(st.integers(0, shape[d] - 1), min_size=int(np.prod(sshape)),
                                     max_size=int(np.prod(sshape)))), dtype=np.int64).reshape(sshape)
    a, src = _distinct(draw, [shape, tuple(sshape)], sign=draw(st.booleans()))
    return (a, src), {"dim": d - len(shape) if draw(st.booleans()) else d, "index": index,
                      "reduce": draw(st.sampled_from(REDUCES)), "include_self": draw(st.booleans())}


def _scatter_reduce_ref(a, src, dim, index, reduce, include_self):
    out = a.copy()
    d = dim % a.ndim
    groups = {}
    for pos in np.ndindex(*index.shape):
        target = list(pos)
        target[d] = index[pos]
        groups.setdefault(tuple(target), []).append(src[pos])
    for target, vals in groups.items():
        vals = ([a[target]] if include_self else []) + vals
        fn = {"sum": np.sum, "prod": np.prod, "mean": np.mean, "amax": np.max, "amin": np.min}[reduce]
        out[target] = fn(vals)
    return out


@st.composite
def index_reduce_input(draw):
    shape = draw(shapes(min_dims=1, max_dims=3, min_side=1, max_side=3))
    d = draw(st.integers(0, len(shape) - 1))
    n = draw(st.integers(1, 4))
    index = np.asarray(draw(st.lists(st.integers(0, shape[d] - 1), min_size=n, max_size=n)), dtype=np.int64)
    sshape = list(shape)
    sshape[d] = n
    a, src = _distinct(draw, [shape, tuple(sshape)], sign=draw(st.booleans()))
    return (a, src), {"dim": d, "index": index, "reduce": draw(st.sampled_from(REDUCES[1:])),
                      "include_self": draw(st.booleans())}


def _index_reduce_ref(a, src, dim, index, reduce, include_self):
    shape = [1] * src.ndim
    shape[dim] = -1
    full = np.broadcast_to(index.reshape(shape), src.shape)
    return _scatter_reduce_ref(a, src, dim, full, reduce, include_self)


# ---------------------------------------------------------------- index_put / put
@st.composite
def index_put_input(draw):
    """An index over the first one or two dims (repeats only with ``accumulate``) and values."""
    a = draw(array(draw(shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))))
    accumulate = draw(st.booleans())
    k = draw(st.integers(1, min(2, a.ndim)))
    n = draw(st.integers(1, 4))
    if accumulate:
        idx = tuple(np.asarray(draw(st.lists(st.integers(-m, m - 1), min_size=n, max_size=n)), dtype=np.int64)
                    for m in a.shape[:k])
    else:
        rng = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1)))
        flat = rng.permutation(int(np.prod(a.shape[:k])))[:n]
        idx = tuple(np.asarray(i, dtype=np.int64) for i in np.unravel_index(flat, a.shape[:k]))
    target = (len(idx[0]),) + a.shape[k:]
    vshape = target[draw(st.integers(0, len(target))):]
    return (a, draw(array(vshape))), {"idx": idx, "accumulate": accumulate}


def _index_put_ref(a, v, idx, accumulate):
    out = a.copy()
    if accumulate:
        np.add.at(out, idx, np.broadcast_to(v, out[idx].shape))
    else:
        out[idx] = v
    return out


@st.composite
def put_input(draw):
    a = draw(array(draw(shapes(min_dims=0, max_dims=3, min_side=1, max_side=3))))
    accumulate = draw(st.booleans())
    n = a.size
    if accumulate:
        index = np.asarray(draw(st.lists(st.integers(-n, n - 1), min_size=0, max_size=5)), dtype=np.int64)
    else:
        rng = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1)))
        index = rng.permutation(n)[:draw(st.integers(0, n))].astype(np.int64) - n * draw(st.integers(0, 1))
    index = index.reshape(draw(st.sampled_from([(-1,), (1, -1)])))
    return (a, draw(array(index.shape))), {"index": index, "accumulate": accumulate}


def _put_ref(a, src, index, accumulate):
    out = a.copy().reshape(-1)
    if accumulate:
        np.add.at(out, index.reshape(-1), src.reshape(-1))
    else:
        out[index.reshape(-1)] = src.reshape(-1)
    return out.reshape(a.shape)


# ---------------------------------------------------------------- quantile
@st.composite
def quantile_input(draw, nan=False):
    shape = draw(shapes(min_dims=int(nan), max_dims=3, min_side=1, max_side=4))
    (a,) = _distinct(draw, [shape], sign=True)
    dim = None if draw(st.booleans()) or not shape else draw(st.integers(-len(shape), len(shape) - 1))
    qs = draw(st.lists(st.floats(0, 1, width=64), min_size=1, max_size=3))
    q = qs[0] if draw(st.booleans()) else np.asarray(qs)
    p = {"q": q, "dim": dim, "keepdim": draw(st.booleans()), "interpolation": draw(st.sampled_from(MODES))}
    if nan:  # NaNs at drawn places (constants: the drawn array stays NaN-free for the checks), none
        mask = np.random.default_rng(draw(st.integers(0, 99))).random(shape) < 0.3  # in a whole row
        if dim is None:
            mask.reshape(-1)[0] = False
        else:
            np.moveaxis(mask, dim, 0)[0] = False
        p["mask"] = mask
    return (a,), p


def _q(q, like, lib):
    if not isinstance(q, np.ndarray):
        return q
    return ag.tensor(q, device=like.device) if lib is ag else _tt(q)


def _with_nan(a, mask, lib):
    m = _t(mask, a) if lib is ag else _tt(mask)
    return a.masked_fill(m, float("nan"))


def _quantile_ref(a, q, dim, keepdim, interpolation, mask=None, nan=False):
    if mask is not None:
        a = np.where(mask, np.nan, a)
    fn = np.nanquantile if nan else np.quantile
    if a.ndim == 0:  # PyTorch reduces a 0-d input to 0-d, keepdim or not
        return fn(a.reshape(1), q, method=interpolation)
    return fn(a, q, axis=dim, keepdims=keepdim, method=interpolation)


CASES = [
    OpCase("scatter_reduce",
           lambda a, src, dim, index, reduce, include_self: ag.scatter_reduce(
               a, dim, _t(index, a), src, reduce, include_self=include_self),
           _scatter_reduce_ref, scatter_reduce_input(),
           torch_fn=lambda a, src, dim, index, reduce, include_self: _torch().scatter_reduce(
               a, dim, _tt(index), src, reduce, include_self=include_self)),
    OpCase("scatter_reduce",
           lambda a, src, dim, index, reduce, include_self: (a * 1).scatter_reduce_(
               dim, _t(index, a), src, reduce, include_self=include_self),
           _scatter_reduce_ref, scatter_reduce_input(),
           torch_fn=lambda a, src, dim, index, reduce, include_self: (a * 1).scatter_reduce_(
               dim, _tt(index), src, reduce, include_self=include_self), id="scatter_reduce_inplace"),
    OpCase("index_reduce",
           lambda a, src, dim, index, reduce, include_self: a.index_reduce(
               dim, _t(index, a), src, reduce, include_self=include_self),
           _index_reduce_ref, index_reduce_input(),
           torch_fn=lambda a, src, dim, index, reduce, include_self: a.index_reduce(
               dim, _tt(index), src, reduce, include_self=include_self)),
    OpCase("index_put",
           lambda a, v, idx, accumulate: ag.index_put(a, tuple(_t(i, a) for i in idx), v, accumulate),
           _index_put_ref, index_put_input(),
           torch_fn=lambda a, v, idx, accumulate: _torch().index_put(a, tuple(_tt(i) for i in idx), v,
                                                                     accumulate)),
    OpCase("index_put_",
           lambda a, v, idx, accumulate: ag.index_put_(a * 1, tuple(_t(i, a) for i in idx), v, accumulate),
           _index_put_ref, index_put_input(),
           torch_fn=lambda a, v, idx, accumulate: (a * 1).index_put_(tuple(_tt(i) for i in idx), v,
                                                                     accumulate), id="index_put_inplace"),
    OpCase("put", lambda a, src, index, accumulate: a.put(_t(index, a), src, accumulate), _put_ref,
           put_input(), torch_fn=lambda a, src, index, accumulate: a.put(_tt(index), src, accumulate)),
    OpCase("quantile",
           lambda a, q, dim, keepdim, interpolation: ag.quantile(a, _q(q, a, ag), dim, keepdim,
                                                                 interpolation=interpolation),
           _quantile_ref, quantile_input(),
           torch_fn=lambda a, q, dim, keepdim, interpolation: _torch().quantile(
               a, _q(q, a, None), dim, keepdim, interpolation=interpolation)),
    OpCase("nanquantile",
           lambda a, q, dim, keepdim, interpolation, mask: _with_nan(a, mask, ag).nanquantile(
               _q(q, a, ag), dim, keepdim, interpolation=interpolation),
           lambda a, q, dim, keepdim, interpolation, mask: _quantile_ref(a, q, dim, keepdim, interpolation,
                                                                         mask, nan=True),
           quantile_input(nan=True),
           torch_fn=lambda a, q, dim, keepdim, interpolation, mask: _with_nan(a, mask, None).nanquantile(
               _q(q, a, None), dim, keepdim, interpolation=interpolation)),
]
