"""``Tensor.data_ptr``, ``storage``/``untyped_storage``/``storage_offset`` and ``apply_``: the memory
behind a tensor and a per-element Python map."""
from __future__ import annotations

from .arraylib.files import data_ptr as data_ptr_of

__all__ = ["data_ptr", "apply_", "TypedStorage", "UntypedStorage", "storage_offset"]


def data_ptr(t):
    """The address of the tensor's first element in its backend's memory (host or device), as an int.

    Views share their base's memory: ``t[1:].data_ptr() == t.data_ptr() + t.element_size()``.
    """
    try:
        return _address(t._data)
    except RuntimeError as e:
        raise RuntimeError(f"data_ptr(): the {t.device.type} device: {e}") from None


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


def _root(a):
    """The array that owns ``a``'s memory (NumPy's and CuPy's ``base`` chain)."""
    while getattr(a, "base", None) is not None:
        base = a.base
        if not hasattr(base, "dtype"):  # NumPy's as_strided hangs its result on a DummyArray
            base = getattr(base, "base", None)
            if base is None or not hasattr(base, "dtype"):
                break
        a = base
    return a


def _address(a):
    """The address of array ``a``'s first element (NumPy's array interface, CuPy's pointer, or a
    ``data_ptr`` attribute)."""
    try:
        return data_ptr_of(a)
    except AttributeError:
        raise RuntimeError(f"the backend's arrays ({type(a).__name__}) expose no memory address") from None


def storage_offset(t):
    """How many elements of ``t``'s dtype lie between its storage's start and its first element."""
    root = _root(t._data)
    if root is t._data:
        return 0
    return (_address(t._data) - _address(root)) // t.dtype.itemsize


class UntypedStorage:
    """The bytes behind a tensor (a read-only description: ``data_ptr``, ``nbytes``, ``size``, ``device``)."""

    def __init__(self, tensor):
        self._root, self.device = _root(tensor._data), tensor.device

    def data_ptr(self):
        return _address(self._root)

    def nbytes(self):
        return int(self._root.nbytes)

    def size(self):
        return self.nbytes()

    __len__ = size


class TypedStorage(UntypedStorage):
    """The memory behind a tensor, counted in elements of its dtype (PyTorch's deprecated ``storage()``)."""

    def __init__(self, tensor):
        super().__init__(tensor)
        self.dtype = tensor.dtype

    def element_size(self):
        return self.dtype.itemsize

    def size(self):
        return self.nbytes() // self.dtype.itemsize

    __len__ = size

    def untyped(self):
        u = UntypedStorage.__new__(UntypedStorage)
        u._root, u.device = self._root, self.device
        return u

    def tolist(self):
        from . import backend

        flat = backend.to_host(self._root).reshape(-1).view(self.dtype)
        return flat.tolist()

    def __getitem__(self, i):
        return self.tolist()[i]
