"""Sliding windows: the one windowing primitive behind convolution and pooling.

``sliding_windows`` (im2col) turns the trailing ``d`` dimensions of an array
into windows, as a strided view of the (padded) input: shape
``(*lead, *out, *kernel)``, no copy. ``fold_windows`` (col2im) is its adjoint:
it sums windows back into an array of the input's shape. Each is the other's
backward, so gradients of any order work.

Padding is given per windowed dimension as ``(before, after)``; the padded
border takes ``value`` (0 for convolution, ``-inf`` for max pooling) and
receives no gradient.
"""
from __future__ import annotations

import functools
import itertools
import math
import numbers

from ..function import Primitive

__all__ = ["sliding_windows", "fold_windows"]


def _pad(xp, x, pads, value):
    """``x`` padded with ``value`` on its trailing dimensions (cheaper than ``xp.pad``)."""
    nd = len(pads)
    lead = x.ndim - nd
    sizes = x.shape[lead:]
    res = xp.empty(x.shape[:lead] + tuple(n + lo + hi for n, (lo, hi) in zip(sizes, pads)), dtype=x.dtype)
    res[(Ellipsis,) + tuple(slice(lo, lo + n) for n, (lo, _) in zip(sizes, pads))] = x
    for i, (n, (lo, hi)) in enumerate(zip(sizes, pads)):  # the borders, one slab per side
        before = (Ellipsis,) + (slice(None),) * i
        after = (slice(None),) * (nd - 1 - i)
        if lo:
            res[before + (slice(0, lo),) + after] = value
        if hi:
            res[before + (slice(lo + n, None),) + after] = value
    return res


def _offsets(kernel):
    """Every kernel offset, in row-major order."""
    return tuple(itertools.product(*(range(k) for k in kernel)))


def _window_slice(offs, stride, dilation, out):
    """Index of the elements at kernel offset ``offs`` of every window: a strided slice."""
    return (Ellipsis,) + tuple(slice(o * d, o * d + s * (m - 1) + 1, s)
                               for o, d, s, m in zip(offs, dilation, stride, out))


def out_sizes(sizes, kernel, stride, pads, dilation):
    """The number of windows along each dimension."""
    return tuple(
        (n + lo + hi - d * (k - 1) - 1) // s + 1
        for n, k, s, (lo, hi), d in zip(sizes, kernel, stride, pads, dilation)
    )


class Unfold(Primitive):
    """Windows ``(*lead, *out, *kernel)`` of the trailing dimensions (a strided view)."""

    @staticmethod
    def forward(ctx, x, kernel, stride, pads, dilation, out, value):
        nd = len(kernel)
        ctx.args = (x.shape[x.ndim - nd:], kernel, stride, pads, dilation)
        if any(lo or hi for lo, hi in pads):
            x = _pad(ctx.device.xp, x, pads, value)
        lead = x.ndim - nd
        st = x.strides
        shape = x.shape[:lead] + out + kernel
        strides = (st[:lead] + tuple(st[lead + i] * stride[i] for i in range(nd))
                   + tuple(st[lead + i] * dilation[i] for i in range(nd)))
        return ctx.device.backend.as_strided(x, shape, strides)

    @staticmethod
    def backward(ctx, g):
        sizes, kernel, stride, pads, dilation = ctx.args
        return Fold.apply(g, sizes, kernel, stride, pads, dilation), None, None, None, None, None, None


class UnfoldView(Unfold):
    """``Unfold`` without padding: the output is a view of the input."""

    is_view = True


class Fold(Primitive):
    """Sum windows ``(*lead, *out, *kernel)`` back into ``(*lead, *sizes)`` (col2im)."""

    @staticmethod
    def forward(ctx, cols, sizes, kernel, stride, pads, dilation):
        nd = len(kernel)
        lead = cols.shape[:cols.ndim - 2 * nd]
        out = cols.shape[len(lead):len(lead) + nd]
        ctx.args = (kernel, stride, pads, dilation, out)
        res = ctx.device.xp.zeros(lead + _padded(sizes, pads), dtype=cols.dtype)
        # disjoint windows (most pooling) are written, overlapping ones accumulated
        disjoint = _disjoint(kernel, stride, dilation)
        e = (Ellipsis,)
        for offs in _offsets(kernel):
            sl = _window_slice(offs, stride, dilation, out)
            if disjoint:
                res[sl] = cols[e + offs]
            else:
                res[sl] += cols[e + offs]
        return _crop(res, sizes, pads)

    @staticmethod
    def backward(ctx, g):
        kernel, stride, pads, dilation, out = ctx.args
        return _unfold(g, kernel, stride, pads, dilation, out, 0.0), None, None, None, None, None


def _padded(sizes, pads):
    return tuple(n + lo + hi for n, (lo, hi) in zip(sizes, pads))


def _disjoint(kernel, stride, dilation):
    return all(s >= d * (k - 1) + 1 for k, s, d in zip(kernel, stride, dilation))


def _crop(res, sizes, pads):
    """``res`` without its padding (a view)."""
    if any(lo or hi for lo, hi in pads):
        res = res[(Ellipsis,) + tuple(slice(lo, lo + n) for n, (lo, _) in zip(sizes, pads))]
    return res


# ---------------------------------------------------------------- max over windows
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
            x = _pad(xp, x, pads, float("-inf"))
        y, idx = _window_max(xp, x, kernel, stride, dilation, out, False)
        if xp.isnan(y).any():  # rare: redo with the exact NaN rule (slower)
            y, idx = _window_max(xp, x, kernel, stride, dilation, out, True)
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


class WindowScatter(Primitive):
    """Put each window's value at its offset ``idx``, zeros elsewhere (summed where windows
    overlap): the gradient of :class:`WindowMax`."""

    @staticmethod
    def forward(ctx, g, idx, sizes, kernel, stride, pads, dilation, out):
        xp = ctx.device.xp
        nd = len(kernel)
        ctx.args = (kernel, stride, pads, dilation, out)
        ctx.save_for_backward(idx)
        # the gradient is laid out as the input was (the offsets ``idx`` were computed in its layout)
        g = _laid_out_as(xp, g, idx, nd)
        disjoint = _disjoint(kernel, stride, dilation)
        # windows that tile the input exactly write every element: no zeroing pass needed
        geometry = zip(kernel, stride, sizes, out, pads, dilation)
        tiled = disjoint and all(k == s and n == k * m and not (lo or hi) and d == 1
                                 for k, s, n, m, (lo, hi), d in geometry)
        res = _zeros_laid_out_as(xp, idx, g.shape[:g.ndim - nd] + _padded(sizes, pads), nd, g.dtype,
                                 empty=tiled)
        for o, offs in enumerate(_offsets(kernel)):
            sl = _window_slice(offs, stride, dilation, out)
            if disjoint:
                xp.multiply(g, idx == o, out=res[sl])
            else:
                res[sl] += g * (idx == o)
        return _crop(res, sizes, pads)

    @staticmethod
    def backward(ctx, g):
        (idx,) = ctx.saved_tensors
        return (WindowGather.apply(g, idx, *ctx.args),) + (None,) * 7


class WindowGather(Primitive):
    """Each window's element at offset ``idx`` (the adjoint of :class:`WindowScatter`)."""

    @staticmethod
    def forward(ctx, x, idx, kernel, stride, pads, dilation, out):
        xp = ctx.device.xp
        nd = len(kernel)
        ctx.args = (x.shape[x.ndim - nd:], kernel, stride, pads, dilation, out)
        ctx.save_for_backward(idx)
        if any(lo or hi for lo, hi in pads):
            x = _pad(xp, x, pads, 0)
        res = xp.zeros(idx.shape, dtype=x.dtype)
        for o, offs in enumerate(_offsets(kernel)):
            res += x[_window_slice(offs, stride, dilation, out)] * (idx == o)
        return res

    @staticmethod
    def backward(ctx, g):
        (idx,) = ctx.saved_tensors
        return (WindowScatter.apply(g, idx, *ctx.args),) + (None,) * 6


def window_max(input, kernel, stride, pads, dilation, out):
    """``(values, offsets)``: each window's maximum and the row-major kernel offset of its first
    maximum (arguments normalised as :func:`window_args` returns them, ``out`` the window counts)."""
    return WindowMax.apply(input, kernel, stride, pads, dilation, out)


def _unfold(x, kernel, stride, pads, dilation, out, value):
    cls = Unfold if any(lo or hi for lo, hi in pads) else UnfoldView
    return cls.apply(x, kernel, stride, pads, dilation, out, value)


def _tuple(value, nd, name):
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return (int(value),) * nd
    value = tuple(value)
    if len(value) == 1 and nd > 1:
        value = value * nd
    if len(value) != nd or not all(isinstance(v, numbers.Integral) for v in value):
        raise ValueError(f"{name} must be an int or a tuple of {nd} ints, got {value!r}")
    return tuple(int(v) for v in value)


def window_args(kernel_size, stride, padding, dilation, nd=None):
    """Normalise window arguments to tuples; ``padding`` to ``((before, after), ...)``."""
    if nd is None:
        nd = len(kernel_size) if isinstance(kernel_size, (tuple, list)) else 1
    kernel = _tuple(kernel_size, nd, "kernel_size")
    stride = _tuple(stride, nd, "stride")
    dilation = _tuple(dilation, nd, "dilation")
    if isinstance(padding, (tuple, list)) and padding and isinstance(padding[0], (tuple, list)):
        pads = tuple((int(lo), int(hi)) for lo, hi in padding)
        if len(pads) != nd:
            raise ValueError(f"padding must give (before, after) for each of {nd} dimensions")
    else:
        pads = tuple((p, p) for p in _tuple(padding, nd, "padding"))
    for name, vals, low in (("kernel_size", kernel, 1), ("stride", stride, 1), ("dilation", dilation, 1)):
        if any(v < low for v in vals):  # RuntimeError, as PyTorch's conv and pooling raise
            raise RuntimeError(f"{name} must be positive (greater than zero), got {vals}")
    if any(lo < 0 or hi < 0 for lo, hi in pads):
        raise RuntimeError(f"negative padding is not supported: padding must be non-negative, got {pads}")
    return kernel, stride, pads, dilation


def sliding_windows(input, kernel_size, stride=1, padding=0, dilation=1, *, value=0.0):
    """Sliding windows over the trailing dimensions of ``input`` (im2col, as a strided view).

    Window ``i`` along a dimension starts at ``i * stride - before`` and takes
    ``kernel_size`` elements ``dilation`` apart, from the input padded with
    ``value``. Equivalent to PyTorch's chained ``Tensor.unfold`` on a padded
    input. The gradient sums back over overlapping windows (``fold_windows``).

    Args:
        input: tensor ``(*lead, *spatial)``; the last ``len(kernel_size)``
            dimensions are windowed.
        kernel_size: int or tuple (one entry per windowed dimension; an int
            windows the last dimension only).
        stride, dilation: int or tuple.
        padding: int, tuple of ints (both sides), or tuple of ``(before, after)``.
        value: the padding value (``float('-inf')`` for max pooling).

    Shape:
        Output: ``(*lead, *out, *kernel_size)`` with
        ``out = (n + before + after - dilation * (k - 1) - 1) // stride + 1``.

    Example::

        >>> x = ag.arange(5.0)
        >>> ag.sliding_windows(x, 3, stride=2)
        tensor([[0., 1., 2.],
                [2., 3., 4.]])
    """
    kernel, stride, pads, dilation = window_args(kernel_size, stride, padding, dilation)
    nd = len(kernel)
    if input.ndim < nd:
        raise RuntimeError(
            f"sliding_windows: input of shape {tuple(input.shape)} has fewer than the {nd} "
            "dimensions to window")
    sizes = input.shape[input.ndim - nd:]
    out = out_sizes(sizes, kernel, stride, pads, dilation)
    if any(o < 1 for o in out):
        padded = tuple(n + lo + hi for n, (lo, hi) in zip(sizes, pads))
        eff = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))
        raise RuntimeError(
            f"sliding_windows: kernel size {eff} (dilated) can't be greater than the padded input "
            f"size {padded} (input shape {tuple(input.shape)})")
    return _unfold(input, kernel, stride, pads, dilation, out, value)


def fold_windows(input, output_size, kernel_size, stride=1, padding=0, dilation=1):
    """Sum windows back into an array (col2im): the adjoint of :func:`sliding_windows`.

    Args:
        input: windows ``(*lead, *out, *kernel_size)``.
        output_size: the sizes of the trailing dimensions of the result
            (before padding is cropped away).
        kernel_size, stride, padding, dilation: as in :func:`sliding_windows`.

    Shape:
        Output: ``(*lead, *output_size)``.
    """
    kernel, stride, pads, dilation = window_args(kernel_size, stride, padding, dilation)
    nd = len(kernel)
    sizes = _tuple(output_size, nd, "output_size")
    if input.ndim < 2 * nd or tuple(input.shape[input.ndim - nd:]) != kernel:
        raise RuntimeError(
            f"fold_windows: expected windows (*lead, *out, *{kernel}), got shape {tuple(input.shape)}")
    out = tuple(input.shape[input.ndim - 2 * nd:input.ndim - nd])
    for n, (lo, hi), o, k, s, d in zip(sizes, pads, out, kernel, stride, dilation):
        if d * (k - 1) + s * (o - 1) + 1 > n + lo + hi:
            raise RuntimeError(
                f"fold_windows: {out} windows of kernel {kernel} (stride {stride}, dilation "
                f"{dilation}) do not fit in output size {sizes} with padding {pads}")
    return Fold.apply(input, sizes, kernel, stride, pads, dilation)
