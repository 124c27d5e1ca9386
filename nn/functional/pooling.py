"""nn.functional: pooling, as reductions over sliding windows.

Max pooling takes the elementwise maximum of one strided view per kernel
offset (``window_max``) and sends the gradient to each window's first
maximum; average pooling sums the windows of ``sliding_windows`` (a strided
view of the zero-padded input), its gradient reaching the input through the
windows' fold. Adaptive average pooling with uneven bins uses the
separable averaging matrices of PyTorch's start/end index formula.
"""
from __future__ import annotations

import functools
import math

import autograd as ag
from autograd.ops.pool import window_max, window_max_values
from autograd.ops.window import sliding_windows, window_args

__all__ = ["max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d", "adaptive_avg_pool1d",
           "adaptive_avg_pool2d"]


def _pool_sizes(sizes, kernel, stride, padding, dilation, ceil_mode, name):
    """Output sizes and the extra right padding ceil_mode needs (PyTorch's pooling_output_shape)."""
    out, extra = [], []
    for n, k, s, p, d in zip(sizes, kernel, stride, padding, dilation):
        if p > k // 2:
            raise RuntimeError(
                f"{name}: pad should be at most half of effective kernel size, but got pad={p}, "
                f"kernel_size={k}")
        span = n + 2 * p - d * (k - 1) - 1
        o = (span + (s - 1 if ceil_mode else 0)) // s + 1
        if ceil_mode and (o - 1) * s >= n + p:
            o -= 1  # the last window must start inside the input or the left padding
        if o < 1:  # (ceil_mode may keep one window that overhangs the input, as PyTorch)
            raise RuntimeError(
                f"{name}: kernel size {d * (k - 1) + 1} (dilated) can't be greater than the padded "
                f"input size {n + 2 * p}: the output size would be {o}")
        out.append(o)
        extra.append(max(0, (o - 1) * s + d * (k - 1) + 1 - (n + 2 * p)))
    return tuple(out), tuple(extra)


def _prepare(input, kernel_size, stride, padding, dilation, ceil_mode, nd, name):
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(
            f"{name}: expected a {nd + 1}-D (unbatched) or {nd + 2}-D (batched) input, got input of "
            f"shape {tuple(input.shape)}")
    if stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0):
        stride = kernel_size
    kernel, stride, pads, dilation = window_args(kernel_size, stride, padding, dilation, nd)
    pad = tuple(lo for lo, _ in pads)
    sizes = tuple(input.shape[input.ndim - nd:])
    out, extra = _pool_sizes(sizes, kernel, stride, pad, dilation, ceil_mode, name)
    pads = tuple((p, p + e) for p, e in zip(pad, extra))
    return kernel, stride, pads, dilation, out


def _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, nd, name):
    kernel, stride, pads, dilation, out = _prepare(input, kernel_size, stride, padding, dilation,
                                                   ceil_mode, nd, name)
    if input.dtype.kind != "f":
        raise RuntimeError(f"{name}: expected a floating point input, got {input.dtype}")
    # one elementwise pass per kernel offset; the gradient goes to the first maximum, as PyTorch
    if not return_indices:
        return window_max_values(input, kernel, stride, pads, dilation, out)
    values, arg = window_max(input, kernel, stride, pads, dilation, out)
    return values, _flat_indices(arg.long(), input, kernel, stride, pads, dilation, out)


def _flat_indices(arg, input, kernel, stride, pads, dilation, out):
    """Window-local argmax -> index into the flattened spatial input, as PyTorch returns."""
    nd = len(kernel)
    sizes = input.shape[input.ndim - nd:]
    dev = input.device
    flat = None
    rem = arg
    for i in range(nd):
        inner = math.prod(kernel[i + 1:])
        k_i = rem // inner if inner > 1 else rem
        if i < nd - 1:
            rem = rem - k_i * inner
        start = ag.arange(out[i], device=dev) * stride[i] - pads[i][0]
        start = start.reshape(out[i], *(1,) * (nd - 1 - i))
        pos = start + k_i * dilation[i]
        flat = pos if flat is None else flat * sizes[i] + pos
    return flat


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """1-D max pooling over ``(N, C, L)`` or ``(C, L)`` (see :func:`max_pool2d`)."""
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 1,
                     "max_pool1d")


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """2-D max pooling.

    Args:
        input: ``(N, C, H, W)`` or ``(C, H, W)``.
        kernel_size: int or pair.
        stride: int or pair (default: ``kernel_size``).
        padding: implicit ``-inf`` padding on both sides (at most half the kernel).
        dilation: spacing between window elements.
        ceil_mode: use ceil instead of floor for the output size.
        return_indices: also return the argmax positions (flattened ``H * W`` indices).

    The gradient goes to the first maximum of each window, as in PyTorch.

    Example::

        >>> F.max_pool2d(ag.arange(16.0).reshape(1, 1, 4, 4), 2)
        tensor([[[[ 5.,  7.],
                  [13., 15.]]]])
    """
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 2,
                     "max_pool2d")


@functools.lru_cache(maxsize=256)
def _counts(sizes, kernel, stride, pads, out, include_pad):
    """Per-dimension number of elements each window averages (PyTorch's divisor rule)."""
    counts = []
    for n, k, s, (p, _), o in zip(sizes, kernel, stride, pads, out):
        lo, hi = (-p, n + p) if include_pad else (0, n)
        c = []
        for i in range(o):
            start = i * s - p
            c.append(min(start + k, hi) - max(start, lo))
        counts.append(tuple(c))
    return tuple(counts)


def _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override,
              nd, name):
    kernel, stride, pads, _, out = _prepare(input, kernel_size, stride, padding, 1, ceil_mode, nd, name)
    win = sliding_windows(input, kernel, stride, pads)
    total = win.sum(dim=tuple(range(win.ndim - nd, win.ndim)))
    if divisor_override is not None:
        if divisor_override == 0:
            raise RuntimeError(f"{name}: divisor must be not zero")
        return total / divisor_override
    sizes = tuple(input.shape[input.ndim - nd:])
    counts = _counts(sizes, kernel, stride, pads, out, bool(count_include_pad))
    if all(len(set(c)) == 1 for c in counts):
        return total / math.prod(c[0] for c in counts)
    div = None
    for i, c in enumerate(counts):
        t = ag.tensor(list(c), dtype=input.dtype, device=input.device).reshape(
            len(c), *(1,) * (nd - 1 - i))
        div = t if div is None else div * t
    return total / div


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """1-D average pooling over ``(N, C, L)`` or ``(C, L)`` (see :func:`avg_pool2d`)."""
    return _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, None, 1,
                     "avg_pool1d")


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """2-D average pooling.

    Args:
        input: ``(N, C, H, W)`` or ``(C, H, W)``.
        kernel_size, stride (default ``kernel_size``), padding: int or pair.
        ceil_mode: use ceil instead of floor for the output size.
        count_include_pad: count the zero padding in the divisor.
        divisor_override: divide every window sum by this number instead.
    """
    return _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override, 2, "avg_pool2d")


@functools.lru_cache(maxsize=256)
def _bins(n, o):
    """PyTorch's adaptive bins: ``[floor(i*n/o), ceil((i+1)*n/o))``."""
    return tuple((i * n // o, -(-(i + 1) * n // o)) for i in range(o))


def _averaging_matrix(n, o, like):
    rows = []
    for start, end in _bins(n, o):
        w = 1.0 / (end - start)
        rows.append([w if start <= j < end else 0.0 for j in range(n)])
    return ag.tensor(rows, dtype=like.dtype, device=like.device)


def _adaptive_sizes(input, output_size, nd, name):
    """The input's spatial sizes and the output sizes (``None`` keeps a size), checked."""
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(
            f"{name}: expected a {nd + 1}-D (unbatched) or {nd + 2}-D (batched) input, got input of "
            f"shape {tuple(input.shape)}")
    sizes = tuple(input.shape[input.ndim - nd:])
    if isinstance(output_size, int):
        output_size = (output_size,) * nd
    out = tuple(n if o is None else int(o) for n, o in zip(sizes, tuple(output_size)))
    if len(out) != nd or any(o < 1 for o in out) or any(n == 0 for n in sizes):
        raise RuntimeError(f"{name}: invalid output_size {output_size} for input of shape "
                           f"{tuple(input.shape)}")
    return sizes, out


def _adaptive_avg_pool(input, output_size, nd, name):
    sizes, out = _adaptive_sizes(input, output_size, nd, name)
    if all(o == 1 for o in out):
        return input.mean(dim=tuple(range(input.ndim - nd, input.ndim)), keepdim=True)
    if all(n % o == 0 for n, o in zip(sizes, out)):
        kernel = tuple(n // o for n, o in zip(sizes, out))
        return _avg_pool(input, kernel, kernel, 0, False, True, None, nd, name)
    # uneven bins: average is separable, one small matrix product per dimension
    y = input
    for i in range(nd):
        axis = input.ndim - nd + i
        m = _averaging_matrix(sizes[i], out[i], input)  # (o, n)
        y = y.transpose(axis, -1).matmul(m.t()).transpose(axis, -1)
    return y


def adaptive_avg_pool1d(input, output_size):
    """1-D adaptive average pooling to ``output_size`` bins."""
    return _adaptive_avg_pool(input, output_size, 1, "adaptive_avg_pool1d")


def adaptive_avg_pool2d(input, output_size):
    """2-D adaptive average pooling to ``output_size`` (int, pair; None keeps that size).

    Bin ``i`` covers ``[floor(i * n / o), ceil((i + 1) * n / o))``, as PyTorch.
    """
    return _adaptive_avg_pool(input, output_size, 2, "adaptive_avg_pool2d")
