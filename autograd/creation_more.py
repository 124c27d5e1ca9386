"""``empty_strided``, ``asarray`` and ``frombuffer``: PyTorch's creation functions that alias memory
(an array, a buffer, a tensor) or lay a new tensor out with given strides."""
from __future__ import annotations

import numbers
import warnings

from . import backend
from .creation import _device, _finish, _float_dtype, tensor
from .tensor import Tensor

__all__ = ["empty_strided", "asarray", "frombuffer"]


def _ints(name, value, what):
    if not isinstance(value, (tuple, list)) or not all(
            isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in value):
        raise TypeError(f"empty_strided(): argument '{name}' (position {what}) must be tuple of ints, not "
                        f"{type(value).__name__}")
    return [int(v) for v in value]


def empty_strided(size, stride, *, dtype=None, layout=None, device=None, requires_grad=False,
                  pin_memory=False):
    """A tensor of shape ``size`` whose elements lie ``stride`` elements apart in a new storage just
    large enough (as ``torch.empty_strided``; the values are zeros, PyTorch's are uninitialised)."""
    size, stride = _ints("size", size, 1), _ints("stride", stride, 2)
    if len(size) != len(stride):
        raise RuntimeError(f"dimensionality of sizes ({len(size)}) must match dimensionality of strides "
                           f"({len(stride)})")
    for s in size:
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {size}")
    if any(s < 0 for s in stride):
        raise RuntimeError(f"Storage size calculation overflowed with sizes={size} and strides={stride}")
    dt, dev = _float_dtype(dtype), _device(device)
    n = 1 + sum((k - 1) * s for k, s in zip(size, stride)) if all(size) else 0
    with dev.backend.device_context(dev.index):
        storage = dev.xp.zeros(n, dtype=dt)
        strides = tuple(s * dt.itemsize for s in stride)
        arr = dev.backend.as_strided(storage, tuple(size), strides, writeable=True)
    return _finish(arr, dev, _grad_ok(dt, requires_grad))


def _grad_ok(dtype, requires_grad):
    """``requires_grad``, after PyTorch's check that only a float tensor may require grad."""
    if requires_grad and dtype.kind != "f":
        raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
    return bool(requires_grad)


def frombuffer(buffer, *, dtype=None, count=-1, offset=0, requires_grad=False):
    """A 1-d CPU tensor sharing memory with an object of Python's buffer protocol (``bytearray``,
    ``array.array``, ``memoryview``, ...): ``count`` elements of ``dtype`` (-1: all) from byte
    ``offset`` on, as ``torch.frombuffer``."""
    if dtype is None:
        raise TypeError('frombuffer() missing 1 required positional arguments: "dtype"')
    try:
        view = memoryview(buffer)
    except TypeError:
        raise ValueError("object does not implement Python buffer protocol.") from None
    dt = backend.as_dtype(dtype)
    size, nbytes, count, offset = dt.itemsize, view.nbytes, int(count), int(offset)
    if nbytes <= 0 or count == 0:
        raise ValueError(f"both buffer length ({nbytes}) and count ({count}) must not be 0")
    if not 0 <= offset < nbytes:
        raise ValueError(f"offset ({offset} bytes) must be non-negative and no greater than buffer length "
                         f"({nbytes} bytes) minus 1")
    if count < 0 and (nbytes - offset) % size:
        raise ValueError(f"buffer length ({nbytes - offset} bytes) after offset ({offset} bytes) must be a "
                         f"multiple of element size ({size})")
    n = (nbytes - offset) // size if count < 0 else count
    if offset + n * size > nbytes:
        raise ValueError(f"requested buffer length ({n} * {size} bytes) after offset ({offset} bytes) must "
                         f"not be greater than actual buffer length ({nbytes} bytes)")
    dev = backend.Device("cpu")
    arr = dev.xp.frombuffer(view.cast("B") if view.ndim != 1 or view.format != "B" else view, dtype=dt,
                            count=n, offset=offset)
    t = _finish(arr, dev, _grad_ok(dt, requires_grad))
    t._exported = True
    return t


_warned = []


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=None):
    """``obj`` (a tensor, a NumPy array or scalar, a DLPack producer, a buffer, a number or a nested
    sequence) as a tensor, as ``torch.asarray``: shares its memory when ``copy`` is None and no dtype
    or device conversion is needed, always copies with ``copy=True``, and raises ``ValueError`` where
    ``copy=False`` cannot alias. ``requires_grad=None`` takes ``obj``'s."""
    from .ops.math_more import torch_name

    d = backend.as_dtype(dtype)
    dev = backend.Device(device) if device is not None else None
    force_copy, force_alias = copy is True, copy is False
    if isinstance(obj, Tensor):
        t, rg = obj, obj.requires_grad if requires_grad is None else bool(requires_grad)
        if requires_grad is None and obj.requires_grad and not _warned:
            _warned.append(True)
            warnings.warn("torch.asarray: unspecified requires_grad now defaults to obj.requires_grad "
                          "instead of False. Pass requires_grad=False explicitly to get the old behavior and "
                          "silence this warning.", UserWarning, stacklevel=2)
    else:
        rg = bool(requires_grad)
        t = _alias(obj, d, force_alias)
        if t is None:  # a number or a sequence: always a new tensor
            if force_alias:
                raise ValueError("can't alias arbitrary sequence into a tensor.")
            out = tensor(obj, dtype=d, device=dev)
            return out.requires_grad_(_grad_ok(out.dtype, rg)) if rg else out
    wrong_device = dev is not None and t.device != dev
    wrong_dtype = d is not None and t.dtype != d
    if force_copy or (copy is None and (wrong_device or wrong_dtype)):
        t = t.to(device=dev or t.device, dtype=d or t.dtype, copy=True) if wrong_device or wrong_dtype \
            else t.clone()
    elif wrong_device:
        raise ValueError(f"can't alias tensor from device '{t.device}' to '{dev}'.")
    elif wrong_dtype:
        raise ValueError(f"can't alias tensor with dtype '{torch_name(t.dtype)}' into dtype "
                         f"'{torch_name(d)}'.")
    if not t.is_leaf and not rg:
        return t.detach()
    return t.requires_grad_(_grad_ok(t.dtype, rg))


def _alias(obj, dtype, force_alias):
    """A tensor sharing ``obj``'s memory (a NumPy array or scalar, a DLPack producer, a buffer), or
    None for a number or a sequence."""
    from .creation import from_numpy

    if backend.is_array(obj):
        where = backend.device_of(obj)
        return from_numpy(obj) if where.type == "cpu" else Tensor._make(obj, where)
    if backend.is_array(backend.scalar_as_array(obj)):  # a NumPy scalar
        if force_alias:
            raise RuntimeError("can't alias NumPy scalars. Either remove copy=False or transform it in a "
                               "ndarray. ")
        return tensor(obj)
    if hasattr(obj, "__dlpack__") and not isinstance(obj, (bytes, bytearray, memoryview)):
        from .ops.movement import from_dlpack

        return from_dlpack(obj)
    if isinstance(obj, (list, tuple, str, numbers.Number)):
        return None
    try:
        memoryview(obj)
    except TypeError:
        return None
    return frombuffer(obj, dtype=dtype or backend.get_default_dtype())

