"""The windowing engine: im2col and col2im for convolution, pooling, unfold and fold.

Array level (used by the primitives of this file, ``conv.py`` and ``pool.py``):
``pad_array`` pads the trailing dimensions; ``window_view`` is im2col as a
strided view of the padded input, ``(*lead, *out, *kernel)``, no copy (convolution
copies it, a cache-sized chunk at a time, into its GEMM operand); ``add_windows``
is col2im, summing windows back in place, one strided slice per kernel offset.
Both also take the "wide" stride-1 layout, in which a window offset is one
contiguous run of the flattened padded image.

Tensor level: ``sliding_windows`` / ``fold_windows`` (windows of any number of
trailing dimensions) and ``im2col`` / ``col2im`` (PyTorch's ``unfold`` / ``fold``
layout ``(N, C * prod(kernel), L)``), built on the ``Unfold`` / ``Fold`` primitive
pair, each the other's backward, so gradients of any order work.

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


# ---------------------------------------------------------------- the engine, on arrays
def pad_array(xp, x, pads, value, out=None):
    """``x`` padded with ``value`` on its trailing dimensions (cheaper than ``xp.pad``); written
    into ``out`` when given (its trailing sizes may exceed the padded ones: the excess is border)."""
    nd = len(pads)
    lead = x.ndim - nd
    sizes = x.shape[lead:]
    res = out if out is not None else xp.empty(x.shape[:lead] + padded_sizes(sizes, pads), dtype=x.dtype)
    res[(Ellipsis,) + tuple(slice(lo, lo + n) for n, (lo, _) in zip(sizes, pads))] = x
    for i, (n, (lo, _)) in enumerate(zip(sizes, pads)):  # the borders, one slab per side
        before = (Ellipsis,) + (slice(None),) * i
        after = (slice(None),) * (nd - 1 - i)
        if lo:
            res[before + (slice(0, lo),) + after] = value
        if res.shape[lead + i] > lo + n:
            res[before + (slice(lo + n, None),) + after] = value
    return res


def offsets(kernel):
    """Every kernel offset, in row-major order."""
    return tuple(itertools.product(*(range(k) for k in kernel)))


def window_slice(offs, stride, dilation, out):
    """Index of the elements at kernel offset ``offs`` of every window: a strided slice."""
    return (Ellipsis,) + tuple(slice(o * d, o * d + s * (m - 1) + 1, s)
                               for o, d, s, m in zip(offs, dilation, stride, out))


def window_view(backend, x, kernel, stride, dilation, out, wide=False):
    """im2col as a strided view: the windows of ``x``'s trailing dimensions (already padded),
    ``(*lead, *out, *kernel)``.

    With ``wide`` (stride 1, row-major trailing dimensions, one spare row at the end) the
    output positions run over whole rows: ``(*lead, out[0] * row, *kernel)``, each kernel
    offset a contiguous run; the columns past each row's ``out`` windows are to be discarded.
    """
    nd = len(kernel)
    lead = x.ndim - nd
    st = x.strides
    kstrides = tuple(st[lead + i] * dilation[i] for i in range(nd))
    if wide:
        oshape, ostrides = (out[0] * math.prod(x.shape[lead + 1:]),), (st[-1],)
    else:
        oshape, ostrides = tuple(out), tuple(st[lead + i] * stride[i] for i in range(nd))
    return backend.as_strided(x, x.shape[:lead] + oshape + tuple(kernel), st[:lead] + ostrides + kstrides)


def add_windows(res, cols, kernel, stride, dilation, out, overwrite=False, wide=False):
    """col2im in place: ``res (*lead, *padded) +=`` the windows ``cols`` laid out as
    :func:`window_view` gives them (``wide`` too). With ``overwrite`` (disjoint windows only)
    the windows are written instead of added."""
    nd = len(kernel)
    e = (Ellipsis,)
    if wide:
        lead = res.ndim - nd
        flat = res.reshape(res.shape[:lead] + (-1,))  # a view: the trailing dimensions are contiguous
        el = [math.prod(res.shape[lead + i + 1:]) for i in range(nd)]
        t = cols.shape[lead]
    for offs in offsets(kernel):
        src = cols[e + offs]
        if wide:
            start = sum(o * d * n for o, d, n in zip(offs, dilation, el))
            flat[..., start:start + t] += src
        elif overwrite:
            res[window_slice(offs, stride, dilation, out)] = src
        else:
            res[window_slice(offs, stride, dilation, out)] += src
    return res


def out_sizes(sizes, kernel, stride, pads, dilation):
    """The number of windows along each dimension."""
    return tuple(
        (n + lo + hi - d * (k - 1) - 1) // s + 1
        for n, k, s, (lo, hi), d in zip(sizes, kernel, stride, pads, dilation)
    )


def padded_sizes(sizes, pads):
    return tuple(n + lo + hi for n, (lo, hi) in zip(sizes, pads))


def disjoint(kernel, stride, dilation):
    """True when no two windows share an element."""
    return all(s >= d * (k - 1) + 1 for k, s, d in zip(kernel, stride, dilation))


def crop(res, sizes, pads):
    """``res`` without its padding (a view)."""
    if any(lo or hi for lo, hi in pads):
        res = res[(Ellipsis,) + tuple(slice(lo, lo + n) for n, (lo, _) in zip(sizes, pads))]
    return res


# ---------------------------------------------------------------- the primitives
class Unfold(Primitive):
    """Windows ``(*lead, *out, *kernel)`` of the trailing dimensions (a strided view)."""

    @staticmethod
    def forward(ctx, x, kernel, stride, pads, dilation, out, value):
        ctx.args = (x.shape[x.ndim - len(kernel):], kernel, stride, pads, dilation)
        return _unfold_array(ctx.device, x, kernel, stride, pads, dilation, out, value)

    @staticmethod
    def backward(ctx, g):
        sizes, kernel, stride, pads, dilation = ctx.args
        return Fold.apply(g, sizes, kernel, stride, pads, dilation), None, None, None, None, None, None

    @staticmethod
    def raw_backward(ctx, g):
        return _fold_array(ctx.device.xp, g, *ctx.args), None, None, None, None, None, None


class UnfoldView(Unfold):
    """``Unfold`` without padding: the output is a view of the input."""

    is_view = True


class Fold(Primitive):
    """Sum windows ``(*lead, *out, *kernel)`` back into ``(*lead, *sizes)`` (col2im)."""

    @staticmethod
    def forward(ctx, cols, sizes, kernel, stride, pads, dilation):
        nd = len(kernel)
        ctx.args = (kernel, stride, pads, dilation, cols.shape[cols.ndim - 2 * nd:cols.ndim - nd])
        return _fold_array(ctx.device.xp, cols, sizes, kernel, stride, pads, dilation)

    @staticmethod
    def backward(ctx, g):
        kernel, stride, pads, dilation, out = ctx.args
        return _unfold(g, kernel, stride, pads, dilation, out, 0.0), None, None, None, None, None

    @staticmethod
    def raw_backward(ctx, g):
        return _unfold_array(ctx.device, g, *ctx.args, 0.0), None, None, None, None, None


def _unfold_array(device, x, kernel, stride, pads, dilation, out, value):
    """The windows of array ``x`` (padded with ``value``), as :class:`Unfold` gives them."""
    if any(lo or hi for lo, hi in pads):
        x = pad_array(device.xp, x, pads, value)
    return window_view(device.backend, x, kernel, stride, dilation, out)


def _fold_array(xp, cols, sizes, kernel, stride, pads, dilation):
    """The windows ``cols`` summed back into an array of ``sizes`` (without the padding)."""
    nd = len(kernel)
    lead = cols.shape[:cols.ndim - 2 * nd]
    out = cols.shape[len(lead):len(lead) + nd]
    res = xp.zeros(lead + padded_sizes(sizes, pads), dtype=cols.dtype)
    # disjoint windows (most pooling) are written, overlapping ones accumulated
    add_windows(res, cols, kernel, stride, dilation, out, overwrite=disjoint(kernel, stride, dilation))
    return crop(res, sizes, pads)


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


def _plain(v):
    return v.__class__ is int or (v.__class__ is tuple and all(e.__class__ is int for e in v))


def window_args(kernel_size, stride, padding, dilation, nd=None):
    """Normalise window arguments to tuples; ``padding`` to ``((before, after), ...)``."""
    # ints and tuples of ints (not bools or floats, which hash as ints) are normalised once
    if _plain(kernel_size) and _plain(stride) and _plain(padding) and _plain(dilation):
        return _window_args_cached(kernel_size, stride, padding, dilation, nd)
    return _window_args(kernel_size, stride, padding, dilation, nd)


def _window_args(kernel_size, stride, padding, dilation, nd=None):
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


_window_args_cached = functools.lru_cache(maxsize=512)(_window_args)


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


def im2col(input, kernel_size, dilation=1, padding=0, stride=1):
    """Sliding blocks of ``(N, C, *spatial)`` as columns, in PyTorch's ``unfold`` layout.

    The engine behind ``nn.functional.unfold`` (any number of spatial dimensions).

    Shape:
        Input ``(N, C, *spatial)``; output ``(N, C * prod(kernel_size), L)``, ``L`` the number
        of windows.
    """
    nd = input.ndim - 2
    kernel, stride, pads, dilation = window_args(kernel_size, stride, padding, dilation, nd)
    cols = sliding_windows(input, kernel, stride, pads, dilation)  # (N, C, *out, *kernel)
    n, c, out = cols.shape[0], cols.shape[1], cols.shape[2:2 + nd]
    cols = cols.permute(0, 1, *range(2 + nd, 2 + 2 * nd), *range(2, 2 + nd))
    return cols.reshape(n, c * math.prod(kernel), math.prod(out))


def col2im(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Sum columns ``(N, C * prod(kernel_size), L)`` back into ``(N, C, *output_size)``: the adjoint
    of :func:`im2col`, the engine behind ``nn.functional.fold``."""
    nd = len(output_size) if isinstance(output_size, (tuple, list)) else 2
    kernel, stride, pads, dilation = window_args(kernel_size, stride, padding, dilation, nd)
    sizes = window_args(output_size, 1, 0, 1, nd)[0]
    out = out_sizes(sizes, kernel, stride, pads, dilation)
    n, ck, length = input.shape
    kk = math.prod(kernel)
    if ck % kk or length != math.prod(out):
        raise RuntimeError(
            f"fold: input of shape {tuple(input.shape)} does not match kernel {kernel} and "
            f"{math.prod(out)} blocks")
    cols = input.reshape(n, ck // kk, *kernel, *out)
    cols = cols.permute(0, 1, *range(2 + nd, 2 + 2 * nd), *range(2, 2 + nd))
    return fold_windows(cols, sizes, kernel, stride, pads, dilation)

