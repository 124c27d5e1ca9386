"""nn.functional: fractional max pooling (Graham, 2014), as ``torch.nn.functional.fractional_max_pool2d/3d``.

A composite: each plane's pseudo-random window starts (PyTorch's interval formula, computed
in the input's dtype so that the windows are PyTorch's exactly) give the flat input index of
every window element; the input is gathered at them and each window's maximum picked by
``argmax`` (``gather`` carries the gradients of every order).
"""
from __future__ import annotations

import math

import autograd as ag

__all__ = ["fractional_max_pool2d", "fractional_max_pool2d_with_indices", "fractional_max_pool3d",
           "fractional_max_pool3d_with_indices"]


def _tuple(value, nd):
    return tuple(value) if isinstance(value, (tuple, list)) else (value,) * nd


def _starts(samples, n, out, k):
    """Window starts along one dimension for every plane, PyTorch's ``generate_intervals``:
    ``int((i + u) * alpha) - int(u * alpha)`` with ``alpha = (n - k) / (out - 1)``, the last at ``n - k``."""
    planes = samples.shape[0]
    last = ag.full((planes, 1), n - k, dtype=ag.int64, device=samples.device)
    if out <= 1:
        return last[:, :out]
    dt = samples.dtype
    dev = samples.device
    alpha = ag.tensor(n - k, dtype=dt, device=dev) / ag.tensor(out - 1, dtype=dt, device=dev)
    u = samples[:, None]
    i = ag.arange(out - 1, dtype=dt, device=samples.device)
    return ag.cat([((i + u) * alpha).long() - (u * alpha).long(), last], dim=1)


def _fractional_max_pool(input, kernel_size, output_size, output_ratio, return_indices, samples, nd, name):
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"{name}(): Expected {nd + 1}D or {nd + 2}D tensor, but got: {tuple(input.shape)}")
    if output_size is None and output_ratio is None:
        raise ValueError(f"{name} requires specifying either an output_size or an output_ratio")
    kernel = _tuple(kernel_size, nd)
    sizes = tuple(input.shape[-nd:])
    if output_size is None:
        out = tuple(int(n * r) for n, r in zip(sizes, _tuple(output_ratio, nd)))
    else:
        out = _tuple(output_size, nd)
    dims = ("time", "height", "width")[-nd:]
    for d, n, o, k in zip(dims, sizes, out, kernel):
        if o + k - 1 > n or (nd == 3 and o + k - 1 == n):  # PyTorch's 3d check is strict
            where = name + ("_out" if nd == 3 else "")  # PyTorch's kernel names, in its messages
            raise RuntimeError(f"{where}(): pool {d} {k} too large relative to input {d} {n}")
    batched = input.ndim == nd + 2
    x = input if batched else input.unsqueeze(0)
    batch, channels = x.shape[0], x.shape[1]
    if samples is None:
        samples = ag.rand(batch, channels, nd, dtype=input.dtype, device=input.device)
    else:
        if samples.ndim != 3:
            raise RuntimeError(f"Expect _random_samples to be a 3D tensor, got {samples.ndim}D.")
        if samples.dtype != input.dtype:
            raise RuntimeError("Expect _random_samples to have the same dtype as input")
        if samples.shape[2] != nd:
            raise RuntimeError(f"Expect _random_samples.size(2) equals to {nd}; got {samples.shape[2]}.")
        if samples.shape[1] != channels:
            raise RuntimeError("Expect _random_samples.size(1) equals to input channel size.")
        if samples.shape[0] < batch:
            raise RuntimeError("Expect _random_samples.size(0) no less then input batch size.")
        samples = samples[:batch]
    planes = batch * channels
    samples = samples.detach().reshape(planes, nd)
    # PyTorch's 2d samples are (width, height); the 3d ones (time, height, width)
    order = (1, 0) if nd == 2 else (0, 1, 2)
    flat = 0
    inner = 1
    for d in reversed(range(nd)):
        st = _starts(samples[:, order[d]], sizes[d], out[d], kernel[d])  # (planes, out[d])
        pos = st[:, :, None] + ag.arange(kernel[d], device=input.device)  # (planes, out[d], k[d])
        shape = [planes] + [1] * (2 * nd)
        shape[1 + d], shape[1 + nd + d] = out[d], kernel[d]
        flat = flat + (pos * inner).reshape(shape)
        inner *= sizes[d]
    nout, nk = math.prod(out), math.prod(kernel)
    idx = flat.expand(planes, *out, *kernel).reshape(planes, nout, nk)
    values = x.reshape(planes, -1).gather(1, idx.reshape(planes, -1)).reshape(planes, nout, nk)
    # each window's first maximum, or its last NaN, as PyTorch's scan (``val > max || isnan(val)``)
    window = values.detach()
    arg = window.argmax(dim=-1)
    nan = window != window
    if bool(nan.any()):
        last_nan = (nan.long() * ag.arange(1, nk + 1, device=input.device)).argmax(dim=-1)
        arg = ag.where(nan.any(dim=-1), last_nan, arg)
    result = values.gather(2, arg.unsqueeze(-1)).squeeze(-1)
    lead = tuple(x.shape[:2]) if batched else (channels,)
    result = result.reshape(*lead, *out)
    if not return_indices:
        return result
    return result, idx.gather(2, arg.unsqueeze(-1)).reshape(*lead, *out)


def fractional_max_pool2d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=False, _random_samples=None):
    """:func:`fractional_max_pool2d` returning ``(output, indices)``."""
    return _fractional_max_pool(input, kernel_size, output_size, output_ratio, True, _random_samples, 2,
                                "fractional_max_pool2d")


def fractional_max_pool2d(input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                          _random_samples=None):
    """2D fractional max pooling: the maximum over ``kernel_size`` windows at pseudo-random starts.

    Args:
        input (Tensor): ``(N, C, H, W)`` or ``(C, H, W)``.
        kernel_size (int or tuple): the window size.
        output_size (int or tuple): the output's ``(oH, oW)``; or
        output_ratio (float or tuple): in (0, 1), ``oH = int(H * ratio)``.
        return_indices (bool): also return the flat (``h * W + w``) index of each maximum.
        _random_samples (Tensor): ``(N, C, 2)`` samples in [0, 1) that place the windows
            (drawn with ``rand`` when None).

    Example::

        >>> F.fractional_max_pool2d(ag.randn(1, 2, 7, 7), 2, output_size=3).shape
        (1, 2, 3, 3)
    """
    return _fractional_max_pool(input, kernel_size, output_size, output_ratio, return_indices,
                                _random_samples, 2, "fractional_max_pool2d")


def fractional_max_pool3d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=False, _random_samples=None):
    """:func:`fractional_max_pool3d` returning ``(output, indices)``."""
    return _fractional_max_pool(input, kernel_size, output_size, output_ratio, True, _random_samples, 3,
                                "fractional_max_pool3d")


def fractional_max_pool3d(input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                          _random_samples=None):
    """3D fractional max pooling over ``(N, C, T, H, W)`` or ``(C, T, H, W)``; samples ``(N, C, 3)``.

    See :func:`fractional_max_pool2d`; indices are flat over ``T * H * W``.
    """
    return _fractional_max_pool(input, kernel_size, output_size, output_ratio, return_indices,
                                _random_samples, 3, "fractional_max_pool3d")
