"""nn.functional: convolutions, as im2col and matrix products.

``conv{1,2,3}d`` copy the windows of the input into an im2col matrix
``(C*K, N*L)`` and multiply the flattened weight with it (a batched GEMM over
groups), a cache-sized batch chunk at a time; the result is computed
channel-major and returned as an ``(N, C_out, *out)`` view. The gradients are
the two adjoints (GEMM then col2im for the input, im2col then GEMM for the
weight), which are themselves primitives whose gradients are convolutions, so
any order of differentiation works. ``conv_transpose*d`` is the input adjoint.
"""
from __future__ import annotations

import functools
import math
import threading

from autograd.function import Primitive
from autograd.ops.window import (_offsets, _out_sizes, _window_slice, fold_windows,
                                 sliding_windows, window_args)

__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "unfold", "fold"]


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


def _work(ctx, slot, shape, dtype):
    """A scratch array for use within one forward, reused across calls on the CPU (where a fresh
    array of a megabyte or more costs hundreds of page faults on every call). Each thread keeps
    at most one array per slot and dtype, of at most 32 MiB."""
    xp = ctx.device.xp
    size = math.prod(shape)
    if ctx.device.backend.name != "cpu" or size * xp.dtype(dtype).itemsize > 2 * _COL2IM_CHUNK_BYTES:
        return xp.empty(shape, dtype=dtype)
    cache = _work_arrays.__dict__.setdefault("arrays", {})
    key = (slot, xp.dtype(dtype).str)
    a = cache.get(key)
    if a is None or a.size < size:
        a = cache[key] = xp.empty(size, dtype=dtype)
    return a[:size].reshape(shape)


@functools.lru_cache(maxsize=256)
def _plan(sizes, out, kernel, stride, pads, dilation):
    """``(buf, T, kshape, kstrides, oshape, ostrides, wide)``: per-image buffer shape, columns per
    image, and the im2col view's kernel and output dims with their strides in elements."""
    nd = len(kernel)
    padded = tuple(n + lo + hi for n, (lo, hi) in zip(sizes, pads))
    wide = (all(s == 1 for s in stride) and all(d <= o for d, o in zip(dilation, out))
            and math.prod(padded[1:]) <= _WIDE_MAX_WASTE * math.prod(out[1:]))
    buf = (padded[0] + 1,) + padded[1:] if wide and nd > 1 else padded  # one spare row for the runs
    el = [math.prod(buf[i + 1:]) for i in range(nd)]
    kstrides = tuple(d * e for d, e in zip(dilation, el))
    if wide:
        oshape, ostrides = (out[0] * el[0],), (1,)
    else:
        oshape, ostrides = out, tuple(s * e for s, e in zip(stride, el))
    return buf, math.prod(oshape), kernel, kstrides, oshape, ostrides, wide


def _chunks(ctx, n, t, row_bytes, budget=_CHUNK_BYTES, columns=_CHUNK_COLUMNS):
    """Balanced batch ranges whose im2col block fits ``budget`` bytes and ``columns`` columns
    (one range off the CPU)."""
    step = n
    if ctx.device.backend.name == "cpu":
        step = max(1, min(n, budget // max(row_bytes, 1), columns // t))
        step = -(-n // -(-n // step))  # as many chunks, of equal size
    return [(i, min(i + step, n)) for i in range(0, n, step)]


def _buffer(ctx, x, geo, plan):
    """``x`` zero-padded into the plan's per-image buffer ``(N, C, *buf)``."""
    sizes, pads, buf = geo[0], geo[4], plan[0]
    if tuple(buf) == tuple(sizes) and x.strides[-1] == x.itemsize and all(
            x.strides[i] == x.strides[i + 1] * x.shape[i + 1] for i in range(2, x.ndim - 1)):
        return x  # the images are already row-major buffers (whatever the batch/channel order)
    res = _work(ctx, "input", x.shape[:2] + tuple(buf), x.dtype)
    res.fill(0)
    res[(Ellipsis,) + tuple(slice(lo, lo + n) for n, (lo, _) in zip(sizes, pads))] = x
    return res


def _im2col(ctx, xbuf, plan, n0, n1):
    """Columns ``(C*K, (n1-n0)*T)`` of images ``n0:n1`` (one contiguous copy of a strided view)."""
    _, t, kernel, kstrides, oshape, ostrides, _ = plan
    sub = xbuf[n0:n1]
    item = sub.itemsize
    shape = (sub.shape[1],) + kernel + (n1 - n0,) + oshape
    strides = ((sub.strides[1],) + tuple(s * item for s in kstrides) + (sub.strides[0],)
               + tuple(s * item for s in ostrides))
    cols = _work(ctx, "cols", shape, sub.dtype)
    cols[...] = ctx.device.backend.as_strided(sub, shape, strides)
    return cols.reshape(sub.shape[1] * math.prod(kernel), (n1 - n0) * t)


def _col2im(acc, cols, plan, geo, n0, n1):
    """``acc (C, N, *buf) += `` the windows of ``cols (C*K, (n1-n0)*T)`` at images ``n0:n1``."""
    _, t, kernel, kstrides, oshape, ostrides, wide = plan
    c, nb = acc.shape[0], n1 - n0
    cols = cols.reshape((c,) + kernel + (nb,) + oshape)
    flat = acc.reshape(c, acc.shape[1], -1)
    stride, dilation, out = geo[3], geo[5], geo[1]
    for offs in _offsets(kernel):
        src = cols[(slice(None),) + offs]
        if wide:
            start = sum(o * s for o, s in zip(offs, kstrides))
            flat[:, n0:n1, start:start + t] += src
        else:
            acc[(slice(None), slice(n0, n1)) + _window_slice(offs, stride, dilation, out)[1:]] += src


def _grad_columns(ctx, g, plan, geo):
    """The output gradient ``(N, O, *out)`` as ``(O, N*T)`` columns (zero in the wide extra columns)."""
    n, o = g.shape[:2]
    buf, t, wide, out = plan[0], plan[1], plan[6], geo[1]
    gt = g.transpose((1, 0) + tuple(range(2, g.ndim)))
    res = _work(ctx, "grad", (o, n, out[0]) + tuple(buf[1:] if wide else out[1:]), g.dtype)
    res[(Ellipsis,) + tuple(slice(0, m) for m in out[1:])] = gt
    for i in range(1, len(out)):  # zero the wide layout's extra columns
        if wide and buf[i] > out[i]:
            res[(Ellipsis, slice(out[i], None)) + (slice(None),) * (len(out) - 1 - i)] = 0
    return res.reshape(o, n * t)


class Conv(Primitive):
    """Convolution ``(N, C, *sizes) -> (N, O, *out)`` (+ bias), by chunked im2col and GEMM."""

    @staticmethod
    def forward(ctx, x, w, b, geo):
        xp = ctx.device.xp
        ctx.geo = geo
        if ctx.needs_input_grad:
            ctx.save_for_backward(x, w)
        out, groups = geo[1], geo[6]
        plan = _plan(*geo[:6])
        n, o, t = x.shape[0], w.shape[0], plan[1]
        wg = w.reshape(groups, o // groups, -1)
        xbuf = _buffer(ctx, x, geo, plan)
        y = xp.empty((o, n) + tuple(out), dtype=x.dtype)
        for n0, n1 in _chunks(ctx, n, t, wg.shape[2] * groups * t * x.itemsize):
            cols = _im2col(ctx, xbuf, plan, n0, n1)
            yc = _work(ctx, "product", (groups, o // groups, cols.shape[1]), x.dtype)
            xp.matmul(wg, cols.reshape(groups, -1, cols.shape[1]), out=yc)
            if plan[6]:  # drop the wide layout's extra columns
                yc = yc.reshape((o, n1 - n0, out[0]) + tuple(plan[0][1:]))
                yc = yc[(Ellipsis,) + tuple(slice(0, m) for m in out[1:])]
            yc = yc.reshape((o, n1 - n0) + tuple(out))
            if b is None:
                y[:, n0:n1] = yc
            else:  # the bias added in the same pass that stores the chunk
                xp.add(yc, b.reshape((o,) + (1,) * (len(out) + 1)), out=y[:, n0:n1])
        return y.transpose((1, 0) + tuple(range(2, y.ndim)))  # (N, O, *out), channel-major memory

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        need, geo = ctx.needs_input_grad, ctx.geo
        gx = ConvInput.apply(g, w, geo) if need[0] else None
        gw = ConvWeight.apply(x, g, geo) if need[1] else None
        gb = g.sum(dim=(0,) + tuple(range(2, g.ndim))) if need[2] else None
        return gx, gw, gb, None


class ConvInput(Primitive):
    """The gradient of a convolution in its input: ``(N, O, *out)`` -> ``(N, C, *sizes)``
    (the transposed convolution), by chunked GEMM and col2im."""

    @staticmethod
    def forward(ctx, g, w, geo):
        xp = ctx.device.xp
        ctx.geo = geo
        if ctx.needs_input_grad:
            ctx.save_for_backward(g, w)
        sizes, pads, groups = geo[0], geo[4], geo[6]
        plan = _plan(*geo[:6])
        n, o, t = g.shape[0], w.shape[0], plan[1]
        c = w.shape[1] * groups
        wt = w.reshape(groups, o // groups, -1).transpose(0, 2, 1)  # (G, Cg*K, Og)
        gcols = _grad_columns(ctx, g, plan, geo).reshape(groups, o // groups, n * t)
        acc = xp.zeros((c, n) + tuple(plan[0]), dtype=g.dtype)
        for n0, n1 in _chunks(ctx, n, t, wt.shape[1] * groups * t * g.itemsize, _COL2IM_CHUNK_BYTES, n * t):
            cols = _work(ctx, "product", (groups, wt.shape[1], (n1 - n0) * t), g.dtype)
            xp.matmul(wt, gcols[:, :, n0 * t:n1 * t], out=cols)
            _col2im(acc, cols.reshape(-1, (n1 - n0) * t), plan, geo, n0, n1)
        dx = acc[(Ellipsis,) + tuple(slice(lo, lo + m) for m, (lo, _) in zip(sizes, pads))]
        return dx.transpose((1, 0) + tuple(range(2, dx.ndim)))

    @staticmethod
    def backward(ctx, gg):
        g, w = ctx.saved_tensors
        need, geo = ctx.needs_input_grad, ctx.geo
        dg = Conv.apply(gg, w, None, geo) if need[0] else None
        dw = ConvWeight.apply(gg, g, geo) if need[1] else None
        return dg, dw, None


class ConvWeight(Primitive):
    """The gradient of a convolution in its weight: ``(x, g) -> (O, C/groups, *kernel)``."""

    @staticmethod
    def forward(ctx, x, g, geo):
        xp = ctx.device.xp
        ctx.geo = geo
        if ctx.needs_input_grad:
            ctx.save_for_backward(x, g)
        kernel, groups = geo[2], geo[6]
        plan = _plan(*geo[:6])
        n, c, o, t = x.shape[0], x.shape[1], g.shape[1], plan[1]
        xbuf = _buffer(ctx, x, geo, plan)
        gcols = _grad_columns(ctx, g, plan, geo).reshape(groups, o // groups, n * t)
        dw = part = None
        for n0, n1 in _chunks(ctx, n, t, c * math.prod(kernel) * t * x.itemsize):
            cols = _im2col(ctx, xbuf, plan, n0, n1)
            # (Cg*K, n*T) @ (n*T, Og): the orientation BLAS runs fastest for these long, thin products
            cols = cols.reshape(groups, -1, cols.shape[1])
            gc = gcols[:, :, n0 * t:n1 * t].transpose(0, 2, 1)
            if dw is None:
                dw = xp.matmul(cols, gc)
            else:
                part = xp.matmul(cols, gc, out=part)
                dw += part
        return dw.transpose(0, 2, 1).reshape((o, c // groups) + tuple(kernel))

    @staticmethod
    def backward(ctx, gw):
        x, g = ctx.saved_tensors
        need, geo = ctx.needs_input_grad, ctx.geo
        dx = ConvInput.apply(g, gw, geo) if need[0] else None
        dg = Conv.apply(x, gw, None, geo) if need[1] else None
        return dx, dg, None


def _check_input(input, weight, nd, name):
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(
            f"{name}: expected a {nd + 1}-D (unbatched) or {nd + 2}-D (batched) input, got input of "
            f"shape {tuple(input.shape)}")
    if weight.ndim != nd + 2:
        raise RuntimeError(f"{name}: expected a {nd + 2}-D weight, got weight of shape {tuple(weight.shape)}")
    if input.dtype != weight.dtype:
        raise RuntimeError(
            f"{name}: input type ({input.dtype}) and weight type ({weight.dtype}) should be the same")
    return input.ndim == nd + 1


def _same_padding(kernel, stride, dilation, name):
    if any(s != 1 for s in stride):
        raise ValueError(f"{name}: padding='same' is not supported for strided convolutions")
    pads = []
    for k, d in zip(kernel, dilation):
        total = d * (k - 1)
        pads.append((total // 2, total - total // 2))
    return tuple(pads)


def _padding(padding, kernel, stride, dilation, nd, name):
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0),) * nd
        if padding == "same":
            return _same_padding(kernel, stride, dilation, name)
        raise ValueError(f"{name}: invalid padding string {padding!r}, should be one of 'valid' or 'same'")
    return window_args(kernel, stride, padding, dilation, nd)[2]


def _conv(input, weight, bias, stride, padding, dilation, groups, nd, name):
    unbatched = _check_input(input, weight, nd, name)
    if weight.shape[0] == 0:
        raise RuntimeError(f"{name}: expected weight to be at least 1 at dimension 0 (out_channels), but got "
                           f"weight of shape {tuple(weight.shape)}")
    if unbatched:
        input = input.unsqueeze(0)
    n, c = input.shape[:2]
    o, cg = weight.shape[:2]
    kernel = tuple(weight.shape[2:])
    if groups < 1 or c % groups or o % groups or cg * groups != c:
        raise RuntimeError(
            f"{name}: expected input of shape {tuple(input.shape)} to have {cg * groups} channels "
            f"(weight of shape {tuple(weight.shape)}, groups={groups}); in_channels and out_channels "
            "must be divisible by groups")
    if bias is not None and tuple(bias.shape) != (o,):
        raise RuntimeError(f"{name}: expected bias of shape ({o},), got {tuple(bias.shape)}")
    _, stride, _, dilation = window_args(kernel, stride, 0, dilation, nd)
    pads = _padding(padding, kernel, stride, dilation, nd, name)
    sizes = tuple(input.shape[2:])
    out = _out_sizes(sizes, kernel, stride, pads, dilation)
    if any(m < 1 for m in out):
        padded = tuple(m + lo + hi for m, (lo, hi) in zip(sizes, pads))
        eff = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))
        raise RuntimeError(
            f"{name}: kernel size {eff} (dilated) can't be greater than the padded input size {padded} "
            f"(input of shape {tuple(input.shape)})")
    y = Conv.apply(input, weight, bias, (sizes, out, kernel, stride, pads, dilation, groups))
    return y.squeeze(0) if unbatched else y


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D convolution (cross-correlation) over an input of several channels.

    Args:
        input: ``(N, C_in, L)`` or ``(C_in, L)``.
        weight: ``(C_out, C_in / groups, kL)``.
        bias: ``(C_out,)`` or None.
        stride, dilation: int or 1-tuple.
        padding: int, 1-tuple, ``"valid"`` or ``"same"``.
        groups: split the channels into this many independent groups.

    Shape:
        Output: ``(N, C_out, L_out)``, ``L_out = (L + 2p - d(k-1) - 1) // s + 1``.
    """
    return _conv(input, weight, bias, stride, padding, dilation, groups, 1, "conv1d")


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution (cross-correlation) over an input of several channels.

    Args:
        input: ``(N, C_in, H, W)`` or ``(C_in, H, W)``.
        weight: ``(C_out, C_in / groups, kH, kW)``.
        bias: ``(C_out,)`` or None.
        stride, dilation: int or pair.
        padding: int, pair, ``"valid"`` or ``"same"``.
        groups: split the channels into this many independent groups.

    Shape:
        Output: ``(N, C_out, H_out, W_out)``.

    Example::

        >>> x = ag.ones(1, 1, 4, 4)
        >>> F.conv2d(x, ag.ones(1, 1, 3, 3)).shape
        (1, 1, 2, 2)
    """
    return _conv(input, weight, bias, stride, padding, dilation, groups, 2, "conv2d")


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """3-D convolution over ``(N, C_in, D, H, W)`` (see :func:`conv2d`)."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 3, "conv3d")


def _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation, nd, name):
    unbatched = _check_input(input, weight, nd, name)
    if unbatched:
        input = input.unsqueeze(0)
    n, c = input.shape[:2]
    cin, og = weight.shape[:2]
    kernel = tuple(weight.shape[2:])
    if groups < 1 or cin != c or c % groups:
        raise RuntimeError(
            f"{name}: expected input of shape {tuple(input.shape)} to have {cin} channels (weight of "
            f"shape {tuple(weight.shape)}, groups={groups}); in_channels must be divisible by groups")
    o = og * groups
    if bias is not None and tuple(bias.shape) != (o,):
        raise RuntimeError(f"{name}: expected bias of shape ({o},), got {tuple(bias.shape)}")
    if isinstance(padding, str):
        raise ValueError(f"{name}: string padding is not supported")
    _, stride, pads, dilation = window_args(kernel, stride, padding, dilation, nd)
    opad = window_args(kernel, 1, output_padding, 1, nd)[2]
    for (op, _), s, d in zip(opad, stride, dilation):
        if op >= s and op >= d:
            raise RuntimeError(
                f"{name}: output padding must be smaller than either stride or dilation, got "
                f"output_padding={tuple(p for p, _ in opad)}, stride={stride}, dilation={dilation}")
    spatial = tuple(input.shape[2:])
    sizes = tuple((m - 1) * s - 2 * lo + d * (k - 1) + op + 1
                  for m, s, (lo, _), d, k, (op, _) in zip(spatial, stride, pads, dilation, kernel, opad))
    if any(v < 1 for v in sizes):
        raise RuntimeError(f"{name}: the computed output size {sizes} is too small")
    # the adjoint in the input of the convolution that maps `sizes` to `spatial`
    y = ConvInput.apply(input, weight, (sizes, spatial, kernel, stride, pads, dilation, groups))
    if bias is not None:
        y = y + bias.reshape(o, *(1,) * nd)
    return y.squeeze(0) if unbatched else y


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """1-D transposed convolution (the gradient of :func:`conv1d` with respect to its input).

    Args:
        input: ``(N, C_in, L)`` or ``(C_in, L)``.
        weight: ``(C_in, C_out / groups, kL)``.
    """
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation, 1,
                           "conv_transpose1d")


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """2-D transposed convolution ("deconvolution"): the adjoint of :func:`conv2d`.

    Args:
        input: ``(N, C_in, H, W)`` or ``(C_in, H, W)``.
        weight: ``(C_in, C_out / groups, kH, kW)``.
        bias: ``(C_out,)`` or None.
        stride, padding, dilation: int or pair (``padding`` is cropped from the output).
        output_padding: extra size added to one side of the output.
        groups: independent channel groups.

    Shape:
        Output: ``H_out = (H - 1) * s - 2p + d(k - 1) + output_padding + 1``.
    """
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation, 2,
                           "conv_transpose2d")


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Extract sliding blocks as columns (im2col), as ``torch.nn.functional.unfold``.

    Shape:
        Input ``(N, C, H, W)``; output ``(N, C * kH * kW, L)``.
    """
    if input.ndim != 4:
        raise RuntimeError(f"unfold: expected a 4-D input, got shape {tuple(input.shape)}")
    kernel, stride, pads, dilation = window_args(kernel_size, stride, padding, dilation, 2)
    cols = sliding_windows(input, kernel, stride, pads, dilation)
    n, c, oh, ow = cols.shape[:4]
    return cols.permute(0, 1, 4, 5, 2, 3).reshape(n, c * kernel[0] * kernel[1], oh * ow)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Sum columns back into an image (col2im), as ``torch.nn.functional.fold``.

    Shape:
        Input ``(N, C * kH * kW, L)``; output ``(N, C, *output_size)``.
    """
    if input.ndim != 3:
        raise RuntimeError(f"fold: expected a 3-D input, got shape {tuple(input.shape)}")
    kernel, stride, pads, dilation = window_args(kernel_size, stride, padding, dilation, 2)
    sizes = window_args(output_size, 1, 0, 1, 2)[0]
    out = tuple((n + lo + hi - d * (k - 1) - 1) // s + 1
                for n, (lo, hi), d, k, s in zip(sizes, pads, dilation, kernel, stride))
    n, ck, length = input.shape
    kk = kernel[0] * kernel[1]
    if ck % kk or length != out[0] * out[1]:
        raise RuntimeError(
            f"fold: input of shape {tuple(input.shape)} does not match kernel {kernel} and "
            f"{out[0] * out[1]} blocks")
    cols = input.reshape(n, ck // kk, *kernel, *out).permute(0, 1, 4, 5, 2, 3)
    return fold_windows(cols, sizes, kernel, stride, pads, dilation)
