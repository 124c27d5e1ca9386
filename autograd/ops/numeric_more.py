"""Integer and floating-point breadth ops: bit shifts, gcd / lcm, frexp / ldexp / nextafter, isin,
clamp_min / clamp_max and histogram (no gradient except frexp's mantissa, ldexp and clamp_*).

The trapezoid rules are in ``ops/trapezoid.py``; poisson and the in-place samplers in
``ops/numeric_random.py``.
"""
from __future__ import annotations

import math
import numbers
from collections import namedtuple

from .. import backend
from ..function import Primitive, check_same_device
from ..tensor import Tensor
from . import elementwise as ew
from .counting import _edges
from .extrema import return_types
from .inplace import _apply
from .math_more import need_tensor, torch_name
from ._util import errstate, promote, promote_float, wrap_int_scalar

__all__ = [
    "bitwise_left_shift", "bitwise_right_shift", "gcd", "lcm", "gcd_", "lcm_", "frexp", "ldexp", "ldexp_",
    "nextafter", "isin", "clamp_min", "clamp_max", "histogram",
]

return_types.frexp = namedtuple("frexp", ["mantissa", "exponent"])
return_types.histogram = namedtuple("histogram", ["hist", "bin_edges"])


def _wrap(out, device):
    return Tensor._make(backend.as_array(out, device), device)


def _operands(name, input, other, kernel, kinds, scalars=True, wrap=None):
    """The two operands as arrays of PyTorch's result dtype, and their device. ``kinds``: the
    dtype kinds the kernel has (else NotImplementedError naming ``kernel``, as PyTorch)."""
    if scalars:
        if not isinstance(input, Tensor) and not isinstance(other, Tensor):
            raise TypeError(f"{name}() received an invalid combination of arguments - got "
                            f"({type(input).__name__}, {type(other).__name__}): one of them must be a Tensor")
    else:
        need_tensor(name, input)
        need_tensor(name, other, "other", 2)
    if isinstance(input, Tensor) and isinstance(other, Tensor):
        check_same_device(name, input, other)
    if kinds == "iu" or wrap:  # PyTorch casts an int scalar to the tensor's integer dtype: it wraps
        input, other = wrap_int_scalar(input, other)
    a, b = promote(input, other)
    like = a if isinstance(a, Tensor) else b
    dtype, xp = like._data.dtype, like.device.xp
    if dtype.kind not in kinds:
        raise NotImplementedError(f"\"{kernel}_cpu\" not implemented for '{torch_name(dtype)}'")
    arrays = [t._data if isinstance(t, Tensor) else xp.asarray(t, dtype) for t in (a, b)]
    return arrays[0], arrays[1], like.device


# ---------------------------------------------------------------- bit shifts
def _shift(name, kernel, left):
    def fn(input, other):
        a, s, device = _operands(name, input, other, kernel, "iu")
        xp = device.xp
        bits = 8 * a.dtype.itemsize
        out_of_range = (s < 0) | (s >= bits) if s.dtype.kind == "i" else s >= bits
        count = xp.where(out_of_range, 0, s).astype(a.dtype)
        # PyTorch: a shift by a negative count or by the bit width or more gives 0 (left) or the
        # sign fill (right: -1 for a negative signed number), where C leaves it undefined
        if left:
            out = xp.where(out_of_range, 0, xp.left_shift(a, count))
        else:
            fill = xp.right_shift(a, bits - 1) if a.dtype.kind == "i" else 0
            out = xp.where(out_of_range, fill, xp.right_shift(a, count))
        return _wrap(out.astype(a.dtype, copy=False), device)

    fn.__name__ = name
    fn.__doc__ = (f"Elementwise ``input {'<<' if left else '>>'} other`` of integer tensors (either may be a "
                  "number); a count below 0 or of the bit width or more gives "
                  f"{'0' if left else 'the sign fill (0 or -1)'}, as PyTorch. No gradient.")
    return fn


bitwise_left_shift = _shift("bitwise_left_shift", "lshift", True)
bitwise_right_shift = _shift("bitwise_right_shift", "rshift", False)


def _int_inplace(input, op, other):
    """``op`` in place on an integer ``input``; a float ``other`` is refused as PyTorch refuses the
    float result's cast (before the kernel's own dtype check)."""
    need_tensor(op.__name__ + "_", input)
    dtype = other._data.dtype if isinstance(other, Tensor) else (
        backend.get_default_dtype() if isinstance(other, float) else None)
    if dtype is not None and dtype.kind == "f" and input._data.dtype.kind != "f":
        raise RuntimeError(f"result type {torch_name(dtype)} can't be cast to the desired output type "
                           f"{torch_name(input._data.dtype)}")
    return _apply(input, op, other)


def bitwise_left_shift_(input, other):
    """In-place ``bitwise_left_shift`` (``<<=``)."""
    return _int_inplace(input, bitwise_left_shift, other)


def bitwise_right_shift_(input, other):
    """In-place ``bitwise_right_shift`` (``>>=``)."""
    return _int_inplace(input, bitwise_right_shift, other)


# ---------------------------------------------------------------- gcd / lcm / nextafter
def gcd(input, other):
    """Elementwise greatest common divisor of integer tensors (non-negative; ``gcd(0, 0) = 0``).

    Example::

        >>> ag.gcd(ag.tensor([-12, 0, 7]), ag.tensor([18, -5, 0]))
        tensor([6, 5, 7])
    """
    a, b, device = _operands("gcd", input, other, "gcd", "iu", scalars=False)
    return _wrap(device.xp.gcd(a, b), device)


def lcm(input, other):
    """Elementwise least common multiple of integer tensors (non-negative, 0 if either is 0;
    wraps on overflow, as PyTorch).

    Example::

        >>> ag.lcm(ag.tensor([-12, 0, -4]), ag.tensor([18, -5, 6]))
        tensor([36,  0, 12])
    """
    a, b, device = _operands("lcm", input, other, "lcm", "iu", scalars=False)
    return _wrap(device.xp.lcm(a, b).astype(a.dtype, copy=False), device)


class Nextafter(Primitive):
    """The next float after ``a`` towards ``b``: the gradient passes to ``a`` where ``a != b`` (0
    where they are equal) and is 0 for ``b``, as PyTorch's."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.other, ctx.same = (b.shape, b.dtype), a == b
        return ctx.device.xp.nextafter(a, b)

    @staticmethod
    def backward(ctx, g):
        device = ctx.device
        zero = Tensor._make(device.xp.zeros((), g._data.dtype), device)
        ga = ew.where(Tensor._make(ctx.same, device), zero, g)
        return ga, Tensor._make(device.xp.zeros(*ctx.other), device)

    @staticmethod
    def raw_backward(ctx, g):
        xp = ctx.device.xp
        return xp.where(ctx.same, xp.zeros((), g.dtype), g), xp.zeros(*ctx.other)


def nextafter(input, other):
    """The next representable floating-point value after ``input`` towards ``other``; the gradient
    passes to ``input`` where it differs from ``other`` (``other`` gets zeros), as PyTorch's.

    Example::

        >>> ag.nextafter(ag.tensor([1.0, 1.0]), ag.tensor([2.0, 0.0])) - 1
        tensor([ 1.1921e-07, -5.9605e-08])
    """
    _operands("nextafter", input, other, "nextafter", "f", scalars=False)  # PyTorch's checks
    return Nextafter.apply(*promote(input, other))


def gcd_(input, other):
    """In-place ``gcd``."""
    return _int_inplace(input, gcd, other)


def lcm_(input, other):
    """In-place ``lcm``."""
    return _int_inplace(input, lcm, other)


def nextafter_(input, other):
    """In-place ``nextafter``."""
    return _apply(input, nextafter, other)


# ---------------------------------------------------------------- frexp / ldexp
class _Mantissa(Primitive):
    """frexp's mantissa ``x / 2**e`` with ``e`` held constant: the gradient is ``g * 2**-e``, as PyTorch's
    ``g / 2**e``, with the power in ``x``'s dtype (inf for subnormals, whose exact gradient overflows)."""

    @staticmethod
    def forward(ctx, x):
        xp = ctx.device.xp
        m, e = xp.frexp(x)
        with errstate(xp, over="ignore"):
            ctx.save_for_backward(xp.exp2((-e).astype(x.dtype)))
        return m

    @staticmethod
    def backward(ctx, g):
        (scale,) = ctx.saved_tensors
        return g * scale


def frexp(input):
    """Split a float tensor into mantissa in ``[0.5, 1)`` (in magnitude) and int32 exponent, with
    ``input = mantissa * 2**exponent``; 0, inf and NaN have exponent 0 and themselves as mantissa.
    The mantissa's gradient is ``grad / 2**exponent`` (in ``input``'s dtype; PyTorch takes the power
    in float32, so its float64 gradient is 0 from 2**128 on).

    Example::

        >>> mantissa, exponent = ag.frexp(ag.tensor([1.5, -3.0, 0.0]))
        >>> mantissa
        tensor([ 0.7500, -0.7500,  0.0000])
        >>> exponent
        tensor([1, 2, 0], dtype=autograd.int32)
    """
    need_tensor("frexp", input)
    if input._data.dtype.kind != "f":
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    exponent = input.device.xp.frexp(input._data)[1].astype(backend.int32)
    return return_types.frexp(_Mantissa.apply(input), _wrap(exponent, input.device))


def ldexp(input, other):
    """``input * 2**other`` (an integer ``input`` gives the default float dtype); differentiable
    as that product, as PyTorch's (``mul(input, pow(2, other))``).

    Example::

        >>> ag.ldexp(ag.tensor([1.0, 2.0]), ag.tensor([3, -1]))
        tensor([8., 1.])
    """
    need_tensor("ldexp", input)
    need_tensor("ldexp", other, "other", 2)
    a, b = promote_float(input, other)  # the power is taken in the result's float dtype, as PyTorch's
    with errstate(other.device.xp, over="ignore"):  # 2**1025 is inf, as PyTorch's, without a warning
        return ew.mul(a, ew.pow(2.0, b.to(a.dtype)))


def ldexp_(input, other):
    """In-place ``ldexp``."""
    return _apply(input, ldexp, other)


# ---------------------------------------------------------------- isin / clamp_min / clamp_max
def isin(elements, test_elements, *, assume_unique=False, invert=False):
    """A bool tensor of ``elements``' shape: whether each element is in ``test_elements`` (either may
    be a number; compared in their promoted dtype; NaN is in nothing). ``invert`` negates it.

    Example::

        >>> ag.isin(ag.tensor([1, 2, 3]), ag.tensor([2, 5]))
        tensor([False,  True, False])
    """
    for v in (elements, test_elements):
        if isinstance(v, bool) or (isinstance(v, Tensor) and v._data.dtype.kind == "b"):
            raise RuntimeError("Unsupported input type encountered for isin(): Bool")
    e, t, device = _operands("isin", elements, test_elements, "isin", "iuf", wrap=True)
    out = device.xp.isin(e, t.reshape(-1), assume_unique=bool(assume_unique), invert=bool(invert))
    return _wrap(out, device)


def clamp_min(input, min):  # noqa: A002 - PyTorch's name
    """``clamp(input, min=min)``: elementwise ``max(input, min)``; ``min`` a number or a tensor."""
    return ew.clamp(input, min, None)


def clamp_max(input, max):  # noqa: A002 - PyTorch's name
    """``clamp(input, max=max)``: elementwise ``min(input, max)``; ``max`` a number or a tensor."""
    return ew.clamp(input, None, max)


# ---------------------------------------------------------------- histogram
def histogram(input, bins, *, range=None, weight=None, density=False):  # noqa: A002 - PyTorch's names
    """A histogram of ``input``'s elements: ``bins`` equal bins over ``range`` (default: the data's
    min and max) or the bin edges given as an increasing 1-D tensor. Elements outside are ignored;
    the last bin includes its right edge. With ``weight`` (input's shape) each element counts its
    weight; with ``density`` the result integrates to 1. Returns ``(hist, bin_edges)``, float only;
    no gradient.

    Example::

        >>> hist, bin_edges = ag.histogram(ag.tensor([1., 2., 1.]), bins=4, range=(0., 3.))
        >>> hist
        tensor([0., 2., 1., 0.])
        >>> bin_edges
        tensor([0.0000, 0.7500, 1.5000, 2.2500, 3.0000])
    """
    need_tensor("histogram", input)
    x, device = input._data, input.device
    xp = device.xp
    if x.dtype not in (backend.float32, backend.float64):
        raise NotImplementedError(f"\"histogramdd\" not implemented for '{torch_name(x.dtype)}'")
    if isinstance(bins, Tensor):
        if range is not None:
            raise TypeError("histogram() received an invalid combination of arguments - got (Tensor, Tensor, "
                            "range=tuple): range goes with an int number of bins, not with bin edges")
        if bins._data.dtype != x.dtype:
            raise RuntimeError(
                "torch.histogramdd: input tensor and bins tensors should have the same dtype, but got "
                f"input with dtype {torch_name(x.dtype).lower()} and bins for dimension 0 with dtype "
                f"{torch_name(bins._data.dtype).lower()}")
        if bins.ndim != 1:
            raise RuntimeError("torch.histogramdd: bins tensor should have one dimension, but got "
                               f"{bins.ndim} dimensions in the bins tensor for dimension 0")
        edges = bins._data.copy()
        if edges.shape[0] < 2:
            raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {edges.shape[0] - 1} for "
                               "dimension 0")
    elif isinstance(bins, numbers.Integral) and not isinstance(bins, bool):
        if bins <= 0:
            raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension 0")
        if range is not None:
            lo, hi = float(range[0]), float(range[1])
        elif x.size:
            lo, hi = float(x.min()), float(x.max())
        else:  # PyTorch's default range of no data
            lo, hi = 0.0, 1.0
        if lo > hi:
            raise RuntimeError(f"torch.histogramdd: min should not exceed max, but got min {lo:g} max {hi:g} "
                               "for dimension 0")
        if not (math.isfinite(lo) and math.isfinite(hi)):
            raise RuntimeError(f"torch.histogramdd: dimension 0's range [{lo:g}, {hi:g}] is not finite")
        if lo == hi:  # PyTorch widens an empty range by half a unit each side
            lo, hi = lo - 0.5, hi + 0.5
        edges = _edges(xp, lo, hi, int(bins), x.dtype)
    else:
        raise TypeError(f"histogram(): argument 'bins' must be int or Tensor, not {type(bins).__name__}")
    if weight is not None and (not isinstance(weight, Tensor) or tuple(weight.shape) != tuple(input.shape)):
        raise RuntimeError("torch.histogramdd: if weight tensor is provided it should have the same shape as "
                           f"the input tensor, but got input with shape {list(input.shape)} and weight with "
                           f"shape {list(getattr(weight, 'shape', ()))}")
    if weight is not None and weight._data.dtype != x.dtype:
        raise RuntimeError("torch.histogramdd: if weight tensor is provided, input tensor and weight tensor "
                           f"should have the same dtype, but got input({torch_name(x.dtype).lower()}), and "
                           f"weight({torch_name(weight._data.dtype).lower()})")
    n = max(edges.shape[0] - 1, 0)
    flat = x.reshape(-1)
    inside = (flat >= edges[0]) & (flat <= edges[-1]) if n else xp.zeros(flat.shape, bool)
    pos = xp.searchsorted(edges, flat[inside], side="right") - 1
    pos = xp.minimum(pos, max(n - 1, 0)).astype(backend.int64)
    values = (weight._data.reshape(-1)[inside].astype(backend.float64) if weight is not None
              else xp.ones(pos.shape, backend.float64))
    counts = xp.zeros(n, backend.float64)
    device.backend.scatter_add(counts, pos, values)
    counts = counts.astype(x.dtype)
    if density:  # PyTorch: hist / hist.sum() (a double), then / the bin widths
        with errstate(xp, invalid="ignore", divide="ignore"):  # no data: NaN, as PyTorch's
            counts = counts / float(counts.sum()) / (edges[1:] - edges[:-1])
    return return_types.histogram(_wrap(counts.astype(x.dtype, copy=False), device), _wrap(edges, device))
