"""nn.functional: ``interpolate(..., antialias=True)`` (bilinear, bicubic, lanczos), as PyTorch's
(and Pillow's for downsampling): each output pixel is a normalised filter-weighted sum of the input
pixels under it, the filter stretched by the scale when shrinking. Separable: one ``(out, in)``
weight matrix per spatial dimension, applied by a matrix product, so the gradient is the engine's."""
from __future__ import annotations

import math

import autograd as ag

__all__ = ["antialiased"]


def _triangle(x):
    x = abs(x)
    return 1.0 - x if x < 1.0 else 0.0


def _cubic(x, a=-0.5):
    """Keys' cubic with ``a = -0.5`` (Pillow's; plain bicubic uses -0.75)."""
    x = abs(x)
    if x < 1.0:
        return ((a + 2) * x - (a + 3)) * x * x + 1
    if x < 2.0:
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    return 0.0


def _sinc(x):
    return 1.0 if x == 0.0 else math.sin(math.pi * x) / (math.pi * x)


def _lanczos3(x):
    return _sinc(x) * _sinc(x / 3.0) if -3.0 <= x < 3.0 else 0.0


#: mode -> (filter, taps at scale 1)
FILTERS = {"bilinear": (_triangle, 2), "bicubic": (_cubic, 4), "lanczos": (_lanczos3, 6)}


def _scale(n, out, scale_factor, align_corners):
    """PyTorch's ``area_pixel_compute_scale``: input pixels per output pixel."""
    if align_corners:
        return (n - 1) / (out - 1) if out > 1 else 0.0
    return 1.0 / scale_factor if scale_factor else n / out


def _weight_matrix(n, out, scale, mode):
    """Rows of filter weights, each normalised to sum 1, as PyTorch's ``_compute_weights_aa``."""
    fn, taps = FILTERS[mode]
    support = taps * 0.5 * scale if scale >= 1.0 else taps * 0.5
    invscale = 1.0 / scale if scale >= 1.0 else 1.0
    rows = []
    for i in range(out):
        center = scale * (i + 0.5)
        lo = max(int(center - support + 0.5), 0)
        hi = min(int(center + support + 0.5), n)
        w = [fn((j - center + 0.5) * invscale) for j in range(lo, hi)]
        total = sum(w)
        row = [0.0] * n
        for j, v in zip(range(lo, hi), w):
            row[j] = v / total if total != 0.0 else v
        rows.append(row)
    return rows


def antialiased(x, sizes, scales, mode, align_corners):
    """``x (N, C, H, W)`` resized to ``sizes`` with the antialiasing ``mode`` filter (width first)."""
    for dim in (3, 2):
        n, out = x.shape[dim], sizes[dim - 2]
        scale = _scale(n, out, scales[dim - 2], align_corners)
        m = ag.tensor(_weight_matrix(n, out, scale, mode), dtype=x.dtype, device=x.device)
        x = x @ m.T if dim == 3 else m @ x
    return x
