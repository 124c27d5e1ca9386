"""Devices (interned: equal devices are one object) and moving arrays between them."""
from __future__ import annotations

import numbers

import numpy as np

from .dtypes import get_default_dtype, int16, int32, int64, uint8
from .registry import _ARRAY_DEVICE, _BACKENDS, _DEVICES, _FACTORIES, get_backend

class Device:
    """Where a tensor lives: ``Device("cpu")``, ``Device("cuda:1")``.

    Devices are interned: equal devices are the same object.
    """

    __slots__ = ("type", "index", "backend", "xp", "array_type")

    def __new__(cls, spec="cpu", index=None):
        if isinstance(spec, Device):
            return spec
        key = (spec, index)
        d = _DEVICES.get(key)
        if d is not None:
            return d
        if not isinstance(spec, str):
            raise TypeError(f"device must be a string or Device, got {type(spec).__name__}")
        kind, _, idx = spec.partition(":")
        if idx:
            if not idx.isdigit():
                raise ValueError(f"invalid device string {spec!r}")
            if index is not None and int(idx) != index:
                raise ValueError(f"device {spec!r} conflicts with index {index}")
            index = int(idx)
        if index is not None and (not isinstance(index, numbers.Integral) or index < 0):
            raise ValueError(f"device index must be a non-negative int, got {index!r}")
        index = int(index or 0)
        canon = _DEVICES.get((kind, index, "canon"))
        if canon is None:
            if kind == "cpu" and index != 0:
                raise ValueError(f"cpu device has no index other than 0, got {spec!r}")
            if kind not in _BACKENDS and kind not in _FACTORIES:
                get_backend(kind)  # raises: unknown device type
            canon = object.__new__(cls)
            canon.type, canon.index = kind, index
            if kind in _BACKENDS:
                canon._resolve()
            # else: resolved on first use, so ag.device("cuda") works without CuPy, as in PyTorch
            _DEVICES[(kind, index, "canon")] = canon
        _DEVICES[key] = canon
        return canon

    def _resolve(self):
        backend = get_backend(self.type)  # "cuda" without CuPy raises here, saying how to install it
        self.backend, self.xp, self.array_type = backend, backend.xp, backend.array_types[0]

    def __getattr__(self, name):
        # only reached for the backend slots of a device not resolved yet
        if name in ("backend", "xp", "array_type"):
            self._resolve()
            return object.__getattribute__(self, name)
        raise AttributeError(f"'device' object has no attribute {name!r}")

    def __repr__(self):
        return f"device(type='{self.type}'" + (f", index={self.index})" if self.type != "cpu" else ")")

    def __str__(self):
        return self.type if self.type == "cpu" else f"{self.type}:{self.index}"

    def __eq__(self, other):
        if isinstance(other, str):
            try:
                other = Device(other)
            except (ValueError, RuntimeError, TypeError):
                return False
        return self is other

    def __hash__(self):
        return hash((self.type, self.index))

    def __reduce__(self):
        return (Device, (str(self),))




def cuda_device(device=None) -> Device:
    """The device ``Tensor.cuda(device)`` means: ``None`` (cuda:0), an index, a string or a Device."""
    if device is None:
        return Device("cuda")
    if isinstance(device, numbers.Integral) and not isinstance(device, bool):
        return Device("cuda", int(device))
    return Device(device)


def device_of(array) -> Device:
    """The device an array lives on."""
    t = type(array)
    d = _ARRAY_DEVICE.get(t)
    if d is not None:
        return d
    for name, b in list(_BACKENDS.items()):
        if isinstance(array, b.array_types):
            if b.indexed:
                return Device(name, int(array.device.id))
            d = Device(name)
            _ARRAY_DEVICE[t] = d
            return d
    if t.__module__.startswith("cupy"):
        return Device("cuda", int(array.device.id))
    raise TypeError(f"not an array of a known device: {t.__name__}")


def is_array(obj) -> bool:
    try:
        device_of(obj)
        return True
    except TypeError:
        return False


def to_device(array, device: Device):
    """Move an array to ``device`` (through the host when the types differ)."""
    src = device_of(array)
    if src is device:
        return array
    if src.backend is device.backend:  # cuda:i -> cuda:j: a device-to-device copy
        with device.backend.device_context(device.index):
            return array.copy()
    host = src.backend.to_host(array)
    return device.backend.from_host(host, device.index)


_SAME_SIZE_INT = {2: int16, 4: int32, 8: int64}


def keep_where(values, mask, invert=False):
    """``values`` where ``mask`` holds (with ``invert``, where it does not), +0.0 elsewhere (NaNs
    outside the mask dropped too).

    Branch-free: the bits of ``values`` ANDed with an all-ones or all-zeros word, several
    times faster than ``where`` on an irregular mask. ``invert`` costs nothing: the word is
    ``mask - 1`` instead of ``-mask``.
    """
    itype = _SAME_SIZE_INT[values.dtype.itemsize]
    bits = mask.astype(itype)
    if bits.shape != values.shape:  # a broadcast mask
        return (values.view(itype) & (bits - 1 if invert else -bits)).view(values.dtype)
    if invert:  # in place: one fresh array, not three (each a round of page faults)
        bits -= 1
    else:
        bits *= -1
    bits &= values.view(itype)
    return bits.view(values.dtype)


def is_view(array) -> bool:
    """True when ``array`` shares memory it does not own (a view of another array)."""
    return getattr(array, "base", None) is not None


def to_host(array):
    """A ``numpy.ndarray`` copy (or the same array on the CPU)."""
    return device_of(array).backend.to_host(array)


def asarray(data, dtype=None, device: Device | None = None, copy=False):
    """Build an array on ``device`` from Python data, a NumPy array or another device's array."""
    device = device or Device("cpu")
    if is_array(data):
        a = to_device(data, device)
        if dtype is not None and a.dtype != dtype:
            return a.astype(dtype)
        return a.copy() if copy and a is data else a
    host = np.array(data, dtype=dtype, copy=True if copy else None)
    if dtype is None:
        if host.dtype.kind == "f":
            host = host.astype(get_default_dtype(), copy=False)
        elif host.dtype.kind in "iu" and host.dtype != uint8:
            host = host.astype(int64, copy=False)
    if host.dtype.kind not in "biuf":
        raise TypeError(f"cannot make a tensor from data of dtype {host.dtype} (got a "
                        f"{type(data).__name__}; expected numbers, nested lists of numbers or an array)")
    return device.backend.from_host(host, device.index)


def as_array(value, device: Device):
    """A result of an op as an array of ``device`` (NumPy turns 0-d results into scalars)."""
    if isinstance(value, device.backend.array_types):
        return value
    if isinstance(value, np.generic) or not is_array(value):
        if device.type == "cpu":
            return np.asarray(value)
        return device.xp.asarray(value)
    raise TypeError(f"an op returned {type(value).__name__}, expected an array of {device}")


def from_numpy(array):
    """Wrap a host ``numpy.ndarray`` without copying."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy expects a numpy.ndarray, got {type(array).__name__}")
    return array


def is_host_array(obj) -> bool:
    return isinstance(obj, np.ndarray)
