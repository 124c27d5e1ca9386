"""Op-table entries for ``ops/sort.py`` and ``ops/selection.py``: sort, argsort, topk, kthvalue,
median, unique, searchsorted/bucketize, tril/triu, diag/diagonal/diag_embed, narrow/select/unbind,
nonzero, take, index_fill/index_add/index_copy, masked_select, tensor_split, movedim, the stacks,
flips, rot90, tile, repeat_interleave, meshgrid.

Sorting cases draw distinct values (ties make the picked index, and so the gradient, ambiguous).
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd as ag

from .spec import OpCase, array, shapes
from .spec import torch_module as _torch, on_device as _t, torch_array as _tt


@st.composite
def distinct(draw, min_dims=1, max_dims=3):
    """An array of distinct values (a shuffled grid) and a dim."""
    shape = draw(shapes(min_dims=min_dims, max_dims=max_dims, min_side=1))
    n = int(np.prod(shape))
    vals = (np.arange(n) - n / 2) * 0.37
    perm = draw(st.permutations(list(range(n))))
    a = vals[np.asarray(perm, dtype=int)].reshape(shape) if n else vals.reshape(shape)
    return (a,), {"dim": draw(st.integers(-len(shape), len(shape) - 1)) if shape else 0}


@st.composite
def with_k(draw, base):
    (a,), p = draw(base)
    n = a.shape[p["dim"]]
    return (a,), {**p, "k": draw(st.integers(1, n))}


@st.composite
def matrix(draw, min_dims=2, max_dims=3):
    shape = draw(shapes(min_dims=min_dims, max_dims=max_dims, max_side=4))
    return (draw(array(shape)),), {"k": draw(st.integers(-3, 3))}


@st.composite
def diagonal_and_source(draw):
    """An array, a source for its ``offset`` diagonal of the ``(dim1, dim2)`` planes, and those."""
    shape = draw(shapes(min_dims=2, max_dims=3, max_side=4))
    d1, d2 = draw(st.permutations(range(len(shape))))[:2]
    offset = draw(st.integers(-3, 3))
    diag = np.diagonal(np.empty(shape), offset, d1, d2).shape
    return (draw(array(shape)), draw(array(diag))), {"offset": offset, "dim1": d1, "dim2": d2}


def _diagonal_scatter_np(a, src, offset, dim1, dim2):
    out = a.copy()
    view = np.diagonal(out, offset, dim1, dim2)
    view.flags.writeable = True
    view[...] = src
    return out


@st.composite
def dim_and_index(draw, sizes=True):
    """An array, a dim, and a vector of distinct indices along it (with a source slice)."""
    shape = draw(shapes(min_dims=1, max_dims=3, min_side=1))
    d = draw(st.integers(0, len(shape) - 1))
    idx = np.asarray(draw(st.lists(st.integers(0, shape[d] - 1), min_size=1, max_size=shape[d], unique=True)))
    src_shape = list(shape)
    src_shape[d] = len(idx)
    return (draw(array(shape)), draw(array(tuple(src_shape)))), {"dim": d, "index": idx}


@st.composite
def narrow_args(draw, min_side=0):
    shape = draw(shapes(min_dims=1, max_dims=3, min_side=min_side))
    d = draw(st.integers(0, len(shape) - 1))
    start = draw(st.integers(0, shape[d]))
    length = draw(st.integers(0, shape[d] - start))
    return (draw(array(shape)),), {"dim": d, "start": start, "length": length}


@st.composite
def mask_pair(draw):
    shape = draw(shapes(min_dims=0, max_dims=3))
    return (draw(array(shape)),), {"mask": draw(hnp.arrays(np.bool_, shape))}


@st.composite
def masked_scatter_args(draw):
    """An array, a source of at least as many elements as the mask's ones (a mask of the array's
    trailing dims, broadcast), and the mask."""
    shape = draw(shapes(min_dims=1, max_dims=3))
    mask = draw(hnp.arrays(np.bool_, shape[draw(st.integers(0, len(shape) - 1)):]))
    ones = int(np.broadcast_to(mask, shape).sum())
    source = draw(array((ones + draw(st.integers(0, 2)),)))
    return (draw(array(shape)), source), {"mask": mask}


def _masked_scatter_np(a, source, mask):
    out = a.copy()
    m = np.broadcast_to(mask, a.shape)
    out[m] = source[:int(m.sum())]
    return out


@st.composite
def split_args(draw):
    shape = draw(shapes(min_dims=1, max_dims=3))
    d = draw(st.integers(0, len(shape) - 1))
    sections = draw(
        st.integers(1, 4)
        | st.lists(st.integers(-shape[d] - 1, shape[d] + 1), max_size=3).map(sorted).map(tuple)
    )
    return (draw(array(shape)),), {"dim": d, "s": sections}


@st.composite
def take_args(draw):
    shape = draw(shapes(min_dims=0, max_dims=3, min_side=1))
    n = int(np.prod(shape))
    idx = draw(hnp.arrays(np.int64, draw(shapes(max_dims=2)), elements=st.integers(-n, n - 1)))
    return (draw(array(shape)),), {"idx": idx}


@st.composite
def vectors(draw, n=2):
    return tuple(draw(array((draw(st.integers(0, 4)),))) for _ in range(n)), {}


@st.composite
def same_shape(draw, n=2, min_dims=0):
    shape = draw(shapes(min_dims=min_dims, max_dims=3))
    return tuple(draw(array(shape)) for _ in range(n)), {}


@st.composite
def repeats_args(draw):
    shape = draw(shapes(min_dims=1, max_dims=3))
    d = draw(st.integers(0, len(shape) - 1))
    reps = np.asarray(draw(st.lists(st.integers(0, 3), min_size=shape[d], max_size=shape[d])), dtype=np.int64)
    return (draw(array(shape)),), {"dim": d, "reps": reps}


@st.composite
def sorted_and_values(draw):
    seq = np.sort(
        draw(hnp.arrays(np.float64, draw(st.integers(1, 6)), elements=st.integers(-4, 4).map(float)))
    )
    vals = draw(array(draw(shapes(max_dims=2)), -5, 5))
    return (seq, vals), {"right": draw(st.booleans())}


def _take_ref(a, dim, start, length):
    return np.take(a, np.arange(start, start + length), axis=dim)


def _np_diag_embed(a, k):
    n = a.shape[-1] + abs(k)
    out = np.zeros(a.shape[:-1] + (n, n))
    for idx in np.ndindex(*a.shape[:-1]):
        out[idx] = np.diag(a[idx], k)
    return out


def _np_tensor_split(a, dim, s):
    return tuple(np.array_split(a, s if isinstance(s, int) else list(s), axis=dim))


def _kth_ref(a, dim, k):
    return np.sort(a, axis=dim).take(k - 1, axis=dim)


def _index_add_ref(a, src, dim, index):
    out = a.copy()
    np.add.at(out, (slice(None),) * dim + (index,), src)
    return out


def _index_copy_ref(a, src, dim, index):
    out = a.copy()
    out[(slice(None),) * dim + (index,)] = src
    return out


def _index_fill_ref(a, src, dim, index):
    out = a.copy()
    out[(slice(None),) * dim + (index,)] = -1.5
    return out


CASES = [
    # ------------------------------------------------------------ sorting
    OpCase(
        "sort",
        lambda a, dim: ag.sort(a, dim),
        lambda a, dim: (np.sort(a, dim), np.argsort(a, dim)),
        distinct(),
        torch_fn=lambda a, dim: tuple(_torch().sort(a, dim)),
    ),
    OpCase(
        "sort",
        lambda a, dim: a.sort(dim, descending=True).values,
        lambda a, dim: -np.sort(-a, dim),
        distinct(),
        torch_fn=lambda a, dim: a.sort(dim, descending=True).values,
        id="sort_descending",
    ),
    OpCase(
        "argsort",
        lambda a, dim: ag.argsort(a, dim, descending=True),
        lambda a, dim: np.argsort(-a, dim),
        distinct(),
        torch_fn=lambda a, dim: _torch().argsort(a, dim, descending=True),
        grad=False,
        gradgrad=False,
        covers=("msort",),
    ),
    OpCase(
        "topk",
        lambda a, dim, k: ag.topk(a, k, dim),
        lambda a, dim, k: (
            np.take(-np.sort(-a, dim), np.arange(k), dim),
            np.take(np.argsort(-a, dim), np.arange(k), dim),
        ),
        with_k(distinct()),
        torch_fn=lambda a, dim, k: tuple(_torch().topk(a, k, dim)),
    ),
    OpCase(
        "topk",
        lambda a, dim, k: a.topk(k, dim, largest=False).values,
        lambda a, dim, k: np.take(np.sort(a, dim), np.arange(k), dim),
        with_k(distinct()),
        torch_fn=lambda a, dim, k: a.topk(k, dim, largest=False).values,
        id="topk_smallest",
    ),
    OpCase(
        "kthvalue",
        lambda a, dim, k: ag.kthvalue(a, k, dim).values,
        _kth_ref,
        with_k(distinct()),
        torch_fn=lambda a, dim, k: _torch().kthvalue(a, k, dim).values,
    ),
    OpCase(
        "median",
        lambda a, dim: ag.median(a, dim).values,
        lambda a, dim: np.sort(a, dim).take((a.shape[dim] - 1) // 2, axis=dim),
        distinct(),
        torch_fn=lambda a, dim: _torch().median(a, dim).values,
        covers=("nanmedian",),
    ),
    OpCase(
        "median",
        lambda a, dim: ag.median(a),
        lambda a, dim: np.sort(a.reshape(-1))[(a.size - 1) // 2],
        distinct(),
        torch_fn=lambda a, dim: _torch().median(a),
        id="median_all",
    ),
    OpCase(
        "unique",
        lambda a: ag.unique(a, return_inverse=True, return_counts=True),
        lambda a: np.unique(a, return_inverse=True, return_counts=True),
        st.builds(
            lambda a: ((a,), {}),
            hnp.arrays(np.float64, st.integers(0, 8), elements=st.integers(-2, 2).map(float)),
        ),
        torch_fn=lambda a: _torch().unique(a, return_inverse=True, return_counts=True),
        grad=False,
        gradgrad=False,
        covers=("unique_consecutive",),
    ),
    OpCase(
        "searchsorted",
        lambda s, v, right: ag.searchsorted(s, v, right=right),
        lambda s, v, right: np.searchsorted(s, v, side="right" if right else "left"),
        sorted_and_values(),
        torch_fn=lambda s, v, right: _torch().searchsorted(s, v, right=right),
        grad=False,
        gradgrad=False,
        covers=("bucketize",),
    ),
    # ------------------------------------------------------------ triangles and diagonals
    OpCase(
        "tril",
        lambda a, k: ag.tril(a, k),
        lambda a, k: np.tril(a, k),
        matrix(),
        torch_fn=lambda a, k: _torch().tril(a, k),
    ),
    OpCase(
        "triu", lambda a, k: a.triu(k), lambda a, k: np.triu(a, k), matrix(), torch_fn=lambda a, k: a.triu(k)
    ),
    OpCase(
        "diagonal",
        lambda a, k: ag.diagonal(a, k, -2, -1),
        lambda a, k: np.diagonal(a, k, -2, -1),
        matrix(),
        torch_fn=lambda a, k: _torch().diagonal(a, k, -2, -1),
        covers=("trace",),
    ),
    OpCase(
        "diagonal_scatter",
        lambda a, src, offset, dim1, dim2: ag.diagonal_scatter(a, src, offset, dim1, dim2),
        _diagonal_scatter_np,
        diagonal_and_source(),
        torch_fn=lambda a, src, offset, dim1, dim2: _torch().diagonal_scatter(a, src, offset, dim1, dim2),
    ),
    OpCase(
        "diag",
        lambda a, k: ag.diag(a, k),
        lambda a, k: np.diag(a, k),
        matrix(1, 2),
        torch_fn=lambda a, k: _torch().diag(a, k),
        covers=("diagflat",),
    ),
    OpCase(
        "diag_embed",
        lambda a, k: ag.diag_embed(a, k),
        _np_diag_embed,
        matrix(1, 3),
        torch_fn=lambda a, k: _torch().diag_embed(a, k),
    ),
    # ------------------------------------------------------------ pieces
    OpCase(
        "narrow",
        lambda a, dim, start, length: ag.narrow(a, dim, start, length),
        _take_ref,
        narrow_args(),
        torch_fn=lambda a, dim, start, length: _torch().narrow(a, dim, start, length),
        covers=("narrow_copy",),  # narrow, cloned: tests/test_masked_scatter_narrow_copy.py
    ),
    OpCase(
        "select",
        lambda a, dim, start, length: ag.select(a, dim, start) if start < a.shape[dim] else a,
        lambda a, dim, start, length: np.take(a, start, dim) if start < a.shape[dim] else a,
        narrow_args(),
        covers=("unbind",),
    ),
    OpCase(
        "unbind",
        lambda a, dim, start, length: ag.unbind(a, dim),
        lambda a, dim, start, length: tuple(np.moveaxis(a, dim, 0)),
        narrow_args(min_side=1),
        torch_fn=lambda a, dim, start, length: _torch().unbind(a, dim),
        id="unbind_fn",
    ),
    OpCase(
        "tensor_split",
        lambda a, dim, s: ag.tensor_split(a, s, dim),
        _np_tensor_split,
        split_args(),
        torch_fn=lambda a, dim, s: _torch().tensor_split(a, list(s) if isinstance(s, tuple) else s, dim),
        covers=("hsplit", "vsplit", "dsplit"),  # their own checks: tests/test_split_directions.py
    ),
    OpCase(
        "nonzero",
        lambda a: ag.nonzero(a > 0),
        lambda a: np.argwhere(a > 0),
        same_shape(1),
        torch_fn=lambda a: _torch().nonzero(a > 0),
        grad=False,
        gradgrad=False,
        covers=("argwhere", "count_nonzero"),
    ),
    OpCase(
        "masked_select",
        lambda a, mask: ag.masked_select(a, _t(mask, a)),
        lambda a, mask: a[mask],
        mask_pair(),
        torch_fn=lambda a, mask: _torch().masked_select(a, _tt(mask)),
    ),
    OpCase(
        "masked_scatter",
        lambda a, source, mask: ag.masked_scatter(a, _t(mask, a), source),
        _masked_scatter_np,
        masked_scatter_args(),
        torch_fn=lambda a, source, mask: a.masked_scatter(_tt(mask), source),
    ),
    OpCase(
        "take",
        lambda a, idx: ag.take(a, _t(idx, a)),
        lambda a, idx: np.take(a.reshape(-1), idx),
        take_args(),
        torch_fn=lambda a, idx: _torch().take(a, _tt(idx)),
    ),
    OpCase(
        "index_add",
        lambda a, s, dim, index: ag.index_add(a, dim, _t(index, a), s, alpha=1),
        _index_add_ref,
        dim_and_index(),
        torch_fn=lambda a, s, dim, index: _torch().index_add(a, dim, _tt(index), s),
    ),
    OpCase(
        "index_copy",
        lambda a, s, dim, index: ag.index_copy(a, dim, _t(index, a), s),
        _index_copy_ref,
        dim_and_index(),
        torch_fn=lambda a, s, dim, index: _torch().index_copy(a, dim, _tt(index), s),
    ),
    OpCase(
        "index_fill",
        lambda a, s, dim, index: ag.index_fill(a, dim, _t(index, a), -1.5),
        _index_fill_ref,
        dim_and_index(),
        torch_fn=lambda a, s, dim, index: _torch().index_fill(a, dim, _tt(index), -1.5),
    ),
    # ------------------------------------------------------------ rearranging
    OpCase(
        "movedim",
        lambda a: ag.movedim(a, 0, -1),
        lambda a: np.moveaxis(a, 0, -1),
        same_shape(1, min_dims=1),
        torch_fn=lambda a: _torch().movedim(a, 0, -1),
        covers=("moveaxis",),
    ),
    OpCase(
        "hstack",
        lambda a, b: ag.hstack([a, b]),
        lambda a, b: np.hstack([a, b]),
        same_shape(2, 1),
        torch_fn=lambda a, b: _torch().hstack([a, b]),
        covers=("atleast_1d", "column_stack"),
    ),
    OpCase(
        "vstack",
        lambda a, b: ag.vstack([a, b]),
        lambda a, b: np.vstack([a, b]),
        same_shape(2),
        torch_fn=lambda a, b: _torch().vstack([a, b]),
        covers=("atleast_2d", "row_stack"),
    ),
    OpCase(
        "dstack",
        lambda a, b: ag.dstack([a, b]),
        lambda a, b: np.dstack([a, b]),
        same_shape(2),
        torch_fn=lambda a, b: _torch().dstack([a, b]),
        covers=("atleast_3d",),
    ),
    OpCase("fliplr", ag.fliplr, np.fliplr, same_shape(1, 2), torch_fn=lambda a: _torch().fliplr(a)),
    OpCase("flipud", ag.flipud, np.flipud, same_shape(1, 1), torch_fn=lambda a: _torch().flipud(a)),
    OpCase(
        "rot90",
        lambda a, k: ag.rot90(a, k),
        lambda a, k: np.rot90(a, k),
        matrix(),
        torch_fn=lambda a, k: _torch().rot90(a, k),
    ),
    OpCase(
        "tile",
        lambda a: ag.tile(a, (2, 1)),
        lambda a: np.tile(a, (2, 1)),
        same_shape(1),
        torch_fn=lambda a: _torch().tile(a, (2, 1)),
    ),
    OpCase(
        "repeat_interleave",
        lambda a, dim, reps: ag.repeat_interleave(a, _t(reps, a), dim),
        lambda a, dim, reps: np.repeat(a, reps, axis=dim),
        repeats_args(),
        torch_fn=lambda a, dim, reps: _torch().repeat_interleave(a, _tt(reps), dim),
    ),
    OpCase(
        "repeat_interleave",
        lambda a, dim, reps: a.repeat_interleave(2),
        lambda a, dim, reps: np.repeat(a.reshape(-1), 2),
        repeats_args(),
        torch_fn=lambda a, dim, reps: a.repeat_interleave(2),
        id="repeat_interleave_flat",
    ),
    OpCase(
        "meshgrid",
        lambda a, b: ag.meshgrid(a, b, indexing="ij"),
        lambda a, b: tuple(np.meshgrid(a, b, indexing="ij")),
        vectors(),
        torch_fn=lambda a, b: _torch().meshgrid(a, b, indexing="ij"),
        covers=("cartesian_prod",),
    ),
    OpCase(
        "meshgrid",
        lambda a, b: ag.meshgrid(a, b, indexing="xy"),
        lambda a, b: tuple(np.meshgrid(a, b, indexing="xy")),
        vectors(),
        torch_fn=lambda a, b: _torch().meshgrid(a, b, indexing="xy"),
        id="meshgrid_xy",
    ),
]
