"""Moving between devices and dtypes, and DLPack exchange."""
from __future__ import annotations

from .. import backend
from ..function import Primitive
from ..legacy import check_memory_format
from ..tensor import Tensor


class Cast(Primitive):
    @staticmethod
    def forward(ctx, x, dtype):
        return x.astype(dtype)

    @staticmethod
    def backward(ctx, g):
        return g, None  # the engine casts back to the input's dtype

    raw_backward = backward  # the same on arrays


class ToDevice(Primitive):
    @staticmethod
    def forward(ctx, x, device):
        ctx.source = ctx.device
        ctx.device = device
        return backend.to_device(x, device)

    @staticmethod
    def backward(ctx, g):
        return to(g, ctx.source), None

    @staticmethod
    def raw_backward(ctx, g):
        return backend.to_device(g, ctx.source), None


def _parse_to(args, kwargs):
    device = kwargs.pop("device", None)
    dtype = kwargs.pop("dtype", None)
    flags = [kwargs.pop("non_blocking", False), kwargs.pop("copy", False)]
    fmt = kwargs.pop("memory_format", None)
    if fmt is not None:
        check_memory_format(fmt, "to")
    if kwargs:
        raise TypeError(f"to() got an unexpected keyword argument '{next(iter(kwargs))}'")
    nflag = 0
    for a in args:
        if isinstance(a, Tensor):
            device, dtype = a.device, a.dtype
        elif isinstance(a, (str, backend.Device)):
            device = a
        elif isinstance(a, bool):  # positional non_blocking, copy (as PyTorch's signature)
            if nflag > 1:
                raise TypeError("to() takes at most two bool arguments (non_blocking, copy)")
            flags[nflag] = a
            nflag += 1
        elif a is not None:
            dtype = a
    return (backend.Device(device) if device is not None else None,
            backend.as_dtype(dtype) if dtype is not None else None, bool(flags[1]), fmt)


def to(input, *args, **kwargs):
    """``input`` on another device and/or dtype.

    ``to(device)``, ``to(dtype)``, ``to(device, dtype)``, ``to(other)`` (its device
    and dtype), with keywords ``device=``, ``dtype=``, ``copy=False``,
    ``non_blocking=`` (accepted, transfers are synchronous) and ``memory_format=``
    (checked as PyTorch: ``channels_last`` needs a 4-d tensor, ``channels_last_3d``
    a 5-d one; the layout is kept, see ``autograd.memory_format``). Returns ``input``
    itself when nothing changes and ``copy`` is false. Differentiable: the
    gradient of a transfer goes back to the source device, the gradient of a
    cast back to the source dtype.

    Example::

        >>> x = ag.ones(2, requires_grad=True)
        >>> y = x.to(ag.float64)
        >>> y.dtype, y.device
        (dtype('float64'), device(type='cpu'))
        >>> x.to("cpu") is x
        True
    """
    device, dtype, copy, fmt = _parse_to(args, dict(kwargs))
    rank = {"channels_last": 4, "channels_last_3d": 5}.get(getattr(fmt, "name", None))
    if rank is not None and input.ndim != rank:
        raise RuntimeError(f"required rank {rank} tensor to use {fmt.name} format")
    out = input
    if dtype is not None and dtype != out._data.dtype:
        out = Cast.apply(out, dtype)
    if device is not None and device is not out.device:
        out = ToDevice.apply(out, device)
    if copy and out is input:
        from .elementwise import clone

        out = clone(input)
    return out


def dlpack(input, *args, **kwargs):
    """The DLPack capsule of the tensor's data (shares memory; gradients do not cross)."""
    if input.requires_grad:  # BufferError, as PyTorch 2.x and the DLPack protocol
        raise BufferError("Can't export tensors that require gradient, use tensor.detach()")
    return input._data.__dlpack__(*args, **kwargs)


def dlpack_device(input):
    """``(device_type, device_id)`` of the data, in DLPack's codes (1: CPU, 2: CUDA)."""
    return input._data.__dlpack_device__()


def _device_for_dlpack(dev_type, dev_id):
    for name, b in list(backend._BACKENDS.items()):
        if b.dlpack_type == dev_type:
            return backend.Device(name, dev_id if b.indexed else None)
    if dev_type in (2, 13):  # CUDA memory, CUDA managed memory: CuPy (loaded on demand)
        return backend.Device("cuda", dev_id)
    raise BufferError(f"from_dlpack: unsupported DLPack device type {dev_type} (expected CPU or CUDA)")


def from_dlpack(obj):
    """A tensor sharing memory with any DLPack producer (NumPy, CuPy, PyTorch, JAX, ...).

    The tensor lives on the producer's device (``"cpu"`` or ``"cuda:N"``) and does
    not require grad: gradients do not flow across the exchange. An xpgrad tensor
    is returned detached.

    Example::

        >>> import numpy as np
        >>> a = np.arange(3.0)
        >>> t = ag.from_dlpack(a)
        >>> a[0] = 7.0
        >>> t
        tensor([7., 1., 2.], dtype=autograd.float64)
    """
    if isinstance(obj, Tensor):
        return obj.detach()
    if not hasattr(obj, "__dlpack_device__"):
        raise TypeError(
            f"from_dlpack expects an object with __dlpack__ and __dlpack_device__ (an array or "
            f"tensor of NumPy, CuPy, PyTorch, JAX), got {type(obj).__name__}")
    dev_type, dev_id = obj.__dlpack_device__()
    device = _device_for_dlpack(int(dev_type), int(dev_id))
    array = device.backend.dlpack_from(obj)
    return Tensor._make(array, backend.device_of(array))
