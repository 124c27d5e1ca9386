"""Op-table entries for the shape and movement ops (reshape family, permute, expand, repeat,
split/chunk, cat/stack, flip, roll).

Shapes include 0-d tensors and size-0 and size-1 dimensions wherever the op
accepts them; dims are drawn negative as often as positive.
"""
from __future__ import annotations

import math

import numpy as np
from hypothesis import strategies as st

import autograd as ag

from .spec import OpCase, array, shapes, unary
from .spec import torch_module as _torch, on_device as _t


# ---------------------------------------------------------------- strategies
def _dim(draw, ndim, extra=0):
    """A dim for a tensor of ``ndim`` dims (``extra`` more positions, as unsqueeze), maybe negative."""
    n = max(ndim + extra, 1)
    d = draw(st.integers(0, n - 1))
    return d - n if draw(st.booleans()) else d


def _prime_factors(n):
    out, p = [], 2
    while n > 1:
        while n % p == 0:
            out.append(p)
            n //= p
        p += 1
    return out


@st.composite
def new_shape(draw, numel, allow_infer=True):
    """A shape with ``numel`` elements (ones sprinkled in; one entry maybe ``-1``)."""
    if numel == 0:
        dims = [0] + draw(st.lists(st.integers(0, 3), max_size=2))
    else:
        k = draw(st.integers(1, 3))
        dims = [1] * k
        for f in _prime_factors(numel):
            dims[draw(st.integers(0, k - 1))] *= f
        dims += [1] * draw(st.integers(0, 1))
        if numel == 1 and draw(st.booleans()):
            dims = []
    dims = list(draw(st.permutations(dims)))
    if allow_infer and numel and dims and draw(st.booleans()):
        dims[draw(st.integers(0, len(dims) - 1))] = -1
    return tuple(dims)


@st.composite
def reshape_input(draw):
    a = draw(array(draw(shapes())))
    return (a,), {"shape": draw(new_shape(a.size))}


@st.composite
def flatten_input(draw):
    a = draw(array(draw(shapes(min_dims=1))))
    s, e = sorted(draw(st.integers(0, a.ndim - 1)) for _ in range(2))
    s = s - a.ndim if draw(st.booleans()) else s
    e = e - a.ndim if draw(st.booleans()) else e
    return (a,), {"start_dim": s, "end_dim": e}


@st.composite
def unflatten_input(draw):
    a = draw(array(draw(shapes(min_dims=1))))
    d = _dim(draw, a.ndim)
    sizes = draw(new_shape(a.shape[d], allow_infer=a.shape[d] != 0))
    return (a,), {"dim": d, "sizes": sizes or (1,)}


@st.composite
def squeeze_input(draw):
    a = draw(array(draw(shapes(max_side=2))))
    kind = draw(st.sampled_from(["none", "int", "tuple"]))
    if kind == "none" or a.ndim == 0 and kind == "tuple":
        return (a,), {"dim": None}
    if kind == "int":
        return (a,), {"dim": _dim(draw, a.ndim)}
    dims = draw(st.lists(st.integers(0, a.ndim - 1), unique=True, max_size=a.ndim))
    return (a,), {"dim": tuple(d - a.ndim if draw(st.booleans()) else d for d in dims)}


@st.composite
def one_dim(draw, extra=0, min_dims=0):
    a = draw(array(draw(shapes(min_dims=min_dims))))
    return (a,), {"dim": _dim(draw, a.ndim, extra)}


@st.composite
def two_dims(draw):
    a = draw(array(draw(shapes())))
    return (a,), {"dim0": _dim(draw, a.ndim), "dim1": _dim(draw, a.ndim)}


@st.composite
def permute_input(draw):
    a = draw(array(draw(shapes())))
    dims = draw(st.permutations(range(a.ndim)))
    return (a,), {"dims": tuple(d - a.ndim if draw(st.booleans()) else d for d in dims)}


@st.composite
def expand_input(draw, allow_keep=True):
    """An array with size-1 dims and a target shape (``-1`` keeps a size when ``allow_keep``)."""
    a = draw(array(draw(shapes(max_side=3))))
    target = []
    for n in a.shape:
        if allow_keep and draw(st.booleans()):
            target.append(-1)
        elif n == 1:
            target.append(draw(st.integers(0, 3)))
        else:
            target.append(n)
    lead = draw(st.lists(st.integers(0, 3), max_size=2))
    return (a,), {"shape": tuple(lead + target)}


def _expanded(a, shape):
    lead = len(shape) - a.ndim
    full = tuple(a.shape[i - lead] if s == -1 else s for i, s in enumerate(shape))
    return np.broadcast_to(a, full)


@st.composite
def repeat_input(draw):
    a = draw(array(draw(shapes(max_side=3))))
    reps = draw(st.lists(st.integers(0, 3), min_size=a.ndim, max_size=a.ndim + 2))
    return (a,), {"sizes": tuple(reps)}


@st.composite
def split_input(draw, sections):
    a = draw(array(draw(shapes(min_dims=1))))
    d = _dim(draw, a.ndim)
    n = a.shape[d]
    if sections:
        cuts = sorted(draw(st.lists(st.integers(0, n), max_size=3)))
        bounds = [0] + cuts + [n]
        return (a,), {"sizes": [b - c for c, b in zip(bounds, bounds[1:])], "dim": d}
    return (a,), {"sizes": draw(st.integers(1, 4)), "dim": d}


def _split_ref(a, sizes, dim):
    n = a.shape[dim]
    if isinstance(sizes, int):
        sizes = [sizes] * (n // sizes) + ([n % sizes] if n % sizes else []) or [0]
    return tuple(np.split(a, np.cumsum(sizes)[:-1], axis=dim))


@st.composite
def chunk_input(draw):
    a = draw(array(draw(shapes(min_dims=1))))
    return (a,), {"chunks": draw(st.integers(1, 5)), "dim": _dim(draw, a.ndim)}


def _chunk_ref(a, chunks, dim):
    n = a.shape[dim]
    if n == 0:
        return tuple(np.split(a, chunks, axis=dim))
    size = -(-n // chunks)
    return _split_ref(a, size, dim)


@st.composite
def flip_input(draw):
    a = draw(array(draw(shapes())))
    dims = draw(st.lists(st.integers(0, max(a.ndim - 1, 0)), unique=True, max_size=a.ndim))
    return (a,), {"dims": tuple(d - a.ndim if draw(st.booleans()) else d for d in dims)}


@st.composite
def roll_input(draw):
    a = draw(array(draw(shapes())))
    if a.ndim == 0 or draw(st.booleans()):
        return (a,), {"shifts": draw(st.integers(-6, 6)), "dims": None}
    dims = draw(st.lists(st.integers(-a.ndim, a.ndim - 1), min_size=1, max_size=3))
    shifts = draw(st.lists(st.integers(-6, 6), min_size=len(dims), max_size=len(dims)))
    if len(dims) == 1 and draw(st.booleans()):
        return (a,), {"shifts": shifts[0], "dims": dims[0]}
    return (a,), {"shifts": tuple(shifts), "dims": tuple(dims)}


def _roll_ref(a, shifts, dims):
    if dims is None:
        return np.roll(a.reshape(-1), shifts).reshape(a.shape)
    if isinstance(dims, int):
        dims, shifts = (dims,), (shifts,)
    out = a
    for s, d in zip(shifts, dims):  # repeated dims roll twice, as PyTorch
        out = np.roll(out, s, axis=d)
    return out


@st.composite
def cat_input(draw):
    """1-3 arrays that agree except along ``dim`` (sizes 0-3 there)."""
    shape = list(draw(shapes(min_dims=1)))
    d = _dim(draw, len(shape))
    arrays = []
    for _ in range(draw(st.integers(1, 3))):
        shape[d] = draw(st.integers(0, 3))
        arrays.append(draw(array(tuple(shape))))
    return tuple(arrays), {"dim": d}


@st.composite
def cat_promote_input(draw):
    (a,), p = draw(one_dim(min_dims=1))
    other = list(a.shape)
    other[p["dim"]] = draw(st.integers(0, 3))
    ints = draw(st.lists(st.integers(-5, 5), min_size=math.prod(other), max_size=math.prod(other)))
    return (a,), {**p, "ints": np.array(ints, dtype=np.int32).reshape(other)}


@st.composite
def stack_input(draw):
    shape = draw(shapes())
    arrays = tuple(draw(array(shape)) for _ in range(draw(st.integers(1, 3))))
    return arrays, {"dim": _dim(draw, len(shape), extra=1)}


def _flatten_ref(a, start_dim=0, end_dim=-1):
    if a.ndim == 0:
        return a.reshape(1)
    s, e = start_dim % a.ndim, end_dim % a.ndim
    return a.reshape(a.shape[:s] + (math.prod(a.shape[s:e + 1]),) + a.shape[e + 1:])


def _unflatten_ref(a, dim, sizes):
    d = dim % a.ndim
    known = math.prod(v for v in sizes if v != -1)
    sizes = tuple(a.shape[d] // known if v == -1 else v for v in sizes)  # NumPy can't infer at size 0
    return a.reshape(a.shape[:d] + sizes + a.shape[d + 1:])


def _squeeze_ref(a, dim):
    if dim is None:
        return np.squeeze(a)
    dims = dim if isinstance(dim, tuple) else (dim,)
    axes = tuple(d % max(a.ndim, 1) for d in dims if a.ndim and a.shape[d % a.ndim] == 1)
    return np.squeeze(a, axis=axes) if axes else a


def _transpose_ref(a, dim0, dim1):
    return np.swapaxes(a, dim0, dim1) if a.ndim else a


def _repeat_ref(a, sizes):
    return np.tile(a.reshape((1,) * (len(sizes) - a.ndim) + a.shape), sizes)


# ---------------------------------------------------------------- the table
CASES = [
    OpCase("reshape", lambda a, shape: ag.reshape(a, shape), lambda a, shape: a.reshape(shape),
           reshape_input(), torch_fn=lambda a, shape: a.reshape(shape)),
    OpCase("reshape", lambda a, shape: a.reshape(*shape) if shape else a.reshape(()),
           lambda a, shape: a.reshape(shape), reshape_input(),
           torch_fn=lambda a, shape: a.reshape(shape), id="reshape_method"),
    OpCase("view", lambda a, shape: a.view(*shape) if shape else ag.view(a, ()),
           lambda a, shape: a.reshape(shape), reshape_input(),
           torch_fn=lambda a, shape: a.reshape(shape)),
    OpCase("view", lambda a, shape: (a * a).view(-1), lambda a, shape: (a * a).reshape(-1),
           reshape_input(), torch_fn=lambda a, shape: (a * a).view(-1), id="view_flat_of_product"),
    OpCase("flatten", lambda a, **p: ag.flatten(a, **p), _flatten_ref, flatten_input(),
           torch_fn=lambda a, **p: _torch().flatten(a, **p)),
    OpCase("flatten", lambda a: a.flatten(), lambda a: a.reshape(-1) if a.ndim else a.reshape(1),
           unary(),
           torch_fn=lambda a: a.flatten(), id="flatten_all"),
    OpCase("unflatten", lambda a, dim, sizes: ag.unflatten(a, dim, sizes), _unflatten_ref,
           unflatten_input(), torch_fn=lambda a, dim, sizes: a.unflatten(dim, sizes)),
    OpCase("squeeze", lambda a, dim: ag.squeeze(a, dim), _squeeze_ref, squeeze_input(),
           torch_fn=lambda a, dim: a.squeeze() if dim is None else a.squeeze(dim)),
    OpCase("unsqueeze", lambda a, dim: ag.unsqueeze(a, dim), lambda a, dim: np.expand_dims(a, dim),
           one_dim(extra=1), torch_fn=lambda a, dim: a.unsqueeze(dim)),
    OpCase("transpose", lambda a, dim0, dim1: ag.transpose(a, dim0, dim1), _transpose_ref,
           two_dims(), torch_fn=lambda a, dim0, dim1: a.transpose(dim0, dim1)),
    OpCase("swapaxes", lambda a, dim0, dim1: ag.swapaxes(a, dim0, dim1), _transpose_ref,
           two_dims(), torch_fn=lambda a, dim0, dim1: _torch().swapaxes(a, dim0, dim1)),
    OpCase("permute", lambda a, dims: ag.permute(a, dims), lambda a, dims: np.transpose(a, dims),
           permute_input(), torch_fn=lambda a, dims: a.permute(dims)),
    OpCase("permute", lambda a, dims: a.permute(*dims) if dims else a.permute(()),
           lambda a, dims: np.transpose(a, dims), permute_input(),
           torch_fn=lambda a, dims: a.permute(dims), id="permute_varargs"),
    OpCase("permute", lambda a, dims: a.T * 2, lambda a, dims: a.T * 2, permute_input(),
           torch_fn=lambda a, dims: a.permute(tuple(range(a.ndim - 1, -1, -1))) * 2, id="T"),
    OpCase("expand", lambda a, shape: a.expand(*shape) if shape else ag.expand(a, ()),
           _expanded, expand_input(), torch_fn=lambda a, shape: a.expand(shape)),
    OpCase("broadcast_to", lambda a, shape: ag.broadcast_to(a, shape), np.broadcast_to,
           expand_input(allow_keep=False), torch_fn=lambda a, shape: a.broadcast_to(shape)),
    OpCase("repeat", lambda a, sizes: ag.repeat(a, *sizes) if sizes else a.repeat(()),
           _repeat_ref, repeat_input(), torch_fn=lambda a, sizes: a.repeat(sizes)),
    OpCase("split", lambda a, sizes, dim: ag.split(a, sizes, dim), _split_ref,
           split_input(sections=False), torch_fn=lambda a, sizes, dim: _torch().split(a, sizes, dim)),
    OpCase("split", lambda a, sizes, dim: a.split(sizes, dim=dim), _split_ref,
           split_input(sections=True), torch_fn=lambda a, sizes, dim: a.split(sizes, dim),
           id="split_sections"),
    OpCase("chunk", lambda a, chunks, dim: ag.chunk(a, chunks, dim), _chunk_ref, chunk_input(),
           torch_fn=lambda a, chunks, dim: _torch().chunk(a, chunks, dim)),
    OpCase("flip", lambda a, dims: ag.flip(a, dims), lambda a, dims: np.flip(a, dims) if a.ndim else a,
           flip_input(), torch_fn=lambda a, dims: _torch().flip(a, dims)),
    OpCase("flip", lambda a, dims: a.flip(*dims) if dims else a.flip(()),
           lambda a, dims: np.flip(a, dims) if a.ndim else a, flip_input(),
           torch_fn=lambda a, dims: a.flip(dims), id="flip_varargs"),
    OpCase("roll", lambda a, shifts, dims: ag.roll(a, shifts, dims), _roll_ref, roll_input(),
           torch_fn=lambda a, shifts, dims: _torch().roll(a, shifts, dims)),
    OpCase("cat", lambda *xs, dim: ag.cat(list(xs), dim), lambda *xs, dim: np.concatenate(xs, dim),
           cat_input(), torch_fn=lambda *xs, dim: _torch().cat(xs, dim),
           covers=("concat", "concatenate")),
    OpCase("cat", lambda *xs, dim: ag.concat(xs, dim=dim), lambda *xs, dim: np.concatenate(xs, dim),
           cat_input(), torch_fn=lambda *xs, dim: _torch().concat(xs, dim=dim), id="concat"),
    OpCase("cat", lambda a, dim, ints: ag.concatenate([a, _t(ints, a)], dim),
           lambda a, dim, ints: np.concatenate([a, ints.astype(np.float64)], dim),
           cat_promote_input(),
           torch_fn=lambda a, dim, ints: _torch().cat([a, _torch().from_numpy(ints)], dim),
           id="cat_promotes_dtypes"),
    OpCase("stack", lambda *xs, dim: ag.stack(list(xs), dim), lambda *xs, dim: np.stack(xs, dim),
           stack_input(), torch_fn=lambda *xs, dim: _torch().stack(xs, dim)),
]
