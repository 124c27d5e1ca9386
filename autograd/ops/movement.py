"""Moving between devices and dtypes, and DLPack exchange."""
from __future__ import annotations

from .. import backend
from ..function import Primitive
from ..tensor import Tensor


class Cast(Primitive):
    @staticmethod
    def forward(ctx, x, dtype):
        return x.astype(dtype)

    @staticmethod
    def backward(ctx, g):
        return g, None  # the engine casts back to the input's dtype


class ToDevice(Primitive):
    @staticmethod
    def forward(ctx, x, device):
        ctx.source = ctx.device
        ctx.device = device
        return backend.to_device(x, device)

    @staticmethod
    def backward(ctx, g):
        return to(g, ctx.source), None


def _parse_to(args, kwargs):
    device = kwargs.pop("device", None)
    dtype = kwargs.pop("dtype", None)
    kwargs.pop("non_blocking", None)
    copy = kwargs.pop("copy", False)
    if kwargs:
        raise TypeError(f"to() got an unexpected keyword argument '{next(iter(kwargs))}'")
    for a in args:
        if isinstance(a, Tensor):
            device, dtype = a.device, a.dtype
        elif isinstance(a, (str, backend.Device)):
            device = a
        elif a is not None:
            dtype = a
    return (backend.Device(device) if device is not None else None,
            backend.as_dtype(dtype) if dtype is not None else None, copy)


def to(input, *args, **kwargs):
    """``input`` on another device and/or dtype (the same tensor when nothing changes)."""
    device, dtype, copy = _parse_to(args, dict(kwargs))
    out = input
    if dtype is not None and dtype != out.data.dtype:
        out = Cast.apply(out, dtype)
    if device is not None and device is not out.device:
        out = ToDevice.apply(out, device)
    if copy and out is input:
        from .elementwise import clone

        out = clone(input)
    return out


def dlpack(input, *args, **kwargs):
    """The DLPack capsule of the tensor's data (shares memory)."""
    if input.requires_grad:
        raise RuntimeError("Can't export tensors that require gradient, use tensor.detach()")
    return input.data.__dlpack__(*args, **kwargs)


def dlpack_device(input):
    return input.data.__dlpack_device__()


def from_dlpack(obj):
    """A tensor sharing memory with any DLPack producer (NumPy, CuPy, PyTorch, JAX)."""
    if isinstance(obj, Tensor):
        return obj.detach()
    dev_type, dev_id = obj.__dlpack_device__()
    kind = "cpu" if dev_type == 1 else "cuda"
    device = backend.Device(kind, dev_id if kind == "cuda" else None)
    array = device.backend.dlpack_from(obj)
    return Tensor._make(array, device)
