"""nn.functional: ``pixel_shuffle``, ``pixel_unshuffle``, ``channel_shuffle`` (reshapes and one permute:
composites of the engine's movement ops)."""
from __future__ import annotations

from autograd import backend

__all__ = ["pixel_shuffle", "pixel_unshuffle", "channel_shuffle", "native_channel_shuffle"]


def _check(input, factor, name, what):
    if input.ndim < 3:
        raise RuntimeError(f"{name} expects input to have at least 3 dimensions, but got input with "
                           f"{input.ndim} dimension(s)")
    if factor <= 0:
        raise RuntimeError(f"{name} expects a positive {what}, but got {factor}")


def _new_tensor(out, input):
    """``out``, cloned if it shares ``input``'s memory: these functions return new tensors, as
    PyTorch's (a factor of 1 or a trivial permutation makes the reshapes views)."""
    return out.clone() if backend.buffer_of(out._data)[0] == backend.buffer_of(input._data)[0] else out


def pixel_shuffle(input, upscale_factor):
    """``(*, C r^2, H, W)`` -> ``(*, C, H r, W r)``.

    Example::

        >>> F.pixel_shuffle(ag.arange(4.0).reshape(1, 4, 1, 1), 2)
        tensor([[[[0., 1.],
                  [2., 3.]]]])
    """
    r = upscale_factor
    _check(input, r, "pixel_shuffle", "upscale_factor")
    *lead, c, h, w = input.shape
    if c % (r * r):
        raise RuntimeError("pixel_shuffle expects its input's 'channel' dimension to be divisible by the "
                           f"square of upscale_factor, but input.size(-3)={c} is not divisible by {r * r}")
    n = len(lead)
    x = input.reshape(*lead, c // (r * r), r, r, h, w)
    x = x.permute(*range(n), n, n + 3, n + 1, n + 4, n + 2)
    return _new_tensor(x.reshape(*lead, c // (r * r), h * r, w * r), input)


def pixel_unshuffle(input, downscale_factor):
    """``(*, C, H r, W r)`` -> ``(*, C r^2, H, W)``, the inverse of :func:`pixel_shuffle`."""
    r = downscale_factor
    _check(input, r, "pixel_unshuffle", "downscale_factor")
    *lead, c, h, w = input.shape
    if h % r or w % r:
        raise RuntimeError("pixel_unshuffle expects height and width to be divisible by downscale_factor, "
                           f"but got {h} and {w} for downscale_factor={r}")
    n = len(lead)
    x = input.reshape(*lead, c, h // r, r, w // r, r)
    x = x.permute(*range(n), n, n + 2, n + 4, n + 1, n + 3)
    return _new_tensor(x.reshape(*lead, c * r * r, h // r, w // r), input)


def channel_shuffle(input, groups):
    """Interleave the channels (dim 1) of ``groups`` groups (ShuffleNet)."""
    if input.ndim < 3:
        raise RuntimeError(f"channel_shuffle expects input to have at least 3 dimensions, but got input with "
                           f"{input.ndim} dimension(s)")
    c = input.shape[1]
    if groups <= 0 or c % groups:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {c} channels and {groups} "
                           "groups.")
    n, rest = input.shape[0], tuple(input.shape[2:])
    out = input.reshape(n, groups, c // groups, *rest).transpose(1, 2).reshape(n, c, *rest)
    return _new_tensor(out, input)


native_channel_shuffle = channel_shuffle
