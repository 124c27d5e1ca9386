"""Convolution as im2col and matrix products: three primitives closed under differentiation.

``Conv`` copies the windows of the input into an im2col matrix ``(C*K, N*L)``
and multiplies the flattened weight with it (a batched GEMM over groups), a
cache-sized batch chunk at a time; the result is computed channel-major and
returned as an ``(N, C_out, *out)`` view. The gradients are the two adjoints
(GEMM then col2im for the input, im2col then GEMM for the weight), which are
themselves primitives whose gradients are convolutions, so any order of
differentiation works. ``conv_transpose*d`` is the input adjoint. Without
``create_graph``, ``Conv.raw_backward`` runs both adjoints on arrays, laying the
output gradient out once. The bias rides in the forward GEMM as one more weight
column (times a row of ones in the im2col block).
"""
from __future__ import annotations

import contextlib
import functools
import math
import threading

from ..arraylib.blas_threads import one_thread
from ..function import Primitive
from .window import add_windows, pad_array, padded_sizes, window_view


# ---------------------------------------------------------------- the GEMM primitives
# Geometry ``geo = (sizes, out, kernel, stride, pads, dilation, groups)`` of a convolution whose
# input has spatial ``sizes`` and output ``out``. Three primitives close under differentiation,
# as PyTorch's: the convolution, its adjoint in the input (``ConvInput``, also conv_transpose)
# and its adjoint in the weight (``ConvWeight``); each one's gradients are the other two.
#
# The im2col matrix ``(C*K, n*T)`` is built one batch chunk at a time (so that it stays in cache
# between its copy and its GEMM on a CPU). For stride 1 the columns run over whole padded rows
# ("wide" layout): a window offset is then a contiguous run of the flattened padded image, so the
# copies and col2im adds move long runs; the extra columns are discarded (forward) or zero (grads).
# im2col blocks of at most 2 MiB and 4096 columns keep the copy and its GEMM in cache and suit
# OpenBLAS's thin products (measured on LeNet's convolutions: the best of 256 KiB..16 MiB and
# 2048..all columns); col2im gains more from fewer, larger adds
_CHUNK_BYTES = 1 << 21
_CHUNK_COLUMNS = 4096
_COL2IM_CHUNK_BYTES = 1 << 24
_WIDE_MAX_WASTE = 2.0  # wide rows may carry up to this many times the output's columns
_work_arrays = threading.local()
_ZEROED_MAX_BYTES = 1 << 23  # zero-bordered gradient buffers kept per exact shape (at most 4)
# A product of one chunk below this many multiply-adds runs on one BLAS thread: the block was just
# written by this thread, and a second OpenBLAS thread on a thin product costs more than it gains
# (measured on LeNet's and small CIFAR convolutions: 1.5e7 multiply-adds a block ran faster on one
# thread, 3.2e7 on two)
_ONE_THREAD_MACS = 1 << 24


def _work(ctx, slot, shape, dtype):
    """A scratch array for use within one call, reused across calls on the CPU (where a fresh
    array of a megabyte or more costs hundreds of page faults on every call). Each thread keeps
    at most one array per slot and dtype, of at most 32 MiB. Nothing returned or saved for
    backward may alias one."""
    size = math.prod(shape)
    if ctx.device.backend.name != "cpu" or size * dtype.itemsize > 2 * _COL2IM_CHUNK_BYTES:
        return ctx.device.xp.empty(shape, dtype=dtype)
    cache = _work_arrays.__dict__.setdefault("arrays", {})
    key = (slot, dtype)
    a = cache.get(key)
    if a is None or a.size < size:
        a = cache[key] = ctx.device.xp.empty(size, dtype=dtype)
    return a[:size].reshape(shape)


def _blas_threads(ctx, chunks, macs_per_column):
    """BLAS held to one thread for this call's products when they are thin (on the CPU)."""
    n0, n1 = chunks[0]
    if ctx.device.backend.name == "cpu" and (n1 - n0) * macs_per_column < _ONE_THREAD_MACS:
        return one_thread()
    return contextlib.nullcontext()


def _zero_bordered(ctx, shape, dtype):
    """A scratch array of ``shape`` whose wide-layout extra columns are zero: on the CPU one is
    kept per exact shape (up to 4, of at most 8 MiB) and only its interior is ever written, so
    the zeros are paid once."""
    xp = ctx.device.xp
    if ctx.device.backend.name != "cpu" or math.prod(shape) * dtype.itemsize > _ZEROED_MAX_BYTES:
        return xp.zeros(shape, dtype=dtype)
    cache = _work_arrays.__dict__.setdefault("zeroed", {})
    key = (shape, dtype)
    a = cache.get(key)
    if a is None:
        if len(cache) >= 4:
            del cache[next(iter(cache))]
        a = cache[key] = xp.zeros(shape, dtype=dtype)
    return a


@functools.lru_cache(maxsize=256)
def _plan(sizes, out, kernel, stride, pads, dilation):
    """``(buf, T, wide)``: the per-image buffer shape, the im2col columns per image, and whether
    the columns run over whole padded rows (the engine's wide layout)."""
    nd = len(kernel)
    padded = padded_sizes(sizes, pads)
    wide = (all(s == 1 for s in stride) and all(d <= o for d, o in zip(dilation, out))
            and math.prod(padded[1:]) <= _WIDE_MAX_WASTE * math.prod(out[1:]))
    buf = (padded[0] + 1,) + padded[1:] if wide and nd > 1 else padded  # one spare row for the runs
    return buf, (out[0] * math.prod(buf[1:]) if wide else math.prod(out)), wide


def _chunks(ctx, n, t, row_bytes, budget=_CHUNK_BYTES, columns=_CHUNK_COLUMNS):
    """Balanced batch ranges whose im2col block fits ``budget`` bytes and ``columns`` columns
    (one range off the CPU)."""
    step = n
    if ctx.device.backend.name == "cpu":
        step = max(1, min(n, budget // max(row_bytes, 1), columns // t))
        step = -(-n // -(-n // step))  # as many chunks, of equal size
    return [(i, min(i + step, n)) for i in range(0, n, step)]


def _buffer(ctx, x, geo, plan, keep=False):
    """``x`` zero-padded into the plan's per-image buffer ``(N, C, *buf)`` (with ``keep``, a fresh
    array that may be saved, not a scratch one)."""
    sizes, pads, buf = geo[0], geo[4], plan[0]
    if tuple(buf) == tuple(sizes) and x.strides[-1] == x.itemsize and all(
            x.strides[i] == x.strides[i + 1] * x.shape[i + 1] for i in range(2, x.ndim - 1)):
        return x  # the images are already row-major buffers (whatever the batch/channel order)
    shape = x.shape[:2] + tuple(buf)
    out = ctx.device.xp.empty(shape, dtype=x.dtype) if keep else _work(ctx, "input", shape, x.dtype)
    return pad_array(ctx.device.xp, x, pads, 0, out=out)


def _windows(ctx, xbuf, geo, plan):
    """The im2col matrix of every image of the padded buffer ``xbuf`` as one strided view
    ``(C, *kernel, N, *oshape)`` (made once per call; each chunk copies a slice of it)."""
    kernel = geo[2]
    view = window_view(ctx.device.backend, xbuf, kernel, geo[3], geo[5], geo[1], plan[2])
    no = view.ndim - 2 - len(kernel)  # (N, C, *oshape, *kernel) -> (C, *kernel, N, *oshape)
    return view.transpose((1,) + tuple(range(2 + no, view.ndim)) + (0,) + tuple(range(2, 2 + no)))


def _im2col(ctx, windows, nd, t, n0, n1, ones=False):
    """Columns ``(C*K, (n1-n0)*T)`` of images ``n0:n1``: a slice of :func:`_windows`, copied once
    (with ``ones``, one more row of ones, that multiplies a bias column)."""
    view = windows[(slice(None),) * (1 + nd) + (slice(n0, n1),)]
    rows, width = math.prod(view.shape[:1 + nd]), (n1 - n0) * t
    cols = _work(ctx, "cols", (rows + ones, width), view.dtype)
    cols[:rows].reshape(view.shape)[...] = view
    if ones:
        cols[rows] = 1
    return cols


def _col2im(acc, cols, plan, geo, n0, n1):
    """``acc (C, N, *buf) += `` the windows of ``cols (C*K, (n1-n0)*T)`` at images ``n0:n1``."""
    kernel = geo[2]
    nd = len(kernel)
    oshape = (plan[1],) if plan[2] else tuple(geo[1])
    cols = cols.reshape((acc.shape[0],) + tuple(kernel) + (n1 - n0,) + oshape)
    # (C, *kernel, n, *oshape) -> (C, n, *oshape, *kernel), the engine's window layout
    cols = cols.transpose((0, 1 + nd) + tuple(range(2 + nd, cols.ndim)) + tuple(range(1, 1 + nd)))
    add_windows(acc[:, n0:n1], cols, kernel, geo[3], geo[5], geo[1], wide=plan[2])


def _grad_columns(ctx, g, plan, geo):
    """The output gradient ``(N, O, *out)`` as ``(O, N*T)`` columns (zero in the wide extra columns)."""
    n, o = g.shape[:2]
    buf, t, wide, out = plan[0], plan[1], plan[2], geo[1]
    gt = g.transpose((1, 0) + tuple(range(2, g.ndim)))
    shape = (o, n, out[0]) + tuple(buf[1:] if wide else out[1:])
    if shape[2:] == tuple(out):
        res = _work(ctx, "grad", shape, g.dtype)
        res[...] = gt
    else:  # only the interior is written: the extra columns stay zero
        res = _zero_bordered(ctx, shape, g.dtype)
        res[(Ellipsis,) + tuple(slice(0, m) for m in out[1:])] = gt
    return res.reshape(o, n * t)


# ---------------------------------------------------------------- the three products, on arrays
def _forward(ctx, x, w, b, geo, xbuf=None):
    """The convolution of arrays ``x`` and ``w`` (+ ``b``): ``(N, O, *out)``, channel-major memory
    (``xbuf``: ``x`` already padded by :func:`_buffer`)."""
    xp = ctx.device.xp
    out, groups = geo[1], geo[6]
    plan = _plan(*geo[:6])
    n, o, t = x.shape[0], w.shape[0], plan[1]
    wg = w.reshape(groups, o // groups, -1)
    fold = b is not None and groups == 1  # the bias as one more weight column, on a row of ones
    if fold:
        wg = xp.concatenate((wg[0], b.reshape(o, 1)), axis=1)[None]
    windows = _windows(ctx, _buffer(ctx, x, geo, plan) if xbuf is None else xbuf, geo, plan)
    y = xp.empty((o, n) + tuple(out), dtype=x.dtype)
    chunks = _chunks(ctx, n, t, wg.shape[2] * groups * t * x.itemsize)
    with _blas_threads(ctx, chunks, t * o * wg.shape[2]):
        _forward_chunks(ctx, windows, wg, b, y, chunks, plan, geo, fold)
    return y.transpose((1, 0) + tuple(range(2, y.ndim)))


def _forward_chunks(ctx, windows, wg, b, y, chunks, plan, geo, fold):
    """``y (O, N, *out)`` = the convolution, one im2col block of ``chunks`` at a time."""
    xp, out, groups, t = ctx.device.xp, geo[1], geo[6], plan[1]
    o, nd = y.shape[0], len(geo[2])
    crop = (Ellipsis,) + tuple(slice(0, m) for m in out[1:])  # the wide layout's extra columns
    for n0, n1 in chunks:
        cols = _im2col(ctx, windows, nd, t, n0, n1, fold)
        yc = _work(ctx, "product", (groups, o // groups, cols.shape[1]), y.dtype)
        xp.matmul(wg, cols.reshape(groups, -1, cols.shape[1]), out=yc)
        if plan[2]:  # drop the wide layout's extra columns
            yc = yc.reshape((o, n1 - n0, out[0]) + tuple(plan[0][1:]))[crop]
        yc = yc.reshape((o, n1 - n0) + tuple(out))
        if b is None or fold:
            y[:, n0:n1] = yc
        else:
            xp.add(yc, b.reshape((o,) + (1,) * (len(out) + 1)), out=y[:, n0:n1])


def _input_grad(ctx, gcols, w, geo, n):
    """The input gradient ``(N, C, *sizes)`` from the output gradient's columns ``(O, N*T)``."""
    xp = ctx.device.xp
    sizes, pads, groups = geo[0], geo[4], geo[6]
    plan = _plan(*geo[:6])
    o, t = w.shape[0], plan[1]
    c = w.shape[1] * groups
    wt = w.reshape(groups, o // groups, -1).transpose(0, 2, 1)  # (G, Cg*K, Og)
    gcols = gcols.reshape(groups, o // groups, n * t)
    acc = xp.zeros((c, n) + tuple(plan[0]), dtype=gcols.dtype)
    chunks = _chunks(ctx, n, t, wt.shape[1] * groups * t * gcols.itemsize, _COL2IM_CHUNK_BYTES, n * t)
    with _blas_threads(ctx, chunks, t * wt.shape[1] * o):
        for n0, n1 in chunks:
            cols = _work(ctx, "product", (groups, wt.shape[1], (n1 - n0) * t), gcols.dtype)
            xp.matmul(wt, gcols[:, :, n0 * t:n1 * t], out=cols)
            _col2im(acc, cols.reshape(-1, (n1 - n0) * t), plan, geo, n0, n1)
    dx = acc[(Ellipsis,) + tuple(slice(lo, lo + m) for m, (lo, _) in zip(sizes, pads))]
    return dx.transpose((1, 0) + tuple(range(2, dx.ndim)))


def _weight_grad(ctx, x, gcols, geo, xbuf=None):
    """The weight gradient ``(O, C/groups, *kernel)`` from ``x`` (or ``xbuf``, ``x`` already padded)
    and the output gradient's columns."""
    xp = ctx.device.xp
    kernel, groups = geo[2], geo[6]
    plan = _plan(*geo[:6])
    n, c, o, t, nd = x.shape[0], x.shape[1], gcols.shape[0], plan[1], len(kernel)
    windows = _windows(ctx, _buffer(ctx, x, geo, plan) if xbuf is None else xbuf, geo, plan)
    gcols = gcols.reshape(groups, o // groups, n * t)
    dw = part = None
    chunks = _chunks(ctx, n, t, c * math.prod(kernel) * t * x.itemsize)
    with _blas_threads(ctx, chunks, t * c * math.prod(kernel) * o // groups):
        for n0, n1 in chunks:
            cols = _im2col(ctx, windows, nd, t, n0, n1)
            # (Cg*K, n*T) @ (n*T, Og): the orientation BLAS runs fastest for these long, thin products
            cols = cols.reshape(groups, -1, cols.shape[1])
            gc = gcols[:, :, n0 * t:n1 * t].transpose(0, 2, 1)
            if dw is None:
                dw = xp.matmul(cols, gc)
            else:
                part = xp.matmul(cols, gc, out=part)
                dw += part
    return dw.transpose(0, 2, 1).reshape((o, c // groups) + tuple(kernel))


class Conv(Primitive):
    """Convolution ``(N, C, *sizes) -> (N, O, *out)`` (+ bias), by chunked im2col and GEMM."""

    @staticmethod
    def forward(ctx, x, w, b, geo):
        ctx.geo = geo
        xbuf = None
        if ctx.needs_input_grad:
            if ctx.needs_input_grad[1]:  # the padded input is kept for the weight's gradient
                xbuf = _buffer(ctx, x, geo, _plan(*geo[:6]), keep=True)
            ctx.save_for_backward(x, w, xbuf)
        return _forward(ctx, x, w, b, geo, xbuf)  # (N, O, *out), channel-major memory

    @staticmethod
    def backward(ctx, g):
        x, w, _ = ctx.saved_tensors
        need, geo = ctx.needs_input_grad, ctx.geo
        gx = ConvInput.apply(g, w, geo) if need[0] else None
        gw = ConvWeight.apply(x, g, geo) if need[1] else None
        gb = g.sum(dim=(0,) + tuple(range(2, g.ndim))) if need[2] else None
        return gx, gw, gb, None

    @staticmethod
    def raw_backward(ctx, g):
        # as ``backward``, on arrays: the gradient's columns are laid out once for both products
        x, w, xbuf = ctx.saved_arrays
        need, geo = ctx.needs_input_grad, ctx.geo
        gcols = _grad_columns(ctx, g, _plan(*geo[:6]), geo) if need[0] or need[1] else None
        gx = _input_grad(ctx, gcols, w, geo, g.shape[0]) if need[0] else None
        gw = _weight_grad(ctx, x, gcols, geo, xbuf) if need[1] else None
        gb = None
        if need[2]:  # the columns' rows are contiguous (and zero in the wide extra columns)
            gb = g.sum(axis=(0,) + tuple(range(2, g.ndim))) if gcols is None else gcols.sum(axis=1)
        return gx, gw, gb, None


class ConvInput(Primitive):
    """The gradient of a convolution in its input: ``(N, O, *out)`` -> ``(N, C, *sizes)``
    (the transposed convolution), by chunked GEMM and col2im."""

    @staticmethod
    def forward(ctx, g, w, geo):
        ctx.geo = geo
        if ctx.needs_input_grad:
            ctx.save_for_backward(g, w)
        return _transposed(ctx, g, w, geo)

    @staticmethod
    def backward(ctx, gg):
        g, w = ctx.saved_tensors
        need, geo = ctx.needs_input_grad, ctx.geo
        dg = Conv.apply(gg, w, None, geo) if need[0] else None
        dw = ConvWeight.apply(gg, g, geo) if need[1] else None
        return dg, dw, None

    @staticmethod
    def raw_backward(ctx, gg):
        # conv_transpose's backward: as ``backward``, each op's forward on arrays
        g, w = ctx.saved_arrays
        need, geo = ctx.needs_input_grad, ctx.geo
        dg = _forward(ctx, gg, w, None, geo) if need[0] else None
        dw = _weight_of(ctx, gg, g, geo) if need[1] else None
        return dg, dw, None


class ConvWeight(Primitive):
    """The gradient of a convolution in its weight: ``(x, g) -> (O, C/groups, *kernel)``."""

    @staticmethod
    def forward(ctx, x, g, geo):
        ctx.geo = geo
        if ctx.needs_input_grad:
            ctx.save_for_backward(x, g)
        return _weight_of(ctx, x, g, geo)

    @staticmethod
    def backward(ctx, gw):
        x, g = ctx.saved_tensors
        need, geo = ctx.needs_input_grad, ctx.geo
        dx = ConvInput.apply(g, gw, geo) if need[0] else None
        dg = Conv.apply(x, gw, None, geo) if need[1] else None
        return dx, dg, None

    @staticmethod
    def raw_backward(ctx, gw):
        x, g = ctx.saved_arrays
        need, geo = ctx.needs_input_grad, ctx.geo
        dx = _transposed(ctx, g, gw, geo) if need[0] else None
        dg = _forward(ctx, x, gw, None, geo) if need[1] else None
        return dx, dg, None


def _transposed(ctx, g, w, geo):
    """The transposed convolution of arrays ``g (N, O, *out)`` and ``w``: ``(N, C, *sizes)``."""
    return _input_grad(ctx, _grad_columns(ctx, g, _plan(*geo[:6]), geo), w, geo, g.shape[0])


def _weight_of(ctx, x, g, geo):
    """The weight gradient of arrays ``x (N, C, *sizes)`` and ``g (N, O, *out)``."""
    return _weight_grad(ctx, x, _grad_columns(ctx, g, _plan(*geo[:6]), geo), geo)
