"""nn.functional: ``interpolate`` (``upsample``) in modes nearest, nearest-exact, linear, bilinear,
trilinear, bicubic and area: separable, one ``index_select`` (nearest), two and a blend (linear) or four
and a weighted sum (bicubic) per spatial dimension, so the gradient is the engine's and double backward
works; ``area`` is adaptive average pooling, as PyTorch."""
from __future__ import annotations

import math
import numbers

import autograd as ag

from .interpolate_aa import FILTERS, antialiased
from .pooling import _adaptive_avg_pool

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


def _source(i, n, out, scale, align_corners, cubic=False):
    """PyTorch's source coordinate of output index ``i`` (clamped at 0 except for cubic)."""
    if align_corners:
        return i * (n - 1) / (out - 1) if out > 1 else 0.0
    ratio = 1.0 / scale if scale else n / out
    src = (i + 0.5) * ratio - 0.5
    return src if cubic else max(src, 0.0)


def _weights(w, x, dim):
    shape = [1] * x.ndim
    shape[dim] = len(w)
    return ag.tensor(w, dtype=x.dtype, device=x.device).reshape(shape)


def _linear(x, dim, out, scale, align_corners):
    n = x.shape[dim]
    lo, hi, w = [], [], []
    for i in range(out):
        src = _source(i, n, out, scale, align_corners)
        i0 = min(int(math.floor(src)), n - 1)
        lo.append(i0), hi.append(min(i0 + 1, n - 1)), w.append(src - i0)
    lam = _weights(w, x, dim)
    a, b = x.index_select(dim, _index(lo, x.device)), x.index_select(dim, _index(hi, x.device))
    return a + (b - a) * lam


def _cubic_coefficients(t, a=-0.75):
    """Keys' cubic convolution weights (``A = -0.75``, as PyTorch) of the 4 taps around ``t`` in [0, 1)."""
    def near(x):
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x):
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    return far(t + 1), near(t), near(1 - t), far(2 - t)


def _cubic(x, dim, out, scale, align_corners):
    n = x.shape[dim]
    taps, weights = [[] for _ in range(4)], [[] for _ in range(4)]
    for i in range(out):
        src = _source(i, n, out, scale, align_corners, cubic=True)
        i0 = int(math.floor(src))
        for k, c in enumerate(_cubic_coefficients(src - i0)):
            taps[k].append(min(max(i0 - 1 + k, 0), n - 1))  # borders repeat, as PyTorch
            weights[k].append(c)
    y = None
    for idx, w in zip(taps, weights):
        term = x.index_select(dim, _index(idx, x.device)) * _weights(w, x, dim)
        y = term if y is None else y + term
    return y


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resize the spatial dimensions of ``(N, C, *spatial)`` by ``size`` or ``scale_factor``.

    Args:
        mode: ``'nearest'``, ``'nearest-exact'``, ``'linear'`` (3-D input), ``'bilinear'`` (4-D),
            ``'bicubic'`` (4-D), ``'trilinear'`` (5-D), ``'area'`` (adaptive average pooling),
            ``'lanczos'`` (4-D, with ``antialias``).
        align_corners: for the linear and cubic modes, map corner pixel centres onto each other.
        recompute_scale_factor: with ``scale_factor``, compute the sampling from the output size.
        antialias: for ``'bilinear'``, ``'bicubic'`` and ``'lanczos'`` on 4-D input, filter over
            every input pixel under an output pixel when shrinking (Pillow's resampling).

    Example::

        >>> F.interpolate(ag.tensor([[[1.0, 2.0]]]), scale_factor=2)
        tensor([[[1., 1., 2., 2.]]])
    """
    nd = input.ndim - 2
    if nd < 1:
        raise ValueError(f"interpolate expects a batched input with spatial dimensions, got shape "
                         f"{tuple(input.shape)}")
    if antialias and (mode not in FILTERS or input.ndim != 4):
        raise ValueError("Anti-alias option is restricted to bilinear, bicubic, and lanczos modes and "
                         "requires a 4-D tensor as input")
    if mode == "lanczos" and not antialias:
        raise ValueError("Lanczos mode requires antialias=True")
    if mode in ("nearest", "nearest-exact", "area"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating modes: linear | "
                             "bilinear | bicubic | trilinear")
    elif mode in _LINEAR or mode in FILTERS:
        if _LINEAR.get(mode, 2) != nd:
            raise NotImplementedError(f"Got {input.ndim}D input, but {mode} mode needs "
                                      f"{_LINEAR.get(mode, 2) + 2}D input")
    else:
        raise NotImplementedError(f"interpolate: mode {mode!r} is not supported (nearest, nearest-exact, "
                                  "linear, bilinear, bicubic, trilinear, area, lanczos)")
    sizes, scales = _sizes(input, size, scale_factor, nd)
    if mode == "area":
        return _adaptive_avg_pool(input, tuple(sizes), nd, f"adaptive_avg_pool{nd}d")
    if any(o <= 0 for o in sizes) or any(n <= 0 for n in input.shape[2:]):
        names = "DHW"[3 - nd:]
        shown = [", ".join(f"{c}: {v}" for c, v in zip(names, vals)) for vals in (input.shape[2:], sizes)]
        raise RuntimeError(f"Input and output sizes should be greater than 0, but got input ({shown[0]})"
                           f"{' and' if nd == 1 else ''} output ({shown[1]})")
    if recompute_scale_factor:
        scales = [None] * nd
    if antialias:
        return antialiased(input, sizes, scales, mode, bool(align_corners))
    out = input
    for k, (o, s) in enumerate(zip(sizes, scales)):
        dim = 2 + k
        if mode in _LINEAR:
            out = _linear(out, dim, o, s, bool(align_corners))
        elif mode == "bicubic":
            out = _cubic(out, dim, o, s, bool(align_corners))
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
