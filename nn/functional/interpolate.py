"""nn.functional: ``interpolate`` (``upsample``) in modes nearest, nearest-exact, linear, bilinear and
trilinear: separable, one ``index_select`` (nearest) or two and a blend (linear) per spatial dimension,
so the gradient is the engine's and double backward works."""
from __future__ import annotations

import math
import numbers

import autograd as ag

__all__ = ["interpolate", "upsample", "upsample_nearest", "upsample_bilinear"]

_LINEAR = {"linear": 1, "bilinear": 2, "trilinear": 3}


def _sizes(input, size, scale_factor, nd):
    if (size is None) == (scale_factor is None):
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        size = (size,) * nd if isinstance(size, numbers.Integral) else tuple(size)
        if len(size) != nd:
            raise ValueError(f"Input and output must have the same number of spatial dimensions, but got "
                             f"input with spatial dimensions of {list(input.shape[2:])} and output size of "
                             f"{list(size)}.")
        return [int(s) for s in size], [None] * nd
    scales = (scale_factor,) * nd if isinstance(scale_factor, numbers.Real) else tuple(scale_factor)
    if len(scales) != nd:
        raise ValueError(f"Input and scale_factor must have the same number of spatial dimensions, but got "
                         f"input with spatial dimensions of {list(input.shape[2:])} and scale_factor of "
                         f"{list(scales)}.")
    return [int(math.floor(n * s)) for n, s in zip(input.shape[2:], scales)], [float(s) for s in scales]


def _index(values, device):
    return ag.tensor(values, dtype=ag.int64, device=device)


def _nearest(x, dim, out, scale, exact):
    n = x.shape[dim]
    ratio = 1.0 / scale if scale else n / out
    offset = 0.5 if exact else 0.0
    src = [min(int(math.floor((i + offset) * ratio)), n - 1) for i in range(out)]
    return x.index_select(dim, _index(src, x.device))


def _linear(x, dim, out, scale, align_corners):
    n = x.shape[dim]
    lo, hi, w = [], [], []
    for i in range(out):
        if align_corners:
            src = i * (n - 1) / (out - 1) if out > 1 else 0.0
        else:
            ratio = 1.0 / scale if scale else n / out
            src = max((i + 0.5) * ratio - 0.5, 0.0)
        i0 = min(int(math.floor(src)), n - 1)
        lo.append(i0), hi.append(min(i0 + 1, n - 1)), w.append(src - i0)
    shape = [1] * x.ndim
    shape[dim] = out
    lam = ag.tensor(w, dtype=x.dtype, device=x.device).reshape(shape)
    a, b = x.index_select(dim, _index(lo, x.device)), x.index_select(dim, _index(hi, x.device))
    return a + (b - a) * lam


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resize the spatial dimensions of ``(N, C, *spatial)`` by ``size`` or ``scale_factor``.

    Args:
        mode: ``'nearest'``, ``'nearest-exact'``, ``'linear'`` (3-D input), ``'bilinear'`` (4-D),
            ``'trilinear'`` (5-D).
        align_corners: for the linear modes, map corner pixel centres onto each other.
        recompute_scale_factor: with ``scale_factor``, compute the sampling from the output size.

    Example::

        >>> F.interpolate(ag.tensor([[[1.0, 2.0]]]), scale_factor=2)
        tensor([[[1., 1., 2., 2.]]])
    """
    nd = input.ndim - 2
    if nd < 1:
        raise ValueError(f"interpolate expects a batched input with spatial dimensions, got shape "
                         f"{tuple(input.shape)}")
    if antialias:
        raise NotImplementedError("interpolate: antialias=True is not supported")
    if mode in ("nearest", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating modes: linear | "
                             "bilinear | bicubic | trilinear")
    elif mode in _LINEAR:
        if _LINEAR[mode] != nd:
            raise NotImplementedError(f"Got {input.ndim}D input, but {mode} mode needs "
                                      f"{_LINEAR[mode] + 2}D input")
    else:
        raise NotImplementedError(f"interpolate: mode {mode!r} is not supported (nearest, nearest-exact, "
                                  "linear, bilinear, trilinear)")
    sizes, scales = _sizes(input, size, scale_factor, nd)
    if recompute_scale_factor:
        scales = [None] * nd
    out = input
    for k, (o, s) in enumerate(zip(sizes, scales)):
        dim = 2 + k
        if mode in _LINEAR:
            out = _linear(out, dim, o, s, bool(align_corners))
        else:
            out = _nearest(out, dim, o, s, mode == "nearest-exact")
    return out


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """Deprecated alias of :func:`interpolate`."""
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    """``interpolate(..., mode='nearest')``."""
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    """``interpolate(..., mode='bilinear', align_corners=True)``."""
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)
