"""nn.functional: convolutions (argument handling over ``autograd/ops/conv.py``), unfold and fold.
"""
from __future__ import annotations

from autograd.ops.conv import Conv, ConvInput
from autograd.ops.window import col2im, im2col, out_sizes, window_args

__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "unfold",
           "fold"]


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
    out = out_sizes(sizes, kernel, stride, pads, dilation)
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


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """3-D transposed convolution over ``(N, C_in, D, H, W)`` or ``(C_in, D, H, W)`` (see
    :func:`conv_transpose2d`); weight ``(C_in, C_out / groups, kD, kH, kW)``."""
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation, 3,
                           "conv_transpose3d")


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Extract sliding blocks as columns (im2col), as ``torch.nn.functional.unfold``.

    Shape:
        Input ``(N, C, H, W)``; output ``(N, C * kH * kW, L)``.
    """
    if input.ndim != 4:
        raise RuntimeError(f"unfold: expected a 4-D input, got shape {tuple(input.shape)}")
    return im2col(input, kernel_size, dilation, padding, stride)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Sum columns back into an image (col2im), as ``torch.nn.functional.fold``.

    Shape:
        Input ``(N, C * kH * kW, L)``; output ``(N, C, *output_size)``.
    """
    if input.ndim != 3:
        raise RuntimeError(f"fold: expected a 3-D input, got shape {tuple(input.shape)}")
    return col2im(input, output_size, kernel_size, dilation, padding, stride)
