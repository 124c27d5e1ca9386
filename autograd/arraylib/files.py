"""Helpers for files and memory accounting: host copies, bfloat16 widening, data pointers, memory blocks."""
from __future__ import annotations

import numpy as np

from .devices import to_host
from .dtypes import float32

def host_contiguous(array):
    """A C-contiguous ``numpy.ndarray`` with ``array``'s values (what file writers need)."""
    host = to_host(array)
    return np.ascontiguousarray(host).reshape(host.shape)  # ascontiguousarray makes 0-d 1-d


def bfloat16_to_float32(raw, shape):
    """Widen little-endian bfloat16 bytes to a float32 host array (exact: bf16 is float32's top half)."""
    bits = np.frombuffer(raw, dtype="<u2").astype("<u4") << 16
    return bits.view("<f4").astype(float32).reshape(shape)


def data_ptr(array) -> int:
    """The address of an array's first element (NumPy, CuPy, or a ``data_ptr`` attribute)."""
    if array.__class__ is np.ndarray:  # first: a NumPy array's ``.data`` would make a memoryview
        return array.__array_interface__["data"][0]
    ptr = getattr(array, "data_ptr", None)
    if ptr is not None:
        return int(ptr() if callable(ptr) else ptr)
    mem = getattr(array, "data", None)
    if hasattr(mem, "ptr"):  # CuPy's MemoryPointer
        return int(mem.ptr)
    return int(array.__array_interface__["data"][0])


def _is_array(obj):
    """An array of some backend (a memoryview has a shape and nbytes too, but no dtype)."""
    return hasattr(obj, "nbytes") and hasattr(obj, "shape") and hasattr(obj, "dtype")


def buffer_of(array):
    """``(key, nbytes)`` of the memory block behind ``array``: views share their base's key.

    Follows the ``.base`` chain (NumPy and CuPy views both keep one) to the array
    that owns the memory, so a view and its base are counted once. A NumPy array
    that owns its memory (no base) is keyed by identity, which is unique while it
    lives and 50x cheaper than its ``__array_interface__``; any other root by its
    data pointer. Keys compare only while both arrays are alive.
    """
    root = array
    base = getattr(root, "base", None)
    while base is not None:
        if not _is_array(base):
            # NumPy's as_strided (windows, unfold) hangs its result on a DummyArray that holds
            # the strided array in its own ``base``: step through it to that array. Any other
            # owner (a memoryview, bytes, an mmap) ends the chain at the array it backs.
            inner = getattr(base, "base", None)
            if inner is None or not _is_array(inner):
                break
            base = inner
        root = base
        base = getattr(root, "base", None)
    if base is None and root.__class__ is np.ndarray:
        return ("owner", id(root)), root.nbytes
    return (type(root), data_ptr(root)), int(root.nbytes)
