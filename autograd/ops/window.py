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

import itertools
import numbers

from ..function import Primitive

__all__ = ["sliding_windows", "fold_windows"]


def _pad_widths(x_ndim, pads):
    return ((0, 0),) * (x_ndim - len(pads)) + tuple(pads)


def _out_sizes(sizes, kernel, stride, pads, dilation):
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
            xp = ctx.device.xp
            x = xp.pad(x, _pad_widths(x.ndim, pads), mode="constant", constant_values=value)
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
        xp = ctx.device.xp
        padded = tuple(n + lo + hi for n, (lo, hi) in zip(sizes, pads))
        res = xp.zeros(lead + padded, dtype=cols.dtype)
        e = (Ellipsis,)
        # disjoint windows (most pooling) are written, overlapping ones accumulated
        disjoint = all(s >= d * (k - 1) + 1 for k, s, d in zip(kernel, stride, dilation))
        for offs in itertools.product(*(range(k) for k in kernel)):
            sl = e + tuple(slice(o * d, o * d + s * (m - 1) + 1, s)
                           for o, d, s, m in zip(offs, dilation, stride, out))
            if disjoint:
                res[sl] = cols[e + offs]
            else:
                res[sl] += cols[e + offs]
        if any(lo or hi for lo, hi in pads):
            res = res[(Ellipsis,) + tuple(slice(lo, lo + n) for n, (lo, _) in zip(sizes, pads))]
        return res

    @staticmethod
    def backward(ctx, g):
        kernel, stride, pads, dilation, out = ctx.args
        return _unfold(g, kernel, stride, pads, dilation, out, 0.0), None, None, None, None, None


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
    out = _out_sizes(sizes, kernel, stride, pads, dilation)
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
