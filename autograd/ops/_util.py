"""Helpers shared by the op families: operand promotion, dimension arguments, reduction shapes."""
from __future__ import annotations

import contextlib
import math
import numbers

from .. import backend
from ..tensor import Tensor


def as_tensor_like(value, like: Tensor) -> Tensor:
    """Wrap a non-tensor operand (array, list, number) on ``like``'s device.

    A Python float next to a floating tensor wider than the default dtype takes that tensor's dtype:
    PyTorch's scalars are doubles, so ``xlogy(x64, 0.7)`` must not see 0.7 rounded to float32.
    """
    if isinstance(value, Tensor):
        return value
    if isinstance(value, float) and like._data.dtype.kind == "f":
        dt = like._data.dtype
        if dt.itemsize > backend.get_default_dtype().itemsize:
            return Tensor._make(backend.asarray(value, dtype=dt, device=like.device), like.device)
    return Tensor._make(backend.asarray(value, device=like.device), like.device)


def promote(a, b):
    """Bring two operands (tensors or Python scalars) to PyTorch's result dtype.

    Returns ``(a, b)``: tensors cast where their dtype differs from the
    result's, Python scalars kept as they are when the backend's weak-scalar
    rule already gives the right dtype.
    """
    ta, tb = isinstance(a, Tensor), isinstance(b, Tensor)
    if ta != tb:  # the hot case, a tensor and a Python number: decided without building anything
        t, s = (a, b) if ta else (b, a)
        cat = _SCALAR_CATEGORY.get(s.__class__)
        if cat is not None and cat <= _KIND_CATEGORY[t._data.dtype.kind]:
            return a, b
    if ta and tb:
        da, db = a._data.dtype, b._data.dtype
        if da is db or da == db:
            return a, b
        dims, zero = [], []
        (dims if a._data.ndim else zero).append(da)
        (dims if b._data.ndim else zero).append(db)
        r = backend.result_type(dims, zero, ())
        return (a if da == r else a.to(r)), (b if db == r else b.to(r))
    if not ta and not tb:
        raise TypeError(f"expected a Tensor operand, got {type(a).__name__} and {type(b).__name__}")
    t, s = (a, b) if ta else (b, a)
    if getattr(s, "ndim", None) == 0 and not backend.is_array(s) and hasattr(s, "dtype"):
        s = _numpy_scalar(s)
    if isinstance(s, numbers.Number) and not isinstance(s, Tensor):
        if isinstance(s, complex):
            raise TypeError("complex scalars are not supported")
        if backend.category(backend.scalar_dtype(s)) > backend.category(t._data.dtype):
            r = backend.result_type([t._data.dtype] if t._data.ndim else [],
                                    [] if t._data.ndim else [t._data.dtype], (s,))
            t = t.to(r)
        return (t, s) if ta else (s, t)
    if isinstance(s, (str, bytes, dict, set, frozenset)) or s is None:
        raise TypeError(f"unsupported operand type(s): 'Tensor' and '{type(s).__name__}' (expected a Tensor, "
                        "a Python number, or a list/array of numbers)")
    numpy_array = backend.is_host_array(s) or backend.is_array(s)
    s = as_tensor_like(s, t)
    if numpy_array:  # PyTorch hands an array operand to NumPy, whose promotion decides (0-d included)
        r = t.device.xp.result_type(t._data.dtype, s._data.dtype)
        t, s = (t if t._data.dtype == r else t.to(r)), (s if s._data.dtype == r else s.to(r))
        return (t, s) if ta else (s, t)
    return promote(t, s) if ta else promote(s, t)


def promote_all(*operands):
    """The operands (tensors, Python numbers or None) with each tensor cast to PyTorch's result dtype
    of them all, for the ops of three operands (clamp with tensor bounds, addcmul, addcdiv): promoting
    them two at a time is not the same (int8 clamped by 0-d int16 and int64 bounds is int8)."""
    dims, zero, scalars = [], [], []
    for o in operands:
        if isinstance(o, Tensor):
            (dims if o._data.ndim else zero).append(o._data.dtype)
        elif o is not None:
            scalars.append(o)
    r = backend.result_type(dims, zero, scalars)
    return tuple(o.to(r) if isinstance(o, Tensor) and o._data.dtype != r else o for o in operands)


def promote_float(a, b):
    """``promote(a, b)`` for the ops whose integer or bool result is the default float dtype (true
    division, atan2, copysign, xlogy, ldexp): there each tensor is cast straight from its own dtype,
    as PyTorch's, not through the integer common dtype (uint8 ``[7]`` over a 0-d int16 ``-2`` is
    ``-3.5``; through uint8 the -2 wraps to 254). Python numbers come back as floats."""
    pa, pb = promote(a, b)
    dtype = (pa if isinstance(pa, Tensor) else pb)._data.dtype
    if dtype.kind == "f":
        return pa, pb
    f = backend.get_default_dtype()
    return tuple(o.to(f) if isinstance(o, Tensor) else p.to(f) if isinstance(p, Tensor) else float(p)
                 for o, p in ((a, pa), (b, pb)))


def wrap_int_scalar(a, b):
    """``(a, b)`` with a Python int operand outside an integer tensor operand's range wrapped into
    it, as PyTorch casts the scalar to the tensor's dtype (``uint8 + -1`` adds 255, ``int32 + 2**40``
    adds 0; NumPy raises OverflowError). For the ops whose result keeps that dtype."""
    if b.__class__ is int and isinstance(a, Tensor):
        return a, _wrapped(b, a._data.dtype)
    if a.__class__ is int and isinstance(b, Tensor):
        return _wrapped(a, b._data.dtype), b
    return a, b


def _wrapped(value, dtype):
    if dtype.kind not in "iu":
        return value
    bits = 8 * dtype.itemsize
    lo = -(1 << (bits - 1)) if dtype.kind == "i" else 0
    if lo <= value < lo + (1 << bits):
        return value
    value &= (1 << bits) - 1
    return value - (1 << bits) if dtype.kind == "i" and value >> (bits - 1) else value


_C_TYPE = {"uint8": "uint8_t", "int8": "int8_t", "int16": "int16_t", "int32": "int", "int64": "long int"}


def fill_int(value, dtype):
    """A Python int written into (or compared as) an integer ``dtype``, as PyTorch's checked
    conversion of a fill value or bound: -255..-1 wrap for uint8, any other value outside the
    dtype's range raises RuntimeError (NumPy raises OverflowError). Anything else as it is."""
    if value.__class__ is not int or dtype.kind not in "iu":
        return value
    bits = 8 * dtype.itemsize
    lo, hi = (0, (1 << bits) - 1) if dtype.kind == "u" else (-(1 << (bits - 1)), (1 << (bits - 1)) - 1)
    if lo <= value <= hi:
        return value
    if dtype.kind == "u" and -hi <= value < 0:
        return value + (1 << bits)
    name = _C_TYPE.get(str(dtype), str(dtype))
    raise RuntimeError(f"value cannot be converted to type {name} without overflow")


_FLOAT_MAX = {"float16": ("c10::Half", 65504.0), "float32": ("float", 3.4028234663852886e38)}


def check_float_fill(value, dtype):
    """A finite Python number beyond a float16/float32 dtype's range raises, as PyTorch's fills."""
    if dtype.kind == "f" and str(dtype) in _FLOAT_MAX and value.__class__ in (int, float):
        name, fmax = _FLOAT_MAX[str(dtype)]
        if math.isfinite(value) and abs(value) > fmax:
            raise RuntimeError(f"value cannot be converted to type {name} without overflow")


def fill_value(value, dtype, check_float=False):
    """A Python number written into ``dtype`` by a fill (fill_, masked_fill, index_fill, scatter,
    setitem): :func:`fill_int`'s check, and a float into an integer dtype must lie in its range
    (inf, NaN and 1e20 into int64 raise, 2.7 is truncated by the write), as PyTorch's.
    ``check_float``: a finite number beyond a float16/float32 dtype's range raises too (PyTorch's
    fill_/full/masked_fill/index_fill/scatter: ``zeros(3, dtype=float16).fill_(1e6)``; setitem does not)."""
    if check_float:
        check_float_fill(value, dtype)
    if value.__class__ is float and dtype.kind in "iu":
        bits = 8 * dtype.itemsize
        lo, hi = (0, (1 << bits) - 1) if dtype.kind == "u" else (-(1 << (bits - 1)), (1 << (bits - 1)) - 1)
        if not lo <= value <= hi:  # NaN fails both
            name = _C_TYPE.get(str(dtype), str(dtype))
            raise RuntimeError(f"value cannot be converted to type {name} without overflow")
        return value
    return fill_int(value, dtype)


def _numpy_scalar(s):
    """A NumPy scalar as the Python number PyTorch takes it for (a NumPy bool as a float)."""
    kind = s.dtype.kind
    if kind in "fb":
        return float(s)
    if kind in "iu":
        return int(s)
    return s


_SCALAR_CATEGORY = {bool: 0, int: 1, float: 2}
_KIND_CATEGORY = {"b": 0, "i": 1, "u": 1, "f": 2, "c": 3}


def norm_dim(dim: int, ndim: int) -> int:
    """A dimension index in ``[0, ndim)``; negative counts from the end."""
    if not isinstance(dim, numbers.Integral) or isinstance(dim, bool):
        raise TypeError(f"dim must be an int, got {type(dim).__name__}")
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})"
        )
    return int(dim) % n


def norm_dims(dim, ndim: int) -> tuple | None:
    """``dim`` (None, int or sequence) as a sorted tuple of non-negative axes, or None for all."""
    if dim is None:
        return None
    if isinstance(dim, (tuple, list)):
        axes = tuple(sorted({norm_dim(d, ndim) for d in dim}))
        if len(axes) != len(dim):
            raise RuntimeError(f"dim {tuple(dim)} appears multiple times in the list of dims")
        return axes
    return (norm_dim(dim, ndim),)


def dim_kwargs(dim, keepdim, kw, op):
    """Accept NumPy's ``axis=``/``keepdims=`` as aliases of ``dim``/``keepdim``."""
    if kw:
        for key in kw:
            if key not in ("axis", "keepdims"):
                raise TypeError(f"{op}() got an unexpected keyword argument '{key}'")
        if "axis" in kw:
            dim = kw["axis"]
        if "keepdims" in kw:
            keepdim = kw["keepdims"]
    return dim, keepdim


def shape_arg(shape) -> tuple:
    """``reshape(2, 3)`` and ``reshape((2, 3))`` both give ``(2, 3)``."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)) or (
        len(shape) == 1 and not isinstance(shape[0], numbers.Integral)
        and not (isinstance(shape[0], Tensor) and shape[0].ndim == 0)  # a 0-d tensor is one size
    ):
        shape = tuple(shape[0])
    out = []
    for s in shape:
        if isinstance(s, Tensor):
            s = int(s.item())
        if not isinstance(s, numbers.Integral) or isinstance(s, bool):
            raise TypeError(f"shape entries must be ints, got {type(s).__name__}")
        out.append(int(s))
    return tuple(out)


# ---------------------------------------------------------------- reductions (reduce, softmax)
def _axes(dim, ndim):
    """Sorted non-negative axes to reduce, or None for all (``dim`` None, ``()``, or a 0-d input)."""
    axes = norm_dims(dim, ndim)
    return None if not axes or ndim == 0 else axes


def _kept_shape(shape, axes):
    return tuple(1 if axes is None or i in axes else n for i, n in enumerate(shape))


def _count(shape, axes):
    """Number of elements reduced into each output element."""
    return math.prod(shape) if axes is None else math.prod(shape[a] for a in axes)


def _unreduce(g, ctx):
    """The output gradient reshaped so that it broadcasts against the input."""
    if not ctx.keepdim and g.ndim != len(ctx.shape):
        g = g.reshape(_kept_shape(ctx.shape, ctx.axes))
    return g


def _setup(ctx, x, axes, keepdim):
    ctx.shape, ctx.axes, ctx.keepdim = x.shape, axes, keepdim


def _out(y, axes, keepdim, shape):
    """``y`` computed with ``keepdims=True`` in the requested form."""
    return y if keepdim else y.reshape(tuple(n for i, n in enumerate(shape) if axes is not None
                                             and i not in axes))


def _with_dtype(input, dtype):
    return input if dtype is None else input.to(dtype)


def acc_dtype(dtype):
    """The dtype a reduction over ``dtype`` accumulates in: float32 for float16 (as PyTorch, so
    that sums of squares do not overflow), else None (the input's own)."""
    return backend.float32 if dtype == backend.float16 else None


def sum_array(x, axes, keepdim):
    """``x.sum(axes)`` as the Sum op computes it: in ``x``'s dtype (NumPy would widen small integers
    and bool), float16 accumulated in float32."""
    acc = acc_dtype(x.dtype)
    if acc is not None:
        return x.sum(axis=axes, keepdims=keepdim, dtype=acc).astype(x.dtype)
    if x.dtype.kind in "biu":
        return x.sum(axis=axes, keepdims=keepdim, dtype=x.dtype)
    return x.sum(axis=axes, keepdims=keepdim)


def sign_array(xp, x):
    """``xp.sign(x)`` with 0 for NaN, as PyTorch's sign / sgn (so abs' gradient at NaN is 0)."""
    s = xp.sign(x)
    if s.dtype.kind != "f":
        return s
    if s.ndim == 0:  # NumPy gives a scalar for a 0-d input
        return s if s == s else s.dtype.type(0)
    return xp.nan_to_num(s, copy=False, nan=0.0)


def zero_grad(g):
    """Zeros shaped as the gradient ``g`` (a Tensor or an array): the gradient of a piecewise-constant
    op, 0 even where ``g`` is inf or NaN (``g * 0`` is NaN there), as PyTorch's zeros_like(grad)."""
    if isinstance(g, Tensor):
        return Tensor._make(g.device.xp.zeros_like(g._data), g.device)
    z = g.copy()
    z.fill(0)
    return z


def errstate(xp, **kinds):
    """``xp.errstate(**kinds)`` where the array module has one (NumPy: e.g. ``over="ignore"``
    silences an overflow that is the intended result), a no-op context elsewhere (CuPy never warns)."""
    return xp.errstate(**kinds) if hasattr(xp, "errstate") else contextlib.nullcontext()
