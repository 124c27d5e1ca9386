"""Max over windows, for max pooling: elementwise passes over strided views, no window copy.

``WindowMax`` gives each window's maximum and the (window-local, row-major) offset
of its first maximum; ``WindowScatter`` (its gradient) and ``WindowGather`` are
adjoint to each other, so gradients of any order work. ``WindowMaxValues`` (max
pooling without indices over disjoint, unpadded windows) computes only the maxima and
finds the first maximum's offset in the backward, from the saved input and output.
Geometry and padding come from the windowing engine (``window.py``).
"""
from __future__ import annotations

import functools
import math

from .. import backend
from ..function import Primitive
from ..tensor import Tensor
from .window import crop, disjoint, offsets, pad_array, padded_sizes, window_slice

__all__ = ["window_max", "window_max_values"]


def _dim_slice(i, nd, offset, stride, dilation, out):
    """Index of kernel offset ``offset`` of every window along windowed dimension ``i`` only."""
    start = offset * dilation
    return (Ellipsis, slice(start, start + stride * (out - 1) + 1, stride)) + (slice(None),) * (nd - 1 - i)


def _window_max(xp, x, kernel, stride, dilation, out, exact_nan):
    """Max over windows, one dimension at a time (last first), and the row-major offset of the
    first maximum: along each dimension a later element wins only if greater (or NaN where
    ``exact_nan``), so the lexicographically first maximum wins, as PyTorch's scan order."""
    nd = len(kernel)
    dt = xp.uint8 if math.prod(kernel) <= 256 else xp.int32
    vals, idx, inner = x, None, 1
    for i in reversed(range(nd)):
        sl = functools.partial(_dim_slice, i, nd, stride=stride[i], dilation=dilation[i], out=out[i])
        best = vals[sl(0)]
        arg = idx[sl(0)] if idx is not None else None
        for o in range(1, kernel[i]):
            v = vals[sl(o)]
            take = v > best
            if exact_nan:
                take |= v != v
                best = xp.where(take, v, best)
            else:
                best = xp.maximum(best, v)
            if idx is None:
                arg = take.astype(dt) if o == 1 else arg + take * (o * inner - arg)
            else:  # the candidate's offset: this dimension's plus the one chosen within it
                arg = arg + take * (idx[sl(o)] + o * inner - arg)
        vals, idx, inner = best, arg, inner * kernel[i]
    if idx is None:  # a kernel of one element
        idx = xp.zeros(vals.shape, dtype=dt)
    return vals, idx


def _first_inside(xp, kernel, stride, pads, dilation, out):
    """The row-major offset of each window's first element inside the (unpadded) input: PyTorch's
    pick where all of a window's elements are -inf (it never picks padding)."""
    nd, fix, inner = len(kernel), 0, 1
    for i in reversed(range(nd)):
        before = xp.maximum(pads[i][0] - xp.arange(out[i]) * stride[i], 0)  # padding ahead of the window
        first = -(-before // dilation[i])  # the first offset past it
        fix = fix + (first * inner).reshape((-1,) + (1,) * (nd - 1 - i))
        inner *= kernel[i]
    return fix


class WindowMax(Primitive):
    """Max of each window and the (window-local, row-major) offset of its first maximum.

    Elementwise passes over strided views of the (``-inf`` padded) input, no
    window copy. NaN wins (the last NaN), as in PyTorch's max pooling.
    """

    @staticmethod
    def forward(ctx, x, kernel, stride, pads, dilation, out):
        xp = ctx.device.xp
        sizes = x.shape[x.ndim - len(kernel):]
        if any(lo or hi for lo, hi in pads):
            x = pad_array(xp, x, pads, float("-inf"))
        y, idx = _window_max(xp, x, kernel, stride, dilation, out, False)
        if xp.isnan(y).any():  # rare: redo with the exact NaN rule (slower)
            y, idx = _window_max(xp, x, kernel, stride, dilation, out, True)
        if any(lo for lo, _ in pads) and bool((y == -math.inf).any()):  # rare: -inf tied the padding
            idx = xp.where(y == -math.inf, _first_inside(xp, kernel, stride, pads, dilation, out), idx)
            idx = idx.astype(xp.uint8 if math.prod(kernel) <= 256 else xp.int32, copy=False)
        if y.base is not None:  # a view of the input (kernel of one element): the output owns its data
            y = y.copy()
        ctx.args = (sizes, kernel, stride, pads, dilation, out)
        ctx.mark_non_differentiable(idx)
        if ctx.needs_input_grad:
            ctx.save_for_backward(idx)
        return y, idx

    @staticmethod
    def backward(ctx, g, g_idx):
        (idx,) = ctx.saved_tensors
        return (WindowScatter.apply(g, idx, *ctx.args),) + (None,) * 5

    @staticmethod
    def raw_backward(ctx, g, g_idx):
        return (_scatter(ctx.device.xp, g, ctx.saved_arrays[0], *ctx.args),) + (None,) * 5


def _lead_order(a, lead):
    """The order in memory of ``a``'s first ``lead`` dimensions (outermost first)."""
    return sorted(range(lead), key=lambda i: -a.strides[i])


def _zeros_laid_out_as(xp, ref, shape, nd, dtype, empty=False):
    """Zeros (or, with ``empty``, uninitialised) of ``shape`` whose leading dimensions lie in memory
    in the order of ``ref``'s (so that a channel-major input gets a channel-major gradient, and
    elementwise passes run in step)."""
    lead = len(shape) - nd
    order = _lead_order(ref, lead)
    make = xp.empty if empty else xp.zeros
    if order == list(range(lead)):
        return make(shape, dtype=dtype)
    res = make(tuple(shape[a] for a in order) + tuple(shape[lead:]), dtype=dtype)
    return res.transpose([order.index(a) for a in range(lead)] + list(range(lead, len(shape))))


def _laid_out_as(xp, a, ref, nd):
    """``a``, copied if needed so that its leading dimensions lie in memory as ``ref``'s."""
    lead = a.ndim - nd
    order = _lead_order(ref, lead)
    if _lead_order(a, lead) == order:
        return a
    rest = list(range(lead, a.ndim))
    moved = xp.ascontiguousarray(a.transpose(order + rest))
    return moved.transpose([order.index(i) for i in range(lead)] + rest)


def _scatter(xp, g, idx, sizes, kernel, stride, pads, dilation, out):
    """Each window's value of ``g`` at its offset ``idx``, zeros elsewhere (summed where windows
    overlap), on arrays: :class:`WindowScatter`'s forward."""
    nd = len(kernel)
    # the gradient is laid out as the input was (the offsets ``idx`` were computed in its layout)
    g = _laid_out_as(xp, g, idx, nd)
    apart = disjoint(kernel, stride, dilation)
    # windows that tile the input exactly write every element: no zeroing pass needed
    geometry = zip(kernel, stride, sizes, out, pads, dilation)
    tiled = apart and all(k == s and n == k * m and not (lo or hi) and d == 1
                          for k, s, n, m, (lo, hi), d in geometry)
    res = _zeros_laid_out_as(xp, idx, g.shape[:g.ndim - nd] + padded_sizes(sizes, pads), nd, g.dtype,
                             empty=tiled)
    # g's bits ANDed with an all-ones or all-zeros word: +0.0 off the maximum, and a NaN or inf
    # gradient stays at the maximum (not g * 0 everywhere), as PyTorch
    itype = xp.dtype(f"int{8 * g.dtype.itemsize}")
    mask = xp.empty_like(idx, dtype=itype)
    bits = g.view(itype)
    for o, offs in enumerate(offsets(kernel)):
        sl = window_slice(offs, stride, dilation, out)
        xp.equal(idx, o, out=mask)
        xp.negative(mask, out=mask)
        if apart:
            xp.bitwise_and(bits, mask, out=res.view(itype)[sl])
        else:
            res[sl] += (bits & mask).view(g.dtype)
    return crop(res, sizes, pads)


class WindowScatter(Primitive):
    """Put each window's value at its offset ``idx``, zeros elsewhere (summed where windows
    overlap): the gradient of :class:`WindowMax`."""

    @staticmethod
    def forward(ctx, g, idx, sizes, kernel, stride, pads, dilation, out):
        ctx.args = (kernel, stride, pads, dilation, out)
        ctx.save_for_backward(idx)
        return _scatter(ctx.device.xp, g, idx, sizes, kernel, stride, pads, dilation, out)

    @staticmethod
    def backward(ctx, g):
        (idx,) = ctx.saved_tensors
        return (WindowGather.apply(g, idx, *ctx.args),) + (None,) * 7

    @staticmethod
    def raw_backward(ctx, g):
        return (_gather(ctx.device.xp, g, ctx.saved_arrays[0], *ctx.args),) + (None,) * 7


class WindowGather(Primitive):
    """Each window's element at offset ``idx`` (the adjoint of :class:`WindowScatter`)."""

    @staticmethod
    def forward(ctx, x, idx, kernel, stride, pads, dilation, out):
        ctx.args = (x.shape[x.ndim - len(kernel):], kernel, stride, pads, dilation, out)
        ctx.save_for_backward(idx)
        return _gather(ctx.device.xp, x, idx, kernel, stride, pads, dilation, out)

    @staticmethod
    def backward(ctx, g):
        (idx,) = ctx.saved_tensors
        return (WindowScatter.apply(g, idx, *ctx.args),) + (None,) * 6

    @staticmethod
    def raw_backward(ctx, g):
        return (_scatter(ctx.device.xp, g, ctx.saved_arrays[0], *ctx.args),) + (None,) * 6


def _gather(xp, x, idx, kernel, stride, pads, dilation, out):
    """Each window's element of array ``x`` at offset ``idx``: :class:`WindowGather`'s forward."""
    if any(lo or hi for lo, hi in pads):
        x = pad_array(xp, x, pads, 0)
    res = xp.zeros(idx.shape, dtype=x.dtype)
    for o, offs in enumerate(offsets(kernel)):
        res += backend.keep_where(x[window_slice(offs, stride, dilation, out)], idx == o)
    return res


def _window_values(xp, x, kernel, stride, dilation, out):
    """The maximum of each window, one dimension at a time (outermost first: the passes then
    read whole rows); NaN propagates."""
    nd, vals = len(kernel), x
    for i in range(nd):
        best = None
        for o in range(kernel[i]):
            v = vals[_dim_slice(i, nd, o, stride[i], dilation[i], out[i])]
            best = v if best is None else (xp.maximum(best, v) if o == 1 else xp.maximum(best, v, out=best))
        vals = best
    return vals


def _first_max_offsets(xp, x, y, kernel, stride, dilation, out):
    """The row-major offset of each window's first element equal to its maximum ``y`` (no NaN in
    ``y``): ``ne_0 * (1 + ne_1 * (1 + ... (1 + ne_{K-2})))`` with ``ne_o`` "offset o is not the
    maximum", in place over one small integer array."""
    offs = offsets(kernel)
    dt = xp.uint8 if len(offs) <= 256 else xp.int32
    idx = None
    for o in range(len(offs) - 2, -1, -1):
        ne = x[window_slice(offs[o], stride, dilation, out)] != y
        if idx is None:
            idx = ne.astype(dt)
        else:
            idx += 1
            idx *= ne
    return idx


class WindowMaxValues(Primitive):
    """Max of each window of disjoint, unpadded windows (more than one element each), without the
    offsets: the backward finds each window's first maximum from the saved input and output (where
    the output has a NaN, the forward keeps the offsets instead, by PyTorch's NaN rule)."""

    @staticmethod
    def forward(ctx, x, kernel, stride, dilation, out):
        xp = ctx.device.xp
        y = _window_values(xp, x, kernel, stride, dilation, out)
        ctx.args = (x.shape[x.ndim - len(kernel):], kernel, stride, ((0, 0),) * len(kernel), dilation, out)
        if ctx.needs_input_grad:
            if y.size and xp.isnan(y.min()):  # rare: the offsets by the exact NaN rule, now
                ctx.save_for_backward(_window_max(xp, x, kernel, stride, dilation, out, True)[1])
            else:  # a copy of y: an in-place op on the output (MaxPool2d then ReLU(inplace=True)) is
                # allowed, as PyTorch's (which saves the input and the indices, not the output)
                ctx.save_for_backward(x, y.copy())
        return y

    @staticmethod
    def _offsets(ctx, saved):
        if len(saved) == 1:
            return saved[0]
        sizes, kernel, stride, pads, dilation, out = ctx.args
        return _first_max_offsets(ctx.device.xp, saved[0], saved[1], kernel, stride, dilation, out)

    @staticmethod
    def backward(ctx, g):
        idx = Tensor._make(WindowMaxValues._offsets(ctx, ctx.saved_arrays), ctx.device)
        return (WindowScatter.apply(g, idx, *ctx.args),) + (None,) * 4

    @staticmethod
    def raw_backward(ctx, g):
        idx = WindowMaxValues._offsets(ctx, ctx.saved_arrays)
        return (_scatter(ctx.device.xp, g, idx, *ctx.args),) + (None,) * 4


def window_max(input, kernel, stride, pads, dilation, out):
    """``(values, offsets)``: each window's maximum and the row-major kernel offset of its first
    maximum (arguments normalised as :func:`window_args` returns them, ``out`` the window counts)."""
    return WindowMax.apply(input, kernel, stride, pads, dilation, out)


def window_max_values(input, kernel, stride, pads, dilation, out):
    """Each window's maximum alone (the gradient goes to the first maximum, as :func:`window_max`'s)."""
    if any(lo or hi for lo, hi in pads) or math.prod(kernel) == 1 or not disjoint(kernel, stride, dilation):
        return WindowMax.apply(input, kernel, stride, pads, dilation, out)[0]
    return WindowMaxValues.apply(input, kernel, stride, dilation, out)
