"""Op-table entries for indexing: ``__getitem__`` (basic, integer arrays, masks, mixed),
``__setitem__``, gather, scatter/scatter_add, index_select, masked_fill, take_along_dim.

Index arrays travel in ``params`` as NumPy arrays; the case functions turn them
into tensors on the input's device (or pass them as NumPy arrays and lists,
which indexing accepts too). Repeated indices are drawn wherever the gradient
is defined with them (reads and ``scatter_add``); writes that are not
accumulated (``__setitem__``, ``scatter``) draw distinct positions, since with
repeats only the last write lands and the finite-difference gradient differs
from PyTorch's (which this engine matches; see tests/test_shape_indexing.py).
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd as ag

from .spec import OpCase, array, floats, shapes
from .spec import torch_module as _torch, on_device as _t, torch_array as _tt


def _dev(idx, like):
    """Every NumPy array inside an index tuple as a tensor on ``like``'s device."""
    if isinstance(idx, tuple):
        return tuple(_dev(i, like) for i in idx)
    return _t(idx, like) if isinstance(idx, np.ndarray) else idx


def _torch_index(idx):
    if isinstance(idx, tuple):
        return tuple(_torch_index(i) for i in idx)
    return _tt(idx) if isinstance(idx, np.ndarray) else idx


def _positive_steps(idx):
    """Hypothesis draws negative slice steps, which PyTorch (and xpgrad) reject."""
    def fix(i):
        if isinstance(i, slice) and i.step is not None and i.step < 0:
            return slice(i.start, i.stop, -i.step)
        return i

    return tuple(fix(i) for i in idx) if isinstance(idx, tuple) else fix(idx)


def _dim(draw, ndim):
    n = max(ndim, 1)
    d = draw(st.integers(0, n - 1))
    return d - n if draw(st.booleans()) else d


def _ints(draw, shape, low, high):
    return draw(hnp.arrays(np.int64, shape, elements=st.integers(low, high)))


# ---------------------------------------------------------------- getitem strategies
@st.composite
def basic_index(draw):
    a = draw(array(draw(shapes())))
    idx = draw(hnp.basic_indices(a.shape, allow_newaxis=True, allow_ellipsis=True))
    return (a,), {"idx": _positive_steps(idx)}


@st.composite
def int_array_index(draw):
    """One integer array per leading dimension (negative entries and repeats included)."""
    a = draw(array(draw(shapes(min_dims=1, min_side=1))))
    result = hnp.array_shapes(min_dims=0, max_dims=2, min_side=0, max_side=3)
    idx = draw(hnp.integer_array_indices(a.shape, result_shape=result))
    k = draw(st.integers(1, len(idx)))
    return (a,), {"idx": tuple(i.astype(np.int64) for i in idx[:k])}


@st.composite
def mask_index(draw):
    """A boolean mask over the leading ``k`` dimensions (``k = 0``: a 0-d mask)."""
    a = draw(array(draw(shapes())))
    k = draw(st.integers(0, a.ndim))
    return (a,), {"mask": draw(hnp.arrays(np.bool_, a.shape[:k]))}


@st.composite
def mixed_index(draw):
    """Ints, slices, None, ``...`` and integer arrays together (PyTorch's placement rules)."""
    a = draw(array(draw(shapes(min_dims=1, min_side=1))))
    bshape = draw(hnp.array_shapes(min_dims=0, max_dims=2, min_side=1, max_side=3))
    idx = []
    used = draw(st.integers(1, a.ndim))
    ellipsis_first = used < a.ndim and draw(st.booleans())  # then the index covers the last dims
    for n in (a.shape[a.ndim - used:] if ellipsis_first else a.shape[:used]):
        if draw(st.booleans()):
            idx.append(None)
        kind = draw(st.sampled_from(["int", "slice", "array", "array", "mask"]))
        if kind == "int":
            idx.append(draw(st.integers(-n, n - 1)))
        elif kind == "slice":
            idx.append(_positive_steps(draw(st.slices(n))))
        elif kind == "array":
            idx.append(_ints(draw, draw(st.sampled_from([bshape, bshape[-1:], ()])), -n, n - 1))
        else:
            idx.append(draw(hnp.arrays(np.bool_, (n,))))
    masks = sum(1 for i in idx if isinstance(i, np.ndarray) and i.dtype == np.bool_)
    arrays = sum(1 for i in idx if isinstance(i, np.ndarray) and i.dtype != np.bool_ and i.ndim)
    if masks > 1 or (masks and arrays):  # masks broadcast against the arrays: keep one kind
        idx = [slice(None) if isinstance(i, np.ndarray) and i.dtype == np.bool_ else i for i in idx]
    if ellipsis_first:
        idx.insert(0, Ellipsis)
    elif draw(st.booleans()):
        idx.append(Ellipsis)
    return (a,), {"idx": tuple(idx)}


def _torch_key(a, idx):
    """``idx`` as NumPy keys ``(first, rest)`` so that ``a[first][rest]`` follows PyTorch's rules.

    PyTorch applies ints (0-d integer arrays too) and None before the arrays, so
    they never move the advanced dimensions (NumPy differs); masks act as the
    integer arrays of their nonzero positions. ``rest`` is None when one step does.
    """
    out = []
    for i in (idx if isinstance(idx, tuple) else (idx,)):
        if isinstance(i, np.ndarray) and i.ndim == 0 and i.dtype != np.bool_:
            out.append(int(i))
        elif isinstance(i, np.ndarray) and i.dtype == np.bool_ and i.ndim:
            out.extend(np.nonzero(i))
        else:
            out.append(i)
    if any(i is Ellipsis for i in out):
        consumed = sum(1 for i in out if not (i is None or i is Ellipsis
                                              or isinstance(i, np.ndarray) and i.dtype == np.bool_))
        pos = next(k for k, i in enumerate(out) if i is Ellipsis)
        out[pos:pos + 1] = [slice(None)] * (a.ndim - consumed)
    has_array = any(isinstance(i, np.ndarray) and i.ndim for i in out)
    if not has_array or not any(isinstance(i, int) or i is None for i in out):
        return tuple(out), None
    first = tuple(slice(None) if isinstance(i, np.ndarray) else i for i in out)
    rest = tuple(i if isinstance(i, np.ndarray) else slice(None) for i in out if not isinstance(i, int))
    return first, rest


def _getitem_ref(a, idx):
    first, rest = _torch_key(a, idx)
    return a[first] if rest is None else a[first][rest]


# ---------------------------------------------------------------- setitem strategies
@st.composite
def unique_positions(draw, n, max_size=4):
    """Distinct positions in ``range(n)``, each maybe spelled negative."""
    pos = draw(st.lists(st.integers(0, n - 1), unique=True, max_size=min(n, max_size)))
    return np.array([p - n if draw(st.booleans()) else p for p in pos], dtype=np.int64)


@st.composite
def setitem_input(draw):
    """An index that never writes one element twice, and a value broadcasting to ``a[idx]``."""
    a = draw(array(draw(shapes(min_dims=1, min_side=1))))
    kind = draw(st.sampled_from(["basic", "array", "mask", "mixed"]))
    if kind == "basic":
        idx = _positive_steps(draw(hnp.basic_indices(a.shape, allow_newaxis=True)))
    elif kind == "array":
        d = draw(st.integers(0, a.ndim - 1))
        idx = (slice(None),) * d + (draw(unique_positions(a.shape[d])),)
    elif kind == "mask":
        idx = draw(hnp.arrays(np.bool_, a.shape[:draw(st.integers(1, a.ndim))]))
    else:
        idx = (draw(st.integers(0, a.shape[0] - 1)),)
        if a.ndim > 1:
            idx += (slice(None),) if a.ndim > 2 else ()
            idx += (draw(unique_positions(a.shape[-1])),)
    target = np.asarray(_getitem_ref(a, idx)).shape
    vshape = list(target[draw(st.integers(0, len(target))):])
    vshape = [1 if draw(st.booleans()) else n for n in vshape]
    return (a, draw(array(tuple(vshape)))), {"idx": idx}


def _setitem(a, v, idx):
    y = a * 1  # a non-leaf copy (writing into a leaf that requires grad raises)
    y[idx] = v
    return y


def _setitem_ref(a, v, idx):
    y = a.copy()
    first, rest = _torch_key(a, idx)
    if rest is None:
        y[first] = v
    else:
        y[first][rest] = v  # ``y[first]`` is a view
    return y


@st.composite
def setitem_scalar(draw):
    (a, _), p = draw(setitem_input())
    return (a,), {**p, "s": draw(floats())}


# ---------------------------------------------------------------- dim-wise strategies
@st.composite
def gather_input(draw):
    a = draw(array(draw(shapes(min_dims=1, min_side=1))))
    d = _dim(draw, a.ndim)
    shape = [draw(st.integers(0, n)) for n in a.shape]
    shape[d] = draw(st.integers(0, 4))
    return (a,), {"dim": d, "index": _ints(draw, tuple(shape), 0, a.shape[d] - 1)}


def _gather_ref(a, dim, index):
    d = dim % a.ndim
    sub = a[tuple(slice(0, n) if k != d else slice(None) for k, n in enumerate(index.shape))]
    return np.take_along_axis(sub, index, d)


@st.composite
def scatter_input(draw, unique=True, src_bigger=False):
    """``(a, src)``, a dim and an index no larger than ``a`` (distinct along ``dim`` when ``unique``)."""
    a = draw(array(draw(shapes(min_dims=1, min_side=1))))
    d = _dim(draw, a.ndim)
    dd = d % a.ndim
    shape = [draw(st.integers(0, n)) for n in a.shape]
    if unique:
        rng = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1)))
        full = list(shape)
        full[dd] = a.shape[dd]
        index = np.argsort(rng.random(full), axis=dd)
        index = np.take(index, np.arange(shape[dd]), axis=dd).astype(np.int64)
    else:
        shape[dd] = draw(st.integers(0, 4))
        index = _ints(draw, tuple(shape), 0, a.shape[dd] - 1)
    sshape = tuple(n + (draw(st.integers(0, 1)) if src_bigger else 0) for n in index.shape)
    return (a, draw(array(sshape))), {"dim": d, "index": index}


def _scatter_ref(a, src, dim, index, add=False):
    out = a.copy()
    d = dim % a.ndim
    for pos in np.ndindex(*index.shape):
        target = list(pos)
        target[d] = index[pos]
        value = src[pos] if isinstance(src, np.ndarray) else src
        if add:
            out[tuple(target)] += value
        else:
            out[tuple(target)] = value
    return out


@st.composite
def scatter_scalar_input(draw):
    (a, _), p = draw(scatter_input())
    return (a,), {**p, "s": draw(floats())}


@st.composite
def index_select_input(draw):
    a = draw(array(draw(shapes(min_dims=1, min_side=1))))
    d = _dim(draw, a.ndim)
    n = a.shape[d]
    shape = draw(st.sampled_from([(), (0,), (1,), (3,), (5,)]))
    return (a,), {"dim": d, "index": _ints(draw, shape, 0, n - 1)}


@st.composite
def masked_fill_input(draw, tensor_value=False):
    s = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3))
    a = draw(array(s.input_shapes[0]))
    mask = draw(hnp.arrays(np.bool_, s.input_shapes[1]))
    if tensor_value:
        return (a, draw(array(()))), {"mask": mask}
    return (a,), {"mask": mask, "value": draw(floats())}


@st.composite
def take_along_dim_input(draw):
    a = draw(array(draw(shapes(min_dims=1, min_side=1))))
    if draw(st.booleans()):
        shape = draw(shapes(max_dims=2))
        return (a,), {"indices": _ints(draw, shape, 0, a.size - 1), "dim": None}
    d = _dim(draw, a.ndim)
    shape = [draw(st.sampled_from([1, n])) for n in a.shape]
    shape[d % a.ndim] = draw(st.integers(0, 4))
    if draw(st.booleans()):  # indices larger than ``a`` where ``a`` has size 1: both broadcast
        shape = [draw(st.integers(1, 3)) if n == 1 and k != d % a.ndim else s
                 for k, (n, s) in enumerate(zip(a.shape, shape))]
    return (a,), {"indices": _ints(draw, tuple(shape), 0, a.shape[d] - 1), "dim": d}


def _take_along_dim_ref(a, indices, dim):
    if dim is None:
        return np.take_along_axis(a.reshape(-1), indices.reshape(-1), 0)
    return np.take_along_axis(a, indices, dim)


# ---------------------------------------------------------------- the table
CASES = [
    OpCase("__getitem__", lambda a, idx: a[idx], lambda a, idx: a[idx], basic_index(),
           torch_fn=lambda a, idx: a[idx], id="getitem_basic"),
    OpCase("__getitem__", lambda a, idx: a[_dev(idx, a)], lambda a, idx: a[idx], int_array_index(),
           torch_fn=lambda a, idx: a[_torch_index(idx)], id="getitem_int_tensors"),
    OpCase("__getitem__", lambda a, idx: a[idx], lambda a, idx: a[idx], int_array_index(),
           torch_fn=lambda a, idx: a[_torch_index(idx)], id="getitem_numpy_arrays"),
    OpCase("__getitem__", lambda a, idx: a[idx[0].reshape(-1).tolist()], lambda a, idx: a[idx[0].reshape(-1)],
           int_array_index(), torch_fn=lambda a, idx: a[idx[0].reshape(-1).tolist()], id="getitem_list"),
    OpCase("__getitem__", lambda a, mask: a[_t(mask, a)], lambda a, mask: _getitem_ref(a, mask), mask_index(),
           torch_fn=lambda a, mask: a[_tt(mask)], id="getitem_mask"),
    OpCase("__getitem__", lambda a, idx: a[_dev(idx, a)], _getitem_ref, mixed_index(),
           torch_fn=lambda a, idx: a[_torch_index(idx)], id="getitem_mixed"),
    OpCase("__setitem__", lambda a, v, idx: _setitem(a, v, _dev(idx, a)), _setitem_ref,
           setitem_input(), torch_fn=lambda a, v, idx: _setitem(a, v, _torch_index(idx)),
           id="setitem"),
    OpCase("__setitem__", lambda a, idx, s: _setitem(a, s, _dev(idx, a)),
           lambda a, idx, s: _setitem_ref(a, s, idx), setitem_scalar(),
           torch_fn=lambda a, idx, s: _setitem(a, s, _torch_index(idx)), id="setitem_scalar"),
    OpCase("gather", lambda a, dim, index: ag.gather(a, dim, _t(index, a)), _gather_ref,
           gather_input(), torch_fn=lambda a, dim, index: _torch().gather(a, dim, _tt(index))),
    OpCase("gather", lambda a, dim, index: a.gather(dim, _t(index, a)), _gather_ref,
           gather_input(), torch_fn=lambda a, dim, index: a.gather(dim, _tt(index)),
           id="gather_method"),
    OpCase("scatter", lambda a, src, dim, index: ag.scatter(a, dim, _t(index, a), src),
           _scatter_ref, scatter_input(),
           torch_fn=lambda a, src, dim, index: _torch().scatter(a, dim, _tt(index), src)),
    OpCase("scatter", lambda a, src, dim, index: a.scatter(dim, _t(index, a), src),
           _scatter_ref, scatter_input(src_bigger=True), id="scatter_src_larger"),
    OpCase("scatter", lambda a, dim, index, s: a.scatter(dim, _t(index, a), s),
           lambda a, dim, index, s: _scatter_ref(a, s, dim, index), scatter_scalar_input(),
           torch_fn=lambda a, dim, index, s: a.scatter(dim, _tt(index), s), id="scatter_scalar"),
    OpCase("scatter", lambda a, src, dim, index: a.scatter(dim, _t(index, a), src, reduce="add"),
           lambda a, src, dim, index: _scatter_ref(a, src, dim, index, add=True),
           scatter_input(unique=False),
           torch_fn=lambda a, src, dim, index: _torch().scatter_add(a, dim, _tt(index), src),
           grad=False, id="scatter_reduce_add"),  # no derivative, as PyTorch's (backward raises)
    OpCase("scatter_add", lambda a, src, dim, index: ag.scatter_add(a, dim, _t(index, a), src),
           lambda a, src, dim, index: _scatter_ref(a, src, dim, index, add=True),
           scatter_input(unique=False),
           torch_fn=lambda a, src, dim, index: _torch().scatter_add(a, dim, _tt(index), src)),
    OpCase("index_select", lambda a, dim, index: ag.index_select(a, dim, _t(index, a)),
           lambda a, dim, index: np.take(a, index.reshape(-1), axis=dim), index_select_input(),
           torch_fn=lambda a, dim, index: _torch().index_select(a, dim, _tt(index))),
    OpCase("masked_fill", lambda a, mask, value: ag.masked_fill(a, _t(mask, a), value),
           lambda a, mask, value: np.where(mask, value, a), masked_fill_input(),
           torch_fn=lambda a, mask, value: a.masked_fill(_tt(mask), value)),
    OpCase("masked_fill", lambda a, v, mask: a.masked_fill(_t(mask, a), v),
           lambda a, v, mask: np.where(mask, v, a), masked_fill_input(tensor_value=True),
           torch_fn=lambda a, v, mask: a.masked_fill(_tt(mask), v), id="masked_fill_tensor_value"),
    OpCase("take_along_dim", lambda a, indices, dim: ag.take_along_dim(a, _t(indices, a), dim),
           _take_along_dim_ref, take_along_dim_input(),
           torch_fn=lambda a, indices, dim: _torch().take_along_dim(a, _tt(indices), dim)),
]
