"""``Tensor.data_ptr`` and ``Tensor.apply_``: the raw memory address and a per-element Python map."""
from __future__ import annotations

__all__ = ["data_ptr", "apply_"]


def data_ptr(t):
    """The address of the tensor's first element in its backend's memory (host or device), as an int.

    Views share their base's memory: ``t[1:].data_ptr() == t.data_ptr() + t.element_size()``.
    """
    a = t._data
    iface = getattr(a, "__array_interface__", None)  # NumPy
    if iface is not None:
        return int(iface["data"][0])
    mem = getattr(a, "data", None)  # CuPy: a MemoryPointer
    if hasattr(mem, "ptr"):
        return int(mem.ptr)
    raise RuntimeError(f"data_ptr(): the {t.device.type} backend's arrays ({type(a).__name__}) "
                       "expose no memory address")


def apply_(t, callable):
    """Replace each element ``x`` by ``callable(x)`` (a Python function of one number), in place.

    CPU only and slow (one Python call per element), as PyTorch's.
    """
    if t.device.type != "cpu":
        raise TypeError("apply_ is only implemented on CPU tensors")
    t._check_inplace()
    a = t._data
    if a.size:
        a[...] = t.device.xp.vectorize(callable, otypes=[a.dtype])(a)
    t._bump()
    return t
