"""nn.functional: ``one_hot`` and ``pad``."""
from __future__ import annotations

import numbers

from autograd import Tensor, backend
from autograd.ops.pad import ConstantPad


def one_hot(tensor, num_classes=-1):
    """An int64 tensor of shape ``(*, num_classes)`` with a 1 at each class index.

    Args:
        tensor (Tensor): class indices (int64) of any shape.
        num_classes (int): the number of classes; -1 infers ``max + 1``.

    Example::

        >>> F.one_hot(ag.tensor([0, 2]), 3)
        tensor([[1, 0, 0],
                [0, 0, 1]])
    """
    if not isinstance(tensor, Tensor) or tensor.dtype != backend.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    xp = tensor.device.xp
    data = tensor._data
    if data.size and int(data.min()) < 0:
        raise RuntimeError("Class values must be non-negative.")
    if num_classes == -1:
        if data.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(data.max()) + 1
    elif data.size and int(data.max()) >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    out = (data[..., None] == xp.arange(num_classes)).astype(backend.int64)
    return Tensor._make(out, tensor.device)


def _widths(input, pad):
    if not isinstance(pad, (tuple, list)) or not all(isinstance(p, numbers.Integral) for p in pad):
        raise TypeError(f"pad(): argument 'pad' must be a sequence of ints, got {pad!r}")
    if len(pad) % 2:
        raise RuntimeError(f"Padding length must be divisible by 2, got {len(pad)}")
    if len(pad) // 2 > input.ndim:
        raise RuntimeError(f"Padding length should be less than or equal to two times the input dimension "
                           f"but got padding length {len(pad)} and input of dimension {input.ndim}")
    widths = [(0, 0)] * input.ndim
    for i in range(len(pad) // 2):  # pairs start from the last dimension
        widths[input.ndim - 1 - i] = (int(pad[2 * i]), int(pad[2 * i + 1]))
    return tuple(widths)


def _source_index(xp, n, before, after, mode):
    idx = xp.arange(-before, n + after)
    if mode == "reflect":
        if before >= n or after >= n:
            raise RuntimeError(f"Argument #4: Padding size should be less than the corresponding input "
                               f"dimension, but got: padding ({before}, {after}) at dimension of size {n}")
        idx = xp.abs(idx)
        return (n - 1) - xp.abs((n - 1) - idx)
    if mode == "replicate":
        return xp.clip(idx, 0, n - 1)
    if before > n or after > n:
        raise RuntimeError(f"Padding value causes wrapping around more than once: ({before}, {after}) "
                           f"for a dimension of size {n}")
    return xp.remainder(idx, n)


def pad(input, pad, mode="constant", value=None):
    """Pad (or, with negative widths in ``'constant'`` mode, crop) ``input``.

    Args:
        pad (tuple): ``(left, right)`` for the last dimension, then ``(top, bottom)``
            for the one before, and so on.
        mode (str): ``'constant'``, ``'reflect'``, ``'replicate'`` or ``'circular'``.
        value (float): the fill of ``'constant'`` mode. Default: 0.

    Example::

        >>> F.pad(ag.ones(1, 2), (1, 1)).tolist()
        [[0.0, 1.0, 1.0, 0.0]]
    """
    widths = _widths(input, pad)
    if mode == "constant":
        return ConstantPad.apply(input, widths, 0 if value is None else value)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unsupported padding mode: {mode}")
    if value is not None and value != 0:
        raise ValueError(f"Padding mode \"{mode}\" doesn't take in value argument.")
    xp = input.device.xp
    out = input
    for d, (before, after) in enumerate(widths):
        if before or after:
            if before < 0 or after < 0:  # negative widths crop first, as PyTorch
                out = ConstantPad.apply(out, tuple((min(b, 0), min(a, 0)) if i == d else (0, 0)
                                                   for i, (b, a) in enumerate(widths)), 0)
                before, after = max(before, 0), max(after, 0)
            idx = _source_index(xp, out.shape[d], before, after, mode)
            out = out.index_select(d, Tensor._make(idx.astype(backend.int64), input.device))
    return out


__all__ = ["one_hot", "pad"]
