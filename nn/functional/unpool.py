"""nn.functional: max unpooling, the partial inverse of max pooling (``return_indices=True``).

A composite: each input value is scattered to its recorded flat position in a
zero output; the gradient of the input is the output gradient gathered back.
"""
from __future__ import annotations

import autograd as ag
from autograd.ops.window import window_args

__all__ = ["max_unpool1d", "max_unpool2d", "max_unpool3d"]


def _max_unpool(input, indices, kernel_size, stride, padding, output_size, nd, name):
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"{name}: expected a {nd + 1}-D (unbatched) or {nd + 2}-D (batched) input, "
                           f"got input of shape {tuple(input.shape)}")
    if tuple(indices.shape) != tuple(input.shape) or indices.dtype.kind not in "iu":
        raise RuntimeError(f"{name}: expected indices of the input's shape {tuple(input.shape)} and an "
                           f"integer dtype, got {tuple(indices.shape)} {indices.dtype}")
    if stride is None:
        stride = kernel_size
    kernel, stride, pads, _ = window_args(kernel_size, stride, padding, 1, nd)
    lead = tuple(input.shape[:input.ndim - nd])
    default = tuple((n - 1) * s - 2 * p + k for n, s, (p, _), k in
                    zip(input.shape[input.ndim - nd:], stride, pads, kernel))
    if output_size is None:
        out = default
    else:
        out = tuple(output_size)[-nd:]
        if len(out) != nd or any(abs(o - d) >= s for o, d, s in zip(out, default, stride)):
            raise ValueError(f"{name}: invalid output_size {tuple(output_size)} (expected about {default})")
    total = 1
    for o in out:
        total *= o
    flat_idx = indices.reshape(*lead, -1).long()
    if flat_idx.numel() and (int(flat_idx.min()) < 0 or int(flat_idx.max()) >= total):
        raise RuntimeError(f"{name}: found an invalid max index {int(flat_idx.max())} (output volume "
                           f"of size {total})")
    zeros = ag.zeros(*lead, total, dtype=input.dtype, device=input.device)
    return zeros.scatter(-1, flat_idx, input.reshape(*lead, -1)).reshape(*lead, *out)


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Inverse of :func:`max_pool1d` (see :func:`max_unpool2d`)."""
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 1, "max_unpool1d")


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Put each value of ``input`` at its index (from ``max_pool2d(..., return_indices=True)``) in a
    zero tensor of the pooled input's size (``output_size`` resolves ambiguous sizes).

    Example::

        >>> x = ag.tensor([[[[1.0, 2.0], [3.0, 4.0]]]])
        >>> y, i = F.max_pool2d(x, 2, return_indices=True)
        >>> F.max_unpool2d(y, i, 2)
        tensor([[[[0., 0.],
                  [0., 4.]]]])
    """
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 2, "max_unpool2d")


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Inverse of :func:`max_pool3d` (see :func:`max_unpool2d`)."""
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 3, "max_unpool3d")
