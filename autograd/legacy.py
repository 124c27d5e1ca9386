"""Spellings PyTorch code still uses: typed tensor classes, ``Size``, ``finfo``/``iinfo``, ``is_tensor``,
memory formats, ``bfloat16`` and ``Tensor.type()``.

* ``ag.FloatTensor(2, 3)`` builds a zero-filled float32 tensor (PyTorch leaves it uninitialised),
  ``ag.LongTensor([1, 2])`` an int64 one, and ``isinstance(t, ag.FloatTensor)`` checks the dtype
  (and that ``t`` is on the CPU; ``ag.cuda.FloatTensor`` is the CUDA family).
* ``bfloat16``: NumPy has no bfloat16 type, so xpgrad neither stores nor computes in it.
  ``ag.bfloat16`` exists so that code naming it imports; using it as a dtype raises a
  ``TypeError`` that says so (bfloat16 tensors in safetensors files are widened to float32 on load).
"""
from __future__ import annotations

import numbers

from . import backend
from .tensor import Tensor

__all__ = ["Size", "finfo", "iinfo", "is_tensor", "is_floating_point", "is_storage", "numel",
           "preserve_format", "contiguous_format", "channels_last", "channels_last_3d", "memory_format",
           "bfloat16", "FloatTensor", "DoubleTensor", "HalfTensor", "LongTensor", "IntTensor", "ShortTensor",
           "CharTensor", "ByteTensor", "BoolTensor", "BFloat16Tensor"]


class Size(tuple):
    """A tensor's shape, as ``torch.Size``: a tuple of ints with ``numel()``."""

    def numel(self) -> int:
        """The number of elements a tensor of this shape holds."""
        n = 1
        for s in self:
            n *= s
        return n

    def __repr__(self):
        return f"autograd.Size({list(self)})"

    def __getitem__(self, key):
        r = tuple.__getitem__(self, key)
        return Size(r) if isinstance(key, slice) else r

    def __add__(self, other):
        return Size(tuple.__add__(self, tuple(other)))


# ---------------------------------------------------------------- memory formats
class memory_format:
    """A memory-layout request (``preserve_format``, ``contiguous_format``, ``channels_last``).

    Backend arrays are strided NumPy/CuPy arrays: xpgrad accepts these arguments and keeps the
    layout NumPy gives (``channels_last`` does not reorder memory).
    """

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"autograd.{self.name}"


preserve_format = memory_format("preserve_format")
contiguous_format = memory_format("contiguous_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")


def check_memory_format(fmt, op):
    """Validate a ``memory_format=`` argument (layouts are not changed; see :class:`memory_format`)."""
    if fmt is not None and not isinstance(fmt, memory_format):
        raise TypeError(f"{op}(): argument 'memory_format' must be autograd.memory_format, "
                        f"not {type(fmt).__name__}")


# ---------------------------------------------------------------- bfloat16
class _Unavailable:
    """A dtype name xpgrad cannot store: using it raises a TypeError that says why."""

    def __init__(self, name, why):
        self.name, self.why = name, why

    @property
    def dtype(self):  # what np.dtype(obj) reads: fail with the reason, not a bare "unsupported"
        raise TypeError(self.why)

    @property
    def is_floating_point(self):
        return True

    @property
    def itemsize(self):
        return 2

    def __repr__(self):  # also what backend.as_dtype's "unsupported dtype ..." error shows
        return f"autograd.{self.name} (unsupported: NumPy and CuPy have no {self.name} arrays)"


bfloat16 = _Unavailable(
    "bfloat16", "autograd.bfloat16 is not supported: NumPy and CuPy have no bfloat16 array type, so "
    "xpgrad stores and computes in float16/float32/float64 only (use float32; bfloat16 tensors in "
    "safetensors files are widened to float32 by ag.load)")


def as_dtype(dtype):
    """``backend.as_dtype`` that explains bfloat16 instead of calling it unsupported."""
    if isinstance(dtype, _Unavailable):
        raise TypeError(dtype.why)
    return backend.as_dtype(dtype)


# ---------------------------------------------------------------- finfo / iinfo
class finfo:
    """Machine limits of a floating dtype (default: the default dtype), as ``torch.finfo``."""

    def __init__(self, type=None):  # noqa: A002 - PyTorch's argument name
        if isinstance(type, _Unavailable):  # bfloat16's limits are known without storing it
            self.bits, self.eps = 16, 0.0078125
            self.max, self.min = 3.3895313892515355e38, -3.3895313892515355e38
            self.tiny = self.smallest_normal = 1.1754943508222875e-38
            self.resolution, self.dtype = 0.01, "bfloat16"
            return
        d = backend.get_default_dtype() if type is None else as_dtype(type)
        if d.kind != "f":
            raise TypeError(f"torch.finfo() requires a floating point input type. Use torch.iinfo to handle "
                            f"'{d.name}'")
        info = backend.Device("cpu").xp.finfo(d)
        self.bits, self.dtype = int(info.bits), d.name
        self.eps, self.max, self.min = float(info.eps), float(info.max), float(info.min)
        self.tiny = self.smallest_normal = float(info.smallest_normal)
        self.resolution = 10.0 ** -int(info.precision)  # exact, as PyTorch (NumPy rounds it to the dtype)

    def __repr__(self):
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, "
                f"dtype={self.dtype})")


class iinfo:
    """Machine limits of an integer dtype, as ``torch.iinfo``."""

    def __init__(self, type):  # noqa: A002
        d = as_dtype(type)
        if d.kind not in "iub":
            raise TypeError(f"torch.iinfo() requires an integer input type. Use torch.finfo to handle "
                            f"'{d.name}'")
        if d.kind == "b":
            self.bits, self.min, self.max = 8, 0, 1
        else:
            info = backend.Device("cpu").xp.iinfo(d)
            self.bits, self.min, self.max = int(info.bits), int(info.min), int(info.max)
        self.dtype = d.name

    def __repr__(self):
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"


# ---------------------------------------------------------------- predicates
def is_tensor(obj) -> bool:
    """True when ``obj`` is an ``autograd.Tensor``."""
    return isinstance(obj, Tensor)


def is_storage(obj) -> bool:
    """Always False: xpgrad has no separate storage objects."""
    return False


def is_floating_point(input) -> bool:
    """True when ``input`` has a floating dtype."""
    return input.dtype.kind == "f"


def numel(input) -> int:
    """Number of elements of ``input``."""
    return input.numel()


# ---------------------------------------------------------------- typed tensor classes
_LEGACY = {  # class name -> dtype name
    "FloatTensor": "float32", "DoubleTensor": "float64", "HalfTensor": "float16", "LongTensor": "int64",
    "IntTensor": "int32", "ShortTensor": "int16", "CharTensor": "int8", "ByteTensor": "uint8",
    "BoolTensor": "bool",
}


class _TensorType(type):
    """Metaclass of the typed tensor classes: ``isinstance`` checks dtype and device type."""

    def __instancecheck__(cls, obj):
        return (isinstance(obj, Tensor) and cls._dtype is not None and obj.dtype == cls._dtype
                and (obj.device.type == "cpu") == (cls._family == "cpu"))

    def __call__(cls, *args, device=None):
        if cls._dtype is None:
            raise TypeError(f"{cls.__name__} is not supported: {bfloat16.why}")
        from .creation import tensor, zeros

        if device is None and cls._family != "cpu":
            device = "cuda"
        if len(args) == 1 and not isinstance(args[0], numbers.Integral):
            data = args[0]
            if isinstance(data, Tensor):
                if data.dtype != cls._dtype:
                    raise TypeError(f"expected {cls._dtype.name} (got {data.dtype.name})")
                return data if device is None else data.to(device)
            if isinstance(data, Size):  # FloatTensor(t.shape): sizes, as PyTorch
                return zeros(tuple(data), dtype=cls._dtype, device=device)
            if isinstance(data, (tuple, list)) or backend.is_array(data):
                return tensor(data, dtype=cls._dtype, device=device)
            raise TypeError(f"{cls.__name__}(): expected sizes (ints) or data (a list or tuple), got "
                            f"{type(data).__name__}")
        for a in args:
            if not isinstance(a, numbers.Integral) or isinstance(a, bool):
                raise TypeError(f"{cls.__name__}(): sizes must be ints, got {type(a).__name__}")
        return zeros(args if args else (0,), dtype=cls._dtype, device=device)

    def __repr__(cls):
        return f"<class '{cls._prefix}{cls.__name__}'>"


def _typed(name, dtype_name, family):
    dtype = None if dtype_name is None else backend.as_dtype(dtype_name)
    prefix = "torch." if family == "cpu" else "torch.cuda."
    return _TensorType(name, (), {"_dtype": dtype, "_family": family, "_prefix": prefix,
                                  "__doc__": f"Legacy ``{prefix}{name}``: a {dtype_name} tensor."})


def typed_classes(family):
    """The typed tensor classes of a device family (``"cpu"`` or ``"cuda"``), by name."""
    out = {n: _typed(n, d, family) for n, d in _LEGACY.items()}
    out["BFloat16Tensor"] = _typed("BFloat16Tensor", None, family)
    return out


_CPU = typed_classes("cpu")
FloatTensor, DoubleTensor, HalfTensor = _CPU["FloatTensor"], _CPU["DoubleTensor"], _CPU["HalfTensor"]
LongTensor, IntTensor, ShortTensor = _CPU["LongTensor"], _CPU["IntTensor"], _CPU["ShortTensor"]
CharTensor, ByteTensor, BoolTensor = _CPU["CharTensor"], _CPU["ByteTensor"], _CPU["BoolTensor"]
BFloat16Tensor = _CPU["BFloat16Tensor"]
_NAME_OF = {c._dtype: n for n, c in _CPU.items() if c._dtype is not None}


def type_name(t) -> str:
    """``'torch.FloatTensor'``-style name of ``t``'s type (``'torch.cuda.FloatTensor'`` off the CPU)."""
    prefix = "torch." if t.device.type == "cpu" else "torch.cuda."
    return prefix + _NAME_OF[t.dtype]


def to_type(t, dtype=None, non_blocking=False, **kwargs):
    """``Tensor.type()``: the type name; ``Tensor.type(dtype_or_name)``: ``t`` cast (and moved for a
    ``'torch.cuda.*'`` name or class)."""
    if dtype is None:
        dtype = kwargs.pop("dtype", None)
    if kwargs:
        raise TypeError(f"type() got an unexpected keyword argument '{next(iter(kwargs))}'")
    if dtype is None:
        return type_name(t)
    device = None
    if isinstance(dtype, _TensorType):
        if dtype._dtype is None:
            raise TypeError(bfloat16.why)
        device, dtype = ("cpu" if dtype._family == "cpu" else "cuda"), dtype._dtype
    elif isinstance(dtype, str):
        name = dtype
        for prefix, dev in (("torch.cuda.", "cuda"), ("torch.", "cpu"), ("autograd.", None)):
            if name.startswith(prefix):
                name, device = name[len(prefix):], dev
                break
        if name in _CPU:
            if _CPU[name]._dtype is None:
                raise TypeError(bfloat16.why)
            dtype = _CPU[name]._dtype
        elif device is None or device == "cpu" and name in backend._DTYPE_ALIASES:
            dtype, device = as_dtype(name), None
        else:
            raise ValueError(f"invalid type: '{dtype}'")
    else:
        dtype = as_dtype(dtype)
    out = t if device is None or t.device.type == device else t.to(device)
    return out if out.dtype == dtype else out.to(dtype)
