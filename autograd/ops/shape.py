"""Shape and movement ops: reshape/view, squeeze, transpose/permute, expand, cat/stack, split (flip and
roll are in ``flip_roll.py``).

Views (reshape, squeeze/unsqueeze, transpose/permute, expand, split) share the
version counter of their base, so an in-place change to either is seen by the
saved-tensor check of both.
"""
from __future__ import annotations

import math
import numbers

from .. import backend
from ..function import Primitive
from ..tensor import Tensor
from ._util import norm_dim, norm_dims, shape_arg, sum_array

__all__ = [
    "reshape", "view", "flatten", "unflatten", "squeeze", "unsqueeze", "transpose", "swapaxes",
    "permute", "expand", "broadcast_to", "repeat", "chunk", "split", "flip", "roll", "cat",
    "concat", "concatenate", "stack",
]


# ---------------------------------------------------------------- primitives
class Reshape(Primitive):
    is_view = True

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x.shape
        return x.reshape(shape)

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.shape), None

    raw_backward = backward  # the same on arrays


class Expand(Primitive):
    is_view = True

    @staticmethod
    def forward(ctx, x, shape):
        lead = len(shape) - x.ndim
        if shape[lead:] == x.shape and all(s == 1 for s in shape[:lead]):
            # nothing broadcast: a plain view, writable as PyTorch's (broadcast_to's is read-only)
            return x[(None,) * lead] if lead else x.view()
        out = ctx.device.xp.broadcast_to(x, shape)
        flags = getattr(out, "flags", None)  # writable as PyTorch's (x[0, 1] = v writes x's element)
        if flags is not None and not getattr(flags, "writeable", True) and x.flags.writeable:
            flags.writeable = True
        return out

    @staticmethod
    def backward(ctx, g):
        return g, None  # the engine sums over the broadcast dimensions

    raw_backward = backward  # the same on arrays


class Permute(Primitive):
    is_view = True

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return ctx.device.xp.transpose(x, dims)

    @staticmethod
    def backward(ctx, g):
        return g.permute(*_inverse(ctx.dims)), None

    @staticmethod
    def raw_backward(ctx, g):
        return g.transpose(_inverse(ctx.dims)), None


def _inverse(dims):
    """The permutation that undoes ``dims``."""
    inverse = [0] * len(dims)
    for i, d in enumerate(dims):
        inverse[d] = i
    return inverse


class Cat(Primitive):
    """``concatenate`` along ``dim`` (the first argument; the tensors follow)."""

    @staticmethod
    def forward(ctx, dim, *xs):
        ctx.dim = dim
        ctx.sizes = [a.shape[dim] for a in xs]
        return ctx.device.xp.concatenate(xs, axis=dim)

    @staticmethod
    def backward(ctx, g):
        return (None, *split(g, ctx.sizes, ctx.dim))

    @staticmethod
    def raw_backward(ctx, g):
        return (None, *Split.forward(ctx, g, ctx.sizes, ctx.dim))


class Repeat(Primitive):
    """``x`` tiled ``sizes[i]`` times along each dimension: always a new array (PyTorch's repeat
    copies; a view would see later writes to ``x`` and could not be written itself)."""

    @staticmethod
    def forward(ctx, x, sizes):
        shape = (1,) * (len(sizes) - x.ndim) + x.shape
        ctx.shape = x.shape
        # (r0, s0, r1, s1, ...): summing the r axes undoes the tiling
        ctx.tiled = tuple(v for r, s in zip(sizes, shape) for v in (r, s))
        ctx.axes = tuple(range(0, 2 * len(sizes), 2))
        out = ctx.device.xp.empty(tuple(r * s for r, s in zip(sizes, shape)), dtype=x.dtype)
        # one copy: (1, s0, 1, s1) broadcast into out seen as (r0, s0, r1, s1) (a view of out)
        out.reshape(ctx.tiled)[...] = x.reshape(tuple(v for s in shape for v in (1, s)))
        return out

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.tiled).sum(dim=ctx.axes).reshape(ctx.shape), None

    @staticmethod
    def raw_backward(ctx, g):
        return sum_array(g.reshape(ctx.tiled), ctx.axes, False).reshape(ctx.shape), None


class Split(Primitive):
    """Consecutive pieces of ``sizes`` along ``dim``; every piece is a view of the input."""

    is_view = True

    @staticmethod
    def forward(ctx, x, sizes, dim):
        ctx.dim = dim
        lead = (slice(None),) * dim
        out, start = [], 0
        for s in sizes:
            out.append(x[lead + (slice(start, start + s),)])
            start += s
        return tuple(out)

    @staticmethod
    def backward(ctx, *grads):
        return cat(grads, ctx.dim), None, None

    @staticmethod
    def raw_backward(ctx, *grads):
        return ctx.device.xp.concatenate(grads, axis=ctx.dim), None, None


# ---------------------------------------------------------------- reshape family
def _infer_shape(shape, numel):
    """Resolve one ``-1`` in ``shape`` for a tensor of ``numel`` elements (PyTorch's rules)."""
    infer = [i for i, s in enumerate(shape) if s == -1]
    if len(infer) > 1:
        raise RuntimeError(f"only one dimension can be inferred, got shape {list(shape)}")
    for s in shape:
        if s < -1:
            raise RuntimeError(f"invalid shape dimension {s} in shape {list(shape)}")
    known = math.prod(s for s in shape if s != -1)
    if infer:
        if known == 0:
            if numel == 0:
                raise RuntimeError(
                    f"cannot reshape tensor of 0 elements into shape {list(shape)} because the "
                    "unspecified dimension size -1 can be any value and is ambiguous"
                )
        elif numel % known == 0:
            shape = tuple(numel // known if s == -1 else s for s in shape)
            return shape
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    if known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return tuple(shape)


def reshape(input, *shape):
    """The same data in a new shape; one dimension may be ``-1`` (inferred).

    Example::

        >>> ag.arange(6).reshape(2, -1).shape
        (2, 3)
    """
    shape = _infer_shape(shape_arg(shape), input._data.size)
    out = Reshape.apply(input, shape)
    if not input._data.flags.c_contiguous and (backend.buffer_of(out._data)[0]
                                               != backend.buffer_of(input._data)[0]):
        out._version = None  # NumPy copied: not a view, so its own version counter, as PyTorch's reshape
    return out


def view(input, *shape, dtype=None):
    """As :func:`reshape`; ``view(dtype)`` reinterprets the memory (:func:`view_ops.view_dtype`).

    Differs from PyTorch: xpgrad does not track contiguity, so ``view`` works wherever
    ``reshape`` does (it may copy where PyTorch's ``view`` would raise).
    """
    from .view_ops import is_dtype, view_dtype

    if dtype is not None and not shape:
        return view_dtype(input, dtype)
    if len(shape) == 1 and is_dtype(shape[0]):
        return view_dtype(input, shape[0])
    return reshape(input, *shape)


def flatten(input, start_dim=0, end_dim=-1):
    """Merge dimensions ``start_dim..end_dim`` into one (a 0-d tensor becomes 1-d)."""
    shape = input.shape
    if not shape:
        return reshape(input, 1)
    start, end = norm_dim(start_dim, len(shape)), norm_dim(end_dim, len(shape))
    if start > end:
        raise RuntimeError(
            f"flatten() has invalid args: start_dim ({start_dim}) cannot come after end_dim ({end_dim})"
        )
    return reshape(input, shape[:start] + (math.prod(shape[start:end + 1]),) + shape[end + 1:])


def unflatten(input, dim, sizes):
    """Split dimension ``dim`` into ``sizes`` (one entry may be ``-1``)."""
    shape = input.shape
    d = norm_dim(dim, len(shape))
    sizes = shape_arg((sizes,))
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    try:
        sizes = _infer_shape(sizes, shape[d])
    except RuntimeError:
        raise RuntimeError(
            f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim {dim} "
            f"({shape[d]}) in the input tensor"
        ) from None
    return reshape(input, shape[:d] + sizes + shape[d + 1:])


def squeeze(input, dim=None):
    """Remove dimensions of size 1 (all, or those in ``dim``; others in ``dim`` are left as they are)."""
    shape = input.shape
    if dim is None:
        new = tuple(s for s in shape if s != 1)
    else:
        axes = norm_dims(dim, len(shape))
        new = tuple(s for i, s in enumerate(shape) if not (s == 1 and i in axes))
    return reshape(input, new)


def unsqueeze(input, dim):
    """Insert a dimension of size 1 at ``dim`` (in ``[-ndim-1, ndim]``)."""
    shape = input.shape
    d = norm_dim(dim, len(shape) + 1)
    return reshape(input, shape[:d] + (1,) + shape[d:])


# ---------------------------------------------------------------- permutations
def permute(input, *dims):
    """Reorder the dimensions: output dimension ``i`` is input dimension ``dims[i]``."""
    dims = shape_arg(dims) if dims else ()
    ndim = input.ndim
    if len(dims) != ndim:
        raise RuntimeError(
            f"permute(): number of dims don't match: the tensor has {ndim} dimensions but "
            f"{len(dims)} were given ({list(dims)})"
        )
    dims = tuple(norm_dim(d, ndim) for d in dims)
    if len(set(dims)) != ndim:
        raise RuntimeError(f"permute(): duplicate dims are not allowed, got {list(dims)}")
    return Permute.apply(input, dims)


def transpose(input, dim0, dim1):
    """Swap dimensions ``dim0`` and ``dim1`` (a view)."""
    ndim = input.ndim
    d0, d1 = norm_dim(dim0, ndim), norm_dim(dim1, ndim)
    if ndim == 0:
        return Permute.apply(input, ())
    dims = list(range(ndim))
    dims[d0], dims[d1] = dims[d1], dims[d0]
    return Permute.apply(input, tuple(dims))


swapaxes = transpose


# ---------------------------------------------------------------- broadcasting
def expand(input, *sizes):
    """A broadcast view with singleton dimensions expanded (``-1`` keeps a size)."""
    sizes = shape_arg(sizes)
    lead = len(sizes) - input.ndim
    if lead < 0:
        raise RuntimeError(
            f"expand: the number of sizes provided ({len(sizes)}) must be greater or equal to the "
            f"number of dimensions in the tensor ({input.ndim})"
        )
    shape = tuple(input.shape[i - lead] if s == -1 and i >= lead else s for i, s in enumerate(sizes))
    bad = any(s < 0 for s in shape) or any(
        n != 1 and n != shape[i + lead] for i, n in enumerate(input.shape))
    if bad:
        raise RuntimeError(
            f"The expanded size of the tensor {list(sizes)} must match the existing size "
            f"{list(input.shape)} at non-singleton dimensions"
        )
    return Expand.apply(input, shape)


def broadcast_to(input, shape):
    """``input`` broadcast to ``shape`` (as :func:`expand`)."""
    return expand(input, shape_arg((shape,)))


def repeat(input, *sizes):
    """Tile the tensor ``sizes[i]`` times along each dimension (leading new dimensions allowed)."""
    sizes = shape_arg(sizes)
    if len(sizes) < input.ndim:
        raise RuntimeError(
            "Number of dimensions of repeat dims can not be smaller than number of dimensions of "
            f"tensor (repeat dims {list(sizes)}, tensor shape {list(input.shape)})"
        )
    if any(r < 0 for r in sizes):
        raise RuntimeError(f"Trying to create tensor with negative dimension: repeats {list(sizes)}")
    return Repeat.apply(input, tuple(sizes))


# ---------------------------------------------------------------- split / join
def split(tensor, split_size_or_sections, dim=0):
    """Split into pieces of ``split_size`` (the last may be smaller) or of the listed sizes.

    Every piece is a view of ``tensor``. Returns a tuple.
    """
    d = norm_dim(dim, tensor.ndim)
    if tensor.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    n = tensor.shape[d]
    s = split_size_or_sections
    if isinstance(s, Tensor):
        s = s.tolist()
    if isinstance(s, numbers.Integral) and not isinstance(s, bool):
        s = int(s)
        if s < 0 or (s == 0 and n != 0):
            raise RuntimeError(f"split expects split_size be non-negative (and positive for a non-empty "
                               f"dimension), but got split_size={s}")
        sizes = [s] * (n // s) + ([n % s] if n % s else []) if s else [0]
        if not sizes:
            sizes = [0]
    else:
        sizes = list(shape_arg((s,)))
        if sum(sizes) != n or any(v < 0 for v in sizes):
            raise RuntimeError(
                f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size at "
                f"dimension {dim}), but got split_sizes={sizes}"
            )
    return Split.apply(tensor, tuple(sizes), d)


def chunk(input, chunks, dim=0):
    """Split into ``chunks`` pieces of equal size (the last may be smaller, and there may be fewer)."""
    if not isinstance(chunks, numbers.Integral) or chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    d = norm_dim(dim, input.ndim)
    if input.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    n = input.shape[d]
    if n == 0:
        return split(input, [0] * chunks, d)
    return split(input, -(-n // chunks), d)


def _check_tensors(tensors, op):
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{op}(): argument 'tensors' must be a sequence of Tensors, not "
                        f"{type(tensors).__name__}")
    if not tensors:  # PyTorch: ValueError from cat, RuntimeError from stack
        raise (RuntimeError if op == "stack" else ValueError)(f"{op}(): expected a non-empty list of Tensors")
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}(): expected Tensor as element {i} in argument 'tensors', "
                            f"but got {type(t).__name__}")


def cat(tensors, dim=0):
    """Concatenate tensors along an existing dimension ``dim``.

    Dtypes are promoted across the inputs. As in PyTorch, 1-d empty tensors
    (shape ``(0,)``) are skipped when the others have more dimensions.

    Example::

        >>> ag.cat([ag.zeros(2, 1), ag.ones(2, 2)], dim=1).shape
        (2, 3)
    """
    _check_tensors(tensors, "cat")
    dtype = tensors[0].dtype
    for t in tensors[1:]:
        dtype = backend.promote_types(dtype, t.dtype)
    for i, t in enumerate(tensors):
        if t.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    legacy = any(t.ndim != 1 for t in tensors)
    kept = [t for t in tensors if not (legacy and t.shape == (0,))] or [tensors[0]]
    ref = kept[0]
    d = norm_dim(dim, ref.ndim)
    for i, t in enumerate(kept):
        if t.ndim != ref.ndim or any(a != b for k, (a, b) in enumerate(zip(t.shape, ref.shape)) if k != d):
            shapes = ", ".join(str(list(u.shape)) for u in tensors)
            raise RuntimeError(
                f"Sizes of tensors must match except in dimension {d}: cat got shapes {shapes}"
            )
    if legacy and len(kept) < len(tensors):  # skipped (0,)s join as empty slices: they get a grad too
        empty = tuple(0 if k == d else n for k, n in enumerate(ref.shape))
        kept = [t.reshape(empty) if t.shape == (0,) else t for t in tensors]
    kept = [t if t.dtype == dtype else t.to(dtype) for t in kept]
    return Cat.apply(d, *kept)


concat = concatenate = cat


def stack(tensors, dim=0):
    """Join tensors of equal shape along a new dimension ``dim``."""
    _check_tensors(tensors, "stack")
    shape = tensors[0].shape
    for i, t in enumerate(tensors):
        if t.shape != shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(shape)} at entry 0 and "
                f"{list(t.shape)} at entry {i}"
            )
    d = norm_dim(dim, len(shape) + 1)
    return cat([unsqueeze(t, d) for t in tensors], d)


from .flip_roll import Flip, Roll, flip, roll  # noqa: E402,F401  (kept apart: file size)
